"""The teacher's view of one learner: assigned work, runs, steps done, reflections, checks."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from classroom import (
    assignments,
    challenges,
    classes,
    final_tests,
    journals,
    objective_events,
    progress,
)
from classroom.access import Actor
from classroom.classes import Member
from curriculum.catalog import tracks
from labs.registry import LABS
from labs.run_pairs import validation_accuracy
from ui.common.local_time import local_time, local_times, time_column
from ui.journal.entries import render_entry_text
from ui.journal.feedback import render_feedback_form

EVENT_WORDS = {
    "passed": "check passed",
    "failed": "check failed",
    "hint-1": "asked for a hint",
    "hint-2": "asked for a stronger hint",
    "solution": "looked at the solution",
}


def step_titles() -> dict[str, str]:
    return {s.id: f"{s.title} ({t.title})" for t in tracks().values() for s in t.steps}


def render_assigned(teacher: Actor, learner: Member, done: set[str]) -> None:
    work = assignments.assignments_for_learner(teacher, learner.id)
    if not work:
        st.caption("Nothing is assigned to this learner.")
        return
    rows = [
        {
            "work": a.title,
            "class": a.class_name,
            "due": a.due_date,
            "steps done": f"{sum(s.id in done for s in a.steps)} of {len(a.steps)}",
        }
        for a in work
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="learner_assigned")


def render_runs(teacher: Actor, learner: Member) -> None:
    history = classes.learner_runs(teacher, learner.id)
    if not history:
        st.caption("No runs yet.")
        return
    in_challenges = challenges.challenge_run_labels(teacher, [r.id for r in history])
    rows = [
        {
            "run": r.id,
            "lab": in_challenges.get(r.id)
            or (LABS[r.lab_id].title if r.lab_id in LABS else (r.lab_id or "—")),
            "status": r.status,
            "validation accuracy": validation_accuracy(r.result or {}),
            # the test score only once the learner took the final test on this run
            "final test accuracy": (r.result or {}).get("test_accuracy")
            if final_tests.was_tested(r.owner_id, r.id)
            else None,
            "started": r.created_at,
        }
        for r in history
    ]
    table = pd.DataFrame(rows)
    table["started"] = local_times(table["started"])
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="learner_runs",
        column_config={
            "validation accuracy": st.column_config.NumberColumn(format="percent"),
            "final test accuracy": st.column_config.NumberColumn(
                format="percent",
                help="Shown once the learner took the final test on the run they chose.",
            ),
            "started": time_column(),
        },
    )


def render_steps_done(done: set[str]) -> None:
    titles = step_titles()
    if not done:
        st.caption("No steps completed yet.")
        return
    for track in tracks().values():
        finished = [s.title for s in track.steps if s.id in done]
        if finished:
            st.markdown(f"**{track.title}** · {len(finished)} of {len(track.steps)}")
            st.caption(" · ".join(finished))
    unknown = sorted(done - set(titles))
    if unknown:
        st.caption("Steps no longer in a track: " + ", ".join(unknown))


def render_shared_entries(teacher: Actor, learner: Member) -> None:
    entries = [
        entry
        for klass in classes.shared_classes(teacher, learner.id)
        for entry in journals.shared_entries_for_class(teacher, klass.id)
        if entry.owner_id == learner.id
    ]
    unique = list({e.id: e for e in entries}.values())
    if not unique:
        st.caption("This learner has not shared a reflection with you.")
        return
    for entry in unique:
        with st.container(border=True):
            about = f"run {entry.run_id}" if entry.run_id else "a free entry"
            st.caption(f"About {about} · {local_time(entry.updated_at)}")
            render_entry_text(entry.body)
            render_feedback_form(teacher, entry)


def render_events(teacher: Actor, learner: Member) -> None:
    events = objective_events.events_for_learner(teacher, learner.id)
    if not events:
        st.caption("No lab checks or hints yet.")
        return
    titles = step_titles()
    rows = [
        {
            "when": e.at,
            "lab": LABS[e.lab_id].title if e.lab_id in LABS else e.lab_id,
            "objective": e.objective_id,
            "step": titles.get(e.step_id or "", "—"),
            "what happened": EVENT_WORDS.get(e.event, e.event),
            "run": e.run_id,
        }
        for e in reversed(events)
    ]
    table = pd.DataFrame(rows)
    table["when"] = local_times(table["when"])
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="learner_events",
        column_config={"when": time_column()},
    )


def completed(teacher: Actor, learner: Member) -> set[str]:
    return progress.completed_steps(teacher, learner.id)
