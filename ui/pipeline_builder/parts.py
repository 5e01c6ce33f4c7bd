"""The parts of the pipeline builder page: source, stage editor, run, store, monitor, code."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from classroom.access import Actor
from engine.data.message_text import count
from engine.pipeline.code import pipeline_code
from engine.pipeline.describe import describe_stage
from engine.pipeline.errors import PipelineError
from engine.pipeline.monitoring import quality_report
from engine.pipeline.pipeline_spec import (
    STEP_TITLES,
    PipelineSpec,
    PipelineSpecError,
    parse_pipeline,
)
from engine.pipeline.stages import run_pipeline
from labs import evidence
from labs.pipeline_builder import LAB, PIPELINE_NAME
from ui.pipeline_builder.charts import outlier_chart
from ui.runs.results import render_objectives

STAGES = "pl_stages"  # list of stage dicts, the editor's state


def record(actor: Actor, outcome: dict[str, Any]) -> None:
    """Check one lab action and keep its outcomes to show until the next such action."""
    found = evidence.record_objective(actor, LAB.id, outcome)
    st.session_state.setdefault("pl_outcomes", {})[outcome["kind"]] = found


def render_lab_objectives() -> None:
    shown = st.session_state.get("pl_outcomes", {})
    for objective in LAB.objectives:
        if objective.id in shown:
            render_objectives(shown[objective.id])
        else:
            st.caption(f"To do: {objective.text}.")


def missing_table(frame: pd.DataFrame) -> pd.DataFrame:
    report = quality_report(frame)["columns"]
    return pd.DataFrame(report, columns=["column", "type", "missing", "missing_share"])


def _source_words(source: dict[str, Any]) -> str:
    kind = source.get("kind")
    if kind == "sqlite" and source.get("database") == "demo":
        return f"the demo table `{source.get('table')}`"
    if kind == "bundled":
        return f"the bundled dataset `{source.get('name')}`"
    if kind == "url":
        return "the web address"
    info = st.session_state.get("pl_source")  # ui.pipeline_builder.sources keeps the uploaded file
    name = str(getattr(info, "name", "")).replace("`", "'")  # shown as code: never a link
    return f"your file `{name}`" if name else "your file"


def table_caption(sources: dict[str, Any], frame: pd.DataFrame) -> str:
    """'From your file `marks.csv`: 120 rows, 4 columns, 13 missing'."""
    found = sources.get("sources") or [{}]
    where = f"{len(found)} joined sources" if len(found) > 1 else _source_words(found[0])
    missing = int(frame.isna().sum().sum())
    size = f"{count(len(frame), 'row')}, {count(frame.shape[1], 'column')}"
    return f"From {where}: {size}, {missing} missing"


# --- stage editor ------------------------------------------------------------------------


def _stage_fields(kind: str, columns: list[str]) -> dict[str, Any] | None:
    """The widgets of one 'Add stage' form; the stage dict, or None if nothing is chosen."""
    if kind == "target":
        return {"step": "target", "column": st.selectbox("Column to predict", columns)}
    chosen = st.multiselect("Columns", columns, key=f"pl_cols_{kind}")
    if kind == "impute":
        strategy = st.selectbox(
            "Strategy", ["median", "mean", "most_frequent", "constant", "knn", "drop"]
        )
        value = st.text_input("Fill value (constant only)")
        rule = {"strategy": strategy, "value": value or None}
        return {"step": kind, "columns": {c: rule for c in chosen}} if chosen else None
    if kind == "deduplicate":
        return {"step": kind, "subset": chosen or None}
    if kind == "fix_types":
        to = st.selectbox("Type", ["int", "float", "datetime", "category", "string"])
        invalid = st.selectbox("A value that won't convert", ["error", "missing"])
        return {"step": kind, "columns": dict.fromkeys(chosen, to), "invalid": invalid}
    methods = {
        "outliers": ["iqr", "zscore"],
        "scale": ["standard", "minmax", "robust"],
        "encode": ["onehot", "ordinal"],
    }[kind]
    stage = {"step": kind, "columns": chosen, "method": st.selectbox("Method", methods)}
    if kind == "outliers":
        stage["action"] = st.selectbox("Action", ["clip", "remove"])
    return stage if chosen else None


def _remove(index: int) -> None:
    st.session_state[STAGES].pop(index)


def render_stage_list(stages: list[dict[str, Any]]) -> None:
    """Each stage as a sentence, in order, with a button to remove it."""
    for i, stage in enumerate(stages):
        left, right = st.columns([6, 1], vertical_alignment="center")
        left.text(f"{i + 1}. {describe_stage(stage)}")  # column names are the learner's text
        right.button("Remove", key=f"pl_remove_{i}", on_click=_remove, args=(i,))
    if not stages:
        st.caption("No stages yet: the data passes through as it is.")


def render_stage_editor(columns: list[str]) -> list[dict[str, Any]]:
    """The stages so far and a form to add one. Adding costs one rerun: the list is drawn
    into a place above the form after the form has been read."""
    stages: list[dict[str, Any]] = st.session_state.setdefault(STAGES, [])
    listing = st.container()
    kind = st.selectbox(
        "Stage to add", list(STEP_TITLES), format_func=STEP_TITLES.__getitem__, key="pl_new_kind"
    )
    with st.form(f"pl_add_{kind}", clear_on_submit=True):
        stage = _stage_fields(kind, columns)
        if st.form_submit_button("Add stage"):
            if stage is None:
                st.warning("Choose at least one column.")
            else:
                stages.append(stage)
    with listing:
        render_stage_list(stages)
    return stages


def validated_spec(sources: dict[str, Any], stages: list[dict[str, Any]]) -> PipelineSpec | None:
    """The spec of the chosen sources (and join) and the editor's stages, or None with errors."""
    try:
        return parse_pipeline({"name": PIPELINE_NAME, **sources, "stages": stages})
    except PipelineSpecError as exc:
        for where, message in exc.errors.items():
            st.error(f"{where}: {message}")
        return None


# --- run, store, monitor -----------------------------------------------------------------


def run_and_report(actor: Actor, spec: PipelineSpec, frame: pd.DataFrame) -> None:
    """Run every stage; keep the output for storing, or show the failing stage's error."""
    st.session_state.pop("pl_result", None)
    try:
        out, reports = run_pipeline(spec, frame)
    except PipelineError as exc:
        st.session_state["pl_error"] = str(exc)
        return
    st.session_state.pop("pl_error", None)
    # Tables and charts built once per run, not on every rerun of the page.
    st.session_state["pl_result"] = {
        "spec": spec.model_dump_json(),
        "frame": out,
        "reports": reports,
        "missing": missing_table(out),
        "charts": {
            r.stage: outlier_chart(r.details["flagged"])
            for r in reports
            if r.step == "outliers" and r.details.get("flagged")
        },
    }
    missing = out.isna().sum()
    record(
        actor,
        {
            "kind": "clean-data",
            "missing": int(missing.sum()),
            "rows": len(out),
            "missing_columns": [str(c) for c, n in missing.items() if n],
        },
    )


def current_result(spec: PipelineSpec | None) -> dict[str, Any] | None:
    """The last run's output, if it was made by the stages now in the editor."""
    result: dict[str, Any] | None = st.session_state.get("pl_result")
    if result is None or spec is None or result["spec"] != spec.model_dump_json():
        return None
    return result


def render_reports(result: dict[str, Any]) -> None:
    """What each stage of the last run did, from what the run built (nothing recomputed)."""
    for report in result["reports"]:
        label = f"{report.title}: {report.rows_before} → {report.rows_after} rows"
        with st.expander(label):
            st.json(report.details, expanded=False)
            if report.stage in result["charts"]:
                st.altair_chart(result["charts"][report.stage])
            st.dataframe(report.preview, height=220)
    st.markdown("**Missing values after the last stage**")
    st.dataframe(result["missing"], hide_index=True)


def render_code(spec: PipelineSpec) -> None:
    """The pipeline as a pandas/scikit-learn script, and its spec, both downloadable."""
    try:
        script = pipeline_code(spec)
    except (ValueError, KeyError) as exc:  # a source whose file is gone
        st.error(f"The script cannot be written: {exc}")
        return
    left, right = st.columns(2)
    left.download_button(
        "Download the script (.py)", script, file_name="pipeline.py", key="pl_code_download"
    )
    right.download_button(
        "Download the pipeline spec (JSON)",
        spec.model_dump_json(indent=2),
        file_name="pipeline.json",
        mime="application/json",
        key="pl_spec_download",
    )
    st.code(script, language="python")
