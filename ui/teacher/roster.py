"""The class's learners: open one's detail page, or remove them from the class."""

from __future__ import annotations

import streamlit as st

from classroom import classes
from classroom.access import Actor, NotFound
from classroom.classes import ClassInfo, Member
from ui.common.markdown_text import md_escape

CONFIRM_KEY = "confirm_remove_learner"


def render_roster(teacher: Actor, klass: ClassInfo, members: list[Member]) -> None:
    if not members:
        st.caption("No learners yet.")
        return
    for member in members:
        name_col, open_col, remove_col = st.columns([3, 2, 2], vertical_alignment="center")
        name_col.text(f"{member.display_name} ({member.username})")
        open_col.page_link(
            "pages/learner.py",
            label="Open details",
            icon=":material/person_search:",
            query_params={"id": str(member.id)},
        )
        remove_col.button(
            "Remove from class",
            key=f"remove_{member.id}",
            icon=":material/person_remove:",
            on_click=st.session_state.__setitem__,
            args=(CONFIRM_KEY, member.id),
        )
    _confirm_removal(teacher, klass, {m.id: m for m in members})


def _confirm_removal(teacher: Actor, klass: ClassInfo, members: dict[int, Member]) -> None:
    """Removing is a two-step action: the teacher confirms it by name."""
    chosen = members.get(st.session_state.get(CONFIRM_KEY, -1))
    if chosen is None:
        return
    name = md_escape(chosen.display_name)
    st.warning(
        f"Remove {name} from {md_escape(klass.name)}? They keep their account and their work, "
        "and can join again with the code."
    )
    yes, no = st.columns(2)
    if yes.button(f"Yes, remove {name}", key="remove_confirmed", type="primary"):
        st.session_state.pop(CONFIRM_KEY, None)
        try:
            classes.remove_learner(teacher, klass.id, chosen.id)
            st.session_state["removed_notice"] = f"Removed {name} from the class."
        except NotFound as exc:
            st.session_state["removed_notice"] = str(exc)
        st.rerun()
    if no.button("Cancel", key="remove_cancelled"):
        st.session_state.pop(CONFIRM_KEY, None)
        st.rerun()
