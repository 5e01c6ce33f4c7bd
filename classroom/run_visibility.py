"""Who may see one run: its owner, the owner's teacher, or a teammate when the owner shares it
with their team. Read by team runs (classroom.team_runs) and challenge leaderboards
(classroom.challenges)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from classroom.access import Actor, teaches
from classroom.teams import same_team
from db.models import Run


def can_see_run(session: Session, actor: Actor, run: Run) -> bool:
    """The owner, the owner's teacher, or a teammate when the owner shares it with the team."""
    if run.owner_id is None:
        return False
    if run.owner_id == actor.id or teaches(session, actor, run.owner_id):
        return True
    return bool(run.team_shared) and same_team(session, actor.id, run.owner_id)
