"""A Data Types tab's runs: the live panel, the results, this type's objectives, the
comparison across data types and the reflection."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from classroom import runs
from classroom.access import Actor, NotFound
from curriculum.catalog import steps_for_lab
from engine.jobs import RunStatus
from labs import evidence
from labs.data_types import (
    CROSS_TYPE_OBJECTIVE,
    LAB,
    OBJECTIVE_FOR_KIND,
    comparison_rows,
    cross_type_partners,
    describe_model,
    run_kind,
)
from labs.objectives import RunOutcome
from labs.run_pairs import validation_accuracy
from ui.journal.run_reflection import render_journal_box
from ui.runs.figures import confusion_matrix_figure
from ui.runs.live_run import render_live_panel
from ui.runs.results import render_final_test, render_objectives, render_outcome


def outcome(run: RunStatus) -> RunOutcome:
    return {"status": run.status, "spec": run.spec, "result": run.result or {}}


def runs_of_kind(actor: Actor, kind: str) -> list[RunStatus]:
    return [r for r in runs.my_runs(actor, LAB.id) if run_kind(outcome(r)) == kind]


def run_label(run: RunStatus) -> str:
    dataset = str(run.spec.get("dataset", ""))
    data = "your upload" if dataset.startswith("upload:") else dataset
    accuracy = validation_accuracy(run.result or {})
    score = f" · {accuracy:.1%} validation" if accuracy is not None else ""
    return (
        f"Run {run.id} · {data} · {describe_model(outcome(run))} · "
        f"{run.spec.get('epochs')} epochs · {run.status}{score}"
    )


def render_run_area(actor: Actor, kind: str, wanted: int | None) -> None:
    history = runs_of_kind(actor, kind)
    if not history:
        st.info("Your runs on this tab appear here. Choose a model and press Train.")
        return
    ids = [r.id for r in history]
    current = wanted if wanted in ids else ids[0]
    if len(history) > 1:
        chosen = st.selectbox(
            f"Your {kind} runs", ids, index=ids.index(current), format_func=_labels(history)
        )
        if chosen != current:
            st.session_state[f"dt_{kind}_run"] = chosen
            st.rerun()
    try:
        run = render_live_panel(actor, current)
    except NotFound:
        st.error("That run no longer exists.")
        return
    if not run.active:
        render_finished(actor, kind, run)


def _labels(history: list[RunStatus]) -> Callable[[int], str]:
    by_id = {r.id: run_label(r) for r in history}
    return by_id.__getitem__


def render_finished(actor: Actor, kind: str, run: RunStatus) -> None:
    if run.status == "done":
        _render_result(actor, run)
    else:
        render_outcome(run, actor)
    wanted = {OBJECTIVE_FOR_KIND[kind].id, CROSS_TYPE_OBJECTIVE.id}
    render_objectives([o for o in evidence.check_run(actor, run) if o.objective_id in wanted])
    _render_cross_type(actor, run)
    if run.owner_id == actor.id:
        st.subheader("Reflect")
        render_journal_box(actor, run, steps_for_lab(LAB.id, "reflect")[0].prompt)


def _render_result(actor: Actor, run: RunStatus) -> None:
    """Validation accuracy to compare runs by; the test score waits for the final test."""
    result = run.result or {}
    score = validation_accuracy(result)
    cols = st.columns(4)
    cols[0].metric(
        "Validation accuracy",
        "no score" if score is None else f"{score:.1%}",
        help="The score to compare your runs by: the trained network on validation examples, "
        "which it never trained on.",
    )
    cols[1].metric("Best validation accuracy", f"{result.get('best_val_accuracy') or 0:.1%}")
    cols[2].metric("Weights", f"{int(result.get('parameters') or 0):,}")
    cols[3].metric("Training time", f"{float(result.get('seconds') or 0):.1f} s")
    matrix, names = result.get("confusion_matrix"), result.get("class_names")
    if matrix and names:
        with st.expander("Confusion matrix: which classes were mixed up"):
            figure = confusion_matrix_figure(matrix, names)
            figure.update_layout(xaxis_title="predicted class", yaxis_title="true class")
            st.plotly_chart(figure, key=f"dt_confusion_{run.id}", width="stretch")
    render_final_test(run, actor)


def _render_cross_type(actor: Actor, run: RunStatus) -> None:
    """This run beside the learner's runs of the same model on other data types."""
    if run.status != "done":
        return
    others = [outcome(r) for r in runs.my_runs(actor, LAB.id) if r.id != run.id and not r.active]
    this = {**outcome(run), "others": others}
    partners = cross_type_partners(this)
    st.markdown("**The same model on other data types**")
    if not partners:
        st.caption(
            "Train this model (same model, units and depth) on another tab, then compare: "
            "the weights column shows how the input's shape changes the network's size."
        )
        return
    table = pd.DataFrame(comparison_rows([this, *partners]))
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "validation accuracy": st.column_config.ProgressColumn(
                "validation accuracy", min_value=0.0, max_value=1.0, format="percent"
            )
        },
    )
