"""Who may call what? Every classroom function times every kind of actor.

The actors: the owner (a learner), another learner of the same class, the owner's own
teacher, the teacher of another class, and nobody signed in. Only the documented cells
pass; every refusal looks exactly like what the same actor gets for an id that does not
exist, so a refusal never tells anyone that a thing exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from classroom import classes, journals, pipeline_drafts, pipelines, progress, runs
from classroom.access import Actor, NotAllowed, NotFound
from classroom.progress import StepRef
from db.models import JournalEntry, Metric, Run
from db.session import read_session, write_session
from engine import jobs
from engine.spec import RunSpec
from tests.classroom.matrix import matrix_cells, outcome
from tests.classroom.people import Cast

MISSING = 987_654
MISSING_SOURCE = "f" * 16  # a stored file's id that no one has
DRAFT = "my pipeline"


@dataclass(frozen=True)
class Ids:
    """The ids an operation is called with: the owner's things, or ids that do not exist."""

    class_id: int
    entry_id: int
    run_id: int
    learner_id: int
    source_id: str = MISSING_SOURCE  # a file the owner uploaded for a pipeline


@dataclass(frozen=True)
class World:
    actors: dict[str, Actor | None]
    ids: Ids
    stranger: Actor  # a learner of the other teacher's class
    step_id: str = "s1"


@pytest.fixture
def world(cast: Cast) -> World:
    owner = cast.owner
    run_id = jobs.submit(RunSpec(epochs=1), owner_id=owner.id, lab_id="digits")
    with write_session() as session:
        session.add(Metric(run_id=run_id, step=0, epoch=1.0, values={"loss": 1.5}))
    entry = journals.save_draft(owner, "What I noticed about the loss.", run_id=run_id)
    journals.set_shared(owner, entry.id, True)
    progress.complete_step(owner, StepRef("track", "s1", "reasoning"), run_id)
    source = pipelines.add_source(owner, b"a,b\n1,2\n3,4\n", "marks.csv")
    pipeline_drafts.save_draft(owner, DRAFT, own_file(source.source_id), [], 1)
    ids = Ids(cast.klass.id, entry.id, run_id, owner.id, source.source_id)
    return World(cast.actors, ids, cast.stranger)


def own_file(source_id: str) -> dict[str, Any]:
    """The sources part of a pipeline that reads one uploaded file."""
    return {"sources": [{"kind": "upload", "upload_id": source_id}]}


OPERATIONS: dict[str, Callable[[Actor | None, Ids], Any]] = {
    "classes.get_class": lambda a, i: classes.get_class(a, i.class_id),
    "classes.roster": lambda a, i: classes.roster(a, i.class_id),
    "journals.set_shared": lambda a, i: journals.set_shared(a, i.entry_id, True),
    "journals.entry_for_run": lambda a, i: journals.entry_for_run(a, i.run_id),
    "journals.save_draft(entry_id)": lambda a, i: journals.save_draft(
        a, "overwritten!", entry_id=i.entry_id
    ),
    "journals.save_draft(run_id)": lambda a, i: journals.save_draft(
        a, "about your run", run_id=i.run_id
    ),
    "journals.shared_entries_for_class": lambda a, i: journals.shared_entries_for_class(
        a, i.class_id
    ),
    "progress.completed_steps(user_id)": lambda a, i: progress.completed_steps(
        a, user_id=i.learner_id
    ),
    "progress.class_progress": lambda a, i: progress.class_progress(a, i.class_id),
    "runs.get_run": lambda a, i: runs.get_run(a, i.run_id),
    "runs.run_metrics": lambda a, i: runs.run_metrics(a, i.run_id),
    "runs.watch_run": lambda a, i: runs.watch_run(a, i.run_id),
    "runs.cancel_run": lambda a, i: runs.cancel_run(a, i.run_id),
    "pipelines.my_source": lambda a, i: pipelines.my_source(a, i.source_id),
    "pipeline_drafts.load_draft": lambda a, i: pipeline_drafts.load_draft(a, DRAFT),
    "pipeline_drafts.save_draft(source_id)": lambda a, i: pipeline_drafts.save_draft(
        a, DRAFT, own_file(i.source_id), [{"step": "deduplicate"}], 2
    ),
}

# What an allowed call returns, checked against the owner's things.
RESULT_CHECKS: dict[str, Callable[[Any, World], bool]] = {
    "classes.get_class": lambda r, w: r.id == w.ids.class_id,
    "classes.roster": lambda r, w: w.ids.learner_id in [m.id for m in r],
    "journals.set_shared": lambda r, w: r.id == w.ids.entry_id and r.shared,
    "journals.entry_for_run": lambda r, w: r is not None and r.id == w.ids.entry_id,
    "journals.save_draft(entry_id)": lambda r, w: r.id == w.ids.entry_id and r.version == 2,
    "journals.save_draft(run_id)": lambda r, w: r.run_id == w.ids.run_id,
    "journals.shared_entries_for_class": lambda r, w: [e.id for e in r] == [w.ids.entry_id],
    "progress.completed_steps(user_id)": lambda r, w: r == {w.step_id},
    "progress.class_progress": lambda r, w: r[w.ids.learner_id] == {w.step_id},
    "runs.get_run": lambda r, w: r.id == w.ids.run_id and r.owner_id == w.ids.learner_id,
    "runs.run_metrics": lambda r, w: [m.values for m in r] == [{"loss": 1.5}],
    "runs.watch_run": lambda r, w: (
        r[0].owner_id == w.ids.learner_id and [m.values for m in r[1]] == [{"loss": 1.5}]
    ),
    "runs.cancel_run": lambda r, w: r is True and jobs.status(w.ids.run_id).status == "cancelled",
    "pipelines.my_source": lambda r, w: (r.source_id, r.name) == (w.ids.source_id, "marks.csv"),
    "pipeline_drafts.load_draft": lambda r, w: r.sources == own_file(w.ids.source_id),
    "pipeline_drafts.save_draft(source_id)": lambda r, w: (
        pipeline_drafts.load_draft(w.actors["owner"], DRAFT).chosen_version == 2
    ),
}

OK, NONE, NF, NA = "ok", "none", NotFound, NotAllowed
ACTORS = ("owner", "other learner", "own teacher", "other teacher", "anonymous")
# "none": the call returns None, exactly as it does for an id that does not exist.
MATRIX: dict[str, tuple[Any, ...]] = {
    #                                     owner  other  own t. other t. anonymous
    "classes.get_class": (NF, NF, OK, NF, NF),
    "classes.roster": (NF, NF, OK, NF, NF),
    "journals.set_shared": (OK, NF, NF, NF, NF),
    "journals.entry_for_run": (OK, NONE, NONE, NONE, NF),
    "journals.save_draft(entry_id)": (OK, NF, NF, NF, NF),
    "journals.save_draft(run_id)": (OK, NF, NF, NF, NF),
    "journals.shared_entries_for_class": (NA, NA, OK, NF, NA),
    "progress.completed_steps(user_id)": (OK, NF, OK, NF, NF),
    "progress.class_progress": (NF, NF, OK, NF, NF),
    "runs.get_run": (OK, NF, OK, NF, NF),
    "runs.run_metrics": (OK, NF, OK, NF, NF),
    "runs.watch_run": (OK, NF, OK, NF, NF),
    "runs.cancel_run": (OK, NF, NF, NF, NF),
    "pipelines.my_source": (OK, NF, NF, NF, NF),
    # A draft is private: each actor reads their own (others have none), never the owner's.
    "pipeline_drafts.load_draft": (OK, NONE, NONE, NONE, NF),
    "pipeline_drafts.save_draft(source_id)": (OK, NF, NF, NF, NF),
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
    elif expected == NONE:
        assert error is None and result is None
    else:
        assert error is expected, f"{actor_name} got {error or result!r}"


@pytest.mark.parametrize(
    ("op", "actor_name", "expected"), [c for c in CELLS if c.values[2] not in (OK,)]
)
def test_does_a_refusal_look_the_same_as_a_missing_id(
    world: World, op: str, actor_name: str, expected: Any
) -> None:
    actor = world.actors[actor_name]
    missing = Ids(MISSING, MISSING, MISSING, MISSING)
    refused = outcome(lambda: OPERATIONS[op](actor, world.ids))
    absent = outcome(lambda: OPERATIONS[op](actor, missing))
    assert refused == absent


@pytest.mark.parametrize(
    ("op", "field"),
    [
        ("classes.get_class", "class_id"),
        ("journals.set_shared", "entry_id"),
        ("journals.save_draft(entry_id)", "entry_id"),
        ("journals.save_draft(run_id)", "run_id"),
        ("progress.completed_steps(user_id)", "learner_id"),
        ("progress.class_progress", "class_id"),
        ("runs.get_run", "run_id"),
        ("runs.run_metrics", "run_id"),
        ("runs.watch_run", "run_id"),
        ("runs.cancel_run", "run_id"),
        ("pipelines.my_source", "source_id"),
        ("pipeline_drafts.save_draft(source_id)", "source_id"),
    ],
)
def test_is_a_truly_missing_id_not_found_even_for_an_allowed_actor(
    world: World, op: str, field: str
) -> None:
    allowed = next(a for a, e in zip(ACTORS, MATRIX[op], strict=True) if e == OK)
    ids = replace(world.ids, **{field: MISSING_SOURCE if field == "source_id" else MISSING})
    with pytest.raises(NotFound):
        OPERATIONS[op](world.actors[allowed], ids)


def snapshot(world: World) -> tuple[Any, ...]:
    """The owner's things as stored: what a refused write must leave alone."""
    draft = pipeline_drafts.load_draft(world.actors["owner"], DRAFT)
    with read_session() as session:
        entry = session.get_one(JournalEntry, world.ids.entry_id)
        run = session.get_one(Run, world.ids.run_id)
        entries = session.query(JournalEntry).count()
        return (
            entry.body,
            entry.shared,
            entry.version,
            run.status,
            run.cancel_requested,
            entries,
            draft,
        )


@pytest.mark.parametrize(
    "op",
    [
        "journals.set_shared",
        "journals.save_draft(entry_id)",
        "runs.cancel_run",
        "pipeline_drafts.save_draft(source_id)",
    ],
)
@pytest.mark.parametrize("actor_name", ["other learner", "own teacher", "other teacher"])
def test_does_a_refused_write_change_nothing(world: World, op: str, actor_name: str) -> None:
    with write_session() as session:  # so that set_shared(True) by others would show
        session.get_one(JournalEntry, world.ids.entry_id).shared = False
    before = snapshot(world)
    with pytest.raises(NotFound):
        OPERATIONS[op](world.actors[actor_name], world.ids)
    assert snapshot(world) == before


@pytest.mark.parametrize("actor_name", ["other learner", "own teacher", "other teacher"])
def test_do_listings_of_ones_own_things_never_include_anothers(
    world: World, actor_name: str
) -> None:
    actor = world.actors[actor_name]
    assert world.ids.entry_id not in [e.id for e in journals.list_entries(actor)]
    assert world.ids.run_id not in [r.id for r in runs.my_runs(actor)]
    assert progress.completed_steps(actor) == set()


@pytest.mark.parametrize(
    "call",
    [
        lambda: journals.list_entries(None),
        lambda: runs.my_runs(None),
        lambda: progress.completed_steps(None),
        lambda: classes.list_classes(None),
        lambda: progress.complete_step(None, StepRef("t", "s", "c")),
        lambda: runs.submit_run(None, RunSpec(epochs=1), "digits"),
    ],
)
def test_is_nobody_signed_in_refused_everywhere(world: World, call) -> None:
    with pytest.raises((NotFound, NotAllowed)):
        call()


def test_does_a_teacher_lose_sight_of_a_learner_who_is_not_in_their_class(world: World) -> None:
    """A teacher sees a learner's runs only through a class; not the other teacher's learner."""
    stranger_run = jobs.submit(RunSpec(epochs=1), owner_id=world.stranger.id)
    with pytest.raises(NotFound, match=r"No such run\."):
        runs.get_run(world.actors["own teacher"], stranger_run)
    assert runs.get_run(world.actors["other teacher"], stranger_run).id == stranger_run
