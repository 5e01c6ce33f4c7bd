"""Model cards: a learner explains one of their finished runs to specialists and to everyone.

The owner writes and edits; once shared with the team or published, teammates and the
owner's teacher may read it. Anyone else gets NotFound, the same as for a missing card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.access import Actor, NotFound, require_actor, require_teacher, teaches
from classroom.teams import same_team, teammates
from db.models import Classroom, Membership, ModelCard, Run, User, utcnow
from db.session import read_session, write_session
from engine import jobs
from engine.spec import RunSpec

MAX_SECTION_CHARS = 6000  # about two pages; a card is a summary, not a report


@dataclass(frozen=True)
class Section:
    key: str  # the column of model_cards
    title: str
    prompt: str  # what to write, shown as the box's placeholder


SECTIONS: tuple[Section, ...] = (
    Section("purpose", "What the model does", "What does it predict, from what, and for whom?"),
    Section(
        "training_data",
        "The data it learned from",
        "Which dataset, how many examples, who collected it, and what it leaves out.",
    ),
    Section(
        "poorly_served",
        "Who might be poorly served",
        "Which people, places or cases are rare or missing in the data, and what could go "
        "wrong for them?",
    ),
    Section(
        "group_comment",
        "Results per group",
        "Read the per-group chart: which group does the model serve worst, and why might that be?",
    ),
    Section("limits", "Limits", "Where should nobody use this model? What was not tested?"),
    Section(
        "plain_summary",
        "In plain words, for someone who has never trained a model",
        "Short sentences and everyday words. Explain any technical word you cannot avoid.",
    ),
)
SECTION_KEYS = tuple(s.key for s in SECTIONS)
PLAIN_SECTION = "plain_summary"


class CardError(ValueError):
    """A card cannot be saved or published as asked; the message says why."""


@dataclass(frozen=True)
class Card:
    id: int
    owner_id: int
    owner_name: str
    run_id: int
    sections: dict[str, str]
    status: str  # draft | published
    shared_with_team: bool
    created_at: datetime
    updated_at: datetime

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def visible_to_others(self) -> bool:
        return self.published or self.shared_with_team

    def empty_sections(self) -> list[Section]:
        return [s for s in SECTIONS if not self.sections.get(s.key, "").strip()]


def _to_card(row: ModelCard, owner_name: str) -> Card:
    return Card(
        id=row.id,
        owner_id=row.owner_id,
        owner_name=owner_name,
        run_id=row.run_id,
        sections={key: getattr(row, key) or "" for key in SECTION_KEYS},
        status=row.status,
        shared_with_team=row.shared_with_team,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def can_read(session: Session, actor: Actor | None, row: ModelCard) -> bool:
    """The owner always; teammates and the owner's teacher once it is shared or published."""
    if actor is None:
        return False
    if actor.id == row.owner_id:
        return True
    if not (row.shared_with_team or row.status == "published"):
        return False
    if actor.is_teacher:
        return teaches(session, actor, row.owner_id)
    return same_team(session, actor.id, row.owner_id)


def _owner_name(session: Session, user_id: int) -> str:
    return session.scalar(select(User.display_name).where(User.id == user_id)) or "?"


def get_card(actor: Actor | None, card_id: int) -> Card:
    with read_session() as session:
        row = session.get(ModelCard, card_id)
        if row is None or not can_read(session, actor, row):
            raise NotFound("No such model card.")
        return _to_card(row, _owner_name(session, row.owner_id))


def _own_row(session: Session, actor: Actor | None, card_id: int) -> ModelCard:
    row = session.get(ModelCard, card_id)
    if actor is None or row is None or row.owner_id != actor.id:
        raise NotFound("No such model card.")
    return row


def start_card(actor: Actor | None, run_id: int) -> Card:
    """The actor's card for one of their own finished runs, made empty the first time."""
    actor = require_actor(actor)
    with write_session() as session:
        run = session.get(Run, run_id)
        if run is None or run.owner_id != actor.id:
            raise NotFound("No such run.")
        if run.status != "done":
            raise CardError("Write a model card for a run that has finished training.")
        row = session.scalar(
            select(ModelCard).where(ModelCard.owner_id == actor.id, ModelCard.run_id == run_id)
        )
        if row is None:
            row = ModelCard(owner_id=actor.id, run_id=run_id, **dict.fromkeys(SECTION_KEYS, ""))
            session.add(row)
            session.flush()
        return _to_card(row, actor.display_name)


def card_for_run(actor: Actor | None, run_id: int) -> Card | None:
    """The actor's own card for this run, if they have started one."""
    actor = require_actor(actor)
    with read_session() as session:
        row = session.scalar(
            select(ModelCard).where(ModelCard.owner_id == actor.id, ModelCard.run_id == run_id)
        )
        return None if row is None else _to_card(row, actor.display_name)


def save_section(actor: Actor | None, card_id: int, section: str, text: str) -> Card:
    """Save one section as the owner types (each section on its own, so none overwrites
    another). Editing a published card keeps it published."""
    if section not in SECTION_KEYS:
        raise CardError(f"A model card has no section called {section!r}.")
    if len(text) > MAX_SECTION_CHARS:
        raise CardError(
            f"This section is {len(text):,} characters long; keep it under "
            f"{MAX_SECTION_CHARS:,} (a card is a summary)."
        )
    with write_session() as session:
        row = _own_row(session, actor, card_id)
        setattr(row, section, text.replace("\x00", ""))
        row.updated_at = utcnow()
        return _to_card(row, _owner_name(session, row.owner_id))


def set_published(actor: Actor | None, card_id: int, published: bool) -> Card:
    """Publish (every section must be written) or take back to draft."""
    with write_session() as session:
        row = _own_row(session, actor, card_id)
        if published:
            card = _to_card(row, "")
            missing = card.empty_sections()
            if missing:
                names = ", ".join(f'"{s.title}"' for s in missing)
                raise CardError(f"Fill in every section before publishing. Still empty: {names}.")
        row.status = "published" if published else "draft"
        row.updated_at = utcnow()
        return _to_card(row, _owner_name(session, row.owner_id))


def set_shared(actor: Actor | None, card_id: int, shared: bool) -> Card:
    """Share the card (even a draft) with the owner's team, or stop sharing it."""
    with write_session() as session:
        row = _own_row(session, actor, card_id)
        row.shared_with_team = shared
        row.updated_at = utcnow()
        return _to_card(row, _owner_name(session, row.owner_id))


def my_cards(actor: Actor | None) -> list[Card]:
    actor = require_actor(actor)
    with read_session() as session:
        rows = session.scalars(
            select(ModelCard)
            .where(ModelCard.owner_id == actor.id)
            .order_by(ModelCard.updated_at.desc())
        )
        return [_to_card(row, actor.display_name) for row in rows]


def team_cards(actor: Actor | None) -> list[Card]:
    """Cards the actor's teammates shared with the team or published, newest first."""
    actor = require_actor(actor)
    with read_session() as session:
        mates = teammates(session, actor.id)
        if not mates:
            return []
        rows = session.execute(
            select(ModelCard, User.display_name)
            .join(User, User.id == ModelCard.owner_id)
            .where(ModelCard.owner_id.in_(mates))
            .where((ModelCard.shared_with_team.is_(True)) | (ModelCard.status == "published"))
            .order_by(ModelCard.updated_at.desc())
        )
        return [_to_card(row, name) for row, name in rows]


def class_cards(actor: Actor | None) -> list[Card]:
    """For a teacher: the cards their learners shared or published, newest first."""
    actor = require_teacher(actor)
    taught = (
        select(Membership.user_id)
        .join(Classroom, Classroom.id == Membership.class_id)
        .where(Classroom.teacher_id == actor.id)
    )
    with read_session() as session:
        rows = session.execute(
            select(ModelCard, User.display_name)
            .join(User, User.id == ModelCard.owner_id)
            .where(ModelCard.owner_id.in_(taught))
            .where((ModelCard.shared_with_team.is_(True)) | (ModelCard.status == "published"))
            .order_by(ModelCard.updated_at.desc())
        )
        return [_to_card(row, name) for row, name in rows]


# --- Markdown export -------------------------------------------------------------------------

# Characters that mean something anywhere in a line (emphasis, code, links, tables), and
# what means something only at a line's start (headings, lists, setext underlines). Escaped
# with a backslash each shows as itself, so a card's text can add no heading, link, image,
# table or HTML, while the raw file stays readable (full stops and quotes are left alone).
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_LINE_START = re.compile(r"^(?:([#+\-=])|(\d+)([.)]))")
ALWAYS_SHOWN = ("dataset", "model", "epochs", "learning_rate", "batch_size", "optimizer")


def _escape_line(line: str) -> str:
    line = _INLINE_SPECIAL.sub(r"\\\1", line.strip())
    return _LINE_START.sub(lambda m: "\\" + m[1] if m[1] else m[2] + "\\" + m[3], line)


def escape_markdown(text: str) -> str:
    """Learner text as literal Markdown: HTML characters become entities, Markdown
    punctuation is backslash-escaped, and lines lose the indent that would make code."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "\n".join(_escape_line(line) for line in text.split("\n")).strip()


def _cell(value: object) -> str:
    """A table cell: escaped, and on one line (a newline would end the row)."""
    return escape_markdown(" ".join(str(value).split()))


def run_settings(spec: dict[str, Any]) -> list[tuple[str, str]]:
    """(setting, value) for the main settings and every one changed from its default."""
    defaults = {name: field.default for name, field in RunSpec.model_fields.items()}
    shown = [k for k in ALWAYS_SHOWN if k in spec]
    shown += sorted(k for k in spec if k not in shown and spec[k] != defaults.get(k, spec[k]))
    return [(key.replace("_", " "), str(spec[key])) for key in shown]


def _group_tables(result: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for column, rows in (result.get("group_results") or {}).items():
        out += [f"**By {_cell(column)}**", "", "| Group | Test rows | Accuracy |"]
        out.append("|---|---:|---:|")
        out += [
            f"| {_cell(r['group'])} | {int(r['rows'])} | {float(r['accuracy']):.1%} |" for r in rows
        ]
        out.append("")
    return out


def export_markdown(actor: Actor | None, card_id: int) -> str:
    """The card as a Markdown document, for whoever may read it."""
    card = get_card(actor, card_id)
    run = jobs.status(card.run_id)
    if run is None:
        raise NotFound("No such model card.")
    result = run.result or {}
    accuracy = result.get("test_accuracy")
    text = {key: escape_markdown(card.sections.get(key, "")) for key in SECTION_KEYS}
    empty = "_Not written yet._"
    lines = [
        f"# Model card: run {run.id}",
        "",
        f"By {_cell(card.owner_name)} · {card.status} · last changed "
        f"{card.updated_at:%Y-%m-%d %H:%M} UTC",
        "",
        "## The run",
        "",
        "Test accuracy: "
        + (f"**{float(accuracy):.1%}**" if accuracy is not None else "not measured")
        + ".",
        "",
        "| Setting | Value |",
        "|---|---|",
        *(f"| {_cell(name)} | {_cell(value)} |" for name, value in run_settings(run.spec)),
        "",
    ]
    for section in SECTIONS:
        if section.key == PLAIN_SECTION:
            continue
        lines += [f"## {section.title}", "", text[section.key] or empty, ""]
        if section.key == "group_comment":
            tables = _group_tables(result)
            lines += tables or ["This run's data has no groups to compare.", ""]
    plain = next(s for s in SECTIONS if s.key == PLAIN_SECTION)
    lines += [f"## {plain.title}", "", text[PLAIN_SECTION] or empty, ""]
    return "\n".join(lines)
