"""Who may call the journal-feedback, goal and my-data functions? Every one of them times
{owner, other learner, own teacher, other class's teacher, anonymous}: only the documented
cells pass, and a refusal looks exactly like an id that does not exist."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pytest

from classroom import goals, journals, my_data
from classroom.access import Actor, NotAllowed, NotFound
from classroom.account_deletion import delete_account
from classroom.accounts import AccountError
from classroom.progress import StepRef, complete_step
from db.models import Goal, JournalEntry, JournalFeedback, User
from db.session import read_session
from tests.classroom.matrix import matrix_cells, outcome
from tests.classroom.people import CHEAP_PASSWORD as PASSWORD
from tests.classroom.people import Cast, World

MISSING = 987_654


@dataclass(frozen=True)
class Ids:
    entry_id: int
    goal_id: int
    learner_id: int


@pytest.fixture
def world(cast: Cast) -> World[Ids]:
    owner = cast.owner
    entry = journals.save_draft(owner, "I lowered the learning rate and the loss settled.")
    journals.set_shared(owner, entry.id, True)
    journals.give_feedback(cast.teacher, entry.id, "Good observation; why did it settle?", 4)
    goal = goals.add_goal(owner, "Beat the default by two points", "self-directed-learning")
    complete_step(owner, StepRef("track", "s1", "critical-thinking"))
    return World(cast.actors, Ids(entry.id, goal.id, owner.id))


OPERATIONS: dict[str, Callable[[Actor | None, Ids], Any]] = {
    "journals.get_entry": lambda a, i: journals.get_entry(a, i.entry_id),
    "journals.give_feedback": lambda a, i: journals.give_feedback(a, i.entry_id, "Well put.", 5),
    "journals.feedback_on_entry": lambda a, i: journals.feedback_on_entry(a, i.entry_id),
    "goals.list_goals(learner_id)": lambda a, i: goals.list_goals(a, learner_id=i.learner_id),
    "goals.mark_done": lambda a, i: goals.mark_done(a, i.goal_id),
    "goals.delete_goal": lambda a, i: goals.delete_goal(a, i.goal_id),
    "my_data.completions(learner_id)": lambda a, i: my_data.completions(a, i.learner_id),
}

RESULT_CHECKS: dict[str, Callable[[Any, World], bool]] = {
    "journals.get_entry": lambda r, w: r.id == w.ids.entry_id and "learning rate" in r.body,
    "journals.give_feedback": lambda r, w: (
        (r.entry_id, r.rating, r.comment) == (w.ids.entry_id, 5, "Well put.")
    ),
    "journals.feedback_on_entry": lambda r, w: (
        [(f.rating, f.teacher_name) for f in r] == [(4, "Teacher")]
    ),
    "goals.list_goals(learner_id)": lambda r, w: [g.id for g in r] == [w.ids.goal_id],
    "goals.mark_done": lambda r, w: r.id == w.ids.goal_id and r.done,
    "goals.delete_goal": lambda r, w: goal_count(w.ids.learner_id) == 0,
    "my_data.completions(learner_id)": lambda r, w: [c.step_id for c in r] == ["s1"],
}

OK, NF, NA = "ok", NotFound, NotAllowed
ACTORS = ("owner", "other learner", "own teacher", "other teacher", "anonymous")
MATRIX: dict[str, tuple[Any, ...]] = {
    #                                   owner  other  own t. other t. anonymous
    "journals.get_entry": (OK, NF, NF, NF, NF),
    "journals.give_feedback": (NA, NA, OK, NF, NA),
    "journals.feedback_on_entry": (OK, NF, OK, NF, NF),
    "goals.list_goals(learner_id)": (OK, NF, OK, NF, NF),
    "goals.mark_done": (OK, NF, NF, NF, NF),
    "goals.delete_goal": (OK, NF, NF, NF, NF),
    "my_data.completions(learner_id)": (OK, NF, OK, NF, NF),
}
CELLS = matrix_cells(MATRIX, ACTORS)


def goal_count(owner_id: int) -> int:
    with read_session() as session:
        return session.query(Goal).filter_by(owner_id=owner_id).count()


def test_does_the_matrix_cover_every_operation() -> None:
    assert set(MATRIX) == set(OPERATIONS) == set(RESULT_CHECKS)


@pytest.mark.parametrize(("op", "actor_name", "expected"), CELLS)
def test_is_only_the_documented_cell_allowed(
    world: World, op: str, actor_name: str, expected: Any
) -> None:
    error, message, result = outcome(lambda: OPERATIONS[op](world.actors[actor_name], world.ids))
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
    refused = outcome(lambda: OPERATIONS[op](actor, world.ids))
    absent = outcome(lambda: OPERATIONS[op](actor, Ids(MISSING, MISSING, MISSING)))
    assert refused == absent


@pytest.mark.parametrize(
    ("op", "field"),
    [
        ("journals.get_entry", "entry_id"),
        ("journals.give_feedback", "entry_id"),
        ("journals.feedback_on_entry", "entry_id"),
        ("goals.mark_done", "goal_id"),
        ("goals.delete_goal", "goal_id"),
        ("my_data.completions(learner_id)", "learner_id"),
    ],
)
def test_is_a_truly_missing_id_not_found_even_for_an_allowed_actor(
    world: World, op: str, field: str
) -> None:
    allowed = next(a for a, e in zip(ACTORS, MATRIX[op], strict=True) if e == OK)
    with pytest.raises(NotFound):
        OPERATIONS[op](world.actors[allowed], replace(world.ids, **{field: MISSING}))


def owners_things(world: World) -> tuple[Any, ...]:
    with read_session() as session:
        entry = session.get_one(JournalEntry, world.ids.entry_id)
        goal = session.get_one(Goal, world.ids.goal_id)
        feedback = [
            (f.comment, f.rating)
            for f in session.query(JournalFeedback).filter_by(entry_id=entry.id)
        ]
        owner = session.get(User, world.ids.learner_id)
        return entry.body, entry.shared, goal.done, goal.text, feedback, owner is not None


@pytest.mark.parametrize("op", ["journals.give_feedback", "goals.mark_done", "goals.delete_goal"])
@pytest.mark.parametrize("actor_name", ["other learner", "other teacher", "anonymous"])
def test_does_a_refused_write_change_nothing(world: World, op: str, actor_name: str) -> None:
    before = owners_things(world)
    with pytest.raises((NotFound, NotAllowed)):
        OPERATIONS[op](world.actors[actor_name], world.ids)
    assert owners_things(world) == before


def test_does_unsharing_hide_the_entry_and_its_feedback_from_the_teacher_at_once(
    world: World,
) -> None:
    owner, teacher = world.actors["owner"], world.actors["own teacher"]
    journals.set_shared(owner, world.ids.entry_id, False)
    with pytest.raises(NotFound):
        journals.feedback_on_entry(teacher, world.ids.entry_id)
    with pytest.raises(NotFound):
        journals.give_feedback(teacher, world.ids.entry_id, "One more thought", 3)
    assert [f.comment for f in journals.feedback_on_entry(owner, world.ids.entry_id)] == [
        "Good observation; why did it settle?"
    ]
    journals.set_shared(owner, world.ids.entry_id, True)
    assert len(journals.feedback_on_entry(teacher, world.ids.entry_id)) == 1


@pytest.mark.parametrize("actor_name", ["other learner", "own teacher", "other teacher"])
def test_do_my_own_listings_and_exports_never_include_the_owners_things(
    world: World, actor_name: str
) -> None:
    actor = world.actors[actor_name]
    assert journals.my_feedback(actor) == {}
    assert goals.list_goals(actor) == []
    assert my_data.completions(actor) == []
    exported = my_data.export_my_data(actor)
    text = repr(exported)
    assert "learning rate" not in text and "Beat the default" not in text
    assert exported["account"]["username"] == actor.username


@pytest.mark.parametrize(
    "call",
    [
        lambda: journals.new_entry(None),
        lambda: journals.my_feedback(None),
        lambda: goals.add_goal(None, "A goal", "collaboration"),
        lambda: goals.list_goals(None),
        lambda: my_data.completions(None),
        lambda: my_data.export_my_data(None),
        lambda: my_data.my_data_zip(None),
        lambda: delete_account(None, "owner", PASSWORD),
    ],
)
def test_is_nobody_signed_in_refused_everywhere(world: World, call) -> None:
    with pytest.raises((NotFound, NotAllowed)):
        call()


@pytest.mark.parametrize("actor_name", ["other learner", "own teacher", "other teacher"])
def test_can_nobody_but_the_owner_delete_the_owners_account(world: World, actor_name: str) -> None:
    """Even with the owner's username and password typed in, only your own account goes."""
    before = owners_things(world)
    with pytest.raises(AccountError):
        delete_account(world.actors[actor_name], "owner", PASSWORD)
    assert owners_things(world) == before


def test_can_the_owner_delete_their_own_account(world: World) -> None:
    delete_account(world.actors["owner"], "owner", PASSWORD)
    with read_session() as session:
        assert session.get(User, world.ids.learner_id) is None
        assert session.get(JournalEntry, world.ids.entry_id) is None
        assert session.get(Goal, world.ids.goal_id) is None
    assert goals.add_goal(
        world.actors["other learner"], "Still here", "collaboration", date.today()
    )
