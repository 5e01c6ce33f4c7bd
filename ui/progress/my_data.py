"""My data on the progress page: download all of it, or delete the account with all of it."""

from __future__ import annotations

import streamlit as st

from classroom import my_data
from classroom.access import Actor
from classroom.account_deletion import delete_account
from classroom.accounts import AccountError
from ui.common.chrome import SIGN_OUT_FORM


def render_my_data(actor: Actor) -> None:
    st.write(
        "Everything the app keeps about you: your journal with any feedback, your runs with "
        "their settings, results and curves, your progress, goals, uploads and studies."
    )
    st.download_button(
        "Download all my data (zip: JSON and Markdown)",
        data=lambda: my_data.my_data_zip(actor),
        file_name=f"my-data-{actor.username}.zip",
        mime="application/zip",
        icon=":material/download:",
        on_click="ignore",
    )
    if not actor.is_teacher:
        _render_delete_account(actor)


def _render_delete_account(actor: Actor) -> None:
    with st.expander("Delete my account", icon=":material/warning:"):
        st.warning(
            "This deletes your account and everything in it for good: runs, journal, "
            "progress, goals, uploads and pipelines. Download your data first if you want it."
        )
        with st.form("delete_account", border=False):
            typed = st.text_input(f"Type your username, {actor.username}, to confirm")
            password = st.text_input("Your password", type="password")
            confirmed = st.form_submit_button(
                "Delete my account and all my data", type="primary", icon=":material/delete:"
            )
        if not confirmed:
            return
        try:
            gone = delete_account(actor, typed, password)
        except AccountError as exc:
            st.error(str(exc))
            return
    st.success(
        f"Your account is deleted, with {gone.runs} runs and {gone.journal_entries} journal "
        "entries. You are signed out; thank you for learning here."
    )
    st.html(SIGN_OUT_FORM)  # clears the old cookie and returns to the sign-in page
    st.stop()
