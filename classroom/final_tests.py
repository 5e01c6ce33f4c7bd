"""Final tests: settings are chosen on validation accuracy, and the test set is looked at
once, for the run the learner picks, to report how well it does on data never used to choose.

Each final test is recorded (which run, when), so a reload still shows it, and runs finished
after it can be told apart: comparing those on test would tune the settings to the test set.
Only a run's owner takes its final test; the owner's teacher sees what was recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from classroom.access import Actor, NotFound, require_actor
from classroom.runs import get_run
from db.models import FinalTest, utcnow
from db.session import read_session, write_session


class FinalTestError(ValueError):
    """A run whose final test cannot be taken; the message says why, for the learner."""


@dataclass(frozen=True)
class FinalTestRecord:
    run_id: int
    lab_id: str
    taken_at: datetime


def _record(row: FinalTest) -> FinalTestRecord:
    return FinalTestRecord(row.run_id, row.lab_id, row.taken_at)


def take_final_test(actor: Actor | None, run_id: int) -> FinalTestRecord:
    """Record that the actor takes the final test on their own finished run (once per run:
    taking it again returns the first record). NotFound for a run that is not theirs."""
    actor = require_actor(actor)
    run = get_run(actor, run_id)
    if run.owner_id != actor.id:
        raise NotFound("No such run.")  # a teacher looks at a learner's run: not theirs to test
    if run.status != "done" or run.lab_id is None:
        raise FinalTestError("Only a run that finished training can take the final test.")
    try:
        with write_session() as session:
            existing = session.scalar(
                select(FinalTest).where(FinalTest.owner_id == actor.id, FinalTest.run_id == run_id)
            )
            if existing is not None:
                return _record(existing)
            row = FinalTest(owner_id=actor.id, lab_id=run.lab_id, run_id=run_id, taken_at=utcnow())
            session.add(row)
            session.flush()
            return _record(row)
    except IntegrityError:  # another tab recorded it first: that record stands
        tests = [t for t in final_tests(actor, run_id) if t.run_id == run_id]
        return tests[0]


def final_tests(actor: Actor | None, run_id: int) -> list[FinalTestRecord]:
    """The final tests taken in the lab of this run by its owner, oldest first. Anyone who
    may see the run (its owner, the owner's teacher) may read them."""
    run = get_run(require_actor(actor), run_id)
    if run.owner_id is None or run.lab_id is None:
        return []
    with read_session() as session:
        rows = session.scalars(
            select(FinalTest)
            .where(FinalTest.owner_id == run.owner_id, FinalTest.lab_id == run.lab_id)
            .order_by(FinalTest.taken_at, FinalTest.id)
        )
        return [_record(r) for r in rows]


def was_tested(owner_id: int | None, run_id: int) -> bool:
    """Whether the run's owner took the final test on it (for objectives that ask for one)."""
    if owner_id is None:
        return False
    with read_session() as session:
        found = session.scalar(
            select(FinalTest.id).where(FinalTest.owner_id == owner_id, FinalTest.run_id == run_id)
        )
        return found is not None
