"""Charts of the pipeline builder lab. Builders take plain data (testable without a browser)."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

PSI_DRIFT = 0.2  # engine.pipeline.monitoring's threshold, drawn as a rule


def outlier_chart(flagged: dict[str, dict[str, Any]]) -> alt.LayerChart:
    """The flagged values per column (points) and the bounds they broke (ticks)."""
    points = pd.DataFrame(
        [
            {"column": column, "row": row, "value": value}
            for column, found in flagged.items()
            for row, value in zip(found.get("rows", []), found.get("values", []), strict=False)
        ],
        columns=["column", "row", "value"],
    )
    bounds = pd.DataFrame(
        [
            {"column": column, "bound": name, "value": found[name]}
            for column, found in flagged.items()
            for name in ("low", "high")
            if found.get(name) is not None
        ],
        columns=["column", "bound", "value"],
    )
    dots: alt.Chart = (  # altair's mark_* methods are untyped: say what they give
        alt.Chart(points)
        .mark_circle(size=70, color="#d62728")
        .encode(
            x=alt.X("value:Q", title="value"),
            y=alt.Y("column:N", title=None),
            tooltip=["column", "row", "value"],
        )
    )
    ticks: alt.Chart = (
        alt.Chart(bounds)
        .mark_tick(thickness=2, size=24, color="#555")
        .encode(x="value:Q", y="column:N", tooltip=["column", "bound", "value"])
    )
    return alt.LayerChart(layer=[ticks, dots]).properties(height=alt.Step(40))


def drift_chart(rows: list[dict[str, Any]]) -> alt.LayerChart:
    """PSI per column; drifted columns in a warning colour, the 0.2 threshold as a rule."""
    frame = pd.DataFrame(rows, columns=["column", "psi", "drifted"])
    bars: alt.Chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("psi:Q", title="population stability index (PSI)"),
            y=alt.Y("column:N", sort="-x", title=None),
            color=alt.Color(
                "drifted:N",
                scale=alt.Scale(domain=[False, True], range=["#4c78a8", "#e45756"]),
                title="drifted",
            ),
            tooltip=["column", alt.Tooltip("psi:Q", format=".3f"), "drifted"],
        )
    )
    rule: alt.Chart = (
        alt.Chart(pd.DataFrame({"psi": [PSI_DRIFT]})).mark_rule(strokeDash=[4, 4]).encode(x="psi:Q")
    )
    return alt.LayerChart(layer=[bars, rule]).properties(height=alt.Step(28))


def distribution_chart(
    bins: list[str], share_a: list[float], share_b: list[float], a: int, b: int
) -> alt.Chart:
    """One column's share of rows per bin in version a and version b, side by side."""
    frame = pd.DataFrame(
        [
            {"bin": name, "version": f"v{v}", "share": share}
            for v, shares in ((a, share_a), (b, share_b))
            for name, share in zip(bins, shares, strict=False)
        ],
        columns=["bin", "version", "share"],
    )
    chart: alt.Chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("bin:N", sort=bins, title=None),
            xOffset="version:N",
            y=alt.Y("share:Q", title="share of rows", axis=alt.Axis(format="%")),
            color=alt.Color("version:N", title="version"),
            tooltip=["bin", "version", alt.Tooltip("share:Q", format=".1%")],
        )
    )
    return chart


def run_history_chart(rows: list[dict[str, Any]]) -> alt.Chart:
    """Best validation accuracy of each finished run trained on one version, in the order
    they ran (the test score waits for the final test)."""
    frame = pd.DataFrame(
        [
            {"run": f"run {r['run_id']}", "validation accuracy": r["best_val_accuracy"]}
            for r in rows
            if r.get("best_val_accuracy") is not None
        ],
        columns=["run", "validation accuracy"],
    )
    chart: alt.Chart = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("run:N", sort=None, title=None),
            y=alt.Y(
                "validation accuracy:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
            ),
            tooltip=["run", alt.Tooltip("validation accuracy:Q", format=".1%")],
        )
    )
    return chart
