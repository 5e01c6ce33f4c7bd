"""Plotly figures for the Data Types lab: image grids, waveforms and spectrograms.

They take plain arrays (as engine.data.previews returns them), so tests can read them."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

MAX_WAVE_POINTS = 2000  # a 1-s clip has 8,000 samples; the picture needs far fewer
_PIXEL_HOVER = "row %{y}, column %{x}: %{z:.2f}<extra></extra>"


def _grid_axes(n: int, columns: int, rows: int) -> dict[str, Any]:
    """Axes for an image grid written as data (what make_subplots and one update per cell
    lay out, at a tenth of the cost): each cell's own x and y axis, pixels square."""
    gap_x, gap_y = 0.02, 0.12 / rows
    width, height = (1 - gap_x * (columns - 1)) / columns, (1 - gap_y * (rows - 1)) / rows
    layout: dict[str, Any] = {}
    for i in range(n):
        row, col = divmod(i, columns)
        left, top = col * (width + gap_x), 1 - row * (height + gap_y)
        suffix = "" if i == 0 else str(i + 1)
        layout[f"xaxis{suffix}"] = {
            "domain": [left, left + width],
            "anchor": f"y{suffix}",
            "visible": False,
            "constrain": "domain",
        }
        layout[f"yaxis{suffix}"] = {
            "domain": [top - height, top],
            "anchor": f"x{suffix}",
            "visible": False,
            "autorange": "reversed",
            "scaleanchor": f"x{suffix}",
            "constrain": "domain",
        }
    return layout


def image_grid_figure(images: np.ndarray, titles: Sequence[str], columns: int = 6) -> go.Figure:
    """(n, C, H, W) images in [0, 1] in a grid, each titled; grey for C = 1, colour for 3."""
    n = len(images)
    columns = max(1, min(columns, n))
    rows = max(1, -(-n // columns))
    axes = _grid_axes(n, columns, rows)
    traces = []
    for i, image in enumerate(images):
        suffix = "" if i == 0 else str(i + 1)
        cell = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}
        if image.shape[0] == 3:
            pixels = (np.clip(image.transpose(1, 2, 0), 0, 1) * 255).astype(np.uint8)
            traces.append({"type": "image", "z": pixels, "hoverinfo": "skip", **cell})
        else:
            traces.append(
                {"type": "heatmap", "z": image[0], "zmin": 0, "zmax": 1, "showscale": False}
                | {"colorscale": "gray_r", "hovertemplate": _PIXEL_HOVER, **cell}
            )
    titles_above = [
        {"text": html.escape(str(title)), "showarrow": False, "font": {"size": 13}}
        | {"xref": "paper", "yref": "paper", "xanchor": "center", "yanchor": "bottom"}
        | {"x": sum(axes[f"xaxis{'' if i == 0 else i + 1}"]["domain"]) / 2}
        | {"y": axes[f"yaxis{'' if i == 0 else i + 1}"]["domain"][1]}
        for i, title in enumerate(titles[:n])  # folder names are learner text: escaped
    ]
    layout = axes | {
        "annotations": titles_above,
        "height": 150 * rows + 30,
        "margin": {"l": 5, "r": 5, "t": 30, "b": 5},
        "template": "none",  # Streamlit's theme styles it; a third of the size to send
    }
    return go.Figure({"data": traces, "layout": layout})


def waveform_figure(waveform: np.ndarray, sample_rate: int, title: str = "Waveform") -> go.Figure:
    """Loudness against time: what a microphone records."""
    stride = max(1, -(-len(waveform) // MAX_WAVE_POINTS))
    times = np.arange(len(waveform)) / sample_rate
    fig = go.Figure(
        go.Scatter(
            x=times[::stride],
            y=waveform[::stride],
            mode="lines",
            line={"color": "#4f46e5", "width": 1},
            hovertemplate="%{x:.3f} s: %{y:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=220,
        margin={"l": 40, "r": 10, "t": 40, "b": 40},
        xaxis_title="time (s)",
        yaxis={"title": "amplitude", "range": [-1.05, 1.05]},
    )
    return fig


def feature_map_figure(
    values: np.ndarray,
    times: np.ndarray,
    rows: Sequence[float] | np.ndarray,
    title: str,
    row_title: str,
    colour_title: str,
) -> go.Figure:
    """A (rows, frames) feature map over time: a spectrogram, MFCCs or the model's input."""
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=times,
            y=rows,
            colorscale="Viridis",
            colorbar={"title": colour_title, "thickness": 12},
            hovertemplate=f"%{{x:.2f}} s, {row_title} %{{y:.0f}}: %{{z:.2f}}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=260,
        margin={"l": 50, "r": 10, "t": 40, "b": 40},
        xaxis_title="time (s)",
        yaxis_title=row_title,
    )
    return fig
