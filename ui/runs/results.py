"""What a finished run shows: the outcome, the confusion matrix and the lab's objectives."""

from __future__ import annotations

import contextlib

import plotly.graph_objects as go
import streamlit as st

from classroom import final_tests, objective_events, runs
from classroom.access import Actor, NotFound
from classroom.final_tests import FinalTestError, FinalTestRecord
from engine.jobs import RESUMABLE, RunStatus
from labs.objectives import (
    ObjectiveOutcome,
    next_reveal,
    reveal_ladder,
    revealed_help,
    step_for_objective,
)
from labs.registry import LABS
from labs.run_pairs import validation_accuracy
from ui.common.auth import current_actor
from ui.common.local_time import local_time
from ui.runs.figures import confusion_matrix_figure

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
    score, best = validation_accuracy(result), result.get("best_val_accuracy")
    cols[0].metric(
        "Validation accuracy",
        "no score" if score is None else f"{score:.1%}",
        help="The score to choose settings by: the trained network on validation images, "
        "which it never trained on.",
    )
    cols[1].metric(
        "Best validation accuracy",
        "no score" if best is None else f"{best:.1%}",
        help=f"The best epoch's (epoch {result.get('best_epoch') or '?'}).",
    )
    cols[2].metric("Training time", f"{result['seconds']:.1f} s")
    cols[3].metric(
        "Device",
        str(result.get("device", "cpu")).upper(),
        help=f"{result.get('samples_per_second', 0):,.0f} images per second",
    )
    with st.expander("Confusion matrix: which classes were mixed up", expanded=True):
        st.caption(
            "Each row is the true class (a digit, a species...); each column is the model's guess. "
            "Numbers off the diagonal are mistakes."
        )
        st.plotly_chart(_confusion_figure(run), key=f"confusion_{run.id}", width="stretch")
    render_final_test(run, actor)


WHY_ONCE = (
    "The test examples stay hidden while you choose settings, so that one honest score can "
    "tell how your network does on examples nobody used to pick it. Each look at the test "
    "score that helps you choose makes the test set part of the choosing, and its score "
    "too hopeful: so compare runs on validation, and take the final test once, on the run "
    "you pick."
)


def render_final_test(run: RunStatus, actor: Actor) -> None:
    """The run's test accuracy, shown only once its owner took the final test on it; before
    that, the button that takes it. A run finished after a final test gets a warning."""
    if run.status != "done" or run.lab_id is None:
        return
    taken = final_tests.final_tests(actor, run.id)
    mine = next((t for t in taken if t.run_id == run.id), None)
    st.markdown("**Final test**")
    if mine is not None:
        accuracy = (run.result or {}).get("test_accuracy")
        st.metric(
            "Test accuracy (final test)", "no score" if accuracy is None else f"{accuracy:.1%}"
        )
        st.caption(
            f"Final test taken on {local_time(mine.taken_at)}. This is the score to report: "
            "the test examples played no part in choosing this run."
        )
        return
    later = _finished_after(run, taken)
    if later is not None:
        st.warning(
            f"This run finished after your final test on run {later.run_id}. Compare it with "
            "your other runs on validation accuracy: picking runs by their test scores "
            "would tune your settings to the test set.",
            icon=":material/warning:",
        )
    if run.owner_id != actor.id:
        st.caption("The learner has not taken the final test on this run.")
        return
    st.caption(WHY_ONCE)
    if taken:
        runs_tested = ", ".join(str(t.run_id) for t in taken)
        st.caption(
            f"You already took the final test on run {runs_tested}. Another one is allowed, "
            "but it turns the test score into one more way of choosing."
        )
    st.button(
        "Final test",
        key=f"final_test_{run.id}",
        icon=":material/fact_check:",
        help="Measure this run once on the test examples, and record that you chose it.",
        on_click=_take_final_test,
        args=(actor, run.id),
    )


def _finished_after(run: RunStatus, taken: list[FinalTestRecord]) -> FinalTestRecord | None:
    """The first final test in the lab, if this run finished after it."""
    if not taken or run.finished_at is None:
        return None
    first = taken[0]
    return first if run.finished_at > first.taken_at else None


def _take_final_test(actor: Actor, run_id: int) -> None:
    try:
        final_tests.take_final_test(actor, run_id)
    except (FinalTestError, NotFound) as exc:
        st.toast(str(exc))


def _confusion_figure(run: RunStatus) -> go.Figure:
    """Built once per browser session: a finished run's result never changes, and building
    the figure costs more than the rest of the page's rerun."""
    key = f"_confusion_figure_{run.id}"
    if key not in st.session_state:
        result = run.result or {}
        figure = confusion_matrix_figure(result["confusion_matrix"], result["class_names"])
        st.session_state[key] = figure
    return st.session_state[key]


def _resume(actor: Actor, run_id: int) -> None:
    if runs.resume_run(actor, run_id):
        st.toast("The run is queued again and continues where it stopped.")
    else:
        st.toast("This run has no checkpoint yet: press Train to start it again.")


def render_objectives(outcomes: list[ObjectiveOutcome], actor: Actor | None = None) -> None:
    """Each objective met or not; a missed one offers a hint, a stronger one, then the solution.

    Every check's pass or fail, and every reveal, is recorded for the learner (once per outcome).
    An objective the run did not try is left out: it is neither "Not yet" nor a failed check."""
    actor = actor or current_actor()
    for outcome in (o for o in outcomes if o.attempted):
        lab_id = _lab_of(outcome)
        _record_check(actor, lab_id, outcome)
        if outcome.passed:
            st.success(f"Objective met: {outcome.text}.", icon=":material/check_circle:")
            continue
        st.warning(f"Not yet: {outcome.text}.", icon=":material/flag:")
        if reveal_ladder(outcome):
            _help_ladder(actor, lab_id, outcome)


def _lab_of(outcome: ObjectiveOutcome) -> str | None:
    """The lab whose objective was checked (None for outcomes built by hand)."""
    for lab in LABS.values():
        if any(o is outcome.objective for o in lab.objectives):
            return lab.id
    return None


def _recordable(actor: Actor | None, lab_id: str | None, outcome: ObjectiveOutcome) -> bool:
    return (
        actor is not None
        and not actor.is_teacher
        and lab_id is not None
        and outcome.outcome_key is not None
    )


def _record(actor: Actor, lab_id: str, outcome: ObjectiveOutcome, event: str) -> None:
    # Someone else's run (a teacher's view) has nothing to record for this actor.
    with contextlib.suppress(NotFound):
        objective_events.record_event(
            actor,
            lab_id,
            outcome.objective_id,
            event,
            outcome.outcome_key or "",
            step_id=step_for_objective(lab_id, outcome.objective_id),
            run_id=outcome.run_id,
        )


def _record_check(actor: Actor | None, lab_id: str | None, outcome: ObjectiveOutcome) -> None:
    """Record pass or fail once per outcome, not on every rerun of the page."""
    if actor is None or lab_id is None or not _recordable(actor, lab_id, outcome):
        return
    seen = st.session_state.setdefault("_checks_recorded", set())
    key = (actor.id, lab_id, outcome.objective_id, outcome.outcome_key, outcome.passed)
    if key in seen:
        return
    _record(actor, lab_id, outcome, "passed" if outcome.passed else "failed")
    seen.add(key)


def _reveal_key(lab_id: str | None, outcome: ObjectiveOutcome) -> str:
    return f"reveal_{lab_id}_{outcome.objective_id}_{outcome.outcome_key}"


def _revealed(actor: Actor | None, lab_id: str | None, outcome: ObjectiveOutcome) -> set[str]:
    """Reveals asked for on this outcome: from the database (so a reload keeps them) and from
    this session (for views that record nothing, such as a teacher's)."""
    shown = set(st.session_state.get(_reveal_key(lab_id, outcome), set()))
    if actor is not None and lab_id is not None and _recordable(actor, lab_id, outcome):
        shown |= objective_events.revealed(
            actor, lab_id, outcome.objective_id, outcome.outcome_key or ""
        )
    return shown


def _reveal(actor: Actor | None, lab_id: str | None, outcome: ObjectiveOutcome, event: str) -> None:
    key = _reveal_key(lab_id, outcome)
    st.session_state[key] = {*st.session_state.get(key, set()), event}
    if actor is not None and lab_id is not None and _recordable(actor, lab_id, outcome):
        _record(actor, lab_id, outcome, event)


REVEAL_BUTTONS = {
    "hint-1": ("Show a hint", ":material/lightbulb:"),
    "hint-2": ("A stronger hint", ":material/tips_and_updates:"),
    "solution": ("Show the solution", ":material/key:"),
}


@st.fragment
def _help_ladder(actor: Actor | None, lab_id: str | None, outcome: ObjectiveOutcome) -> None:
    """A fragment, so that asking for a hint reruns only this part of the page."""
    revealed = _revealed(actor, lab_id, outcome)
    for event, text in revealed_help(outcome, revealed):
        if event == "solution":
            st.success(f"Solution: {text}", icon=":material/key:")
        else:
            st.info(text, icon=":material/lightbulb:")
    upcoming = next_reveal(outcome, revealed)
    if upcoming is not None:
        label, icon = REVEAL_BUTTONS[upcoming]
        st.button(
            label,
            key=f"{_reveal_key(lab_id, outcome)}_{upcoming}",
            icon=icon,
            on_click=_reveal,
            args=(actor, lab_id, outcome, upcoming),
        )
