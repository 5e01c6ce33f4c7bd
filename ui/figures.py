"""Plotly figure builders. They take plain data, so tests can check them without a browser."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

MAX_POINTS = 2000  # redrawing more than this each second costs more than it shows


def _downsample(xs: list[float], ys: list[float]) -> tuple[list[float], list[float]]:
    if len(xs) <= MAX_POINTS:
        return xs, ys
    stride = -(-len(xs) // MAX_POINTS)
    return xs[::stride] + xs[-1:], ys[::stride] + ys[-1:]


def training_curves(rows: Sequence[tuple[float, dict[str, float]]], total_epochs: int) -> go.Figure:
    """Loss (left) and accuracy (right) against epochs, from (epoch, values) rows."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Loss", "Accuracy"))
    series = [
        ("batch_loss", "training batches", 1, "#a5b4fc", "lines"),
        ("train_loss", "training", 1, "#4f46e5", "lines+markers"),
        ("val_loss", "validation", 1, "#f59e0b", "lines+markers"),
        ("train_accuracy", "training", 2, "#4f46e5", "lines+markers"),
        ("val_accuracy", "validation", 2, "#f59e0b", "lines+markers"),
    ]
    for key, label, col, colour, mode in series:
        xs = [e for e, v in rows if key in v]
        ys = [v[key] for e, v in rows if key in v]
        xs, ys = _downsample(xs, ys)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                name=label,
                mode=mode,
                line={"color": colour},
                legendgroup=label,
                showlegend=col == 1,
            ),
            row=1,
            col=col,
        )
    fig.update_xaxes(title_text="epoch", range=[0, max(total_epochs, 1)])
    fig.update_yaxes(range=[0, 1.02], row=1, col=2)
    fig.update_layout(
        height=340,
        margin={"l": 40, "r": 10, "t": 40, "b": 40},
        uirevision="training-curves",
        legend={"orientation": "h", "y": -0.25},
    )
    return fig


def confusion_matrix_figure(matrix: list[list[int]], class_names: list[str]) -> go.Figure:
    """Rows: true class; columns: predicted class; the diagonal is what the model got right."""
    fig = go.Figure(
        go.Heatmap(
            z=matrix,
            x=class_names,
            y=class_names,
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
        xaxis_title="predicted digit",
        yaxis_title="true digit",
        yaxis={"autorange": "reversed"},
    )
    return fig
