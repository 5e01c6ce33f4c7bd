"""Writing one journal entry: saved as the learner types, kept open across reloads by the
?entry= address, and never overwriting what another tab saved meanwhile."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from classroom import journals
from classroom.access import Actor, NotFound
from classroom.journals import Entry, StaleEntry
from curriculum.catalog import tracks
from ui.common.autosave import autosave_text_area
from ui.common.local_time import local_time

_NOTICE = "journal_notice"


def step_choices() -> dict[str, str]:
    """Step ids and labels a free entry can be about ("" for none)."""
    choices = {"": "Nothing in particular (a free entry)"}
    for track in tracks().values():
        for step in track.steps:
            choices[step.id] = f"{track.title} · {step.title}"
    return choices


def render_new_entry(actor: Actor) -> None:
    """Start a new entry, free or about a track step, and open it for writing."""
    choices = step_choices()
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    step_id = left.selectbox(
        "Write about", list(choices), format_func=choices.__getitem__, key="new_entry_step"
    )
    if right.button("New entry", icon=":material/add:", type="primary", width="stretch"):
        step = next((s for t in tracks().values() for s in t.steps if s.id == step_id), None)
        entry = journals.new_entry(
            actor, track_id=step.track_id if step else None, step_id=step.id if step else None
        )
        open_entry(entry.id)
        st.rerun()


def open_entry(entry_id: int) -> None:
    st.query_params["entry"] = str(entry_id)


def opened_entry_id() -> int | None:
    wanted = st.query_params.get("entry", "")
    return int(wanted) if wanted.isdigit() else None


def _version_key(entry_id: int) -> str:
    return f"journal_version_{entry_id}"


def _copy_key(entry_id: int) -> str:
    return f"journal_copy_of_{entry_id}"


def _saver(actor: Actor, entry_id: int) -> Callable[[str], None]:
    def save(text: str) -> None:
        # Once a conflict made a copy, this box's later saves (a last send as the box left
        # the page, say) go to that copy: one copy per conflict, never a second one.
        target = st.session_state.get(_copy_key(entry_id), entry_id)
        key = _version_key(target)
        try:
            saved = journals.save_draft(
                actor, text, entry_id=target, expected_version=st.session_state.get(key)
            )
        except StaleEntry as stale:
            # Another tab saved first: its text stays; this tab's text went to a new entry,
            # which this tab goes on editing.
            st.session_state[_version_key(stale.copy.id)] = stale.copy.version
            st.session_state[_copy_key(entry_id)] = stale.copy.id
            st.session_state[_copy_key(target)] = stale.copy.id
            st.session_state[_NOTICE] = str(stale)
            open_entry(stale.copy.id)
            return
        st.session_state[key] = saved.version

    return save


def render_editor(actor: Actor, entry_id: int, titles: dict[str, str]) -> Entry | None:
    """The open entry with its autosaving box; None if it is not the actor's."""
    try:
        entry = journals.get_entry(actor, entry_id)
    except NotFound:
        st.query_params.pop("entry", None)
        st.warning("That entry does not exist or is not yours.")
        return None
    st.session_state.setdefault(_version_key(entry.id), entry.version)
    with st.container(border=True):
        if st.session_state.get(_NOTICE):
            st.warning(st.session_state.pop(_NOTICE), icon=":material/call_split:")
        topic = journals.entry_topic(entry, titles)
        st.markdown(f"**Writing: {topic}**")
        autosave_text_area(
            "Your entry",
            entry.body,
            f"journal_edit_{entry.id}",
            _saver(actor, entry.id),
            placeholder="What did you try, what happened, and what will you do next?",
        )
        words = len(entry.body.split())
        st.caption(
            f"Saved {local_time(entry.updated_at)} · {words} words · saved as you type; "
            "only you can see it unless you share it."
        )
        if st.button("Close the editor", icon=":material/done:", key="close_editor"):
            st.query_params.pop("entry", None)
            st.rerun()
    return entry
