"""My journal: every reflection, its sharing, and a Markdown download of all of it."""

import streamlit as st

from classroom import journals
from ui.auth import require_signed_in
from ui.journal_list import entries_as_markdown, render_entry_text

actor = require_signed_in()
st.title("My journal")
entries = [e for e in journals.list_entries(actor) if e.body.strip()]
if not entries:
    st.info("You have not written a reflection yet. Finish a lab run and write about it.")
    st.stop()

st.download_button(
    "Download my journal (Markdown)",
    entries_as_markdown(entries),
    file_name="my-journal.md",
    mime="text/markdown",
    icon=":material/download:",
)
for entry in entries:
    with st.container(border=True):
        about = f"Run {entry.run_id}" if entry.run_id else "Free entry"
        st.caption(f"{about} · last saved {entry.updated_at:%Y-%m-%d %H:%M} UTC")
        render_entry_text(entry.body)
        st.toggle(
            "Shared with my teacher",
            value=entry.shared,
            key=f"share_{entry.id}",
            on_change=lambda e=entry: journals.set_shared(
                actor, e.id, bool(st.session_state[f"share_{e.id}"])
            ),
        )
