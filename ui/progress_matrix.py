"""The teacher's progress matrix: learners down the side, a track's steps across."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from classroom.classes import Member
from labs.catalog import Track


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
