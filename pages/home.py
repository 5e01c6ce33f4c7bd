"""Home: work assigned to the learner, then the six competencies, each opening its track."""

from datetime import date

import streamlit as st

from classroom import assignments, classes, progress
from classroom.access import NotFound
from curriculum.catalog import competencies, tracks
from ui.common.auth import require_signed_in
from ui.common.cards import competency_card
from ui.common.evidence import catch_up
from ui.common.markdown_text import md_escape

actor = require_signed_in()
catch_up(actor)
done = progress.completed_steps(actor)

st.title(f"Welcome, {md_escape(actor.display_name)}")


def due_words(due: date, finished: bool) -> str:
    days = (due - date.today()).days
    if finished:
        return f"done · was due {due:%d %b}"
    if days < 0:
        return f"overdue by {-days} day{'s' if days != -1 else ''} ({due:%d %b})"
    return "due today" if days == 0 else f"due {due:%a %d %b} (in {days} day{'s' * (days > 1)})"


work = [] if actor.is_teacher else assignments.assignments_for_learner(actor)
if work:
    st.subheader("Assigned to you")
    for item in sorted(work, key=lambda a: (all(s.id in done for s in a.steps), a.due_date)):
        finished = sum(s.id in done for s in item.steps)
        with st.container(border=True):
            text_col, link_col = st.columns([3, 1], vertical_alignment="center")
            due = due_words(item.due_date, finished == len(item.steps))
            text_col.markdown(
                f"**{md_escape(item.title)}** · {due} · {finished} of {len(item.steps)} steps done"
            )
            link_col.page_link(
                "pages/track.py",
                label="Open",
                icon=":material/arrow_forward:",
                query_params={"id": item.track_id},
            )
st.write(
    "Pick a competency to follow its track: short readings, a hands-on lab, "
    "and a reflection on what you found."
)
all_tracks = tracks()
comps = competencies()
for row in range(0, len(comps), 3):
    cols = st.columns(3)
    for col, comp in zip(cols, comps[row : row + 3], strict=False):
        with col:
            competency_card(comp, all_tracks[comp.id], done)

if not actor.is_teacher and not classes.list_classes(actor):
    with st.expander("Join a class"), st.form("join_class", border=False):
        code = st.text_input("Join code from your teacher", max_chars=12)
        if st.form_submit_button("Join"):
            try:
                joined = classes.join_class(actor, code)
                st.success(f"You joined {md_escape(joined.name)}.")
            except NotFound as exc:
                st.error(str(exc))
