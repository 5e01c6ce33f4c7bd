"""Showing journal entries safely, narrowing them down, and exporting them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import streamlit as st

from classroom.journal_search import JournalFilter
from classroom.journals import Entry, Feedback, entries_markdown, entry_topic
from curriculum.catalog import competencies, tracks
from ui.common.local_time import local_time
from ui.journal.feedback import render_feedback

ANY = ""


def render_entry_text(body: str) -> None:
    """Learner text as plain text: no Markdown, no HTML, no images that could load."""
    st.text(body)


def step_titles() -> dict[str, str]:
    return {s.id: s.title for t in tracks().values() for s in t.steps}


def entries_as_markdown(
    entries: list[Entry], feedback: dict[int, list[Feedback]] | None = None
) -> str:
    """Every given entry with its teacher feedback, as one Markdown document."""
    return entries_markdown(entries, feedback, step_titles())


def render_filters() -> JournalFilter:
    """Words, track, competency and a date range; empty fields match everything."""
    track_names = {ANY: "Any track", **{t.id: t.title for t in tracks().values()}}
    comp_names = {ANY: "Any competency", **{c.id: c.name for c in competencies()}}
    words_col, track_col, comp_col, dates_col = st.columns([3, 2, 2, 2])
    text = words_col.text_input("Search my entries", key="journal_search", max_chars=200)
    track_id = track_col.selectbox(
        "Track", list(track_names), format_func=track_names.__getitem__, key="journal_track"
    )
    comp = comp_col.selectbox(
        "Competency", list(comp_names), format_func=comp_names.__getitem__, key="journal_comp"
    )
    span = dates_col.date_input("Written between", value=[], key="journal_dates")
    since, until = _date_range(span)
    return JournalFilter(text, track_id or None, comp or None, since, until)


def _date_range(span: object) -> tuple[date | None, date | None]:
    """A picked range, a single picked day (the range is half chosen), or nothing."""
    if isinstance(span, date):
        return span, span
    picked = [d for d in span if isinstance(d, date)] if isinstance(span, tuple | list) else []
    if len(picked) == 1:
        return picked[0], picked[0]
    return (picked[0], picked[1]) if len(picked) == 2 else (None, None)


def render_entry_card(
    entry: Entry,
    feedback: Sequence[Feedback],
    titles: dict[str, str],
    on_share: Callable[[int, bool], None],
    on_edit: Callable[[int], None],
) -> None:
    """One entry: what it is about, its text, sharing, editing, and any teacher feedback."""
    with st.container(border=True, key=f"entry_{entry.id}"):
        text_col, feedback_col = st.columns([3, 2]) if feedback else (st.container(), None)
        with text_col:
            st.caption(f"{entry_topic(entry, titles)} · last saved {local_time(entry.updated_at)}")
            render_entry_text(entry.body)
            share_col, edit_col = st.columns([3, 1], vertical_alignment="center")
            key = f"share_{entry.id}"
            share_col.toggle(
                "Shared with my teacher",
                value=entry.shared,
                key=key,
                on_change=lambda: on_share(entry.id, bool(st.session_state[key])),
            )
            edit_col.button(
                "Edit",
                key=f"edit_{entry.id}",
                icon=":material/edit:",
                on_click=on_edit,
                args=(entry.id,),
            )
        if feedback_col is not None:
            with feedback_col:
                st.markdown("**Feedback from your teacher**")
                render_feedback(feedback)
