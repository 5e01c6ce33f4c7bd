"""My journal: write entries, find them again, share them, read feedback, download it all."""

import streamlit as st

from classroom import journals
from classroom.access import NotFound
from classroom.journal_search import filter_entries
from ui.common.auth import require_signed_in
from ui.journal.editor import open_entry, opened_entry_id, render_editor, render_new_entry
from ui.journal.entries import entries_as_markdown, render_entry_card, render_filters, step_titles

actor = require_signed_in()
titles = step_titles()


def share(entry_id: int, shared: bool) -> None:
    try:
        journals.set_shared(actor, entry_id, shared)
    except NotFound:
        st.toast("That entry no longer exists.")


st.title("My journal")
st.caption("Private unless you share an entry with your teacher. Saved as you type.")
render_new_entry(actor)
editing = opened_entry_id()
if editing is not None:
    render_editor(actor, editing, titles)

entries = [e for e in journals.list_entries(actor) if e.body.strip()]
if not entries:
    st.info(
        "You have not written anything yet. Start a new entry above, or finish a lab run "
        "and write about it."
    )
    st.stop()

feedback = journals.my_feedback(actor)
st.download_button(
    "Download my journal (Markdown)",
    entries_as_markdown(entries, feedback),
    file_name="my-journal.md",
    mime="text/markdown",
    icon=":material/download:",
    on_click="ignore",
)
shown = filter_entries(entries, render_filters())
st.caption(f"Showing {len(shown)} of {len(entries)} entries.")
if not shown:
    st.info("No entry matches these filters. Clear the search or pick another track or date.")
for entry in shown:
    if entry.id != editing:
        render_entry_card(entry, feedback.get(entry.id, []), titles, share, open_entry)
