"""Who may call the teacher's tools? Every new service function times every kind of actor.

Assignments, objective events, removing a learner, a learner's detail and the class matrix,
against the owner (a learner), another learner of the class, the owner's own teacher, the
teacher of another class, and nobody signed in. A refusal looks like a missing id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from classroom import assignments, class_matrix, classes, objective_events
from classroom.access import Actor, NotAllowed, NotFound
from db.models import Membership, ObjectiveEvent
from db.session import read_session
from engine import jobs
from engine.spec import RunSpec
from tests.classroom.matrix import matrix_cells, outcome
from tests.classroom.people import Cast, World

MISSING = 987_654
DUE = date.today() + timedelta(days=7)
TRACK = "digital-literacy"


@dataclass(frozen=True)
class Ids:
    class_id: int
    learner_id: int
    run_id: int
    assignment_id: int


@pytest.fixture
def world(cast: Cast) -> World[Ids]:
    teacher, klass, owner = cast.teacher, cast.klass, cast.owner
    run_id = jobs.submit(RunSpec(epochs=1), owner_id=owner.id, lab_id="first-network")
    [work] = assignments.assign(teacher, klass.id, TRACK, DUE, learner_ids=[owner.id])
    objective_events.record_event(
        owner, "first-network", "reach-95", "failed", f"run:{run_id}", run_id=run_id
    )
    return World(cast.actors, Ids(klass.id, owner.id, run_id, work.id))


def _events(learner_id: int) -> list[str]:
    with read_session() as session:
        return [
            e.event
            for e in session.query(ObjectiveEvent).filter(ObjectiveEvent.learner_id == learner_id)
        ]


def _is_member(class_id: int, learner_id: int) -> bool:
    with read_session() as session:
        return session.get(Membership, (class_id, learner_id)) is not None


OPERATIONS: dict[str, Callable[[Actor | None, Ids], Any]] = {
    "assignments.assign(class)": lambda a, i: assignments.assign(a, i.class_id, TRACK, DUE),
    "assignments.assign(learner)": lambda a, i: assignments.assign(
        a, i.class_id, TRACK, DUE, step_id="dl-first-network", learner_ids=[i.learner_id]
    ),
    "assignments.unassign": lambda a, i: assignments.unassign(a, i.assignment_id),
    "assignments.assignments_for_class": lambda a, i: assignments.assignments_for_class(
        a, i.class_id
    ),
    "assignments.assignments_for_learner": lambda a, i: assignments.assignments_for_learner(
        a, i.learner_id
    ),
    "objective_events.record_event(run)": lambda a, i: objective_events.record_event(
        a, "first-network", "reach-95", "hint-1", f"run:{i.run_id}", run_id=i.run_id
    ),
    "objective_events.events_for_learner": lambda a, i: objective_events.events_for_learner(
        a, i.learner_id
    ),
    "objective_events.events_for_class": lambda a, i: objective_events.events_for_class(
        a, i.class_id
    ),
    "classes.remove_learner": lambda a, i: classes.remove_learner(a, i.class_id, i.learner_id),
    "classes.get_learner": lambda a, i: classes.get_learner(a, i.learner_id),
    "classes.shared_classes": lambda a, i: classes.shared_classes(a, i.learner_id),
    "classes.learner_runs": lambda a, i: classes.learner_runs(a, i.learner_id),
    "class_matrix.class_matrix": lambda a, i: class_matrix.class_matrix(a, i.class_id),
    "class_matrix.class_progress_csv": lambda a, i: class_matrix.class_progress_csv(a, i.class_id),
}

RESULT_CHECKS: dict[str, Callable[[Any, World], bool]] = {
    "assignments.assign(class)": lambda r, w: [a.learner_id for a in r] == [None],
    "assignments.assign(learner)": lambda r, w: [a.learner_id for a in r] == [w.ids.learner_id],
    "assignments.unassign": lambda r, w: (
        not assignments.assignments_for_class(w.actors["own teacher"], w.ids.class_id)
    ),
    "assignments.assignments_for_class": lambda r, w: [a.id for a in r] == [w.ids.assignment_id],
    "assignments.assignments_for_learner": lambda r, w: [a.id for a in r] == [w.ids.assignment_id],
    "objective_events.record_event(run)": lambda r, w: (
        r is True and _events(w.ids.learner_id) == ["failed", "hint-1"]
    ),
    "objective_events.events_for_learner": lambda r, w: [e.event for e in r] == ["failed"],
    "objective_events.events_for_class": lambda r, w: (
        [(e.learner_id, e.event) for e in r] == [(w.ids.learner_id, "failed")]
    ),
    "classes.remove_learner": lambda r, w: not _is_member(w.ids.class_id, w.ids.learner_id),
    "classes.get_learner": lambda r, w: r.id == w.ids.learner_id,
    "classes.shared_classes": lambda r, w: [c.id for c in r] == [w.ids.class_id],
    "classes.learner_runs": lambda r, w: [run.id for run in r] == [w.ids.run_id],
    "class_matrix.class_matrix": lambda r, w: (
        r.cell(w.ids.learner_id, "dl-first-network") is not None
    ),
    "class_matrix.class_progress_csv": lambda r, w: r.decode().startswith("learner,username"),
}

OK, NF, NA = "ok", NotFound, NotAllowed
ACTORS = ("owner", "other learner", "own teacher", "other teacher", "anonymous")
MATRIX: dict[str, tuple[Any, ...]] = {
    #                                          owner  other  own t. other t. anonymous
    "assignments.assign(class)": (NF, NF, OK, NF, NF),
    "assignments.assign(learner)": (NF, NF, OK, NF, NF),
    "assignments.unassign": (NF, NF, OK, NF, NF),
    "assignments.assignments_for_class": (NF, NF, OK, NF, NF),
    "assignments.assignments_for_learner": (OK, NF, OK, NF, NF),
    "objective_events.record_event(run)": (OK, NF, NA, NA, NF),
    "objective_events.events_for_learner": (OK, NF, OK, NF, NF),
    "objective_events.events_for_class": (NF, NF, OK, NF, NF),
    "classes.remove_learner": (NF, NF, OK, NF, NF),
    "classes.get_learner": (NF, NF, OK, NF, NF),
    "classes.shared_classes": (NF, NF, OK, NF, NF),
    "classes.learner_runs": (NF, NF, OK, NF, NF),
    "class_matrix.class_matrix": (NF, NF, OK, NF, NF),
    "class_matrix.class_progress_csv": (NF, NF, OK, NF, NF),
}
CELLS = matrix_cells(MATRIX, ACTORS)


def test_does_the_matrix_cover_every_operation() -> None:
    assert set(MATRIX) == set(OPERATIONS) == set(RESULT_CHECKS)
    assert all(len(row) == len(ACTORS) for row in MATRIX.values())


@pytest.mark.parametrize(("op", "actor_name", "expected"), CELLS)
def test_is_only_the_documented_cell_allowed(
    world: World, op: str, actor_name: str, expected: Any
) -> None:
    actor = world.actors[actor_name]
    error, message, result = outcome(lambda: OPERATIONS[op](actor, world.ids))
    if expected == OK:
        assert error is None, f"{actor_name} was refused: {message}"
        assert RESULT_CHECKS[op](result, world)
    else:
        assert error is expected, f"{actor_name} got {error or result!r}"


@pytest.mark.parametrize(("op", "actor_name", "expected"), [c for c in CELLS if c.values[2] != OK])
def test_does_a_refusal_look_the_same_as_a_missing_id(
    world: World, op: str, actor_name: str, expected: Any
) -> None:
    actor = world.actors[actor_name]
    missing = Ids(MISSING, MISSING, MISSING, MISSING)
    assert outcome(lambda: OPERATIONS[op](actor, world.ids)) == outcome(
        lambda: OPERATIONS[op](actor, missing)
    )


WRITES = [
    "assignments.assign(class)",
    "assignments.unassign",
    "objective_events.record_event(run)",
    "classes.remove_learner",
]


@pytest.mark.parametrize(
    ("op", "actor_name"),
    [(op, a) for op in WRITES for a, e in zip(ACTORS, MATRIX[op], strict=True) if e != OK],
)
def test_does_a_refused_write_change_nothing(world: World, op: str, actor_name: str) -> None:
    teacher = world.actors["own teacher"]
    before = (
        [a.id for a in assignments.assignments_for_class(teacher, world.ids.class_id)],
        _events(world.ids.learner_id),
        _is_member(world.ids.class_id, world.ids.learner_id),
    )
    with pytest.raises((NotFound, NotAllowed)):
        OPERATIONS[op](world.actors[actor_name], world.ids)
    after = (
        [a.id for a in assignments.assignments_for_class(teacher, world.ids.class_id)],
        _events(world.ids.learner_id),
        _is_member(world.ids.class_id, world.ids.learner_id),
    )
    assert after == before


def test_a_removed_learner_no_longer_sees_the_class_work_nor_the_teacher_their_data(
    world: World,
) -> None:
    owner, teacher = world.actors["owner"], world.actors["own teacher"]
    assignments.assign(teacher, world.ids.class_id, "critical-thinking", DUE)
    classes.remove_learner(teacher, world.ids.class_id, world.ids.learner_id)
    assert assignments.assignments_for_learner(owner) == []
    with pytest.raises(NotFound):
        objective_events.events_for_learner(teacher, world.ids.learner_id)
    assert [e.event for e in objective_events.events_for_learner(owner)] == ["failed"]
