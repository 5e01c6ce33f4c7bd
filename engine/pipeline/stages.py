"""Running a pipeline's stages in order, with a report and a snapshot after each one.

A usual order, and why: fix types (numbers typed as text cannot be averaged) -> impute
(scalers and encoders cannot use gaps) -> outliers (bounds from complete columns) ->
deduplicate -> scale (after outliers, or one extreme value squeezes every other) -> encode
-> target. The stages check what they need and say which earlier stage is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from engine.pipeline.cleaning import deduplicate, fix_types, impute, outliers
from engine.pipeline.errors import PipelineError
from engine.pipeline.pipeline_spec import STEP_TITLES, PipelineSpec
from engine.pipeline.transform import encode, scale, set_target

PREVIEW_ROWS = 10
STAGE_FUNCTIONS: dict[str, Callable[[pd.DataFrame, Any], tuple[pd.DataFrame, dict[str, Any]]]]
STAGE_FUNCTIONS = {
    "impute": impute,
    "outliers": outliers,
    "deduplicate": deduplicate,
    "fix_types": fix_types,
    "scale": scale,
    "encode": encode,
    "target": set_target,
}


@dataclass(frozen=True)
class StageReport:
    """What one stage did, and the first rows of the data after it."""

    stage: int  # 1-based
    step: str
    rows_before: int
    rows_after: int
    columns_before: list[str]
    columns_after: list[str]
    details: dict[str, Any] = field(default_factory=dict)
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)  # head after the stage

    @property
    def title(self) -> str:
        return f"Stage {self.stage} ({STEP_TITLES[self.step]})"

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows_after, len(self.columns_after)

    def as_dict(self) -> dict[str, Any]:
        """Everything but the preview, as plain JSON-ready values."""
        return {
            "stage": self.stage,
            "step": self.step,
            "title": self.title,
            "rows_before": self.rows_before,
            "rows_after": self.rows_after,
            "columns_before": self.columns_before,
            "columns_after": self.columns_after,
            "details": self.details,
        }


def run_stage(frame: pd.DataFrame, stage: Any, number: int) -> tuple[pd.DataFrame, StageReport]:
    """One stage; any failure comes out as a PipelineError placed at this stage."""
    try:
        out, details = STAGE_FUNCTIONS[stage.step](frame, stage)
    except PipelineError as exc:
        raise exc.at(number, stage.step) from None
    except (ValueError, TypeError, KeyError) as exc:  # scikit-learn's or pandas' own refusal
        raise PipelineError(f"{type(exc).__name__}: {exc}").at(number, stage.step) from exc
    report = StageReport(
        stage=number,
        step=stage.step,
        rows_before=len(frame),
        rows_after=len(out),
        columns_before=[str(c) for c in frame.columns],
        columns_after=[str(c) for c in out.columns],
        details=details,
        preview=out.head(PREVIEW_ROWS).copy(),
    )
    return out, report


def run_pipeline(spec: PipelineSpec, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[StageReport]]:
    """Every stage in order on a copy of ``frame``; stops at the first failing stage with a
    PipelineError naming the stage, column and rows. Nothing is stored here."""
    reports = []
    frame = frame.copy()
    for number, stage in enumerate(spec.stages, start=1):
        frame, report = run_stage(frame, stage, number)
        if frame.empty:
            raise PipelineError(
                "no rows are left after this stage; loosen it (e.g. a higher outlier "
                "threshold, or fill instead of drop)."
            ).at(number, stage.step)
        reports.append(report)
    return frame, reports
