"""Plotly figures for the Data Types lab: image grids, waveforms and spectrograms.

They take plain arrays (as engine.data.previews returns them), so tests can read them."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

MAX_WAVE_POINTS = 2000  # a 1-s clip has 8,000 samples; the picture needs far fewer


def image_grid_figure(images: np.ndarray, titles: Sequence[str], columns: int = 6) -> go.Figure:
    """(n, C, H, W) images in [0, 1] in a grid, each titled; grey for C = 1, colour for 3."""
    n = len(images)
    rows = max(1, -(-n // columns))
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[html.escape(str(t)) for t in titles],  # folder names are learner text
        horizontal_spacing=0.02,
        vertical_spacing=0.12 / rows,
    )
    for i, image in enumerate(images):
        row, col = i // columns + 1, i % columns + 1
        if image.shape[0] == 3:
            pixels = (np.clip(image.transpose(1, 2, 0), 0, 1) * 255).astype(np.uint8)
            fig.add_trace(go.Image(z=pixels, hoverinfo="skip"), row=row, col=col)
        else:
            fig.add_trace(
                go.Heatmap(
                    z=image[0],
                    zmin=0,
                    zmax=1,
                    colorscale="gray_r",
                    showscale=False,
                    hovertemplate="row %{y}, column %{x}: %{z:.2f}<extra></extra>",
                ),
                row=row,
                col=col,
            )
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", constrain="domain")
    for i in range(2, n + 1):  # square pixels in every cell
        fig.update_yaxes(scaleanchor=f"x{i}", row=(i - 1) // columns + 1, col=(i - 1) % columns + 1)
    fig.update_layout(height=150 * rows + 30, margin={"l": 5, "r": 5, "t": 30, "b": 5})
    return fig


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
