"""A refused pipeline upload that the app can mend (an unnamed column, infinite values):
the fix is offered as a button, applied to the learner's bytes, and said afterwards."""

from __future__ import annotations

from typing import Any

import streamlit as st

from classroom import pipelines
from classroom.access import Actor
from engine.data import DataError
from engine.data.bundle import FixableDataError
from engine.data.csv_fixes import FIX_BUTTONS, apply_fix

FIXABLE_ENDINGS = (".csv", ".txt")  # the fixes rewrite CSV text


def _fixes_key(prefix: str) -> str:
    return f"{prefix}_upload_fixes"


def _choose(prefix: str, file_name: str, fix: str) -> None:
    state = st.session_state.get(_fixes_key(prefix))
    if not state or state["name"] != file_name:
        state = {"name": file_name, "fixes": []}
    if fix not in state["fixes"]:
        state["fixes"].append(fix)
    st.session_state[_fixes_key(prefix)] = state


def _chosen(prefix: str, file_name: str) -> list[str]:
    state = st.session_state.get(_fixes_key(prefix))
    return list(state["fixes"]) if state and state["name"] == file_name else []


def store_upload(actor: Actor, prefix: str, file: Any) -> Any | None:
    """Check and store the uploaded file with the fixes the learner chose; on a refusal, the
    message and, when the app can mend it, a button. The stored SourceInfo, or None."""
    notes: list[str] = []
    try:
        data = file.getvalue()
        for fix in _chosen(prefix, file.name):
            data, note = apply_fix(data, fix)
            notes.append(note)
        info = pipelines.add_source(actor, data, file.name)
    except DataError as exc:
        st.error(str(exc))
        offered = exc.fix if isinstance(exc, FixableDataError) else None
        if offered in FIX_BUTTONS and file.name.lower().endswith(FIXABLE_ENDINGS):
            st.button(
                FIX_BUTTONS[offered],
                key=f"{prefix}_fix_{offered}",
                on_click=_choose,
                args=(prefix, file.name, offered),
                icon=":material/build:",
            )
        return None
    st.session_state[f"{prefix}_upload_notes"] = notes + list(info.summary.get("notes", []))
    return info


def render_upload_notes(prefix: str) -> None:
    """What the app changed or noticed reading the stored file (fixes, formula cells)."""
    for note in st.session_state.get(f"{prefix}_upload_notes", []):
        st.info(note, icon=":material/info:")
