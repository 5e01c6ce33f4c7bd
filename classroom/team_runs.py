"""Runs shared with a team, and forks: a learner's own run started from a teammate's settings.

Sharing is one flag on the run, read on every call (no cached copy): unsharing hides the run
from teammates at once. A fork is the forker's own run; teammates see it once it is shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from classroom import challenges, runs
from classroom.access import Actor, NotFound, require_actor
from classroom.run_visibility import can_see_run
from classroom.teams import visible_team
from db.models import Run, TeamMember, User
from db.session import read_session, write_session
from engine import jobs
from engine.spec import parse_spec


@dataclass(frozen=True)
class SharedRun:
    id: int
    owner_id: int
    owner_name: str
    lab_id: str | None
    status: str
    spec: dict[str, Any]
    result: dict[str, Any] | None
    finished_at: datetime | None
    shared: bool
    forked_from: int | None
    challenge_id: int | None

    @property
    def test_accuracy(self) -> float | None:
        return (self.result or {}).get("test_accuracy")

    @property
    def val_accuracy(self) -> float | None:
        """The score runs are compared on: the tested model's validation accuracy (older
        runs: their best epoch's). Test scores wait for the owner's final test."""
        result = self.result or {}
        value = result.get("val_accuracy")
        return result.get("best_val_accuracy") if value is None else value


def _shared_run(session: Session, run: Run) -> SharedRun:
    owner = session.get(User, run.owner_id) if run.owner_id is not None else None
    return SharedRun(
        run.id,
        run.owner_id or 0,
        owner.display_name if owner else "",
        run.lab_id,
        run.status,
        dict(run.spec),
        dict(run.result) if run.result else None,
        run.finished_at,
        bool(run.team_shared),
        run.forked_from,
        run.challenge_id,
    )


def get_team_run(actor: Actor | None, run_id: int) -> SharedRun:
    """A run as a teammate (or its owner or teacher) sees it; NotFound for anyone else."""
    actor = require_actor(actor)
    with read_session() as session:
        run = session.get(Run, run_id)
        if run is None or not can_see_run(session, actor, run):
            raise NotFound("No such run.")
        return _shared_run(session, run)


def set_team_shared(actor: Actor | None, run_id: int, shared: bool) -> None:
    """The owner shares a finished run with their team, or stops sharing it (at once)."""
    actor = require_actor(actor)
    with write_session() as session:
        run = session.get(Run, run_id)
        if run is None or run.owner_id != actor.id:
            raise NotFound("No such run.")
        if shared and run.status in jobs.ACTIVE:
            raise ValueError("Share a run once it has finished, so your team sees its results.")
        run.team_shared = shared


def my_finished_runs(actor: Actor | None, limit: int = 50) -> list[SharedRun]:
    """The learner's own finished runs, newest first, each with whether it is shared."""
    actor = require_actor(actor)
    with read_session() as session:
        rows = session.scalars(
            select(Run)
            .where(Run.owner_id == actor.id, Run.status.in_(jobs.FINISHED))
            .order_by(Run.id.desc())
            .limit(limit)
        )
        return [_shared_run(session, r) for r in rows]


def team_shared_runs(actor: Actor | None, team_id: int) -> list[SharedRun]:
    """Runs the team's members share with it, newest first (members and the teacher)."""
    with read_session() as session:
        team = visible_team(session, actor, team_id)
        members = select(TeamMember.learner_id).where(TeamMember.team_id == team.id)
        rows = session.scalars(
            select(Run)
            .where(Run.owner_id.in_(members), Run.team_shared.is_(True))
            .order_by(Run.id.desc())
        )
        return [_shared_run(session, r) for r in rows]


def team_forks(actor: Actor | None, team_id: int) -> list[tuple[SharedRun, SharedRun | None]]:
    """Forks the actor may see among the team's runs, each with its origin (None when the
    origin is no longer shared with them): their own forks and forks shared with the team."""
    actor = require_actor(actor)
    with read_session() as session:
        team = visible_team(session, actor, team_id)
        members = select(TeamMember.learner_id).where(TeamMember.team_id == team.id)
        rows = session.scalars(
            select(Run)
            .where(Run.owner_id.in_(members), Run.forked_from.is_not(None))
            .order_by(Run.id.desc())
        )
        pairs = []
        for fork in rows:
            if not can_see_run(session, actor, fork):
                continue
            origin = session.get(Run, fork.forked_from) if fork.forked_from else None
            shown = None
            if origin is not None and can_see_run(session, actor, origin):
                shown = _shared_run(session, origin)
            pairs.append((_shared_run(session, fork), shown))
        return pairs


def fork_settings(
    actor: Actor | None, run_id: int, changes: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The settings a fork of ``run_id`` would train with: the origin's, with ``changes``."""
    origin = get_team_run(actor, run_id)
    settings = {**origin.spec, **(changes or {})}
    settings["holdout_seed"] = None  # set again only when the fork enters a challenge
    return settings


def fork_run(
    actor: Actor | None,
    run_id: int,
    changes: dict[str, Any] | None = None,
    challenge_id: int | None = None,
) -> int:
    """Start the actor's own run from a run they may see (a teammate's shared run or their
    own), with some settings changed; recorded with ``forked_from``. With ``challenge_id`` the
    fork is one of the actor's challenge runs (budget and deadline apply). Raises SpecError
    for bad settings."""
    actor = require_actor(actor)
    origin = get_team_run(actor, run_id)
    settings = fork_settings(actor, run_id, changes)
    if challenge_id is not None:
        return challenges.submit_challenge_run(actor, challenge_id, settings, forked_from=run_id)
    spec = parse_spec(settings)
    if spec.pretrained_from is not None:
        try:
            runs.get_run(actor, spec.pretrained_from)
        except NotFound:
            raise ValueError(
                "That run started from another run's trained model, which only its owner can "
                "use. Choose 'start from scratch' to fork it."
            ) from None
    new_id = runs.submit_run(actor, spec, origin.lab_id or "teamwork")
    mark_run(new_id, forked_from=run_id)
    return new_id


def mark_run(run_id: int, **columns: Any) -> None:
    """Set teamwork columns (forked_from, challenge_id) on a run just submitted."""
    with write_session() as session:
        session.execute(update(Run).where(Run.id == run_id).values(**columns))
