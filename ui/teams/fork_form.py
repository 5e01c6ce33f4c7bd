"""The fork form: a teammate's run's settings, prefilled, to change and train as your own."""

from __future__ import annotations

from typing import Any

import streamlit as st

from classroom import challenges, team_runs
from classroom.access import Actor, NotFound
from engine.spec import SpecError
from ui.common.cards import LAB_PAGES
from ui.common.markdown_text import md_escape
from ui.teams.settings_form import settings_fields, settings_summary, show_errors


def render_fork_form(actor: Actor, run_id: int) -> None:
    """Shown while ``fork_of`` is set; submitting queues the fork and clears it."""
    try:
        origin = team_runs.get_team_run(actor, run_id)
    except NotFound:  # unshared in the meantime: the form goes away
        st.session_state.pop("fork_of", None)
        st.warning("That run is no longer shared with you.")
        return
    open_challenges = [
        c
        for c in challenges.list_challenges(actor)
        if c.is_open and c.dataset == origin.spec.get("dataset")
    ]
    with st.container(border=True):
        st.subheader(f"Fork run {origin.id} by {md_escape(origin.owner_name)}")
        st.caption(f"Its settings: {settings_summary(origin.spec)}")
        with st.form(f"fork_form_{origin.id}"):
            changes = settings_fields(f"fork_{origin.id}", origin.spec)
            if origin.spec.get("pretrained_from"):
                st.caption("It started from another run's trained model; your fork starts fresh.")
                changes |= {"pretrained_from": None, "freeze_pretrained": False}
            challenge = st.selectbox(
                "Count it in a challenge",
                [None, *open_challenges],
                format_func=lambda c: "No, just a run" if c is None else c.title,
            )
            show_errors(st.session_state.pop("fork_errors", {}))
            submitted = st.form_submit_button("Train my fork", type="primary")
        if st.button("Cancel", key=f"fork_cancel_{origin.id}"):
            st.session_state.pop("fork_of", None)
            st.rerun()
    if submitted:
        _submit(actor, origin.id, changes, challenge.id if challenge else None)


def _submit(actor: Actor, run_id: int, changes: dict[str, Any], challenge_id: int | None) -> None:
    try:
        new_id = team_runs.fork_run(actor, run_id, changes, challenge_id)
    except SpecError as exc:
        st.session_state["fork_errors"] = exc.errors
        st.rerun()
    except (ValueError, NotFound) as exc:
        st.error(str(exc))
        return
    st.session_state.pop("fork_of", None)
    st.session_state["forked_run"] = new_id
    st.rerun()


def render_fork_started(actor: Actor) -> None:
    """A note after a fork is queued, with a link to watch it train."""
    new_id = st.session_state.pop("forked_run", None)
    if new_id is None:
        return
    run = team_runs.get_team_run(actor, new_id)
    st.success(f"Your fork, run {new_id}, is queued. It shows under Forks once it trains.")
    if run.lab_id in LAB_PAGES:
        st.page_link(LAB_PAGES[run.lab_id], label="Watch it train", query_params={"run": new_id})
