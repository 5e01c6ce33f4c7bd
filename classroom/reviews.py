"""Peer review: a learner scores a teammate's shared run or model card on a short rubric.

A reviewer may review what a teammate shared with the team (never their own work, never a
non-teammate's); one review per reviewer and target, which they can edit. The author and
the author's teacher read every review of the author's work; nobody else reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.access import Actor, NotAllowed, NotFound, require_actor, teaches
from classroom.model_cards import can_read as can_read_card
from classroom.teams import same_team, teammates
from db.models import ModelCard, PeerReview, Run, User, utcnow
from db.session import read_session, write_session
from engine import jobs

TARGET_KINDS = ("run", "model_card")
MAX_COMMENT_CHARS = 2000
MIN_COMMENT_WORDS = 3


@dataclass(frozen=True)
class Criterion:
    key: str
    title: str
    levels: tuple[str, str, str, str]  # what a score of 1, 2, 3 and 4 means


RUBRIC: tuple[Criterion, ...] = (
    Criterion(
        "clarity",
        "Clarity",
        (
            "Hard to follow",
            "Some parts are clear",
            "Mostly clear",
            "Anyone in the class could follow it",
        ),
    ),
    Criterion(
        "evidence",
        "Evidence",
        (
            "No numbers or examples",
            "A number or two, not explained",
            "Claims backed by results",
            "Every claim backed by results, groups included",
        ),
    ),
    Criterion(
        "next_step",
        "What to try next",
        (
            "No idea what to change",
            "A vague idea",
            "One clear change to try",
            "A clear change and what it should show",
        ),
    ),
)


class ReviewError(ValueError):
    """A review cannot be saved as written; the message says why."""


@dataclass(frozen=True)
class Target:
    """Something a teammate shared that can be reviewed."""

    kind: str  # run | model_card
    id: int
    owner_id: int
    owner_name: str
    run_id: int  # the run itself, or the run the card explains
    title: str


@dataclass(frozen=True)
class Review:
    id: int
    reviewer_id: int
    reviewer_name: str
    target: Target
    clarity: int
    evidence: int
    next_step: int
    comment: str
    created_at: datetime
    updated_at: datetime

    @property
    def scores(self) -> dict[str, int]:
        return {"clarity": self.clarity, "evidence": self.evidence, "next_step": self.next_step}


def _target(session: Session, kind: str, target_id: int) -> Target | None:
    """The run or card, whoever may see it; None when there is no such thing."""
    if kind == "run":
        run = session.get(Run, target_id)
        if run is None or run.owner_id is None:
            return None
        owner, title, run_id = run.owner_id, f"Run {run.id} ({run.spec.get('dataset')})", run.id
    elif kind == "model_card":
        card = session.get(ModelCard, target_id)
        if card is None:
            return None
        owner, title, run_id = card.owner_id, f"Model card for run {card.run_id}", card.run_id
    else:
        return None
    name = session.scalar(select(User.display_name).where(User.id == owner)) or "?"
    return Target(kind, target_id, owner, name, run_id, title)


def _shared_with_team(session: Session, target: Target) -> bool:
    if target.kind == "run":
        run = session.get(Run, target.id)
        return bool(run and run.team_shared)
    card = session.get(ModelCard, target.id)
    return bool(card and (card.shared_with_team or card.status == "published"))


def _reviewable(session: Session, actor: Actor | None, kind: str, target_id: int) -> Target:
    """The target, if ``actor`` is a teammate of its owner and it was shared; else NotFound."""
    target = _target(session, kind, target_id)
    if (
        actor is None
        or actor.is_teacher
        or target is None
        or not same_team(session, actor.id, target.owner_id)
        or not _shared_with_team(session, target)
    ):
        raise NotFound("Nothing to review here.")
    return target


def _to_review(row: PeerReview, reviewer_name: str, target: Target) -> Review:
    return Review(
        row.id,
        row.reviewer_id,
        reviewer_name,
        target,
        row.clarity,
        row.evidence,
        row.next_step,
        row.comment,
        row.created_at,
        row.updated_at,
    )


def _valid_scores(scores: dict[str, int]) -> dict[str, int]:
    out = {}
    for criterion in RUBRIC:
        value = scores.get(criterion.key)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
            raise ReviewError(f"Give {criterion.title.lower()} a score from 1 to 4.")
        out[criterion.key] = value
    return out


def save_review(
    actor: Actor | None, kind: str, target_id: int, scores: dict[str, int], comment: str
) -> Review:
    """Write or update the actor's review of a teammate's shared run or card."""
    actor = require_actor(actor)
    if actor.is_teacher:
        raise NotAllowed("Peer reviews are written by learners in a team.")
    values = _valid_scores(scores)
    comment = comment.replace("\x00", "").strip()
    if len(comment.split()) < MIN_COMMENT_WORDS:
        raise ReviewError(
            f"Write a comment of at least {MIN_COMMENT_WORDS} words: what works, and what "
            "you would try next."
        )
    if len(comment) > MAX_COMMENT_CHARS:
        raise ReviewError(f"Keep the comment under {MAX_COMMENT_CHARS:,} characters.")
    with write_session() as session:
        target = _reviewable(session, actor, kind, target_id)
        row = _own_review_row(session, actor.id, kind, target_id)
        if row is None:
            row = PeerReview(reviewer_id=actor.id, target_kind=kind, target_id=target_id)
            session.add(row)
        for key, value in values.items():
            setattr(row, key, value)
        row.comment = comment
        row.updated_at = utcnow()
        session.flush()
        return _to_review(row, actor.display_name, target)


def _own_review_row(
    session: Session, reviewer_id: int, kind: str, target_id: int
) -> PeerReview | None:
    return session.scalar(
        select(PeerReview).where(
            PeerReview.reviewer_id == reviewer_id,
            PeerReview.target_kind == kind,
            PeerReview.target_id == target_id,
        )
    )


def my_review(actor: Actor | None, kind: str, target_id: int) -> Review | None:
    """The actor's own review of this target (to edit it), if they wrote one."""
    with read_session() as session:
        target = _reviewable(session, actor, kind, target_id)
        assert actor is not None
        row = _own_review_row(session, actor.id, kind, target_id)
        return None if row is None else _to_review(row, actor.display_name, target)


def reviews_of(actor: Actor | None, kind: str, target_id: int) -> list[Review]:
    """Every review of one run or card: for its author and the author's teacher only."""
    with read_session() as session:
        target = _target(session, kind, target_id)
        if actor is None or target is None:
            raise NotFound("No such work.")
        if actor.id != target.owner_id and not teaches(session, actor, target.owner_id):
            raise NotFound("No such work.")
        return _reviews_for(session, [target])


def _reviews_for(session: Session, targets: list[Target]) -> list[Review]:
    by_key = {(t.kind, t.id): t for t in targets}
    if not by_key:
        return []
    rows = session.execute(
        select(PeerReview, User.display_name)
        .join(User, User.id == PeerReview.reviewer_id)
        .where(PeerReview.target_id.in_({t.id for t in targets}))
        .order_by(PeerReview.updated_at.desc())
    )
    return [
        _to_review(row, name, by_key[(row.target_kind, row.target_id)])
        for row, name in rows
        if (row.target_kind, row.target_id) in by_key
    ]


def reviews_of_my_work(actor: Actor | None) -> list[Review]:
    """Every review of the actor's runs and model cards, newest first."""
    actor = require_actor(actor)
    with read_session() as session:
        my_runs = select(Run.id).where(Run.owner_id == actor.id)
        my_cards = select(ModelCard.id).where(ModelCard.owner_id == actor.id)
        reviewed = session.execute(
            select(PeerReview.target_kind, PeerReview.target_id)
            .where(
                ((PeerReview.target_kind == "run") & PeerReview.target_id.in_(my_runs))
                | ((PeerReview.target_kind == "model_card") & PeerReview.target_id.in_(my_cards))
            )
            .distinct()
        )
        targets = [_target(session, kind, target_id) for kind, target_id in reviewed]
        return _reviews_for(session, [t for t in targets if t is not None])


def reviewable_run(actor: Actor | None, kind: str, target_id: int) -> jobs.RunStatus:
    """The run a reviewer looks at: the shared run itself, or the run a shared card explains."""
    with read_session() as session:
        target = _reviewable(session, actor, kind, target_id)
    run = jobs.status(target.run_id)
    if run is None:
        raise NotFound("Nothing to review here.")
    return run


def review_targets(actor: Actor | None) -> list[Target]:
    """What the actor's teammates shared: finished runs and model cards, newest first."""
    actor = require_actor(actor)
    with read_session() as session:
        mates = teammates(session, actor.id) if not actor.is_teacher else set()
        if not mates:
            return []
        run_ids = session.scalars(
            select(Run.id)
            .where(Run.owner_id.in_(mates), Run.team_shared.is_(True), Run.status == "done")
            .order_by(Run.id.desc())
        )
        card_rows = session.scalars(
            select(ModelCard)
            .where(ModelCard.owner_id.in_(mates))
            .order_by(ModelCard.updated_at.desc())
        )
        cards = [c.id for c in card_rows if can_read_card(session, actor, c)]
        found = [_target(session, "model_card", i) for i in cards]
        found += [_target(session, "run", i) for i in run_ids]
        return [t for t in found if t is not None]
