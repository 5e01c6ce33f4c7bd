"""One competency's track: its introduction and ordered steps."""

import streamlit as st

from classroom import progress
from classroom.progress import StepRef
from curriculum.catalog import competency, concept_parts, tracks
from ui.common.auth import require_signed_in
from ui.common.cards import lab_page, step_header, step_icon
from ui.common.evidence import catch_up

actor = require_signed_in()
track_id = st.query_params.get("id", "digital-literacy")
track = tracks().get(track_id)
if track is None:
    st.error("That track does not exist.")
    st.page_link("pages/home.py", label="Back to all tracks", icon=":material/home:")
    st.stop()


def mark_read(step: StepRef) -> None:
    progress.complete_step(actor, step)


catch_up(actor)
done = progress.completed_steps(actor)
comp = competency(track.competency)
st.caption(f"{comp.icon} {comp.name} track")
st.title(track.title)
st.markdown(track.introduction)
st.progress(
    sum(s.id in done for s in track.steps) / len(track.steps),
    text=f"{sum(s.id in done for s in track.steps)} of {len(track.steps)} steps done",
)

for number, step in enumerate(track.steps, start=1):
    is_done = step.id in done
    with st.expander(step_header(number, step), icon=step_icon(is_done), expanded=not is_done):
        if step.kind == "concept":
            for part, text in concept_parts(step.body):
                if part == "diagram":
                    st.graphviz_chart(text, width="stretch")
                else:
                    st.markdown(text)
            if step.id not in done:
                st.button(  # recorded before the rerun draws the page: one rerun, not two
                    "Mark as read",
                    key=f"read_{step.id}",
                    on_click=mark_read,
                    args=(StepRef(track.id, step.id, track.competency),),
                )
        elif step.kind == "lab":
            st.write(step.summary)
            if step.also_counts_for:
                names = ", ".join(competency(c).name for c in step.also_counts_for)
                st.caption(f"Also counts for {names}.")
            st.page_link(
                lab_page(step), label=f"Open the lab: {step.title}", icon=":material/science:"
            )
        else:
            st.markdown(step.prompt)
            st.caption(
                "Write your reflection in the lab (under a finished run, where the lab "
                "trains one); 25 words or more complete this step."
            )
            st.page_link(lab_page(step), label="Go to the lab", icon=":material/edit_note:")
