"""The builder's working pipeline kept in the database: put back into the page's widgets when
it opens (a reload, a new sign-in, or back from another page), saved again on each change."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from classroom import pipeline_drafts, pipelines
from classroom.access import Actor, NotFound
from classroom.pipeline_drafts import Draft, DraftError
from labs.pipeline_builder import PIPELINE_NAME
from ui.pipeline_builder.parts import STAGES

SOURCE_KIND = (
    "pl_source_kind"  # the source radio's key (ui.pipeline_builder.sources): alive = shown
)
SAVED = "pl_draft_saved"  # the draft as last saved or read, as JSON: write only on change
WANTED_VERSION = "pl_draft_version"  # the version chosen when the draft was saved
NOTICE = "pl_draft_notice"
KIND_LABELS = {"bundled": "Bundled dataset", "upload": "My file", "url": "Web address"}


def _fingerprint(sources: Any, stages: Any, version: int | None) -> str:
    return json.dumps([sources, stages, version], sort_keys=True, default=str)


def _upload_state(actor: Actor, prefix: str, source_id: str) -> dict[str, Any]:
    """The session state of the upload widgets for one of the learner's stored files."""
    try:
        info = pipelines.my_source(actor, source_id)
    except NotFound:
        st.session_state[NOTICE] = (
            "The file your pipeline read is no longer stored: upload it again. "
            "Your stages are kept."
        )
        return {}
    return {f"{prefix}_source": info, f"{prefix}_upload_name": info.name}


def _one_source_state(actor: Actor, prefix: str, source: dict[str, Any]) -> dict[str, Any]:
    """The widget values of ui.pipeline_builder.sources.pick_one that choose ``source`` again."""
    kind = str(source.get("kind", ""))
    if kind == "sqlite" and source.get("database") == "demo":
        return {f"{prefix}_source_kind": "Demo database", f"{prefix}_demo_table": source["table"]}
    state: dict[str, Any] = {f"{prefix}_source_kind": KIND_LABELS.get(kind, "My file")}
    if kind == "bundled":
        state[f"{prefix}_bundled"] = source["name"]
    elif kind == "url":
        state[f"{prefix}_url"] = source["url"]
    elif kind == "upload":
        state.update(_upload_state(actor, prefix, source["upload_id"]))
    elif kind == "sqlite":
        state.update(_upload_state(actor, prefix, source["database"]))
        state[f"{prefix}_upload_table"] = source["table"]
    return state


def sources_state(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Session state that makes the source widgets choose ``data`` (sources and join) again."""
    found = data.get("sources") or []
    if not found:
        return {}
    state = _one_source_state(actor, "pl", found[0])
    join = data.get("join")
    if len(found) > 1 and join:
        second = found[1]
        state.update(_one_source_state(actor, "pl2", second))
        state.update(
            pl_join_on=True,
            pl_join_key=join["key"],
            pl_join_column=second.get("join_column") or join["key"],
            pl_join_how=join.get("how", "inner"),
        )
    return state


def restore_draft(actor: Actor) -> None:
    """Put the saved working pipeline into this session, once per opening of the page.
    What this session already holds (stages copied from a teammate) is kept."""
    if SOURCE_KIND in st.session_state:  # the page's widgets are alive: nothing was lost
        return
    try:
        draft = pipeline_drafts.load_draft(actor, PIPELINE_NAME)
    except NotFound:
        return
    if draft is None:
        return
    if draft.sources:
        for key, value in sources_state(actor, draft.sources).items():
            st.session_state[key] = value
    if STAGES not in st.session_state:
        st.session_state[STAGES] = [dict(s) for s in draft.stages]
    st.session_state[WANTED_VERSION] = draft.chosen_version
    st.session_state[SAVED] = _fingerprint(draft.sources, draft.stages, draft.chosen_version)


def show_notice() -> None:
    if notice := st.session_state.pop(NOTICE, None):
        st.warning(notice)


def version_index(numbers: list[int]) -> int:
    """Where the version selector starts: the version saved in the draft, else the newest."""
    wanted = st.session_state.get(WANTED_VERSION)
    return numbers.index(wanted) if wanted in numbers else len(numbers) - 1


def save_draft(
    actor: Actor, sources: dict[str, Any], stages: list[dict[str, Any]], version: int | None
) -> Draft | None:
    """Save the working pipeline if it changed since it was last saved or read."""
    wanted = _fingerprint(sources, stages, version)
    if st.session_state.get(SAVED) == wanted:
        return None
    try:
        saved = pipeline_drafts.save_draft(actor, PIPELINE_NAME, sources, stages, version)
    except (DraftError, NotFound) as exc:
        st.warning(f"Your pipeline could not be saved: {exc}")
        return None
    st.session_state[SAVED] = wanted
    st.session_state[WANTED_VERSION] = version
    return saved
