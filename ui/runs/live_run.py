"""The live run panel: status, progress bar, growing curves and a cancel button."""

from __future__ import annotations

from dataclasses import dataclass, field

import plotly.graph_objects as go
import streamlit as st

from classroom import runs
from classroom.access import Actor
from engine.jobs import RunProgress, RunStatus
from ui.runs.figures import refresh_training_curves, training_curves

POLL_SECONDS = 0.5  # the first point shows within a second of the run starting
QUEUED_POLL_SECONDS = 3.0
NEAR_FRONT = 2  # queue positions polled as often as a training run: theirs starts soon
_CHART_CONFIG = {"displayModeBar": False}

STATUS_TEXT = {
    "queued": "Waiting for a free trainer",
    "running": "Training",
    "done": "Finished",
    "cancelled": "Cancelled",
    "failed": "Failed",
    "diverged": "Diverged",
    "interrupted": "Interrupted",
}


@dataclass
class RunView:
    """What this browser session already holds of one run, so a poll reads and draws only
    what is new: the metric rows so far, their figure, and whether the end was shown."""

    last_step: int = -1
    rows: list[tuple[float, dict[str, float]]] = field(default_factory=list)
    figure: go.Figure | None = None
    rows_drawn: int = 0
    end_shown: bool = False

    def figure_for(self, epochs: int) -> go.Figure:
        """The curves, built once and then refreshed in place when rows arrived."""
        if self.figure is None:
            self.figure = training_curves(self.rows, epochs)
        elif self.rows_drawn != len(self.rows):
            refresh_training_curves(self.figure, self.rows)
        self.rows_drawn = len(self.rows)
        return self.figure


def _view(run_id: int) -> RunView:
    view: RunView = st.session_state.setdefault(f"_live_run_{run_id}", RunView())
    return view


def _poll(actor: Actor, run_id: int, view: RunView) -> RunProgress:
    """The run's progress, and its new metric rows added to the view: one database read."""
    progress, new_rows = runs.watch_run(actor, run_id, view.last_step)
    for row in new_rows:
        view.rows.append((row.epoch, row.values))
        view.last_step = row.step
    return progress


def _status_line(state: RunProgress, epochs: int) -> str:
    text = STATUS_TEXT.get(state.status, state.status)
    if state.status == "queued" and state.queue_position:
        return f"{text}: number {state.queue_position} in the queue."
    if state.status == "running":
        epoch = min(epochs, int(state.progress * epochs) + 1)
        return f"{text}: epoch {epoch} of {epochs}. {state.progress:.0%} done."
    return text + "."


def poll_seconds(state: RunProgress) -> float | None:
    """How often the panel asks: twice a second while the run trains or is about to start
    (a few of a class's runs at a time), every few seconds while it waits further back (most
    of a class's panels, while their runs queue), never once it is over."""
    if not state.active:
        return None
    far_back = state.status == "queued" and (state.queue_position or 0) > NEAR_FRONT
    return QUEUED_POLL_SECONDS if far_back else POLL_SECONDS


def _cancel(actor: Actor, run_id: int) -> None:
    if runs.cancel_run(actor, run_id):
        st.toast("Stopping the run…")


def render_empty_curves(epochs: int) -> None:
    """The curves' empty axes, before any run: the browser loads its charting code now, so
    the first point of the learner's first run shows as soon as it arrives."""
    st.plotly_chart(
        _empty_curves(epochs), key="curves_empty", width="stretch", config=_CHART_CONFIG
    )


@st.cache_resource(max_entries=8, show_spinner=False)
def _empty_curves(epochs: int) -> go.Figure:
    return training_curves([], epochs)  # the same for everyone: no rows, no learner data


def render_live_panel(actor: Actor, run_id: int) -> RunStatus:
    """Draw the run; while it is active, redraw it every half second (only this panel reruns)."""
    view = _view(run_id)
    first = runs.get_run(actor, run_id)
    if first.active:
        view.end_shown = False  # a resumed run ends anew
    epochs = int(first.spec.get("epochs", 1))
    unread = [_poll(actor, run_id, view)]  # the page run's own read; timed reruns read anew
    interval = poll_seconds(unread[0])

    @st.fragment(run_every=interval)
    def panel() -> None:
        state = unread.pop() if unread else _poll(actor, run_id, view)
        # Few elements: each one is another message per poll, per learner.
        st.progress(
            min(1.0, max(0.0, state.progress)),
            text=f"**Run {run_id}** · {_status_line(state, epochs)}",
        )
        if state.active and state.owner_id == actor.id:
            st.button("Cancel", key=f"cancel_{run_id}", on_click=_cancel, args=(actor, run_id))
        st.plotly_chart(
            view.figure_for(epochs),
            key=f"curves_{run_id}",
            width="stretch",
            config=_CHART_CONFIG,
        )
        if first.active and not state.active and not view.end_shown:
            # The run ended: redraw the page once with its results, which stops polling.
            # Timed reruns already on their way must not ask for the same redraw again.
            view.end_shown = True
            st.rerun()
        elif state.active and poll_seconds(state) != interval:
            st.rerun()  # near the front of the queue now: the page run sets the faster timer

    panel()
    return first
