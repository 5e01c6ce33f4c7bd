"""A learner's working pipeline in the builder, kept in the database as journals are: saved on
each change, read back when the page opens. Private: only its owner reads or writes it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from classroom.access import Actor, require_actor
from classroom.pipelines import require_source_access
from db.models import PipelineDraft, utcnow
from db.session import read_session, write_session
from engine.pipeline.pipeline_spec import PipelineSpecError, parse_pipeline

MAX_STAGES = 60  # the spec allows 30; an editor past that still keeps what was typed
MAX_DRAFT_BYTES = 200_000


class DraftError(ValueError):
    """A draft that cannot be kept as it is; the message says why, for the learner."""


@dataclass(frozen=True)
class Draft:
    pipeline_name: str
    sources: dict[str, Any] | None  # {"sources": [...], "join": ...} of a PipelineSpec
    stages: list[dict[str, Any]] = field(default_factory=list)
    chosen_version: int | None = None
    updated_at: datetime | None = None


def _checked(
    actor: Actor, name: str, sources: dict[str, Any] | None, stages: list[dict[str, Any]]
) -> None:
    """Sources that form a spec and name only the actor's own files; stages of bounded size."""
    if sources is not None:
        try:
            spec = parse_pipeline({"name": name, **sources})
        except PipelineSpecError as exc:
            raise DraftError(f"The data source cannot be saved: {exc}") from None
        require_source_access(actor, spec)  # NotFound, like any other's file
    if not isinstance(stages, list) or not all(isinstance(s, dict) for s in stages):
        raise DraftError("The stages cannot be saved: each stage must be a set of choices.")
    if len(stages) > MAX_STAGES:
        raise DraftError(f"A pipeline keeps at most {MAX_STAGES} stages; remove some first.")
    if len(json.dumps([sources, stages], default=str)) > MAX_DRAFT_BYTES:
        raise DraftError("The pipeline is too large to save; remove some stages or columns.")


def save_draft(
    actor: Actor | None,
    name: str,
    sources: dict[str, Any] | None,
    stages: list[dict[str, Any]],
    chosen_version: int | None = None,
) -> Draft:
    """Keep the actor's working pipeline ``name`` (one per learner and name), replacing the
    last. Raises DraftError for a draft too large or malformed, NotFound for another's file."""
    actor = require_actor(actor)
    _checked(actor, name, sources, stages)
    stages = json.loads(json.dumps(stages, default=str))  # plain JSON, as it will be read
    try:
        return _write(actor.id, name, sources, stages, chosen_version)
    except IntegrityError:  # another tab made the row first (PostgreSQL): update that one
        return _write(actor.id, name, sources, stages, chosen_version)


def _write(
    owner_id: int,
    name: str,
    sources: dict[str, Any] | None,
    stages: list[dict[str, Any]],
    chosen_version: int | None,
) -> Draft:
    with write_session() as session:
        row = session.scalar(
            select(PipelineDraft).where(
                PipelineDraft.owner_id == owner_id, PipelineDraft.pipeline_name == name
            )
        )
        if row is None:
            row = PipelineDraft(owner_id=owner_id, pipeline_name=name)
            session.add(row)
        row.sources, row.stages, row.chosen_version = sources, stages, chosen_version
        row.updated_at = utcnow()
        session.flush()
        return _draft(row)


def load_draft(actor: Actor | None, name: str) -> Draft | None:
    """The actor's own working pipeline ``name``, or None if they have not started one."""
    actor = require_actor(actor)
    with read_session() as session:
        row = session.scalar(
            select(PipelineDraft).where(
                PipelineDraft.owner_id == actor.id, PipelineDraft.pipeline_name == name
            )
        )
        return _draft(row) if row else None


def _draft(row: PipelineDraft) -> Draft:
    return Draft(
        row.pipeline_name,
        row.sources,
        list(row.stages or []),
        row.chosen_version,
        row.updated_at,
    )
