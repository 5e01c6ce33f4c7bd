"""Catching up on runs that finished while no page watched, once per run and browser session."""

from __future__ import annotations

import streamlit as st

from classroom.access import Actor
from labs import evidence


def catch_up(actor: Actor) -> None:
    """``labs.evidence.catch_up`` with this session's memory of the runs it already checked,
    so home, track and progress reruns do not check every finished run again."""
    evidence.catch_up(actor, st.session_state.setdefault(f"_runs_checked_{actor.id}", set()))
