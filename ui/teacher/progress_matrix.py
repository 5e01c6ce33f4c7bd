"""The teacher's progress views: a track's steps per learner, and the matrix of assigned work."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from classroom.class_matrix import STUCK_FAILS, STUCK_REVEALS, Cell, ClassMatrix
from classroom.classes import Member
from curriculum.catalog import Track
from ui.common.markdown_text import chart_escape


def progress_table(members: list[Member], done: dict[int, set[str]], track: Track) -> pd.DataFrame:
    """One row per learner: a tick per completed step and the share of the track done."""
    columns = [f"{i}. {s.title}" for i, s in enumerate(track.steps, start=1)]
    rows = []
    for member in members:
        finished = done.get(member.id, set())
        ticks = ["✓" if s.id in finished else "·" for s in track.steps]
        share = sum(s.id in finished for s in track.steps) / len(track.steps)
        rows.append([member.display_name, share, *ticks])
    return pd.DataFrame(rows, columns=["Learner", "Progress", *columns])


def render_progress_matrix(members: list[Member], done: dict[int, set[str]], track: Track) -> None:
    if not members:
        st.info("No learners have joined this class yet. Share the join code with them.")
        return
    table = progress_table(members, done, track)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "Progress": st.column_config.ProgressColumn(
                "Progress", min_value=0, max_value=1, format="percent"
            ),
        },
    )


# --- the matrix of assigned work ------------------------------------------------------------

# One table for the cells and the legend, so the two always agree. Colour-blind friendly
# (Okabe-Ito, with Paul Tol's red for "stuck": Okabe-Ito's vermillion reads as orange beside
# "overdue"); "not assigned" is the page background. Each cell also prints its state.
STATE_STYLE = {  # state -> (cell colour, the colour's name in the legend)
    "not assigned": ("#ffffff", "white"),
    "not started": ("#d9d9d9", "grey"),
    "in progress": ("#56b4e9", "blue"),
    "overdue": ("#e69f00", "orange"),
    "stuck": ("#cc3311", "red"),
    "done": ("#009e73", "green"),
}
STATE_COLOURS = {state: colour for state, (colour, _name) in STATE_STYLE.items()}
STATE_CODES = {state: code for code, state in enumerate(STATE_COLOURS)}


def _discrete_scale() -> list[list[float | str]]:
    """A colour scale with one flat band per state code (0..n-1)."""
    n = len(STATE_COLOURS)
    scale: list[list[float | str]] = []
    for code, colour in enumerate(STATE_COLOURS.values()):
        scale += [[code / n, colour], [(code + 1) / n, colour]]
    return scale


def cell_text(cell: Cell | None) -> str:
    if cell is None:
        return "not assigned"
    extra = []
    if cell.failed:
        extra.append(f"{cell.failed} failed check{'s' if cell.failed != 1 else ''}")
    if cell.reveals:
        extra.append(f"{cell.reveals} hint{'s' if cell.reveals != 1 else ''} shown")
    detail = f" · {', '.join(extra)}" if extra else ""
    return f"{cell.state} · due {cell.due:%d %b}{detail}"


def matrix_figure(matrix: ClassMatrix) -> go.Figure:
    """Learners down the side, assigned steps across, one colour per state."""
    names = [chart_escape(m.display_name) for m in matrix.learners]
    z, text = [], []
    for member in matrix.learners:
        cells = [matrix.cell(member.id, c.step_id) for c in matrix.columns]
        z.append([STATE_CODES[c.state if c else "not assigned"] for c in cells])
        text.append([cell_text(c) for c in cells])
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[c.label for c in matrix.columns],
            y=names,
            text=[[t.split(" · ")[0] for t in row] for row in text],
            customdata=text,
            texttemplate="%{text}",
            hovertemplate="%{y}<br>%{x}<br>%{customdata}<extra></extra>",
            colorscale=_discrete_scale(),
            zmin=-0.5,  # each code sits in the middle of its colour band
            zmax=len(STATE_COLOURS) - 0.5,
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    figure.update_layout(
        height=120 + 36 * len(names),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        yaxis={"autorange": "reversed"},
        xaxis={"side": "top"},
    )
    return figure


def render_class_matrix(matrix: ClassMatrix) -> None:
    if not matrix.learners:
        st.info("No learners have joined this class yet. Share the join code with them.")
        return
    if not matrix.columns:
        st.caption("Nothing is assigned yet: assign a track or a step below to follow it here.")
        return
    st.plotly_chart(matrix_figure(matrix), key="class_matrix", width="stretch")
    st.caption(legend_text())


def legend_text() -> str:
    """The colour of each state, named from the same table the cells are drawn with."""
    notes = {
        "stuck": f" ({STUCK_FAILS}+ failed checks or {STUCK_REVEALS}+ hints shown on the step "
        "without passing it)"
    }
    order = ("done", "in progress", "not started", "overdue", "stuck", "not assigned")
    parts = [f"{STATE_STYLE[s][1]} {s}{notes.get(s, '')}" for s in order]
    return "Colours: " + " · ".join(parts) + "."
