"""The challenge page follows its runs by itself: while one of them is queued or training, a
small fragment asks the database (one query) whether any run changed, and redraws the page
when one did. Once none is active, the page stops asking."""

from __future__ import annotations

import streamlit as st

from classroom.access import Actor
from classroom.challenge_watch import any_active, challenge_run_states

POLL_SECONDS = 2.0
FOLLOWING = "This page updates by itself while a run is waiting or training."


def follow_challenge_runs(actor: Actor, challenge_id: int) -> None:
    """Poll every POLL_SECONDS while a run on the page is active; redraw the page on a change."""
    seen = challenge_run_states(actor, challenge_id)
    unread = [seen]  # the page run's own read; timed reruns read anew
    active = any_active(seen)

    @st.fragment(run_every=POLL_SECONDS if active else None)
    def watch() -> None:
        now = unread.pop() if unread else challenge_run_states(actor, challenge_id)
        if now != seen:
            st.rerun()  # the whole page: its run list, runs left and the leaderboard
        if active:
            st.caption(FOLLOWING, help="It stops asking once every run has finished.")

    watch()
