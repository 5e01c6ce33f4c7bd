"""Who is signed in: read from the session cookie on every run (so logout acts at once)."""

from __future__ import annotations

import streamlit as st

from classroom import sessions
from classroom.access import Actor

_ACTOR_KEY = "_signed_in_actor"


def session_token() -> str | None:
    """The session cookie's token (the HTTP routes set it; Streamlit only reads it)."""
    return st.context.cookies.get(sessions.COOKIE_NAME)


def resolve_actor() -> Actor | None:
    """Look the cookie up in the sessions table and remember the answer for this run."""
    actor = sessions.actor_for_token(session_token())
    st.session_state[_ACTOR_KEY] = actor
    return actor


def current_actor() -> Actor | None:
    """The actor the router resolved for this run."""
    return st.session_state.get(_ACTOR_KEY)


def require_signed_in() -> Actor:
    actor = current_actor()
    if actor is None:
        st.warning("Please sign in to continue.")
        st.stop()
    return actor


def require_teacher() -> Actor:
    actor = require_signed_in()
    if not actor.is_teacher:
        st.error("This page is for teachers.")
        st.stop()
    return actor
