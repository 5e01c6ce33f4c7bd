"""Versions: is a snapshot named by its content, listed with its rows, compared with another,
left alone when a later run fails, and trainable through the engine?"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from classroom import accounts
from classroom.access import Actor
from engine import jobs
from engine.data.bundle import DataError
from engine.pipeline.errors import PipelineError
from engine.pipeline.ingest import read_sources
from engine.pipeline.integration import version_dataset
from engine.pipeline.monitoring import metric_history
from engine.pipeline.pipeline_spec import PipelineSpec, parse_pipeline
from engine.pipeline.stages import run_pipeline
from engine.pipeline.versions import (
    compare_versions,
    frame_hash,
    list_versions,
    load_version,
    pipeline_folder,
    save_version,
)
from engine.spec import RunSpec
from engine.trainer import SilentHooks, train

DEMO_SOURCES = [
    {"kind": "sqlite", "database": "demo", "table": "lab_results"},
    {"kind": "sqlite", "database": "demo", "table": "students", "join_column": "id"},
]
CLEANING = [
    {"step": "fix_types", "columns": {"minutes": "float"}, "invalid": "missing"},
    {
        "step": "impute",
        "columns": {"score": "median", "minutes": "median", "country": "most_frequent"},
    },
    {"step": "outliers", "columns": ["minutes"], "action": "clip"},
    {"step": "deduplicate", "subset": ["student_id", "lab", "submitted_at"]},
    {"step": "scale", "columns": ["score", "minutes"]},
    {"step": "target", "column": "passed"},
]


def demo_spec(
    stages: list[dict[str, Any]] | None = None, name: str = "lab results"
) -> PipelineSpec:
    return parse_pipeline(
        {
            "name": name,
            "sources": DEMO_SOURCES,
            "join": {"key": "student_id"},
            "stages": CLEANING if stages is None else stages,
        }
    )


@pytest.fixture
def owner() -> Actor:
    return accounts.sign_up_learner("lin", "Lin", "a long enough secret", None)


def run_and_save(owner: Actor, spec: PipelineSpec) -> Any:
    frame, _ = run_pipeline(spec, read_sources(spec))
    return save_version(owner.id, spec, frame)


def test_does_the_same_data_give_the_same_hash_and_version(owner: Actor) -> None:
    spec = demo_spec()
    first, again = run_and_save(owner, spec), run_and_save(owner, spec)
    assert again == first and first.version == 1
    path = pipeline_folder(owner.id, spec.name) / f"{first.content_hash}.parquet"
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    assert path.parent.name == "lab_results"


def test_does_a_changed_table_change_the_hash() -> None:
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    assert frame_hash(frame) == frame_hash(frame.copy())
    assert frame_hash(frame) != frame_hash(frame.iloc[:2])
    assert frame_hash(frame) != frame_hash(frame.assign(a=[1, 2, 4]))
    assert frame_hash(frame) != frame_hash(frame.astype({"a": "float64"}))
    assert frame_hash(frame) != frame_hash(frame.rename(columns={"b": "c"}))


def test_are_versions_listed_with_their_row_counts(owner: Actor) -> None:
    raw = run_and_save(owner, demo_spec([]))
    clean = run_and_save(owner, demo_spec())
    listed = list_versions(owner.id, "lab results")
    assert [(v.version, v.rows) for v in listed] == [(1, 308), (2, 300)]
    assert [v.content_hash for v in listed] == [raw.content_hash, clean.content_hash]
    assert {"name": "minutes", "type": "number"} in listed[1].columns
    assert PipelineSpec.model_validate(listed[1].spec) == demo_spec()
    assert list_versions(owner.id + 1) == []


def test_does_a_stored_version_load_back_as_it_was_saved(owner: Actor) -> None:
    spec = demo_spec()
    frame, _ = run_pipeline(spec, read_sources(spec))
    info = save_version(owner.id, spec, frame)
    loaded = load_version(owner.id, spec.name, info.version)
    expected = frame.reset_index(drop=True)
    expected.index = pd.RangeIndex(1, len(frame) + 1)
    pd.testing.assert_frame_equal(loaded, expected)


def test_does_compare_show_rows_and_columns_added_and_removed() -> None:
    a = pd.DataFrame({"id": [1, 2, 3, 3], "score": [1.0, 2.0, 3.0, 3.0], "old": ["x"] * 4})
    b = pd.DataFrame({"id": [1, 3, 4], "score": [1.0, 3.0, 4.0], "new": [True] * 3})
    b.index = pd.RangeIndex(1, 4)
    a.index = pd.RangeIndex(1, 5)
    diff = compare_versions(a, b)
    assert (diff.columns_added, diff.columns_removed) == (["new"], ["old"])
    assert diff.compared_on == ["id", "score"]
    assert diff.rows_added == [3]  # (4, 4.0), row 3 of B
    assert diff.rows_removed == [2, 4]  # (2, 2.0) and the second (3, 3.0)
    retyped = compare_versions(a, a.astype({"id": "float64"}))
    assert retyped.type_changed == {"id": ("int64", "float64")}
    assert retyped.rows_added == [] and retyped.compared_on == ["score", "old"]


def test_does_a_failing_stage_name_itself_and_leave_earlier_versions_untouched(
    owner: Actor,
) -> None:
    first = run_and_save(owner, demo_spec())
    path = pipeline_folder(owner.id, "lab results") / f"{first.content_hash}.parquet"
    before = path.read_bytes()
    strict = demo_spec([{"step": "fix_types", "columns": {"minutes": "int"}}, *CLEANING[1:]])
    with pytest.raises(PipelineError) as caught:
        run_and_save(owner, strict)
    assert str(caught.value).startswith(
        "Stage 1 (fix types): column 'minutes' has values that are not whole numbers in rows"
    )
    assert caught.value.column == "minutes" and len(caught.value.rows) == 2
    assert list_versions(owner.id) == [first]
    assert path.read_bytes() == before
    assert len(list(path.parent.iterdir())) == 1


@pytest.mark.parametrize("name", ["../../etc", "a/b", ""])
def test_is_a_pipeline_name_never_a_path(name: str) -> None:
    with pytest.raises(DataError):
        pipeline_folder(1, name)


def test_does_a_stored_version_train_a_dense_model_above_chance(owner: Actor) -> None:
    info = run_and_save(owner, demo_spec())
    dataset = version_dataset(owner.id, "lab results", info.version)
    assert dataset.startswith("upload:")
    assert version_dataset(owner.id, "lab results", info.version) == dataset  # remembered
    spec = RunSpec(dataset=dataset, model="dense", epochs=15, batch_size=32, seed=0)
    result = train(spec, SilentHooks())
    majority = 181 / 300  # share of "yes" in the cleaned table
    assert result.status == "done"
    assert result.test_accuracy is not None and result.test_accuracy > majority + 0.1
    run_id = jobs.submit(spec, owner.id, "pipeline-builder")
    jobs.finish(run_id, "done", result={"test_accuracy": result.test_accuracy})
    history = metric_history(owner.id, "lab results", info.version)
    assert [(h["run_id"], h["test_accuracy"]) for h in history] == [(run_id, result.test_accuracy)]


def test_is_a_version_without_a_target_refused_for_training(owner: Actor) -> None:
    info = run_and_save(owner, demo_spec(CLEANING[:-1]))
    with pytest.raises(DataError, match="no target"):
        version_dataset(owner.id, "lab results", info.version)
    assert metric_history(owner.id, "lab results", info.version) == []
