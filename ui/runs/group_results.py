"""Accuracy per group of test rows (e.g. penguins by island), with the widest gap named."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from engine.data.message_text import count
from engine.group_results import widest_gap


def render_group_results(result: dict[str, Any], key: str = "groups") -> None:
    """A bar chart per grouping column; nothing for data without groups (images, text)."""
    groups: dict[str, list[dict[str, Any]]] = result.get("group_results") or {}
    if not groups:
        return
    st.markdown("**Accuracy by group of test rows**")
    gap = widest_gap(groups)
    if gap is not None and gap["gap"] >= 0.05:
        st.warning(
            f"By {gap['column']}: {gap['best']['accuracy']:.0%} right for "
            f"{gap['best']['group']} ({count(gap['best']['rows'], 'row')}) but "
            f"{gap['worst']['accuracy']:.0%} for {gap['worst']['group']} "
            f"({count(gap['worst']['rows'], 'row')}). Ask whether the smaller groups had enough "
            "examples to learn from."
        )
    for column, column_tab in zip(groups, st.tabs(list(groups)), strict=True):
        frame = pd.DataFrame(groups[column])
        figure = px.bar(
            frame,
            x="group",
            y="accuracy",
            text=frame["accuracy"].map("{:.0%}".format),
            hover_data=["rows"],
            range_y=[0, 1],
            labels={"group": column, "accuracy": "test accuracy"},
        )
        figure.update_layout(height=260, margin={"t": 10, "b": 10})
        column_tab.plotly_chart(figure, key=f"{key}_{column}", config={"displayModeBar": False})
        column_tab.caption(
            "Rows per group: " + ", ".join(f"{r['group']} {r['rows']}" for r in groups[column])
        )
