"""Studies: may only the owner start, cancel and train them, and their own teacher read them?

The actors are those of test_access_matrix: the owner (a learner), a classmate, the owner's
teacher, another class's teacher, and nobody signed in. A refusal looks exactly like the
answer for a study id that does not exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import optuna
import pytest

from classroom import tuning
from classroom.access import Actor, NotFound
from engine import jobs
from engine.spec import RunSpec
from engine.tuning import records
from engine.tuning.space import SearchSpace, SpaceError, suggest
from engine.tuning.study import optuna_storage
from tests.classroom.matrix import Outcome, matrix_cells
from tests.classroom.matrix import outcome as matrix_outcome
from tests.classroom.people import Cast

LAB = "hyperparameter-tuning"
MISSING = 987_654
ACTORS = ("owner", "other learner", "own teacher", "other teacher", "anonymous")


@pytest.fixture
def world(cast: Cast) -> tuple[dict[str, Actor | None], int]:
    owner = cast.owner
    settings = records.StudySettings(budget=3, parallel=1, epochs=2)
    study_id = records.create_study(owner.id, LAB, settings, SearchSpace())
    # One finished trial, as the worker would record it (no worker runs in this test).
    info = records.get_study(study_id)
    study = optuna.load_study(study_name=info.optuna_name, storage=optuna_storage())
    trial = study.ask()
    params = suggest(trial, info.space)
    run_id = jobs.submit(info.base_spec.model_copy(update=params), owner.id, LAB, study_id, 0)
    trial.set_user_attr("run_id", run_id)
    study.tell(trial, 0.9)
    return cast.actors, study_id


OPERATIONS: dict[str, Callable[[Actor | None, int], Any]] = {
    "get_study": tuning.get_study,
    "study_trials": tuning.study_trials,
    "study_view": tuning.study_view,
    "method_comparison": tuning.method_comparison,
    "cancel_study": tuning.cancel_study,
    "train_best_in_full": tuning.train_best_in_full,
}
CHECKS: dict[str, Callable[[Any, int], bool]] = {
    "get_study": lambda r, sid: r.id == sid,
    "study_trials": lambda r, sid: (
        [(t.number, t.state, t.value) for t in r] == [(0, "complete", 0.9)]
    ),
    "study_view": lambda r, sid: r.info.id == sid and len(r.trials) == 1,
    "method_comparison": lambda r, sid: [m.study_id for m in r] == [sid],
    "cancel_study": lambda r, sid: r is True and records.get_study(sid).status == "cancelled",
    "train_best_in_full": lambda r, sid: (
        jobs.status(r).spec["epochs"] > 2 and records.get_study(sid).full_run_id == r
    ),
}
OK, NF = "ok", NotFound
MATRIX: dict[str, tuple[Any, ...]] = {
    #                      owner  other  own t. other t. anonymous
    "get_study": (OK, NF, OK, NF, NF),
    "study_trials": (OK, NF, OK, NF, NF),
    "study_view": (OK, NF, OK, NF, NF),
    "method_comparison": (OK, NF, OK, NF, NF),
    "cancel_study": (OK, NF, NF, NF, NF),
    "train_best_in_full": (OK, NF, NF, NF, NF),
}
CELLS = matrix_cells(MATRIX, ACTORS)


REFUSALS = (NotFound,)


def outcome(call: Callable[[], Any]) -> Outcome:
    return matrix_outcome(call, REFUSALS)


@pytest.mark.parametrize(("op", "actor_name", "expected"), CELLS)
def test_is_only_the_documented_cell_allowed(world, op, actor_name, expected) -> None:
    actors, study_id = world
    error, message, result = outcome(lambda: OPERATIONS[op](actors[actor_name], study_id))
    if expected == OK:
        assert error is None, f"{actor_name} was refused: {message}"
        assert CHECKS[op](result, study_id)
    else:
        assert error is expected, f"{actor_name} got {result!r}"


@pytest.mark.parametrize(("op", "actor_name", "expected"), [c for c in CELLS if c.values[2] != OK])
def test_does_a_refusal_look_the_same_as_a_missing_study(world, op, actor_name, expected) -> None:
    actors, study_id = world
    refused = outcome(lambda: OPERATIONS[op](actors[actor_name], study_id))
    absent = outcome(lambda: OPERATIONS[op](actors[actor_name], MISSING))
    assert refused == absent


def test_a_refused_cancel_or_training_changes_nothing(world) -> None:
    actors, study_id = world
    runs_before = len(jobs.list_runs(actors["owner"].id))
    for name in ("other learner", "own teacher", "other teacher", "anonymous"):
        for op in ("cancel_study", "train_best_in_full"):
            with pytest.raises(NotFound):
                OPERATIONS[op](actors[name], study_id)
    assert records.get_study(study_id).status == "queued"
    assert len(jobs.list_runs(actors["owner"].id)) == runs_before


def test_each_learner_lists_only_their_own_studies(world) -> None:
    actors, study_id = world
    assert [s.id for s in tuning.my_studies(actors["owner"], LAB)] == [study_id]
    assert tuning.my_studies(actors["other learner"], LAB) == []
    assert tuning.my_studies(actors["own teacher"], LAB) == []
    with pytest.raises(NotFound):
        tuning.my_studies(None, LAB)


def test_nobody_signed_in_cannot_start_a_study() -> None:
    with pytest.raises(NotFound, match="sign in"):
        tuning.start_study(None, {}, {}, LAB)


def test_starting_a_study_with_bad_settings_queues_nothing(world) -> None:
    actors, _ = world
    owner = actors["owner"]
    before = len(tuning.my_studies(owner, LAB)), len(jobs.list_runs(owner.id))
    with pytest.raises(SpaceError) as caught:
        tuning.start_study(owner, {"budget": 0}, {"learning_rate_low": 0}, LAB)
    assert "budget" in caught.value.errors
    with pytest.raises(SpaceError) as caught:
        tuning.start_study(owner, {}, {"learning_rate_low": 0}, LAB)
    assert "learning_rate_low" in caught.value.errors
    assert (len(tuning.my_studies(owner, LAB)), len(jobs.list_runs(owner.id))) == before


def test_a_learner_cannot_start_a_study_on_someone_elses_upload(world) -> None:
    actors, _ = world
    with pytest.raises(SpaceError):  # only the built-in tables are offered for tuning
        tuning.start_study(actors["owner"], {"dataset": "upload:0123456789abcdef"}, {}, LAB)


def test_the_owner_starts_a_study_that_waits_for_the_worker(world) -> None:
    actors, _ = world
    study_id = tuning.start_study(actors["owner"], {"budget": 2, "epochs": 2}, {}, LAB)
    info = tuning.get_study(actors["owner"], study_id)
    assert (info.status, info.settings.budget, info.owner_id) == ("queued", 2, actors["owner"].id)
    assert (
        jobs.status(info.baseline_run_id).spec
        == RunSpec(dataset="penguins", model="dense", epochs=2).model_dump()
    )
