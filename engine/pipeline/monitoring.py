"""Monitoring: a data-quality report per version, drift between two versions, run history.

Drift per column uses the population stability index (PSI):

    PSI = sum over bins i of (b_i - a_i) * ln(b_i / a_i)

where a_i and b_i are the shares of version A's and version B's values in bin i. Numbers
are cut into 10 bins at version A's deciles (the outer bins open-ended, so B's values beyond
A's range still count); categories are their own bins. A share of 0 is raised to 0.0001 so an
empty bin does not make the index infinite. The usual reading: below 0.1 stable, 0.1 to 0.2
a moderate shift, above 0.2 drifted. Numbers also get scipy's two-sample Kolmogorov-Smirnov
test. Date columns are not compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp
from sqlalchemy import select

from db.models import Run
from db.session import read_session
from engine.pipeline.errors import is_number_column
from engine.pipeline.readers import type_name
from engine.pipeline.versions import get_version

PSI_DRIFT = 0.2
PSI_FLOOR = 1e-4
BINS = 10


def _column_quality(series: pd.Series) -> dict[str, Any]:
    kind = type_name(series)
    present = series.dropna()
    report: dict[str, Any] = {
        "column": str(series.name),
        "type": kind,
        "missing": int(series.isna().sum()),
        "missing_share": float(series.isna().mean()) if len(series) else 0.0,
    }
    if kind == "number":
        values = present.astype("float64")
        report.update(
            min=float(values.min()) if len(values) else None,
            max=float(values.max()) if len(values) else None,
            mean=float(values.mean()) if len(values) else None,
        )
    elif kind == "datetime":
        report.update(
            min=present.min().isoformat() if len(present) else None,
            max=present.max().isoformat() if len(present) else None,
        )
    else:
        counts = present.astype("str").value_counts()
        report.update(distinct=len(counts), top=str(counts.index[0]) if len(counts) else None)
    return report


def quality_report(frame: pd.DataFrame) -> dict[str, Any]:
    """Rows, and per column: type, missing share, min/max/mean or distinct values."""
    return {"rows": len(frame), "columns": [_column_quality(frame[c]) for c in frame.columns]}


@dataclass(frozen=True)
class ColumnDrift:
    """How one column's distribution moved from version A to version B."""

    column: str
    kind: str  # number | category
    psi: float
    drifted: bool  # psi > PSI_DRIFT
    ks_statistic: float | None = None
    ks_pvalue: float | None = None
    bins: list[str] = field(default_factory=list)  # chart: one bar pair per bin
    share_a: list[float] = field(default_factory=list)
    share_b: list[float] = field(default_factory=list)


def psi(share_a: np.ndarray, share_b: np.ndarray) -> float:
    """The population stability index of two share vectors over the same bins."""
    a = np.maximum(share_a, PSI_FLOOR)
    b = np.maximum(share_b, PSI_FLOOR)
    return float(np.sum((b - a) * np.log(b / a)))


def decile_edges(values: pd.Series) -> list[float]:
    """Bin edges at A's deciles, open at both ends: [-inf, q10, ..., q90, inf]."""
    inner = np.unique(values.quantile(np.linspace(0, 1, BINS + 1)).to_numpy()[1:-1])
    if len(inner) == 0:  # a constant column: one edge at its value
        inner = np.array([float(values.iloc[0])])
    return [-np.inf, *inner.tolist(), np.inf]


def _number_drift(name: str, a: pd.Series, b: pd.Series) -> ColumnDrift:
    edges = decile_edges(a)
    cut_a = pd.cut(a, edges)  # right-closed bins: (q10, q20], as np.searchsorted(side="left")
    labels = list(cut_a.cat.categories)
    share_a = cut_a.value_counts(normalize=True, sort=False).reindex(labels).to_numpy()
    share_b = pd.cut(b, edges).value_counts(normalize=True, sort=False).reindex(labels).to_numpy()
    ks = ks_2samp(a.to_numpy(), b.to_numpy())
    value = psi(share_a, share_b)
    return ColumnDrift(
        name,
        "number",
        value,
        value > PSI_DRIFT,
        float(ks.statistic),
        float(ks.pvalue),
        [str(label) for label in labels],
        share_a.tolist(),
        share_b.tolist(),
    )


def _category_drift(name: str, a: pd.Series, b: pd.Series) -> ColumnDrift:
    text_a, text_b = a.astype("str"), b.astype("str")
    categories = sorted(set(text_a) | set(text_b))
    share_a = text_a.value_counts(normalize=True).reindex(categories, fill_value=0.0).to_numpy()
    share_b = text_b.value_counts(normalize=True).reindex(categories, fill_value=0.0).to_numpy()
    value = psi(share_a, share_b)
    return ColumnDrift(
        name,
        "category",
        value,
        value > PSI_DRIFT,
        bins=categories,
        share_a=share_a.tolist(),
        share_b=share_b.tolist(),
    )


def drift(frame_a: pd.DataFrame, frame_b: pd.DataFrame) -> list[ColumnDrift]:
    """Per column in both versions (missing values left out): PSI, drifted, and for numbers
    the KS statistic and p-value; with the binned shares for a chart."""
    found = []
    for column in [c for c in frame_a.columns if c in frame_b.columns]:
        a, b = frame_a[column].dropna(), frame_b[column].dropna()
        if a.empty or b.empty or "datetime" in (type_name(a), type_name(b)):
            continue
        if is_number_column(a) and is_number_column(b):
            found.append(_number_drift(str(column), a.astype("float64"), b.astype("float64")))
        else:
            found.append(_category_drift(str(column), a, b))
    return found


def metric_history(owner_id: int, name: str, version: int) -> list[dict[str, Any]]:
    """The owner's runs on a version (oldest first): status and accuracy of each."""
    dataset = get_version(owner_id, name, version).dataset
    if dataset is None:
        return []
    with read_session() as session:  # the run table directly: engine.jobs would load torch
        rows = session.scalars(select(Run).where(Run.owner_id == owner_id).order_by(Run.id)).all()
    return [
        {
            "run_id": r.id,
            "status": r.status,
            "created_at": r.created_at.isoformat(),
            "model": r.spec.get("model"),
            "test_accuracy": (r.result or {}).get("test_accuracy"),
            "best_val_accuracy": (r.result or {}).get("best_val_accuracy"),
        }
        for r in rows
        if r.spec.get("dataset") == dataset
    ]
