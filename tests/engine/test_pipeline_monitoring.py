"""Monitoring: does the quality report describe each column, and does drift find a shift
(PSI as a direct numpy computation gives it, KS as scipy gives it) and none where there is none?"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from engine.pipeline.monitoring import PSI_DRIFT, PSI_FLOOR, drift, quality_report


def frame_of(
    shift: float = 0.0, seed: int = 0, rows: int = 2000, blue: float = 0.3
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    colour = np.where(rng.random(rows) < blue, "blue", "red")
    return pd.DataFrame(
        {"score": rng.normal(50 + shift, 10, rows), "colour": pd.Series(colour, dtype="str")}
    )


def numpy_psi(a: np.ndarray, b: np.ndarray) -> float:
    """PSI over A's deciles, right-closed bins, written out with numpy alone."""
    inner = np.unique(np.quantile(a, np.linspace(0, 1, 11))[1:-1])
    share_a = np.bincount(np.searchsorted(inner, a, side="left"), minlength=len(inner) + 1) / len(a)
    share_b = np.bincount(np.searchsorted(inner, b, side="left"), minlength=len(inner) + 1) / len(b)
    share_a, share_b = np.maximum(share_a, PSI_FLOOR), np.maximum(share_b, PSI_FLOOR)
    return float(np.sum((share_b - share_a) * np.log(share_b / share_a)))


def by_column(a: pd.DataFrame, b: pd.DataFrame) -> dict:
    return {d.column: d for d in drift(a, b)}


def test_does_identical_data_show_no_drift() -> None:
    found = by_column(frame_of(), frame_of())
    assert found["score"].psi == pytest.approx(0.0, abs=1e-12)
    assert found["colour"].psi == pytest.approx(0.0, abs=1e-12)
    assert not found["score"].drifted and found["score"].ks_pvalue == pytest.approx(1.0)


def test_does_a_fresh_sample_of_the_same_population_stay_below_the_threshold() -> None:
    found = by_column(frame_of(seed=1), frame_of(seed=2))
    assert not any(d.drifted for d in found.values())


@pytest.mark.parametrize(("shift", "blue"), [(8.0, 0.3), (0.0, 0.7)])
def test_is_a_shifted_column_flagged_as_drifted(shift: float, blue: float) -> None:
    found = by_column(frame_of(seed=1), frame_of(shift=shift, seed=2, blue=blue))
    moved = "score" if shift else "colour"
    assert found[moved].drifted and found[moved].psi > PSI_DRIFT
    still = "colour" if shift else "score"
    assert not found[still].drifted


@pytest.mark.parametrize("shift", [0.0, 3.0, 8.0, 30.0])
def test_does_psi_match_a_direct_numpy_computation(shift: float) -> None:
    a, b = frame_of(seed=1), frame_of(shift=shift, seed=2)
    found = by_column(a, b)["score"]
    assert found.psi == pytest.approx(numpy_psi(a["score"].to_numpy(), b["score"].to_numpy()))
    expected = ks_2samp(a["score"], b["score"])
    assert (found.ks_statistic, found.ks_pvalue) == pytest.approx(
        (expected.statistic, expected.pvalue)
    )
    assert len(found.bins) == 10 and sum(found.share_a) == pytest.approx(1.0)


def test_does_category_psi_cover_categories_new_in_b() -> None:
    a = pd.DataFrame({"c": ["x"] * 50 + ["y"] * 50})
    b = pd.DataFrame({"c": ["x"] * 50 + ["z"] * 50})
    found = by_column(a, b)["c"]
    assert found.bins == ["x", "y", "z"]
    assert found.share_a == [0.5, 0.5, 0.0] and found.share_b == [0.5, 0.0, 0.5]
    shares_a = np.maximum([0.5, 0.5, 0.0], PSI_FLOOR)
    shares_b = np.maximum([0.5, 0.0, 0.5], PSI_FLOOR)
    assert found.psi == pytest.approx(np.sum((shares_b - shares_a) * np.log(shares_b / shares_a)))


def test_does_the_quality_report_describe_every_column() -> None:
    frame = pd.DataFrame(
        {
            "score": [1.0, np.nan, 3.0, 8.0],
            "colour": pd.Series(["red", "blue", None, "red"], dtype="str"),
            "day": pd.to_datetime(["2026-03-01", "2026-03-04", None, "2026-03-02"]),
        }
    )
    report = quality_report(frame)
    score, colour, day = report["columns"]
    assert report["rows"] == 4
    assert score == {
        "column": "score",
        "type": "number",
        "missing": 1,
        "missing_share": 0.25,
        "min": 1.0,
        "max": 8.0,
        "mean": 4.0,
    }
    assert (colour["type"], colour["distinct"], colour["top"]) == ("text", 2, "red")
    assert (day["min"], day["max"]) == ("2026-03-01T00:00:00", "2026-03-04T00:00:00")
