"""What a finished run shows: the outcome, the confusion matrix and the lab's objectives."""

from __future__ import annotations

import streamlit as st

from classroom import runs
from classroom.access import Actor
from engine.jobs import RESUMABLE, RunStatus
from labs.objectives import ObjectiveOutcome
from ui.figures import confusion_matrix_figure

FAILURE_ADVICE = {
    "diverged": "Lower the learning rate and train again.",
    "interrupted": "The run was cut off before it finished. Press Train to start it again.",
    "failed": "Check the settings and train again.",
    "cancelled": "You stopped this run. Change a setting and train again when ready.",
}


def render_outcome(run: RunStatus, actor: Actor) -> None:
    result = run.result or {}
    if run.status != "done":
        st.error(f"{run.reason or 'The run did not finish.'} {FAILURE_ADVICE.get(run.status, '')}")
        if run.status in RESUMABLE and run.owner_id == actor.id:
            st.button(
                "Resume from the last checkpoint",
                key=f"resume_{run.id}",
                icon=":material/restart_alt:",
                on_click=_resume,
                args=(actor, run.id),
            )
        return
    cols = st.columns(4)
    cols[0].metric("Test accuracy", f"{result['test_accuracy']:.1%}")
    cols[1].metric("Best validation accuracy", f"{result['best_val_accuracy']:.1%}")
    cols[2].metric("Training time", f"{result['seconds']:.1f} s")
    cols[3].metric(
        "Device",
        str(result.get("device", "cpu")).upper(),
        help=f"{result.get('samples_per_second', 0):,.0f} images per second",
    )
    with st.expander("Confusion matrix: which digits were mixed up", expanded=True):
        st.caption(
            "Each row is the true digit; each column is the model's guess. "
            "Numbers off the diagonal are mistakes."
        )
        st.plotly_chart(
            confusion_matrix_figure(result["confusion_matrix"], result["class_names"]),
            key=f"confusion_{run.id}",
            width="stretch",
        )


def _resume(actor: Actor, run_id: int) -> None:
    if runs.resume_run(actor, run_id):
        st.toast("The run is queued again and continues where it stopped.")
    else:
        st.toast("This run has no checkpoint yet: press Train to start it again.")


def render_objectives(outcomes: list[ObjectiveOutcome]) -> None:
    for outcome in outcomes:
        if outcome.passed:
            st.success(f"Objective met: {outcome.text}.", icon=":material/check_circle:")
            continue
        st.warning(f"Not yet: {outcome.text}.", icon=":material/flag:")
        for i, hint in enumerate(outcome.hints, start=1):
            st.markdown(f"{i}. {hint}")
