"""Pipelines: may only the owner use their files and versions, and their teacher read them?"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from classroom import classes, datasets, pipelines, runs
from classroom.access import Actor, NotFound
from engine.pipeline.errors import PipelineError
from engine.pipeline.pipeline_spec import parse_pipeline
from engine.pipeline.stages import run_pipeline
from engine.spec import RunSpec
from tests.classroom.people import add_user
from tests.classroom.samples import SCORES_CSV as CSV


def spec_for(source_id: str) -> object:
    return parse_pipeline(
        {
            "name": "mine",
            "sources": [{"kind": "upload", "upload_id": source_id}],
            "stages": [
                {"step": "scale", "columns": ["score"]},
                {"step": "target", "column": "passed"},
            ],
        }
    )


@pytest.fixture
def saved(learner: Actor) -> tuple[Actor, object]:
    source = pipelines.add_source(learner, CSV, "results.csv")
    spec = spec_for(source.source_id)
    frame, _ = run_pipeline(spec, pipelines.read_input(learner, spec))
    return learner, pipelines.save_version(learner, spec, frame)


def other_teacher() -> Actor:
    """A teacher with a class of their own, which the owner is not in."""
    teacher = add_user("olga", "teacher")
    classes.create_class(teacher, "Other class")
    return teacher


READERS: dict[str, Callable[[Actor | None, int], int]] = {  # rows seen
    "list versions": lambda actor, owner: pipelines.list_versions(actor, "mine", owner)[0].rows,
    "load a version": lambda actor, owner: len(pipelines.load_version(actor, "mine", 1, owner)),
}


@pytest.mark.parametrize("read", READERS.values(), ids=READERS.keys())
def test_may_the_owner_and_their_teacher_read_and_no_one_else(
    read: Callable, saved: tuple, teacher: Actor, make_learner: Callable[..., Actor]
) -> None:
    owner, _ = saved
    assert read(owner, owner.id) == 30
    assert read(teacher, owner.id) == 30
    for actor in (make_learner("classmate"), other_teacher(), None):
        with pytest.raises(NotFound):
            read(actor, owner.id)


def test_may_another_learner_not_read_an_uploaded_file_by_its_id(
    saved: tuple, make_learner: Callable[..., Actor]
) -> None:
    _, version = saved
    spec = spec_for(version.spec["sources"][0]["upload_id"])
    with pytest.raises(NotFound):
        pipelines.read_input(make_learner("stranger"), spec)
    with pytest.raises(NotFound):
        pipelines.save_version(make_learner("second"), spec, pd.DataFrame({"a": [1], "b": [2]}))


def test_is_a_version_trainable_by_its_owner_alone(
    saved: tuple, make_learner: Callable[..., Actor]
) -> None:
    owner, version = saved
    dataset = pipelines.training_dataset(owner, "mine", version.version)
    spec = RunSpec(dataset=dataset, model="dense", epochs=1, batch_size=8)
    assert runs.submit_run(owner, spec, "pipeline-builder") > 0
    with pytest.raises(NotFound):
        runs.submit_run(make_learner("stranger"), spec, "pipeline-builder")
    assert [u.dataset for u in datasets.uploads_of(owner)] == [dataset]  # the source is not listed


def test_does_a_saved_pipeline_rerun_on_a_new_file_in_one_call(saved: tuple) -> None:
    owner, first = saved
    spec = spec_for(first.spec["sources"][0]["upload_id"])
    newer = CSV + b"99,3,yes\n"
    source = pipelines.add_source(owner, newer, "results-week-2.csv")
    second, reports = pipelines.rerun_on_source(owner, spec, source.source_id)
    assert (second.version, second.rows) == (2, 31) and len(reports) == 2
    diff, drifts = pipelines.compare(owner, "mine", 1, 2)
    assert diff.rows_b == 31 and diff.columns_added == []
    assert {d.column for d in drifts} == {"score", "minutes", "passed"}


def test_does_a_failing_rerun_store_nothing(saved: tuple) -> None:
    owner, first = saved
    spec = spec_for(first.spec["sources"][0]["upload_id"])
    broken = pipelines.add_source(owner, CSV.replace(b"score,", b"points,"), "renamed.csv")
    with pytest.raises(PipelineError, match=r"Stage 1 \(scale\): there is no column 'score'"):
        pipelines.rerun_on_source(owner, spec, broken.source_id)
    assert [v.version for v in pipelines.list_versions(owner, "mine")] == [1]
