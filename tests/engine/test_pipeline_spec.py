"""Does a pipeline spec refuse what cannot run, naming the stage and the field?"""

from __future__ import annotations

from typing import Any

import pytest

from engine.pipeline.pipeline_spec import (
    ImputeStage,
    PipelineSpec,
    PipelineSpecError,
    UploadSource,
    parse_pipeline,
)

PENGUINS = [{"kind": "bundled", "name": "penguins"}]


def spec_with(stages: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"name": "my pipeline", "sources": PENGUINS, "stages": stages, **extra}


BAD_SPECS = {
    "an unknown type": (
        spec_with([{"step": "fix_types", "columns": {"score": "number"}}]),
        "stage 1 (fix types): columns.score",
        "'int', 'float', 'datetime', 'category' or 'string'",
    ),
    "a constant fill without a value": (
        spec_with(
            [
                {"step": "target", "column": "species"},
                {"step": "impute", "columns": {"sex": "constant"}},
            ]
        ),
        "stage 2 (impute missing values): columns.sex",
        "needs a value",
    ),
    "an unknown stage": (spec_with([{"step": "shuffle"}]), "stage 1", "'shuffle' is not known"),
    "an unknown setting": (
        spec_with([{"step": "scale", "columns": ["x"], "with_mean": True}]),
        "stage 1 (scale): with_mean",
        "not a setting",
    ),
    "scaling no columns": (
        spec_with([{"step": "scale", "columns": []}]),
        "stage 1 (scale): columns",
        "at least 1",
    ),
    "a negative outlier threshold": (
        spec_with([{"step": "outliers", "columns": ["x"], "threshold": -1}]),
        "stage 1 (outliers): threshold",
        "greater than 0",
    ),
    "scaling the target": (
        spec_with(
            [{"step": "target", "column": "species"}, {"step": "scale", "columns": ["species"]}]
        ),
        "stage 2 (scale): columns",
        "'species' is the target",
    ),
    "two targets": (
        spec_with([{"step": "target", "column": "a"}, {"step": "target", "column": "b"}]),
        "stage 2 (target)",
        "at most one target",
    ),
    "two sources without a join": (
        {"name": "p", "sources": PENGUINS * 2},
        "join",
        "key column",
    ),
    "a file:// URL": (
        {"name": "p", "sources": [{"kind": "url", "url": "file:///etc/passwd"}]},
        "source 1 (url): url",
        "not file://",
    ),
    "an ftp:// URL": (
        {"name": "p", "sources": [{"kind": "url", "url": "ftp://example.org/a.csv"}]},
        "source 1 (url): url",
        "not ftp://",
    ),
    "a path as a database": (
        {
            "name": "p",
            "sources": [{"kind": "sqlite", "database": "../../app.db", "table": "users"}],
        },
        "source 1 (sqlite): database",
        "not a valid",
    ),
    "a path as a pipeline name": ({"name": "../../etc", "sources": PENGUINS}, "name", "letters"),
}


@pytest.mark.parametrize(("data", "field", "words"), BAD_SPECS.values(), ids=BAD_SPECS.keys())
def test_is_a_bad_spec_refused_naming_stage_and_field(
    data: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(PipelineSpecError) as caught:
        parse_pipeline(data)
    assert field in caught.value.errors, caught.value.errors
    assert words in caught.value.errors[field]


def test_does_a_short_strategy_read_as_a_rule() -> None:
    spec = parse_pipeline(spec_with([{"step": "impute", "columns": {"sex": "most_frequent"}}]))
    stage = spec.stages[0]
    assert isinstance(stage, ImputeStage)
    assert stage.columns["sex"].strategy == "most_frequent"


def test_does_a_saved_spec_rerun_on_a_new_upload_with_the_same_stages() -> None:
    spec = parse_pipeline(spec_with([{"step": "target", "column": "species"}]))
    again = spec.with_sources([UploadSource(upload_id="0123456789abcdef")])
    assert again.stages == spec.stages and again.target == "species"
    assert PipelineSpec.model_validate(again.model_dump(mode="json")) == again
