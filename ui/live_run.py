"""The live run panel: status, progress bar, growing curves and a cancel button."""

from __future__ import annotations

import streamlit as st

from classroom import runs
from classroom.access import Actor
from engine.jobs import RunStatus
from ui.figures import training_curves

STATUS_TEXT = {
    "queued": "Waiting for a free trainer",
    "running": "Training",
    "done": "Finished",
    "cancelled": "Cancelled",
    "failed": "Failed",
    "diverged": "Diverged",
    "interrupted": "Interrupted",
}


def _metric_rows(actor: Actor, run_id: int) -> list[tuple[float, dict[str, float]]]:
    """All rows so far, fetching only those newer than the last one this session has."""
    cache = st.session_state.setdefault(f"_metrics_{run_id}", {"last": -1, "rows": []})
    for row in runs.run_metrics(actor, run_id, cache["last"]):
        cache["rows"].append((row.epoch, row.values))
        cache["last"] = row.step
    return cache["rows"]


def _status_line(state: RunStatus, epochs: int) -> str:
    text = STATUS_TEXT.get(state.status, state.status)
    if state.status == "queued" and state.queue_position:
        return f"{text}: number {state.queue_position} in the queue."
    if state.status == "running":
        return f"{text}: epoch {min(epochs, int(state.progress * epochs) + 1)} of {epochs}."
    return text + "."


def _cancel(actor: Actor, run_id: int) -> None:
    if runs.cancel_run(actor, run_id):
        st.toast("Stopping the run…")


def render_live_panel(actor: Actor, run_id: int) -> RunStatus:
    """Draw the run; while it is active, redraw every second (only this panel reruns)."""
    first = runs.get_run(actor, run_id)
    epochs = int(first.spec.get("epochs", 1))

    @st.fragment(run_every=1.0 if first.active else None)
    def panel() -> None:
        state = runs.get_run(actor, run_id)
        rows = _metric_rows(actor, run_id)
        left, right = st.columns([4, 1])
        left.markdown(f"**Run {run_id}** · {_status_line(state, epochs)}")
        if state.active and state.owner_id == actor.id:
            right.button(
                "Cancel",
                key=f"cancel_{run_id}",
                on_click=_cancel,
                args=(actor, run_id),
                width="stretch",
            )
        st.progress(min(1.0, max(0.0, state.progress)), text=f"{state.progress:.0%} done")
        st.plotly_chart(
            training_curves(rows, epochs),
            key=f"curves_{run_id}",
            width="stretch",
            config={"displayModeBar": False},
        )
        if first.active and not state.active:
            st.rerun()  # the run ended: redraw the page with results, and stop polling

    panel()
    return runs.get_run(actor, run_id) if first.active else first
