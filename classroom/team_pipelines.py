"""Stored pipeline versions shared with a team: teammates see the table and reuse the stages.

Sharing is one flag on the version row, read on every call (no cached copy): unsharing hides
the version from teammates at once. The owner and the owner's teacher always see it; anyone
else gets NotFound, exactly as for a version that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.access import Actor, NotFound, require_actor, teaches
from classroom.teams import same_team, visible_team
from db.models import PipelineVersion, TeamMember, User
from db.session import read_session, write_session
from engine.data import DataError
from engine.pipeline import versions
from engine.pipeline.pipeline_spec import PipelineSpecError, parse_pipeline

NO_SUCH_VERSION = "No such pipeline version."


@dataclass(frozen=True)
class SharedVersion:
    id: int
    owner_id: int
    owner_name: str
    pipeline_name: str
    version: int
    rows: int
    columns: list[dict[str, Any]]  # [{"name": ..., "type": ...}, ...]
    content_hash: str
    created_at: datetime
    shared: bool
    stages: list[dict[str, Any]]  # as stored in the version's PipelineSpec
    source_kinds: tuple[str, ...]  # "upload", "bundled", ... (never another learner's file id)

    @property
    def stage_count(self) -> int:
        return len(self.stages)


def _shared_version(session: Session, row: PipelineVersion) -> SharedVersion:
    owner = session.get(User, row.owner_id)
    spec = dict(row.spec)
    return SharedVersion(
        row.id,
        row.owner_id,
        owner.display_name if owner else "",
        row.pipeline_name,
        row.version,
        row.rows,
        list(row.columns),
        row.content_hash,
        row.created_at,
        bool(row.team_shared),
        [dict(s) for s in spec.get("stages", [])],
        tuple(str(s.get("kind", "")) for s in spec.get("sources", [])),
    )


def can_see_version(session: Session, actor: Actor, row: PipelineVersion) -> bool:
    """The owner, the owner's teacher, or a teammate while the owner shares it with the team."""
    if row.owner_id == actor.id or teaches(session, actor, row.owner_id):
        return True
    return bool(row.team_shared) and same_team(session, actor.id, row.owner_id)


def _visible_row(session: Session, actor: Actor, version_id: int) -> PipelineVersion:
    row = session.get(PipelineVersion, version_id)
    if row is None or not can_see_version(session, actor, row):
        raise NotFound(NO_SUCH_VERSION)
    return row


def set_version_shared(actor: Actor | None, name: str, version: int, shared: bool) -> None:
    """The owner shares one of their stored versions with their team, or stops (at once)."""
    actor = require_actor(actor)
    with write_session() as session:
        row = session.scalar(
            select(PipelineVersion).where(
                PipelineVersion.owner_id == actor.id,
                PipelineVersion.pipeline_name == name,
                PipelineVersion.version == version,
            )
        )
        if row is None:
            raise NotFound(NO_SUCH_VERSION)
        row.team_shared = shared


def my_versions(actor: Actor | None, name: str | None = None) -> list[SharedVersion]:
    """The learner's own versions (of one pipeline, or all), each with whether it is shared."""
    actor = require_actor(actor)
    query = select(PipelineVersion).where(PipelineVersion.owner_id == actor.id)
    if name is not None:
        query = query.where(PipelineVersion.pipeline_name == name)
    order = (PipelineVersion.pipeline_name, PipelineVersion.version)
    with read_session() as session:
        return [_shared_version(session, r) for r in session.scalars(query.order_by(*order))]


def team_shared_versions(actor: Actor | None, team_id: int) -> list[SharedVersion]:
    """Versions the team's members share with it, newest first (members and the teacher)."""
    with read_session() as session:
        team = visible_team(session, actor, team_id)
        members = select(TeamMember.learner_id).where(TeamMember.team_id == team.id)
        rows = session.scalars(
            select(PipelineVersion)
            .where(PipelineVersion.owner_id.in_(members), PipelineVersion.team_shared.is_(True))
            .order_by(PipelineVersion.created_at.desc(), PipelineVersion.id.desc())
        )
        return [_shared_version(session, r) for r in rows]


def get_shared_version(actor: Actor | None, version_id: int) -> SharedVersion:
    """One version as a teammate (or its owner or teacher) sees it; NotFound for anyone else."""
    actor = require_actor(actor)
    with read_session() as session:
        return _shared_version(session, _visible_row(session, actor, version_id))


def load_shared_table(actor: Actor | None, version_id: int) -> pd.DataFrame:
    """The stored table of a version the actor may see, rows numbered from 1."""
    found = get_shared_version(actor, version_id)
    try:
        return versions.load_version(found.owner_id, found.pipeline_name, found.version)
    except (DataError, OSError):
        raise NotFound(
            "The stored data of this version is missing; ask its owner to store it again."
        ) from None


def shared_stages(actor: Actor | None, version_id: int) -> list[dict[str, Any]]:
    """A copy of the version's stages, checked, for the actor's own pipeline builder.

    Only the stages travel: the sources stay the owner's (their files are theirs alone)."""
    actor = require_actor(actor)
    with read_session() as session:
        spec = dict(_visible_row(session, actor, version_id).spec)
    try:
        checked = parse_pipeline(spec)
    except PipelineSpecError:
        raise ValueError(
            "These stages no longer fit the pipeline builder; ask their owner to store the "
            "pipeline again."
        ) from None
    # Settings left at their defaults are left out, as the builder's own editor writes them.
    return [
        {"step": stage.step, **stage.model_dump(mode="json", exclude_defaults=True)}
        for stage in checked.stages
    ]
