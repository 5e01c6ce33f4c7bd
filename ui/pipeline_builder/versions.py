"""Stored versions of a learner's pipeline: store, inspect, re-run, compare, train."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from classroom import final_tests, pipelines, runs, team_pipelines, teams
from classroom.access import Actor, NotFound
from classroom.csv_export import safe_csv as safe_csv  # pages/pipeline_builder.py uses it
from engine.data import DataError
from engine.data.message_text import count
from engine.pipeline.errors import PipelineError
from engine.pipeline.monitoring import ColumnDrift, quality_report
from engine.pipeline.pipeline_spec import PipelineSpec, PipelineSpecError, parse_pipeline
from engine.pipeline.versions import VersionInfo
from engine.spec import RunSpec
from labs import evidence, teamwork
from labs.pipeline_builder import LAB, PIPELINE_NAME
from ui.common.local_time import local_times, time_column
from ui.pipeline_builder.charts import distribution_chart, drift_chart, run_history_chart
from ui.pipeline_builder.parts import record
from ui.pipeline_builder.sources import UPLOAD_TYPES
from ui.runs.live_run import render_live_panel
from ui.runs.results import render_final_test


def store_version(actor: Actor, spec: PipelineSpec, frame: pd.DataFrame) -> None:
    with st.spinner("Storing the version…"):
        info = pipelines.save_version(actor, spec, frame)
    st.session_state["pl_stored"] = info.version
    record(actor, {"kind": "stored-version", "version": info.version, "hash": info.content_hash})


def render_store_and_download(
    actor: Actor, spec: PipelineSpec | None, result: dict[str, Any] | None
) -> None:
    """Store the last run's output as a version, or download it as CSV."""
    if not result or spec is None:
        st.caption("Run the pipeline to store or download its output.")
        return
    if st.button("Store as a new version", key="pl_store"):
        store_version(actor, spec, result["frame"])
    cleaned = result["frame"]
    st.download_button(
        "Download the cleaned data (CSV)",
        lambda: safe_csv(cleaned),  # written when asked for: not on every rerun of the page
        file_name="cleaned.csv",
        mime="text/csv",
        key="pl_download",
        on_click="ignore",
    )


def versions_table(actor: Actor) -> list[VersionInfo]:
    """The learner's stored versions as a table, oldest first; returns them."""
    found = pipelines.list_versions(actor, PIPELINE_NAME)
    if not found:
        st.caption("No versions stored yet.")
        return []
    rows = [
        {
            "version": v.version,
            "hash": v.content_hash[:12],
            "rows": v.rows,
            "columns": len(v.columns),
            "sources": ", ".join(s["kind"] for s in v.spec.get("sources", [])),
            "stages": len(v.spec.get("stages", [])),
            "created": v.created_at,
        }
        for v in found
    ]
    table = pd.DataFrame(rows)
    table["created"] = local_times(table["created"])
    st.dataframe(table, hide_index=True, column_config={"created": time_column()})
    return found


@st.cache_data(max_entries=64, show_spinner=False)
def _quality_table(_actor: Actor, owner_id: int, version: int, content_hash: str) -> pd.DataFrame:
    """A version's quality table, computed once per learner and content (a stored version
    never changes); the learner's own id is part of the key, so no one else gets it."""
    report = quality_report(pipelines.load_version(_actor, PIPELINE_NAME, version))
    table = pd.DataFrame(report["columns"])
    table["missing_share"] = (table["missing_share"] * 100).round(1)
    return table.rename(columns={"missing_share": "missing %"})


def render_quality(actor: Actor, info: VersionInfo) -> None:
    """The data-quality report of one stored version: types, missing shares and ranges."""
    table = _quality_table(actor, actor.id, info.version, info.content_hash)
    st.caption(f"Version {info.version}: {count(info.rows, 'row')}. Missing share is in per cent.")
    st.dataframe(table, hide_index=True)


def _toggle_share(actor: Actor, version: int) -> None:
    shared = bool(st.session_state[f"pl_share_{version}"])
    try:
        team_pipelines.set_version_shared(actor, PIPELINE_NAME, version, shared)
    except NotFound as exc:
        st.session_state["pl_share_error"] = str(exc)
        return
    if not shared:
        st.toast(f"Version {version} is no longer shared with your team.")
        return
    mine = team_pipelines.my_versions(actor, PIPELINE_NAME)
    stages = next((v.stage_count for v in mine if v.version == version), 0)
    outcome = teamwork.share_pipeline_outcome(version, stages)
    passed = any(o.passed for o in evidence.record_objective(actor, teamwork.LAB_ID, outcome))
    st.toast(
        f"Version {version} is shared with your team."
        + (" Objective met: share a pipeline your team can reuse." if passed else "")
    )


def render_share_toggle(actor: Actor, version: int) -> None:
    """Share the chosen version with the learner's team (shown only to learners in a team)."""
    if actor.is_teacher or not teams.my_teams(actor):
        return
    shared = {v.version for v in team_pipelines.my_versions(actor, PIPELINE_NAME) if v.shared}
    st.toggle(
        "Share with my team",
        value=version in shared,
        key=f"pl_share_{version}",
        on_change=_toggle_share,
        args=(actor, version),
        help="Your teammates see this version's table and stages, and can copy the stages.",
    )
    if error := st.session_state.pop("pl_share_error", None):
        st.error(error)


# --- re-run the saved pipeline on a new file ---------------------------------------------


def saved_spec(actor: Actor) -> tuple[PipelineSpec, int] | None:
    """The newest stored version's spec (the pipeline as it was saved) and its number."""
    found = pipelines.list_versions(actor, PIPELINE_NAME)
    if not found:
        return None
    try:
        return parse_pipeline(found[-1].spec), found[-1].version
    except PipelineSpecError:
        return None


def render_rerun(actor: Actor) -> None:
    """One click: the saved stages on a newly uploaded file, stored as the next version."""
    saved = saved_spec(actor)
    if saved is None:
        st.caption("Store a version first: its stages become the saved pipeline.")
        return
    spec, before = saved
    st.caption(
        f"The saved pipeline has {len(spec.stages)} stages. Upload a new file with the same "
        "columns to run them again and store the result as the next version."
    )
    file = st.file_uploader("New file", type=UPLOAD_TYPES, key="pl_rerun_upload")
    if st.button("Re-run the saved pipeline on this file", disabled=file is None, key="pl_rerun"):
        assert file is not None
        try:
            source = pipelines.add_source(actor, file.getvalue(), file.name)
            info, _reports = pipelines.rerun_on_source(actor, spec, source.source_id)
        except (DataError, PipelineError, NotFound) as exc:
            st.error(f"Nothing was stored. {exc}")
            return
        record(
            actor, {"kind": "stored-version", "version": info.version, "hash": info.content_hash}
        )
        if info.version == before:
            st.info(f"The new file gives the same data as version {before}; nothing new stored.")
            return
        st.success(f"Stored version {info.version} ({count(info.rows, 'row')}) from {source.name}.")
        compare_versions(actor, before, info.version)


# --- monitor -----------------------------------------------------------------------------


def compare_versions(actor: Actor, a: int, b: int) -> None:
    with st.spinner(f"Comparing version {a} with version {b}…"):
        diff, drifts = pipelines.compare(actor, PIPELINE_NAME, a, b)
    st.session_state["pl_compare"] = (a, b, diff, drifts)
    st.session_state.pop("pl_compare_charts", None)  # drawn once per comparison
    record(actor, {"kind": "found-drift", "drifted": [d.column for d in drifts if d.drifted]})


def render_comparison() -> None:
    found = st.session_state.get("pl_compare")
    if found is None:
        return
    a, b, diff, drifts = found
    st.markdown(f"**Version {a} → version {b}**")
    cols = st.columns(3)
    cols[0].metric(f"Rows in v{a} → v{b}", diff.rows_b, delta=diff.rows_b - diff.rows_a)
    cols[1].metric("Rows added", len(diff.rows_added))
    cols[2].metric("Rows removed", len(diff.rows_removed))
    if diff.columns_added or diff.columns_removed:
        st.caption(
            f"Columns added: {', '.join(diff.columns_added) or 'none'} · "
            f"removed: {', '.join(diff.columns_removed) or 'none'}"
        )
    if not drifts:
        st.info("No columns to compare.")
        return
    charts = _comparison_charts(a, b, drifts)
    st.dataframe(charts["table"], hide_index=True)
    st.altair_chart(charts["drift"])
    by_column = {d.column: d for d in drifts}
    worst = max(drifts, key=lambda d: d.psi).column
    column = st.selectbox(
        "Distribution of", list(by_column), index=list(by_column).index(worst), key="pl_dist"
    )
    if column not in charts["columns"]:
        chosen = by_column[column]
        charts["columns"][column] = distribution_chart(
            chosen.bins, chosen.share_a, chosen.share_b, a, b
        )
    st.altair_chart(charts["columns"][column])


def _comparison_charts(a: int, b: int, drifts: list[ColumnDrift]) -> dict[str, Any]:
    """The comparison's table and charts, built on its first drawing and kept in the session
    (rebuilding altair charts on every rerun was most of a rerun's time)."""
    charts = st.session_state.get("pl_compare_charts")
    if charts is None:
        rows = [
            {
                "column": d.column,
                "kind": d.kind,
                "psi": round(d.psi, 4),
                "ks p-value": None if d.ks_pvalue is None else round(d.ks_pvalue, 4),
                "drifted": d.drifted,
            }
            for d in drifts
        ]
        charts = {"table": pd.DataFrame(rows), "drift": drift_chart(rows), "columns": {}}
        st.session_state["pl_compare_charts"] = charts
    return charts


# --- train -------------------------------------------------------------------------------


def train_on_version(actor: Actor, version: int) -> None:
    """Submit a small dense network on a stored version (it needs a target stage)."""
    try:
        dataset = pipelines.training_dataset(actor, PIPELINE_NAME, version)
        spec = RunSpec(dataset=dataset, model="dense", epochs=20, learning_rate=0.01)
        run_id = runs.submit_run(actor, spec, LAB.id)
    except (DataError, NotFound, ValueError) as exc:
        st.error(str(exc))
        return
    st.session_state["pl_train_version"] = version
    st.query_params["run"] = str(run_id)
    st.info(f"Run {run_id} is queued: a dense network on version {version}.")


def render_training(actor: Actor) -> None:
    """The live panel of the run last started from this lab (it survives a reload)."""
    wanted = st.query_params.get("run")
    if not (wanted and wanted.isdigit()):
        return
    try:
        run = runs.get_run(actor, int(wanted))
    except NotFound:
        st.query_params.pop("run", None)
        return
    if run.lab_id == LAB.id:
        shown = render_live_panel(actor, run.id)
        if not shown.active:  # choose on validation; the test score once, for the run picked
            render_final_test(shown, actor)


def render_history(actor: Actor, version: int) -> None:
    """Every run trained on one version: status and validation accuracy, as a table and a
    line. A run's test score shows only once the learner took the final test on it."""
    rows = [
        {**r, "test_accuracy": r.get("test_accuracy") if _tested(actor, r) else None}
        for r in pipelines.version_runs(actor, PIPELINE_NAME, version)
    ]
    if not rows:
        st.caption(f"No runs on version {version} yet.")
        return
    table = pd.DataFrame(rows)
    table["created_at"] = local_times(table["created_at"])
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "run_id": st.column_config.NumberColumn("run", format="%d"),
            "created_at": time_column("started"),
            "test_accuracy": st.column_config.NumberColumn(
                "final test accuracy",
                format="percent",
                help="Shown once you took the final test on the run you chose.",
            ),
            "best_val_accuracy": st.column_config.NumberColumn(
                "best validation accuracy", format="percent"
            ),
        },
    )
    if any(r.get("best_val_accuracy") is not None for r in rows):
        st.altair_chart(run_history_chart(rows))


def _tested(actor: Actor, row: dict[str, Any]) -> bool:
    return final_tests.was_tested(actor.id, int(row["run_id"]))
