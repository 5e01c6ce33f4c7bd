"""Plotly figures for the progress page; they take plain data, so tests need no browser."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from classroom.progress_summary import Share, TrackCount

INDIGO, GREY = "#4f46e5", "#e5e7eb"


def competency_radar(shares: Sequence[Share]) -> go.Figure:
    """Share of each competency's steps done, 0-100 %, around a circle."""
    names = [s.name for s in shares]
    values = [round(100 * s.share) for s in shares]
    fig = go.Figure(
        go.Scatterpolar(
            r=[*values, values[0]] if values else [],
            theta=[*names, names[0]] if names else [],
            fill="toself",
            name="Steps done",
            line={"color": INDIGO},
            customdata=[[s.done, s.total] for s in [*shares, *shares[:1]]],
            hovertemplate="%{theta}: %{r}% (%{customdata[0]} of %{customdata[1]} steps)"
            "<extra></extra>",
        )
    )
    fig.update_layout(
        polar={"radialaxis": {"range": [0, 100], "ticksuffix": "%", "angle": 90}},
        showlegend=False,
        margin={"l": 120, "r": 120, "t": 40, "b": 40},  # room for the long names
        height=380,
    )
    return fig


def track_bars(counts: Sequence[TrackCount]) -> go.Figure:
    """Steps done and still to do, one horizontal bar per track."""
    titles = [c.title for c in counts]
    fig = go.Figure(
        [
            go.Bar(
                y=titles,
                x=[c.done for c in counts],
                name="done",
                orientation="h",
                marker={"color": INDIGO},
            ),
            go.Bar(
                y=titles,
                x=[c.total - c.done for c in counts],
                name="to do",
                orientation="h",
                marker={"color": GREY},
            ),
        ]
    )
    fig.update_layout(
        barmode="stack",
        xaxis={"title": "steps", "dtick": 1},
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        height=60 + 45 * max(1, len(counts)),
    )
    return fig
