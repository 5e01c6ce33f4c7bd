"""Pipeline versions the team shares: a table, a preview of one version, its CSV, and a button
that copies its stages into the learner's own pipeline builder."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from classroom import team_pipelines
from classroom.access import Actor, NotFound
from classroom.csv_export import safe_csv
from classroom.team_pipelines import SharedVersion
from classroom.teams import TeamInfo
from engine.pipeline.pipeline_spec import STEP_TITLES
from ui.common.local_time import local_times, time_column
from ui.common.markdown_text import md_escape
from ui.pipeline_builder.parts import STAGES

BUILDER_PAGE = "pages/pipeline_builder.py"
PREVIEW_ROWS = 20


def _who(actor: Actor, version: SharedVersion) -> str:
    return "you" if version.owner_id == actor.id else version.owner_name


def _stage_line(index: int, stage: dict[str, Any]) -> str:
    """'2. impute missing values: score, minutes' (the columns a stage works on, if any)."""
    title = STEP_TITLES.get(str(stage.get("step")), str(stage.get("step")))
    columns = stage.get("columns") or stage.get("subset") or stage.get("column") or []
    names = [columns] if isinstance(columns, str) else list(columns)
    where = f": {', '.join(md_escape(str(n)) for n in names)}" if names else ""
    return f"{index}. {title}{where}"


def render_shared_pipelines(actor: Actor, team: TeamInfo) -> None:
    """The team's shared versions as a table, then the chosen one in detail."""
    shared = team_pipelines.team_shared_versions(actor, team.id)
    if not shared:
        st.info(
            "Nobody in your team shares a pipeline yet. In the Pipeline builder, store a "
            "version and switch on 'Share with my team' on its Versions tab."
        )
        return
    rows = [
        {
            "shared by": _who(actor, v),
            "pipeline": v.pipeline_name,
            "version": v.version,
            "rows": v.rows,
            "columns": len(v.columns),
            "stages": v.stage_count,
            "hash": v.content_hash[:12],
            "created": v.created_at,
        }
        for v in shared
    ]
    table = pd.DataFrame(rows)
    table["created"] = local_times(table["created"])
    st.dataframe(table, hide_index=True, column_config={"created": time_column()})
    by_id = {v.id: v for v in shared}
    chosen = st.selectbox(
        "Look at a version",
        list(by_id),
        format_func=lambda i: (
            f"{_who(actor, by_id[i])} · {by_id[i].pipeline_name} v{by_id[i].version}"
        ),
        key="team_pipeline_choice",
    )
    render_shared_version(actor, by_id[chosen])


def render_shared_version(actor: Actor, version: SharedVersion) -> None:
    """First rows, stages, a CSV download and 'use these stages' for one shared version."""
    try:
        frame = team_pipelines.load_shared_table(actor, version.id)
    except NotFound as exc:  # unshared a moment ago, or its file is gone
        st.error(str(exc))
        return
    with st.container(border=True):
        st.caption(f"The first {min(PREVIEW_ROWS, len(frame))} of {len(frame)} rows")
        st.dataframe(frame.head(PREVIEW_ROWS))
        if version.stages:
            st.markdown("\n".join(_stage_line(i + 1, s) for i, s in enumerate(version.stages)))
        else:
            st.caption("This version has no stages: it is the table as it was read.")
        st.download_button(
            "Download this version (CSV)",
            safe_csv(frame),
            file_name=f"{version.pipeline_name.replace(' ', '_')}-v{version.version}.csv",
            mime="text/csv",
            key=f"team_pipeline_csv_{version.id}",
        )
        st.caption(
            "The stages name columns, so they fit a table with the same columns, such as the "
            "same built-in or uploaded data. Your own stages in the builder are replaced."
        )
        if st.button(
            "Use these stages in my pipeline builder",
            key=f"team_pipeline_use_{version.id}",
            disabled=not version.stages,
            icon=":material/content_copy:",
        ):
            use_stages(actor, version)


def use_stages(actor: Actor, version: SharedVersion) -> None:
    """Copy the version's checked stages into the builder's editor and open the builder."""
    try:
        stages = team_pipelines.shared_stages(actor, version.id)
    except (NotFound, ValueError) as exc:
        st.error(str(exc))
        return
    st.session_state[STAGES] = stages
    for stale in ("pl_result", "pl_error"):  # the last run was of other stages
        st.session_state.pop(stale, None)
    st.switch_page(BUILDER_PAGE)
