"""Plotly figure builders. They take plain data, so tests can check them without a browser."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

MAX_POINTS = 2000  # redrawing more than this each second costs more than it shows


def _downsample(xs: list[float], ys: list[float]) -> tuple[list[float], list[float]]:
    if len(xs) <= MAX_POINTS:
        return xs, ys
    stride = -(-len(xs) // MAX_POINTS)
    return xs[::stride] + xs[-1:], ys[::stride] + ys[-1:]


MetricRows = Sequence[tuple[float, dict[str, float]]]

# (metric, legend label, subplot column, colour, mode), one trace each, in this order.
CURVE_SERIES = [
    ("batch_loss", "training batches", 1, "#a5b4fc", "lines"),
    ("train_loss", "training", 1, "#4f46e5", "lines+markers"),
    ("val_loss", "validation", 1, "#f59e0b", "lines+markers"),
    ("train_accuracy", "training", 2, "#4f46e5", "lines+markers"),
    ("val_accuracy", "validation", 2, "#f59e0b", "lines+markers"),
]


def _series(rows: MetricRows, key: str) -> tuple[list[float], list[float]]:
    xs = [e for e, v in rows if key in v]
    ys = [v[key] for e, v in rows if key in v]
    return _downsample(xs, ys)


def _curves_layout(total_epochs: int) -> dict[str, Any]:
    """Two panels side by side (what ``make_subplots(1, 2)`` lays out), written as data: the
    live panel builds this figure for every learner, and make_subplots takes 25 ms."""
    epochs = {"title": {"text": "epoch"}, "range": [0, max(total_epochs, 1)]}
    titles = [("Loss", 0.225), ("Accuracy", 0.775)]
    return {
        "xaxis": {"anchor": "y", "domain": [0.0, 0.45], **epochs},
        "yaxis": {"anchor": "x", "domain": [0.0, 1.0]},
        "xaxis2": {"anchor": "y2", "domain": [0.55, 1.0], **epochs},
        "yaxis2": {"anchor": "x2", "domain": [0.0, 1.0], "range": [0, 1.02]},
        "annotations": [
            {"text": text, "x": x, "y": 1.0, "xref": "paper", "yref": "paper", "xanchor": "center"}
            | {"yanchor": "bottom", "showarrow": False, "font": {"size": 16}}
            for text, x in titles
        ],
        "height": 340,
        "margin": {"l": 40, "r": 10, "t": 40, "b": 40},
        "uirevision": "training-curves",
        "legend": {"orientation": "h", "y": -0.25},
        # Streamlit's theme draws the chart the same either way (checked in Chromium); without
        # plotly's default template the figure is a third of the size to copy, walk and send
        # at every poll.
        "template": "none",
    }


def training_curves(rows: MetricRows, total_epochs: int) -> go.Figure:
    """Loss (left) and accuracy (right) against epochs, from (epoch, values) rows."""
    traces = []
    for key, label, col, colour, mode in CURVE_SERIES:
        xs, ys = _series(rows, key)
        axes = {"xaxis": "x", "yaxis": "y"} if col == 1 else {"xaxis": "x2", "yaxis": "y2"}
        traces.append(
            {"type": "scatter", "x": xs, "y": ys, "name": label, "mode": mode}
            | {"line": {"color": colour}, "legendgroup": label, "showlegend": col == 1, **axes}
        )
    return go.Figure({"data": traces, "layout": _curves_layout(total_epochs)})


def refresh_training_curves(fig: go.Figure, rows: MetricRows) -> go.Figure:
    """Put ``rows`` into a figure from ``training_curves`` in place: about 1 ms, against
    about 5 ms to build the figure anew, for every learner's poll while a run trains."""
    with fig.batch_update():
        for trace, (key, *_style) in zip(fig.data, CURVE_SERIES, strict=True):
            trace.x, trace.y = _series(rows, key)
    return fig


def confusion_matrix_figure(matrix: list[list[int]], class_names: list[str]) -> go.Figure:
    """Rows: true class; columns: predicted class; the diagonal is what the model got right."""
    fig = go.Figure(
        go.Heatmap(
            z=matrix,
            x=[str(n) for n in class_names],
            y=[str(n) for n in class_names],
            colorscale="Blues",
            text=matrix,
            texttemplate="%{text}",
            showscale=False,
            hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
        )
    )
    fig.update_layout(
        height=360,
        margin={"l": 40, "r": 10, "t": 30, "b": 40},
        # Category axes with a tick per class: names such as "0".."9" would otherwise be read
        # as numbers, and plotly would label only every second digit.
        xaxis={"title": {"text": "predicted class"}, **_every_class(class_names)},
        yaxis={
            "title": {"text": "true class"},
            "autorange": "reversed",
            **_every_class(class_names),
        },
    )
    return fig


def _every_class(class_names: list[str]) -> dict[str, Any]:
    names = [str(n) for n in class_names]
    return {"type": "category", "tickmode": "array", "tickvals": names, "ticktext": names}
