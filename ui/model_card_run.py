"""The run a model card explains: choosing one, and its settings, accuracy and groups."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from classroom import runs
from classroom.access import Actor
from classroom.model_cards import run_settings
from engine.jobs import RunStatus
from ui.group_results import render_group_results
from ui.run_settings import run_label


def finished_runs(actor: Actor) -> list[RunStatus]:
    """The actor's runs that finished training, from every lab, newest first."""
    return [r for r in runs.my_runs(actor) if r.status == "done" and r.result]


def pick_run(found: list[RunStatus]) -> RunStatus:
    """A select box of the runs; the choice is kept in the address (?run=<id>)."""
    ids = [r.id for r in found]
    wanted = st.query_params.get("run", "")
    index = ids.index(int(wanted)) if wanted.isdigit() and int(wanted) in ids else 0
    chosen = st.selectbox(
        "Which run does this card explain?",
        found,
        index=index,
        format_func=lambda r: f"{run_label(r)} · {r.spec.get('dataset')}",
        key="mc_run",
    )
    if str(chosen.id) != wanted:
        st.query_params["run"] = str(chosen.id)
    return chosen


def render_run_summary(run: RunStatus, key: str) -> None:
    """Test accuracy, the main settings and the per-group chart of a finished run."""
    result = run.result or {}
    accuracy = result.get("test_accuracy")
    cols = st.columns([1, 2])
    cols[0].metric("Test accuracy", f"{accuracy:.1%}" if accuracy is not None else "n/a")
    cols[0].caption(f"Lab: {run.lab_id or 'none'} · dataset: {run.spec.get('dataset')}")
    settings = pd.DataFrame(run_settings(run.spec), columns=["setting", "value"])
    cols[1].dataframe(settings, hide_index=True, width="stretch", height=180)
    if result.get("group_results"):
        render_group_results(result, key=f"{key}_groups")
    else:
        st.caption(
            "This run's data has no groups to compare (only tables with a text column such "
            "as island or sex have them). Say in the card who might still be poorly served."
        )
