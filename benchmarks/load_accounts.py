"""The benchmark's accounts and runs in the app's database, through the app's own Python API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PASSWORD = "a load test secret 42"
LONG_RUN = {"model": "cnn", "batch_size": 8, "epochs": 100}  # blockers, training polls


@dataclass
class Accounts:
    learners: list[str]
    learner_ids: list[int]
    calibrator: Any = None  # classroom.access.Actor
    blockers: list[Any] = field(default_factory=list)


def create_accounts(
    learners: int, blockers: int, calibrate: bool, first_teacher: bool, prefix: str
) -> Accounts:
    """Migrate the database in DATABASE_URL and make the accounts through the app's API."""
    from classroom import accounts, classes
    from db.migrate import upgrade
    from settings import database_url

    upgrade(database_url())
    code = None
    if first_teacher:
        teacher = accounts.create_first_teacher(f"{prefix}teacher", "Load Teacher", PASSWORD)
        code = classes.create_class(teacher, "Load test").join_code

    def learner(name: str) -> Any:
        return accounts.sign_up_learner(name, name.replace("-", " ").title(), PASSWORD, code)

    names = [f"{prefix}learner-{n:03d}" for n in range(1, learners + 1)]
    made = Accounts(names, [learner(name).id for name in names])
    if calibrate:
        made.calibrator = learner(f"{prefix}calibrator")
        made.blockers = [learner(f"{prefix}blocker-{n}") for n in range(1, blockers + 1)]
    return made


def runs_done(owner_ids: list[int]) -> int:
    """Runs of these learners that finished ('done') according to the database."""
    from sqlalchemy import bindparam, text

    from db.session import read_session

    query = text("SELECT COUNT(*) FROM runs WHERE status = 'done' AND owner_id IN :ids")
    with read_session() as session:
        value = session.execute(
            query.bindparams(bindparam("ids", expanding=True)), {"ids": owner_ids}
        ).scalar()
    return int(value or 0)


def submit_long_run(actor: Any) -> int:
    from classroom import runs
    from engine.spec import RunSpec
    from labs.first_network import LAB

    spec = RunSpec(**{**LAB.default_spec.model_dump(), **LONG_RUN})
    return runs.submit_run(actor, spec, LAB.id)


def run_status(run_id: int) -> str:
    from engine import jobs

    state = jobs.status(run_id)
    return state.status if state is not None else "missing"


def cancel_active_runs(owner_ids: list[int]) -> list[int]:
    """Cancel every queued or running run of these owners; returns their ids."""
    from engine import jobs

    cancelled = []
    for owner in owner_ids:
        for run in jobs.list_runs(owner):
            if run.active and jobs.cancel(run.id):
                cancelled.append(run.id)
    return cancelled


def trainer_slots(concurrent_runs: int | None) -> int:
    """How many runs the worker trains at once (the app's own default)."""
    if concurrent_runs:
        return concurrent_runs
    from settings import max_concurrent_runs

    return max_concurrent_runs()
