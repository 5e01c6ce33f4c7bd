"""The plain-language check beside a text: reading ease, grade and jargon left unexplained."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from engine.text.plain_language import PLAIN_ENOUGH, readability, unexplained_jargon

EASE_BANDS = (  # Flesch reading-ease bands, hardest first
    (0, 40, "#f4c7c3"),
    (40, PLAIN_ENOUGH, "#fce8b2"),
    (PLAIN_ENOUGH, 100, "#b7e1cd"),
)


def reading_ease_gauge(score: float) -> go.Figure:
    """A 0-100 gauge with the plain-English mark at PLAIN_ENOUGH."""
    figure = go.Figure(
        go.Indicator(
            mode="gauge+number",
            value=max(0.0, min(100.0, score)),
            number={"valueformat": ".0f"},
            title={"text": "Reading ease"},
            gauge={
                "axis": {"range": [0, 100]},
                "bar": {"color": "#1a73e8"},
                "steps": [{"range": [a, b], "color": c} for a, b, c in EASE_BANDS],
                "threshold": {"line": {"color": "#188038", "width": 3}, "value": PLAIN_ENOUGH},
            },
        )
    )
    figure.update_layout(height=190, margin={"t": 40, "b": 0, "l": 25, "r": 25})
    return figure


def render_plain_check(text: str, key: str, full: bool = False) -> None:
    """Reading ease (a gauge when ``full``, else a bar), verdict, grade and jargon."""
    score = readability(text)
    if score.words == 0:
        st.caption("The plain-language check appears here as you write.")
        return
    if full:
        st.plotly_chart(
            reading_ease_gauge(score.reading_ease),
            key=f"{key}_gauge",
            config={"displayModeBar": False},
        )
    else:
        st.progress(
            max(0.0, min(100.0, score.reading_ease)) / 100,
            text=f"Reading ease {score.reading_ease:.0f} / 100",
        )
    passed = score.reading_ease >= PLAIN_ENOUGH
    (st.success if passed else st.warning)(score.verdict)
    st.caption(
        f"Reading ease {score.reading_ease:.0f} (aim for {PLAIN_ENOUGH:.0f}+) · about "
        f"{max(score.grade, 0):.0f} years of school · {score.words} words in "
        f"{score.sentences} sentences"
    )
    jargon = unexplained_jargon(text)
    if not jargon:
        st.caption("No unexplained jargon.")
        return
    st.markdown(f"**Jargon to explain ({len(jargon)})**")
    for item in jargon:
        # The term comes from our glossary, never from the learner's text.
        st.markdown(f"- **{item.term}**: try *{item.plain}*")
