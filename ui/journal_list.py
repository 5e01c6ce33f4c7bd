"""Showing journal text safely and exporting it."""

from __future__ import annotations

import streamlit as st

from classroom.journals import Entry


def render_entry_text(body: str) -> None:
    """Learner text as plain text: no Markdown, no HTML, no images that could load."""
    st.text(body)


def entries_as_markdown(entries: list[Entry]) -> str:
    parts = ["# My reflection journal", ""]
    for entry in entries:
        about = f"Run {entry.run_id}" if entry.run_id else "Free entry"
        parts += [f"## {about} · {entry.updated_at:%Y-%m-%d %H:%M} UTC", "", entry.body, ""]
    return "\n".join(parts)
