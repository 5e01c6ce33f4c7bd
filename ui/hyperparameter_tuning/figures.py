"""Plotly figures of a hyperparameter study. They take plain data, so tests need no browser."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from engine.spec import OPTIMIZER_NAMES
from engine.tuning.analysis import MethodResult, TrialRow
from engine.tuning.study import METHODS
from labs.hyperparameter_tuning import PARAM_LABELS

# Room for axis titles below and beside (they were clipped at 40 px), and labels that say
# where they are instead of being rotated to fit.
LAYOUT = {"height": 340, "margin": {"l": 60, "r": 30, "t": 50, "b": 60}}
AXIS = {"automargin": True, "title": {"standoff": 8}}
LOG_AXES = ("learning_rate", "batch_size", "hidden_units")
# Parallel-coordinate axes stand close together: short names keep their titles apart.
AXIS_NAMES = {"hidden_units": "width", "depth": "depth"}
LOG_TICKS = 5


def best_so_far_figure(
    history: Sequence[tuple[int, float, float]], baseline: float | None
) -> go.Figure:
    """Each finished trial's value (dots) and the best so far (a step line)."""
    fig = go.Figure()
    numbers = [n for n, _, _ in history]
    fig.add_trace(
        go.Scatter(
            x=numbers,
            y=[v for _, v, _ in history],
            mode="markers",
            name="trial",
            marker={"color": "#a5b4fc", "size": 9},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=numbers,
            y=[b for _, _, b in history],
            mode="lines",
            line={"shape": "hv", "color": "#4f46e5", "width": 3},
            name="best so far",
        )
    )
    if baseline is not None:
        fig.add_hline(
            y=baseline,
            line={"dash": "dot", "color": "#f59e0b"},
            annotation_text="default configuration",
        )
    fig.update_layout(
        title="Best validation accuracy so far",
        xaxis={**AXIS, "title": {"text": "trial", "standoff": 8}},
        yaxis={**AXIS, "title": {"text": "validation accuracy", "standoff": 8}, "range": [0, 1.02]},
        uirevision="best-so-far",
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
        **LAYOUT,
    )
    return fig


def parallel_coordinates_figure(rows: Sequence[TrialRow], params: Sequence[str]) -> go.Figure:
    """One line per finished trial across the tuned settings, coloured by its accuracy."""
    done = [r for r in rows if r.state == "complete" and r.value is not None]
    dimensions = [_dimension(name, [r.params.get(name) for r in done]) for name in params]
    dimensions.append({"label": "validation<br>accuracy", "values": [r.value for r in done]})
    fig = go.Figure(
        go.Parcoords(
            line={
                "color": [r.value for r in done],
                "colorscale": "Viridis",
                "showscale": True,
                "cmin": 0,
                "cmax": 1,
            },
            dimensions=dimensions,
        )
    )
    fig.update_layout(title="Parallel coordinates of finished trials", uirevision="parcoords")
    fig.update_layout(**{**LAYOUT, "height": 360, "margin": {"l": 60, "r": 60, "t": 95, "b": 30}})
    return fig


def _dimension(name: str, values: list[Any]) -> dict[str, Any]:
    label = AXIS_NAMES.get(name) or PARAM_LABELS.get(name, name)
    if any(isinstance(v, str) for v in values):  # a choice: one tick per option
        options = sorted({str(v) for v in values})
        return {
            "label": label,
            "values": [options.index(str(v)) for v in values],
            "tickvals": list(range(len(options))),
            "ticktext": [OPTIMIZER_NAMES.get(o, o) for o in options],
        }
    if name in LOG_AXES and values and all(v and v > 0 for v in values):
        ticks = log_ticks(min(values), max(values))
        return {
            "label": f"{label}<br>(log scale)",
            "values": [math.log10(v) for v in values],
            "tickvals": [math.log10(v) for v in ticks],
            "ticktext": [f"{v:.0f}" if v >= 10 else f"{v:.2g}" for v in ticks],
        }
    return {"label": label, "values": values}


def log_ticks(low: float, high: float) -> list[float]:
    """Up to LOG_TICKS ticks spread evenly on a log scale from the lowest value to the highest."""
    if high <= low:
        return [low]
    return [low * (high / low) ** (i / (LOG_TICKS - 1)) for i in range(LOG_TICKS)]


def importance_figure(importances: dict[str, float]) -> go.Figure:
    """A bar per hyperparameter: its share of the variation in validation accuracy."""
    ordered = sorted(importances.items(), key=lambda item: item[1])
    fig = go.Figure(
        go.Bar(
            x=[v for _, v in ordered],
            y=[PARAM_LABELS.get(k, k) for k, _ in ordered],
            orientation="h",
            marker={"color": "#4f46e5"},
            text=[f"{v:.0%}" for _, v in ordered],
            textposition="outside",  # beside the bar, upright: never squeezed and rotated
            textangle=0,
            cliponaxis=False,
        )
    )
    fig.update_layout(
        title="Hyperparameter importance (fANOVA)",
        xaxis={
            **AXIS,
            "title": {"text": "share of the variation in accuracy", "standoff": 8},
            "range": [0, 1.12],
            "tickformat": ".0%",
        },
        yaxis=AXIS,
        uirevision="importance",
        **LAYOUT,
    )
    return fig


def method_comparison_figure(results: Sequence[MethodResult]) -> go.Figure:
    """For each study on the same budget: trials needed to reach its best value."""
    shown = [r for r in results if r.trials_to_best is not None]
    fig = go.Figure(
        go.Bar(
            x=[f"{METHODS.get(r.method, r.method)}<br>(study {r.study_id})" for r in shown],
            y=[r.trials_to_best for r in shown],
            marker={"color": "#f59e0b"},
            text=[f"best {r.best_value:.1%}" for r in shown],
            textposition="outside",
            textangle=0,
            cliponaxis=False,
        )
    )
    fig.update_layout(
        title="Trials each study needed to reach its best value",
        xaxis={**AXIS, "tickangle": 0},
        yaxis={**AXIS, "title": {"text": "trials", "standoff": 8}},
        uirevision="method-comparison",
        **LAYOUT,
    )
    return fig
