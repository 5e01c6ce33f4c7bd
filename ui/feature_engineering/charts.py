"""Charts of the feature engineering lab. Builders take plain data (testable without a browser)."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import plotly.graph_objects as go

FAMILY_DASH = {"filter": "dot", "wrapper": "solid", "embedded": "dash"}  # line style = family


def before_after_chart(data: dict[str, Any]) -> alt.HConcatChart:
    """Histograms of one column before and after scaling, on the training rows."""
    frame = pd.concat(
        [
            pd.DataFrame({"value": data["before"], "stage": "before"}),
            pd.DataFrame({"value": data["after"], "stage": f"after ({data['scaler']})"}),
        ]
    )
    base = (
        alt.Chart(frame)
        .mark_bar(opacity=0.8)
        .encode(
            x=alt.X("value:Q", bin=alt.Bin(maxbins=30), title=data["column"]),
            y=alt.Y("count():Q", title="rows"),
        )
        .properties(width=260, height=200)
    )
    return alt.hconcat(
        *[
            base.transform_filter(alt.datum.stage == stage).properties(title=stage)
            for stage in frame["stage"].unique()
        ]
    )


def correlation_heatmap(cells: list[dict[str, Any]]) -> alt.Chart:
    """Pearson r between every pair of number columns (red: together, blue: opposite)."""
    frame = pd.DataFrame(cells)
    chart: alt.Chart = (  # altair's mark_* methods are untyped: say what they give
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("x:N", title=None),
            y=alt.Y("y:N", title=None),
            color=alt.Color("r:Q", scale=alt.Scale(scheme="redblue", domain=[-1, 1], reverse=True)),
            tooltip=["x", "y", alt.Tooltip("r:Q", format=".2f")],
        )
        .properties(height=max(240, 34 * frame["x"].nunique()))
    )
    return chart


def selection_figure(points: list[dict[str, Any]], all_features: float) -> go.Figure:
    """Validation accuracy against the number of features kept, one line per method."""
    fig = go.Figure()
    methods = dict.fromkeys(p["method"] for p in points)
    for method in methods:
        mine = [p for p in points if p["method"] == method]
        fig.add_trace(
            go.Scatter(
                x=[p["k"] for p in mine],
                y=[p["accuracy"] for p in mine],
                mode="lines+markers",
                name=f"{method} ({mine[0]['family']})",
                line={"dash": FAMILY_DASH.get(mine[0]["family"], "solid")},
                hovertext=[", ".join(p["features"]) for p in mine],
                hoverinfo="x+y+text",
            )
        )
    fig.add_hline(y=all_features, line_dash="dot", annotation_text="all features")
    fig.update_layout(
        height=380,
        xaxis_title="features kept",
        yaxis_title="validation accuracy",
        margin={"l": 40, "r": 10, "t": 20, "b": 40},
        uirevision="selection",
    )
    return fig
