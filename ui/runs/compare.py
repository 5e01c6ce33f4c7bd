"""Compare up to four runs: overlaid live curves, settings and results, differences marked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from classroom import runs
from classroom.access import Actor, NotFound
from engine.jobs import RunStatus
from engine.spec import RunSpec
from labs.objectives import ObjectiveOutcome
from labs.run_explanations import Explanation
from labs.run_pairs import LABELS, differing_settings, label, validation_accuracy

MAX_RUNS = 4
COLOURS = ("#4f46e5", "#f59e0b", "#10b981", "#ef4444")
RESULTS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "status": ("Status", str),
    # Runs are compared on validation: the test score is kept for the final test (results.py).
    "val_accuracy": ("Validation accuracy", lambda v: f"{v:.1%}"),
    "best_val_accuracy": ("Best validation accuracy", lambda v: f"{v:.1%}"),
    "best_epoch": ("Best epoch", str),
    "epochs": ("Epochs trained", str),
    "seconds": ("Time (s)", lambda v: f"{v:.1f}"),
    "samples_per_second": ("Examples per second", lambda v: f"{v:,.0f}"),
    "clipped_fraction": ("Steps clipped", lambda v: f"{v:.0%}"),
    "precision": ("Precision used", str),
    "device": ("Device", lambda v: str(v).upper()),
}
DEFAULTS = RunSpec().model_dump()
EXPLANATION_ICONS = {
    "info": ":material/lightbulb:",
    "warning": ":material/warning:",
    "success": ":material/check_circle:",
}


def run_label(run: RunStatus) -> str:
    spec, result = run.spec, run.result or {}
    score = validation_accuracy(result)
    accuracy = f" · validation {score:.1%}" if score else ""
    return (
        f"Run {run.id} · {spec['optimizer']} lr {spec['learning_rate']:g} · {run.status}{accuracy}"
    )


def choose_run(actor: Actor, history: list[RunStatus], wanted: str | None) -> RunStatus | None:
    """The run named in the address if the learner may see it, else the newest."""
    try:
        if wanted and wanted.isdigit():
            return runs.get_run(actor, int(wanted))
    except NotFound:
        st.query_params.pop("run", None)
    return history[0] if history else None


def run_picker(history: list[RunStatus], run: RunStatus) -> None:
    """A select box of the learner's runs in this lab; choosing one opens it."""
    ids = [r.id for r in history]
    if len(history) < 2 or run.id not in ids:
        return
    chosen = st.selectbox("Your runs", history, index=ids.index(run.id), format_func=run_label)
    if chosen.id != run.id:
        st.query_params["run"] = str(chosen.id)
        st.rerun()


def render_explanations(explanations: Sequence[Explanation]) -> None:
    draw = {"info": st.info, "warning": st.warning, "success": st.success}
    for item in explanations:
        draw[item.tone](item.text, icon=EXPLANATION_ICONS[item.tone])


def merge_earlier(outcomes: list[ObjectiveOutcome], met: dict[str, int]) -> list[ObjectiveOutcome]:
    """Objectives this run missed but an earlier run met count as met, naming that run."""
    return [
        ObjectiveOutcome(o.objective_id, f"{o.text} (with run {met[o.objective_id]})", True, ())
        if not o.passed and o.objective_id in met
        else o
        for o in outcomes
    ]


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def comparison_table(chosen: Sequence[RunStatus]) -> pd.DataFrame:
    """One column per run; settings that differ first (marked), then results, then the rest."""
    specs = [{**DEFAULTS, **r.spec} for r in chosen]
    differ = {f for s in specs[1:] for f in differing_settings(specs[0], s)}
    columns = [f"Run {r.id}" for r in chosen]

    def row(name: str, values: list[str], differs: bool) -> dict[str, str]:
        return {
            "Setting or result": name,
            **dict(zip(columns, values, strict=True)),
            "Differs": "◆" if differs else "",
        }

    ordered = [f for f in LABELS if f in differ] + [f for f in LABELS if f not in differ]
    settings = [
        row(label(f).capitalize(), [_cell(s.get(f)) for s in specs], f in differ) for f in ordered
    ]
    results = []
    for key, (name, show) in RESULTS.items():
        values = [_result_value(r, key) for r in chosen]
        cells = ["—" if v is None else show(v) for v in values]
        results.append(row(name, cells, len(set(cells)) > 1))
    split = len(differ)
    return pd.DataFrame(settings[:split] + results + settings[split:])


def _result_value(run: RunStatus, key: str) -> Any:
    if key == "status":
        return run.status
    if key == "val_accuracy":  # runs stored before it was kept: their best epoch's
        return validation_accuracy(run.result or {})
    return (run.result or {}).get(key)


def _highlighted(table: pd.DataFrame) -> Any:
    """Rows whose values differ between the runs get a pale background as well as the mark."""
    return table.style.apply(
        lambda row: ["background-color: #fef3c7" if row["Differs"] else "" for _ in row], axis=1
    )


def difference_sentence(a: RunStatus, b: RunStatus) -> str:
    fields = differing_settings(a.spec, b.spec)
    if not fields:
        return f"Runs {a.id} and {b.id} have the same settings."
    sa, sb = {**DEFAULTS, **a.spec}, {**DEFAULTS, **b.spec}
    parts = ", ".join(f"{label(f)} ({_cell(sa[f])} vs {_cell(sb[f])})" for f in fields)
    return f"Run {a.id} and run {b.id} differ in: {parts}."


def comparison_figure(series: dict[int, list[tuple[float, dict[str, float]]]]) -> go.Figure:
    """Validation (solid) and training (dotted) curves per run, loss left, accuracy right."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Loss", "Accuracy"))
    for i, (run_id, rows) in enumerate(series.items()):
        epochs = [(e, v) for e, v in rows if "val_loss" in v]
        colour = COLOURS[i % len(COLOURS)]
        for col, key, dash, name in (
            (1, "val_loss", "solid", "validation"),
            (1, "train_loss", "dot", "training"),
            (2, "val_accuracy", "solid", "validation"),
            (2, "train_accuracy", "dot", "training"),
        ):
            fig.add_trace(
                go.Scatter(
                    x=[e for e, _ in epochs],
                    y=[v[key] for _, v in epochs],
                    mode="lines+markers",
                    name=f"run {run_id} {name}",
                    line={"color": colour, "dash": dash},
                    legendgroup=str(run_id),
                    showlegend=col == 1,
                ),
                row=1,
                col=col,
            )
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(range=[0, 1.02], row=1, col=2)
    fig.update_layout(
        height=360,
        margin={"l": 40, "r": 10, "t": 40, "b": 40},
        uirevision="compare-runs",
        legend={"orientation": "h", "y": -0.25},
    )
    return fig


def _rows(actor: Actor, run_id: int) -> list[tuple[float, dict[str, float]]]:
    """Epoch rows so far, fetching only rows newer than the last this session holds."""
    cache = st.session_state.setdefault(f"_compare_{run_id}", {"last": -1, "rows": []})
    for row in runs.run_metrics(actor, run_id, cache["last"]):
        if "val_loss" in row.values:
            cache["rows"].append((row.epoch, row.values))
        cache["last"] = row.step
    rows: list[tuple[float, dict[str, float]]] = cache["rows"]
    return rows


COMPARE_KEY = "compare_runs"
CHOSEN_BY_HAND = "_compare_runs_chosen"  # the learner picked runs: stop following new ones


def _chosen_by_hand() -> None:
    st.session_state[CHOSEN_BY_HAND] = True


def _follow_newest(ids: list[int]) -> None:
    """Compare the newest run with the one before it, following each new run, until the
    learner picks runs themselves (a widget's default is read only when it first appears)."""
    if st.session_state.get(CHOSEN_BY_HAND):
        kept = [i for i in st.session_state.get(COMPARE_KEY, []) if i in ids]
        st.session_state[COMPARE_KEY] = kept  # a run that is gone leaves the choice
    else:
        st.session_state[COMPARE_KEY] = ids[:2]  # history is newest first


def render_comparison(actor: Actor, history: list[RunStatus]) -> None:
    """Pick up to four runs; curves refresh each second while any of them trains."""
    if len(history) < 2:
        st.info("Train at least two runs to compare them side by side.")
        return
    by_id = {r.id: r for r in history}
    _follow_newest(list(by_id))
    chosen_ids = st.multiselect(
        "Runs to compare (up to four)",
        list(by_id),
        max_selections=MAX_RUNS,
        format_func=lambda i: run_label(by_id[i]),
        key=COMPARE_KEY,
        on_change=_chosen_by_hand,
    )
    if not chosen_ids:
        st.caption("Choose runs above to compare them.")
        return
    any_active = any(by_id[i].active for i in chosen_ids)

    @st.fragment(run_every=1.0 if any_active else None)
    def curves() -> None:
        current = [runs.get_run(actor, i) for i in chosen_ids]
        st.plotly_chart(
            comparison_figure({r.id: _rows(actor, r.id) for r in current}),
            key="compare_curves",
            width="stretch",
            config={"displayModeBar": False},
        )
        if len(current) >= 2:
            st.markdown(difference_sentence(current[0], current[1]))
        table = comparison_table(current)
        st.dataframe(_highlighted(table), hide_index=True, width="stretch", key="compare_table")
        if any_active and not any(r.active for r in current):
            st.rerun()  # every chosen run ended: redraw once more and stop polling

    curves()
