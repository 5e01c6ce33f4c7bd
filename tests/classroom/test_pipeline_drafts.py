"""A learner's working pipeline: kept for them alone, read back as saved, never half-saved."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from classroom import pipeline_drafts, pipelines
from classroom.access import Actor, NotFound
from classroom.pipeline_drafts import MAX_STAGES, DraftError
from engine.pipeline.describe import describe_stage
from engine.pipeline.ingest import sources_dir
from engine.pipeline.pipeline_spec import parse_pipeline
from labs.pipeline_builder import PIPELINE_NAME
from tests.classroom.samples import SCORES_CSV as CSV

STAGES = [
    {"step": "impute", "columns": {"score": {"strategy": "median", "value": None}}},
    {"step": "deduplicate", "subset": None},
]


def upload_sources(actor: Actor, name: str = "results.csv") -> dict:
    source = pipelines.add_source(actor, CSV, name)
    return {"sources": [{"kind": "upload", "upload_id": source.source_id}]}


def test_does_a_saved_draft_come_back_exactly_as_saved(learner: Actor) -> None:
    sources = upload_sources(learner)
    pipeline_drafts.save_draft(learner, PIPELINE_NAME, sources, STAGES, 2)
    draft = pipeline_drafts.load_draft(learner, PIPELINE_NAME)
    assert draft is not None
    assert (draft.sources, draft.stages, draft.chosen_version) == (sources, STAGES, 2)


def test_does_each_save_replace_the_last_rather_than_pile_up(learner: Actor) -> None:
    sources = upload_sources(learner)
    pipeline_drafts.save_draft(learner, PIPELINE_NAME, sources, STAGES, 1)
    demo = {"sources": [{"kind": "sqlite", "database": "demo", "table": "students"}]}
    pipeline_drafts.save_draft(learner, PIPELINE_NAME, demo, STAGES[:1], None)
    draft = pipeline_drafts.load_draft(learner, PIPELINE_NAME)
    assert draft is not None
    assert (draft.sources, draft.stages, draft.chosen_version) == (demo, STAGES[:1], None)


def test_does_no_one_else_see_a_learners_draft(
    learner: Actor, teacher: Actor, make_learner: Callable[..., Actor]
) -> None:
    pipeline_drafts.save_draft(learner, PIPELINE_NAME, upload_sources(learner), STAGES)
    assert pipeline_drafts.load_draft(make_learner("classmate"), PIPELINE_NAME) is None
    assert pipeline_drafts.load_draft(teacher, PIPELINE_NAME) is None
    with pytest.raises(NotFound):
        pipeline_drafts.load_draft(None, PIPELINE_NAME)


def test_may_a_draft_not_name_another_learners_file(
    learner: Actor, make_learner: Callable[..., Actor]
) -> None:
    sources = upload_sources(learner)
    other = make_learner("classmate")
    with pytest.raises(NotFound, match="No such file"):
        pipeline_drafts.save_draft(other, PIPELINE_NAME, sources, STAGES)
    assert pipeline_drafts.load_draft(other, PIPELINE_NAME) is None


@pytest.mark.parametrize(
    ("sources", "stages", "message"),
    [
        ({"sources": []}, [], "data source cannot be saved"),
        ({"sources": [{"kind": "url", "url": "file:///etc/passwd"}]}, [], "http"),
        (None, ["not a stage"], "each stage must be a set of choices"),
        (None, [{"step": "deduplicate"}] * (MAX_STAGES + 1), f"at most {MAX_STAGES} stages"),
        (None, [{"step": "impute", "columns": {"x" * 250_000: "median"}}], "too large"),
    ],
)
def test_is_a_bad_draft_refused_with_a_reason_and_the_last_one_kept(
    learner: Actor, sources, stages, message: str
) -> None:
    kept = upload_sources(learner)
    pipeline_drafts.save_draft(learner, PIPELINE_NAME, kept, STAGES, 1)
    with pytest.raises(DraftError, match=message):
        pipeline_drafts.save_draft(learner, PIPELINE_NAME, sources, stages)
    draft = pipeline_drafts.load_draft(learner, PIPELINE_NAME)
    assert draft is not None and (draft.sources, draft.stages) == (kept, STAGES)


def test_are_stages_kept_even_when_they_do_not_form_a_valid_pipeline_yet(learner: Actor) -> None:
    """Two targets are refused by the spec, but the learner must still see them to fix them."""
    two_targets = [{"step": "target", "column": "passed"}, {"step": "target", "column": "score"}]
    pipeline_drafts.save_draft(learner, PIPELINE_NAME, None, two_targets)
    draft = pipeline_drafts.load_draft(learner, PIPELINE_NAME)
    assert draft is not None and draft.stages == two_targets


def test_does_the_owner_get_their_stored_file_back_by_its_id(
    learner: Actor, make_learner: Callable[..., Actor]
) -> None:
    upload_id = upload_sources(learner, "my marks.csv")["sources"][0]["upload_id"]
    info = pipelines.my_source(learner, upload_id)
    assert (info.source_id, info.name, info.format) == (upload_id, "my marks.csv", "csv")
    with pytest.raises(NotFound, match="No such file"):
        pipelines.my_source(make_learner("classmate"), upload_id)
    for stored in sources_dir().glob(f"{upload_id}.*"):
        stored.unlink()  # the file is gone from the data folder: the same answer
    with pytest.raises(NotFound, match="No such file"):
        pipelines.my_source(learner, upload_id)


@pytest.mark.parametrize(
    ("stage", "sentence"),
    [
        (
            {"step": "impute", "columns": {"age": {"strategy": "median", "value": None}}},
            "Fill missing values in age with the median",
        ),
        (
            {"step": "impute", "columns": {"a": "mean", "b": "mean", "c": "drop"}},
            "Fill missing values in a and b with the mean; Drop the rows with a missing value in c",
        ),
        (
            {"step": "impute", "columns": {"lab": {"strategy": "constant", "value": "none"}}},
            "Fill missing values in lab with the value 'none'",
        ),
        (
            {"step": "outliers", "columns": ["score"], "method": "iqr", "action": "remove"},
            "Remove the rows with outliers in score (more than 1.5 × the middle half's "
            "spread beyond it)",
        ),
        (
            {"step": "outliers", "columns": ["score"], "method": "zscore", "action": "clip"},
            "Clip outliers in score (more than 3 standard deviations from the mean)",
        ),
        ({"step": "deduplicate", "subset": None}, "Remove rows that repeat another row exactly"),
        (
            {"step": "fix_types", "columns": {"minutes": "float"}, "invalid": "missing"},
            "Turn minutes into decimal numbers (a value that won't convert becomes missing)",
        ),
        (
            {"step": "scale", "columns": ["a", "b", "c"], "method": "minmax"},
            "Scale a, b and c to the range 0 to 1",
        ),
        (
            {"step": "encode", "columns": ["lab"], "method": "onehot"},
            "Give each category of lab a 0/1 column of its own (one-hot encoding)",
        ),
        (
            {"step": "target", "column": "passed"},
            "Predict passed (rows without a value are dropped)",
        ),
    ],
)
def test_does_each_stage_read_as_a_plain_sentence(stage: dict, sentence: str) -> None:
    parse_pipeline(
        {"name": "x", "sources": [{"kind": "bundled", "name": "wine"}], "stages": [stage]}
    )
    assert describe_stage(stage) == sentence
    assert "None" not in describe_stage(stage) and "{" not in describe_stage(stage)


@pytest.mark.usefixtures("postgres")  # before ``learner``: the account is made there too
def test_does_a_draft_come_back_the_same_on_postgresql(learner: Actor) -> None:
    demo = {"sources": [{"kind": "sqlite", "database": "demo", "table": "students"}]}
    pipeline_drafts.save_draft(learner, PIPELINE_NAME, demo, STAGES, 3)
    pipeline_drafts.save_draft(learner, "second", None, [], None)  # nothing read yet
    first = pipeline_drafts.load_draft(learner, PIPELINE_NAME)
    second = pipeline_drafts.load_draft(learner, "second")
    assert first is not None and (first.sources, first.stages, first.chosen_version) == (
        demo,
        STAGES,
        3,
    )
    assert second is not None and (second.sources, second.stages) == (None, [])
