"""A data pipeline as a spec: where the data comes from and an ordered list of small stages.

Validation errors name the stage and the field ("stage 3 (fix types): columns.score: ...").
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from engine.spec import SpecError, _friendly

SOURCE_ID = r"^[0-9a-f]{16}$"  # a stored pipeline source (engine.pipeline.ingest)
BUNDLED = ("penguins", "wine", "breast-cancer")
# A pipeline's name becomes a folder name: letters, digits, spaces, - and _ only.
PIPELINE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,63}$")
# "stage 3 (scale): columns: message" or "join: message", from a check across fields
PLACED = re.compile(r"^(stage \d+(?: \([^)]*\))?(?:: [\w.]+)?|[\w.]+): (.*)$", re.DOTALL)
STEP_TITLES = {
    "impute": "impute missing values",
    "outliers": "outliers",
    "deduplicate": "remove duplicates",
    "fix_types": "fix types",
    "scale": "scale",
    "encode": "encode",
    "target": "target",
}

Column = Annotated[str, Field(min_length=1, max_length=200)]
Columns = Annotated[list[Column], Field(min_length=1, max_length=500)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- sources -----------------------------------------------------------------------------


class _Source(_Strict):
    # Only when joining: this source's key column, if it is named differently from join.key
    # (e.g. students.id joined to lab_results.student_id).
    join_column: Column | None = None


class BundledSource(_Source):
    kind: Literal["bundled"] = "bundled"
    name: Literal["penguins", "wine", "breast-cancer"]


class UploadSource(_Source):
    """A file stored by engine.pipeline.ingest.store_source (not an "upload:<id>" dataset)."""

    kind: Literal["upload"] = "upload"
    upload_id: Annotated[str, Field(pattern=SOURCE_ID)]  # a CSV, Excel, JSON or Parquet file


class SqliteSource(_Source):
    kind: Literal["sqlite"] = "sqlite"
    database: Annotated[str, Field(pattern=r"^(demo|[0-9a-f]{16})$")]  # shipped demo or upload
    table: Annotated[str, Field(min_length=1, max_length=128)]


class UrlSource(_Source):
    kind: Literal["url"] = "url"
    url: Annotated[str, Field(min_length=1, max_length=2000)]

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str) -> str:
        scheme = urlsplit(value.strip()).scheme.lower()
        if scheme not in ("http", "https"):
            raise ValueError(
                f"only http:// and https:// addresses can be read, not {scheme or 'this'}://"
            )
        return value.strip()


Source = Annotated[
    BundledSource | UploadSource | SqliteSource | UrlSource, Field(discriminator="kind")
]


class JoinSpec(_Strict):
    key: Column  # the column the sources share
    how: Literal["inner", "left", "outer"] = "inner"  # pandas.merge's how


# --- stages ------------------------------------------------------------------------------


class ImputeRule(_Strict):
    strategy: Literal["drop", "mean", "median", "most_frequent", "constant", "knn"]
    value: str | float | None = None  # the fill value of "constant"

    @model_validator(mode="after")
    def _constant_has_value(self) -> ImputeRule:
        if self.strategy == "constant" and self.value is None:
            raise ValueError("value: a constant fill needs a value")
        return self


def _rule_from_text(value: Any) -> Any:
    """Accept "median" as short for {"strategy": "median"}."""
    return {"strategy": value} if isinstance(value, str) else value


class ImputeStage(_Strict):
    step: Literal["impute"] = "impute"
    columns: Annotated[dict[Column, ImputeRule], Field(min_length=1)]
    knn_neighbors: Annotated[int, Field(strict=True, ge=1, le=50)] = 5

    @field_validator("columns", mode="before")
    @classmethod
    def _short_rules(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: _rule_from_text(v) for k, v in value.items()}
        return value


class OutliersStage(_Strict):
    step: Literal["outliers"] = "outliers"
    columns: Columns
    method: Literal["iqr", "zscore"] = "iqr"
    action: Literal["clip", "remove"] = "clip"
    # IQR: beyond Q1 - t*IQR or Q3 + t*IQR (Tukey's 1.5); z-score: beyond t standard deviations.
    threshold: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)] | None = None

    @property
    def limit(self) -> float:
        if self.threshold is not None:
            return self.threshold
        return 1.5 if self.method == "iqr" else 3.0


class DeduplicateStage(_Strict):
    step: Literal["deduplicate"] = "deduplicate"
    subset: Columns | None = None  # None: rows equal in every column


class FixTypesStage(_Strict):
    step: Literal["fix_types"] = "fix_types"
    columns: Annotated[
        dict[Column, Literal["int", "float", "datetime", "category", "string"]],
        Field(min_length=1),
    ]
    invalid: Literal["error", "missing"] = "error"  # a value that won't convert: stop, or blank it


class ScaleStage(_Strict):
    step: Literal["scale"] = "scale"
    columns: Columns
    method: Literal["standard", "minmax", "robust"] = "standard"


class EncodeStage(_Strict):
    step: Literal["encode"] = "encode"
    columns: Columns
    method: Literal["onehot", "ordinal"] = "onehot"


class TargetStage(_Strict):
    step: Literal["target"] = "target"
    column: Column  # the label a model will learn; rows without one are dropped


Stage = Annotated[
    ImputeStage
    | OutliersStage
    | DeduplicateStage
    | FixTypesStage
    | ScaleStage
    | EncodeStage
    | TargetStage,
    Field(discriminator="step"),
]


class PipelineSpec(_Strict):
    """Sources (joined on a key when there are several) and stages run in order."""

    name: Annotated[str, Field(min_length=1, max_length=64)]
    sources: Annotated[list[Source], Field(min_length=1, max_length=4)]
    join: JoinSpec | None = None
    stages: Annotated[list[Stage], Field(max_length=30)] = []

    @field_validator("name")
    @classmethod
    def _folder_safe_name(cls, value: str) -> str:
        if not PIPELINE_NAME.fullmatch(value):
            raise ValueError("use letters, digits, spaces, - and _ (at most 64), starting with one")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> PipelineSpec:
        if len(self.sources) > 1 and self.join is None:
            raise ValueError("join: several sources need a key column to join them on")
        targets = [i for i, s in enumerate(self.stages) if isinstance(s, TargetStage)]
        if len(targets) > 1:
            second = targets[1]
            raise ValueError(f"{stage_label(second, 'target')}: a pipeline has at most one target")
        if targets:
            target = self.stages[targets[0]]
            assert isinstance(target, TargetStage)  # as the list above was made
            _target_left_alone(self.stages, target.column)
        return self

    @property
    def target(self) -> str | None:
        """The column named by the target stage, if any."""
        found = [s.column for s in self.stages if isinstance(s, TargetStage)]
        return found[0] if found else None

    def with_sources(self, sources: list[Any], join: JoinSpec | None = None) -> PipelineSpec:
        """The same stages on other data (re-running a saved pipeline on a new upload)."""
        data = self.model_dump()
        data.update(sources=sources, join=join)
        return PipelineSpec.model_validate(data)


def _target_left_alone(stages: list[Any], target: str) -> None:
    """Scaling or encoding the label would change what the model is asked to predict."""
    for i, stage in enumerate(stages):
        if isinstance(stage, ScaleStage | EncodeStage) and target in stage.columns:
            raise ValueError(
                f"{stage_label(i, stage.step)}: columns: {target!r} is the target; a label is "
                "not scaled or encoded (the model's classes come from it as it is)"
            )


def stage_label(index: int, step: str | None = None) -> str:
    """'stage 3 (fix types)' for the 0-based index 2."""
    return f"stage {index + 1}" + (f" ({STEP_TITLES[step]})" if step else "")


class PipelineSpecError(SpecError):
    """A pipeline spec that cannot run; ``errors`` maps 'stage 3 (fix types): columns'
    (or a field such as 'name') to a message for the learner."""


def parse_pipeline(data: dict[str, Any]) -> PipelineSpec:
    """Validate a dict into a PipelineSpec, or raise PipelineSpecError naming stage and field."""
    try:
        return PipelineSpec.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            field = _where(err["loc"])
            message = _message(field, err)
            placed = PLACED.match(message)
            if not field and placed:  # a check across stages names its place first
                field, message = placed.groups()
            errors.setdefault(field, message)
        raise PipelineSpecError(errors) from None


def _message(field: str, err: Any) -> str:
    if err["type"] == "string_pattern_mismatch":
        return "is not a valid name or id here"
    if err["type"] == "union_tag_not_found":
        return f"needs a {err['ctx']['discriminator']} (see the choices in the lab)"
    if err["type"] == "union_tag_invalid":
        return f"{err['ctx']['tag']!r} is not known; choose one of {err['ctx']['expected_tags']}"
    return _friendly(field, err)


def _where(loc: tuple[Any, ...]) -> str:
    """('stages', 2, 'fix_types', 'columns', 'score') -> 'stage 3 (fix types): columns.score'."""
    if len(loc) >= 2 and loc[0] in ("stages", "sources") and isinstance(loc[1], int):
        rest = [str(p) for p in loc[2:]]
        if loc[0] == "stages" and rest and rest[0] in STEP_TITLES:
            head = stage_label(loc[1], rest.pop(0))
        elif loc[0] == "stages":
            head = stage_label(loc[1])
        else:
            head = f"source {loc[1] + 1}"
            if rest and rest[0] in ("bundled", "upload", "sqlite", "url"):
                head += f" ({rest.pop(0)})"
        return head + (": " + ".".join(rest) if rest else "")
    return ".".join(str(p) for p in loc)
