"""Buttons that delete, remove or end something: they ask first, then say what they did."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from classroom.access import NotAllowed, NotFound

PENDING_KEY = "_destructive_pending"  # the key of the one button waiting for a "yes"
DONE_KEY = "_destructive_done"  # ("success" | "error", sentence) for the next page run


def destructive_button(
    label: str,
    key: str,
    *,
    question: str,
    confirm_label: str,
    action: Callable[[], str],
    icon: str | None = None,
    where: DeltaGenerator | None = None,
) -> None:
    """A button that shows ``question`` with Yes / Cancel before it runs ``action``.

    ``question`` and ``confirm_label`` are Markdown (escape names in them); ``action`` returns
    the sentence that render_done_notice shows after the page redraws. ``where`` (a column)
    holds the button; the question shows in the surrounding container."""
    if st.session_state.get(PENDING_KEY) != key:
        button = where.button if where is not None else st.button
        button(label, key=key, icon=icon, on_click=_ask, args=(key,))
        return
    with st.container(border=True):  # full width below ``where``: room for the question
        st.warning(question, icon=":material/warning:")
        yes, no = st.columns(2)
        yes.button(confirm_label, key=f"{key}_yes", type="primary", on_click=_run, args=(action,))
        no.button("Cancel", key=f"{key}_no", on_click=_cancel)


def _ask(key: str) -> None:
    st.session_state[PENDING_KEY] = key


def _cancel() -> None:
    st.session_state.pop(PENDING_KEY, None)


def _run(action: Callable[[], str]) -> None:
    st.session_state.pop(PENDING_KEY, None)
    try:
        st.session_state[DONE_KEY] = ("success", action())
    except (ValueError, NotFound, NotAllowed) as exc:
        st.session_state[DONE_KEY] = ("error", str(exc))


def render_done_notice() -> None:
    """What the last confirmed action did (or why it could not), once."""
    done = st.session_state.pop(DONE_KEY, None)
    if done is None:
        return
    kind, sentence = done
    if kind == "success":
        st.success(sentence, icon=":material/check_circle:")
    else:
        st.error(sentence)
