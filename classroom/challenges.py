"""Class challenges: the teacher opens one on a lab and a dataset; learners' challenge runs
are ranked by accuracy on rows held out of every split (engine.holdout).

Runs count automatically: a run submitted for a challenge trains without the held-out rows,
so only such runs can be scored fairly; a run trained outside the challenge may have seen
them. Each challenge run counts against the budget (per learner, or shared by a team) unless
it failed or was cancelled, since those leave no score. Before the deadline, others see ranks,
names and scores; settings only for their own runs and runs shared with their team. After the
deadline every rank shows its run's settings. The class's teacher sees everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom import runs
from classroom.access import Actor, NotFound, require_actor, require_teacher, teaches_class
from classroom.run_visibility import can_see_run
from classroom.teams import in_class, team_of
from db.models import (
    Challenge,
    ChallengeScore,
    Classroom,
    Membership,
    Run,
    TeamMember,
    User,
    utcnow,
)
from db.session import one_writer_at_a_time, read_session, write_session
from engine import jobs
from engine.data import DataError
from engine.holdout import HoldoutError, score_on_holdout
from engine.spec import DATASET_KINDS, RunSpec, parse_spec

BUDGET_PER = ("learner", "team")
METRIC = "test_accuracy"  # accuracy on the held-out rows
NOT_COUNTED = ("failed", "cancelled")  # they leave no score, so they cost no budget
MAX_BUDGET = 100
# The labs that train a network on a dataset (tests/labs checks this against the registry).
CHALLENGE_LABS = ("first-network", "training-optimisation", "data-types")
LONGEST = timedelta(days=366)


@dataclass(frozen=True)
class ChallengeInfo:
    id: int
    class_id: int
    class_name: str
    lab_id: str
    title: str
    dataset: str
    metric: str
    budget_per: str  # learner | team
    run_budget: int
    deadline: datetime  # UTC
    created_at: datetime

    @property
    def is_open(self) -> bool:
        return utcnow() < self.deadline


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int  # 1 = best; equal scores rank by who finished first
    run_id: int
    owner_id: int
    owner_name: str
    team_name: str | None
    score: float  # accuracy on the held-out rows
    held_out_rows: int
    finished_at: datetime | None
    forked_from: int | None
    spec: dict[str, Any] | None  # None: hidden from this viewer until the deadline
    mine: bool


def _info(session: Session, row: Challenge) -> ChallengeInfo:
    klass = session.get(Classroom, row.class_id)
    return ChallengeInfo(
        row.id,
        row.class_id,
        klass.name if klass else "",
        row.lab_id,
        row.title,
        row.dataset,
        row.metric,
        row.budget_per,
        row.run_budget,
        row.deadline,
        row.created_at,
    )


def _visible(session: Session, actor: Actor | None, challenge_id: int) -> Challenge:
    """A challenge its class's teacher and learners may see; NotFound for anyone else."""
    row = session.get(Challenge, challenge_id)
    if row is None or actor is None:
        raise NotFound("No such challenge.")
    if teaches_class(session, actor, row.class_id):
        return row
    if actor.is_teacher or not in_class(session, actor.id, row.class_id):
        raise NotFound("No such challenge.")
    return row


def _check_lab(lab_id: str) -> None:
    if lab_id not in CHALLENGE_LABS:
        raise ValueError("Choose a lab that trains a network for the challenge.")


def open_challenge(
    actor: Actor | None,
    class_id: int,
    *,
    title: str,
    lab_id: str,
    dataset: str,
    run_budget: int,
    budget_per: str,
    deadline: datetime,
) -> ChallengeInfo:
    """The class's teacher opens a challenge; ``deadline`` is a naive UTC time."""
    teacher = require_teacher(actor)
    title = re.sub(r"\s+", " ", title).strip()
    if not 1 <= len(title) <= 120:
        raise ValueError("Give the challenge a title of 1 to 120 characters.")
    _check_lab(lab_id)
    if dataset not in DATASET_KINDS:
        raise ValueError(f"Choose one of the built-in datasets: {', '.join(DATASET_KINDS)}.")
    if budget_per not in BUDGET_PER:
        raise ValueError("Count the run budget per learner or per team.")
    if isinstance(run_budget, bool) or not isinstance(run_budget, int):
        raise ValueError("The run budget must be a whole number.")
    if not 1 <= run_budget <= MAX_BUDGET:
        raise ValueError(f"Allow between 1 and {MAX_BUDGET} runs.")
    now = utcnow()
    if deadline <= now:
        raise ValueError("Set the deadline in the future.")
    if deadline - now > LONGEST:
        raise ValueError("Set a deadline within a year.")
    with write_session() as session:
        if not teaches_class(session, teacher, class_id):
            raise NotFound("No such class.")
        row = Challenge(
            class_id=class_id,
            lab_id=lab_id,
            title=title,
            dataset=dataset,
            metric=METRIC,
            budget_per=budget_per,
            run_budget=run_budget,
            deadline=deadline,
            opened_by=teacher.id,
        )
        session.add(row)
        session.flush()
        return _info(session, row)


def close_challenge(actor: Actor | None, challenge_id: int) -> ChallengeInfo:
    """The teacher ends a challenge now: no more runs, and every rank shows its settings."""
    teacher = require_teacher(actor)
    with write_session() as session:
        row = session.get(Challenge, challenge_id)
        if row is None or not teaches_class(session, teacher, row.class_id):
            raise NotFound("No such challenge.")
        row.deadline = min(row.deadline, utcnow())
        return _info(session, row)


def get_challenge(actor: Actor | None, challenge_id: int) -> ChallengeInfo:
    with read_session() as session:
        return _info(session, _visible(session, actor, challenge_id))


def list_challenges(actor: Actor | None) -> list[ChallengeInfo]:
    """Challenges of the teacher's classes, or of the classes a learner belongs to; open first."""
    actor = require_actor(actor)
    with read_session() as session:
        query = select(Challenge).join(Classroom, Classroom.id == Challenge.class_id)
        if actor.is_teacher:
            query = query.where(Classroom.teacher_id == actor.id)
        else:
            query = query.join(
                Membership,
                (Membership.class_id == Challenge.class_id) & (Membership.user_id == actor.id),
            )
        rows = session.scalars(query.order_by(Challenge.deadline.desc()))
        infos = [_info(session, r) for r in rows]
    return sorted(infos, key=lambda c: (not c.is_open, c.deadline))


def _counted_runs(session: Session, row: Challenge, owner_ids: set[int]) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Run)
            .where(
                Run.challenge_id == row.id,
                Run.owner_id.in_(owner_ids),
                Run.status.not_in(NOT_COUNTED),
            )
        )
        or 0
    )


def _budget_owners(session: Session, actor: Actor, row: Challenge) -> set[int]:
    """Whose runs share the actor's budget: theirs alone, or their team's."""
    if row.budget_per == "learner":
        return {actor.id}
    team = team_of(session, actor.id, row.class_id)
    if team is None:
        raise ValueError("This challenge counts runs per team: join a team first.")
    members = session.scalars(select(TeamMember.learner_id).where(TeamMember.team_id == team.id))
    return set(members)


def runs_left(actor: Actor | None, challenge_id: int) -> int:
    """How many more runs the learner (or their team) may submit for this challenge."""
    actor = require_actor(actor)
    with read_session() as session:
        row = _visible(session, actor, challenge_id)
        if actor.is_teacher:
            return 0
        owners = _budget_owners(session, actor, row)
        return max(0, row.run_budget - _counted_runs(session, row, owners))


def submit_challenge_run(
    actor: Actor | None,
    challenge_id: int,
    settings: dict[str, Any],
    forked_from: int | None = None,
) -> int:
    """Queue a learner's run for the challenge, on its dataset without the held-out rows.

    Raises ValueError with a message for a closed challenge, a used-up budget or another
    dataset, and SpecError for bad settings."""
    actor = require_actor(actor)
    challenge = get_challenge(actor, challenge_id)
    if actor.is_teacher:
        raise ValueError("Challenges are for learners; you see every entry on the leaderboard.")
    if not challenge.is_open:
        raise ValueError("This challenge has closed: its deadline has passed.")
    if settings.get("dataset", challenge.dataset) != challenge.dataset:
        raise ValueError(
            f"This challenge uses the {challenge.dataset} dataset; that run trained on "
            f"{settings['dataset']}."
        )
    spec = parse_spec(
        {
            **settings,
            "dataset": challenge.dataset,
            "holdout_seed": challenge.id,
            "pretrained_from": None,
            "freeze_pretrained": False,
        }
    )
    if runs_left(actor, challenge_id) <= 0:
        raise ValueError(_budget_message(challenge))
    run_id = runs.submit_run(actor, spec, challenge.lab_id)
    _attach(actor, challenge_id, run_id, forked_from)
    return run_id


def _budget_message(challenge: ChallengeInfo) -> str:
    who = "Your team has" if challenge.budget_per == "team" else "You have"
    return (
        f"{who} used all {challenge.run_budget} runs of this challenge. Study the runs you "
        "have: the leaderboard keeps each one."
    )


def _attach(actor: Actor, challenge_id: int, run_id: int, forked_from: int | None) -> None:
    """Mark the run as the challenge's and check the budget again in the same write, so two
    tabs submitting at once cannot both take the last run."""
    with write_session() as session:
        one_writer_at_a_time(session, f"challenge:{challenge_id}")
        row = session.get(Challenge, challenge_id)
        assert row is not None
        owners = _budget_owners(session, actor, row)
        over = _counted_runs(session, row, owners) >= row.run_budget
        run = session.get(Run, run_id)
        assert run is not None
        run.challenge_id, run.forked_from = challenge_id, forked_from
        if over:
            run.challenge_id = None
    if over:
        jobs.cancel(run_id)
        raise ValueError(_budget_message(get_challenge(actor, challenge_id)))


def my_challenge_runs(actor: Actor | None, challenge_id: int) -> list[jobs.RunStatus]:
    """The learner's own runs for this challenge, newest first."""
    actor = require_actor(actor)
    with read_session() as session:
        _visible(session, actor, challenge_id)
        ids = session.scalars(
            select(Run.id)
            .where(Run.challenge_id == challenge_id, Run.owner_id == actor.id)
            .order_by(Run.id.desc())
        ).all()
    return [runs.get_run(actor, run_id) for run_id in ids]


def score_pending(challenge_id: int) -> int:
    """Score the challenge's finished runs not scored yet; returns how many were scored."""
    with read_session() as session:
        pending = session.execute(
            select(Run.id, Run.spec)
            .outerjoin(ChallengeScore, ChallengeScore.run_id == Run.id)
            .where(
                Run.challenge_id == challenge_id,
                Run.status == "done",
                ChallengeScore.run_id.is_(None),
            )
        ).all()
    for run_id, spec in pending:
        accuracy: float | None
        try:
            held_out = score_on_holdout(run_id, RunSpec.model_validate(spec))
            accuracy, rows = held_out.accuracy, held_out.rows
        except (HoldoutError, DataError, RuntimeError, ValueError, OSError):
            accuracy, rows = None, 0  # no usable model: not ranked
        with write_session() as session:
            if session.get(ChallengeScore, run_id) is None:  # another viewer may have scored it
                session.add(
                    ChallengeScore(
                        run_id=run_id,
                        challenge_id=challenge_id,
                        score=accuracy,
                        held_out_rows=rows,
                    )
                )
    return len(pending)


def leaderboard(actor: Actor | None, challenge_id: int) -> list[LeaderboardRow]:
    """The challenge's scored runs, best first, with settings where this viewer may see them."""
    actor = require_actor(actor)
    get_challenge(actor, challenge_id)  # access first: scoring is for those who may look
    score_pending(challenge_id)
    with read_session() as session:
        row = _visible(session, actor, challenge_id)
        show_all = teaches_class(session, actor, row.class_id) or utcnow() >= row.deadline
        scored = session.execute(
            select(Run, ChallengeScore)
            .join(ChallengeScore, ChallengeScore.run_id == Run.id)
            .where(ChallengeScore.challenge_id == challenge_id, ChallengeScore.score.is_not(None))
            .order_by(ChallengeScore.score.desc(), Run.finished_at, Run.id)
        ).all()
        board = []
        for rank, (run, score) in enumerate(scored, start=1):
            assert score.score is not None  # the query keeps scored runs only
            owner = session.get(User, run.owner_id) if run.owner_id else None
            team = team_of(session, run.owner_id, row.class_id) if run.owner_id else None
            visible = show_all or can_see_run(session, actor, run)
            board.append(
                LeaderboardRow(
                    rank,
                    run.id,
                    run.owner_id or 0,
                    owner.display_name if owner else "",
                    team.name if team else None,
                    float(score.score),
                    score.held_out_rows,
                    run.finished_at,
                    run.forked_from if visible else None,
                    dict(run.spec) if visible else None,
                    run.owner_id == actor.id,
                )
            )
        return board


def challenge_run_labels(actor: Actor | None, run_ids: list[int]) -> dict[int, str]:
    """'Challenge: <title> (<dataset>)' for each of these runs trained for a challenge: a
    challenge run is labelled by its challenge, not by the lab whose settings it used. Only the
    runs' owner and the class's teacher get labels."""
    actor = require_actor(actor)
    if not run_ids:
        return {}
    query = (
        select(Run.id, Challenge.title, Challenge.dataset)
        .join(Challenge, Challenge.id == Run.challenge_id)
        .join(Classroom, Classroom.id == Challenge.class_id)
        .where(Run.id.in_(run_ids))
    )
    if actor.is_teacher:
        query = query.where(Classroom.teacher_id == actor.id)
    else:
        query = query.where(Run.owner_id == actor.id)
    with read_session() as session:
        rows = session.execute(query).all()
    return {run_id: f"Challenge: {title} ({dataset})" for run_id, title, dataset in rows}
