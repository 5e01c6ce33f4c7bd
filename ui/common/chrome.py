"""The sidebar: who is signed in, their classes, and signing out."""

from __future__ import annotations

import streamlit as st

from classroom.access import Actor
from classroom.classes import list_classes
from ui.common.markdown_text import md_escape

# A plain same-tab form: links and buttons inside Streamlit open new tabs or cannot set cookies.
SIGN_OUT_FORM = (
    '<form method="post" action="/auth/logout" style="margin:0">'
    '<button type="submit" data-testid="sign-out" style="width:100%;padding:.45rem;'
    "border-radius:.5rem;border:1px solid rgba(49,51,63,.2);background:transparent;"
    'cursor:pointer;font-size:.95rem">Sign out</button></form>'
)


def render_sidebar(actor: Actor) -> None:
    with st.sidebar:
        st.markdown(f"**{md_escape(actor.display_name)}**")
        st.caption(f"{actor.role.title()} · @{actor.username}")
        classes = list_classes(actor)
        if classes and not actor.is_teacher:
            st.caption("Class: " + ", ".join(md_escape(c.name) for c in classes))
        st.html(SIGN_OUT_FORM)
