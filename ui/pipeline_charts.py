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
    dots = (
        alt.Chart(points)
        .mark_circle(size=70, color="#d62728")
        .encode(
            x=alt.X("value:Q", title="value"),
            y=alt.Y("column:N", title=None),
            tooltip=["column", "row", "value"],
        )
    )
    ticks = (
        alt.Chart(bounds)
        .mark_tick(thickness=2, size=24, color="#555")
        .encode(x="value:Q", y="column:N", tooltip=["column", "bound", "value"])
    )
    return (ticks + dots).properties(height=alt.Step(40))


def drift_chart(rows: list[dict[str, Any]]) -> alt.LayerChart:
    """PSI per column; drifted columns in a warning colour, the 0.2 threshold as a rule."""
    frame = pd.DataFrame(rows, columns=["column", "psi", "drifted"])
    bars = (
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
    rule = (
        alt.Chart(pd.DataFrame({"psi": [PSI_DRIFT]})).mark_rule(strokeDash=[4, 4]).encode(x="psi:Q")
    )
    return (bars + rule).properties(height=alt.Step(28))
