"""The run a model card explains: choosing one, and its settings, accuracy and groups."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from classroom import challenges, model_cards, runs
from classroom.access import Actor
from classroom.model_cards import run_settings
from engine.jobs import RunStatus
from labs.registry import LABS
from ui.common.markdown_text import md_escape
from ui.runs.group_results import render_group_results
from ui.runs.settings import run_label


def finished_runs(actor: Actor) -> list[RunStatus]:
    """The actor's runs that finished training, from every lab, newest first."""
    return [r for r in runs.my_runs(actor) if r.status == "done" and r.result]


def run_origins(actor: Actor, found: list[RunStatus]) -> dict[int, str]:
    """Where each run came from: its challenge and dataset, or its lab's title."""
    labels = challenges.challenge_run_labels(actor, [r.id for r in found])
    return {
        r.id: labels.get(r.id) or (LABS[r.lab_id].title if r.lab_id in LABS else "no lab")
        for r in found
    }


def pick_run(actor: Actor, found: list[RunStatus], origins: dict[int, str]) -> RunStatus:
    """A select box of the runs; the choice is kept in the address (?run=<id>). Without one,
    it opens on the run of the learner's most recently edited card, else the newest run."""
    ids = [r.id for r in found]
    with_card = [c.run_id for c in model_cards.my_cards(actor) if c.run_id in ids]
    wanted = st.query_params.get("run", "")
    if wanted.isdigit() and int(wanted) in ids:
        index = ids.index(int(wanted))
    else:
        index = ids.index(with_card[0]) if with_card else 0
    chosen = st.selectbox(
        "Which run does this card explain?",
        found,
        index=index,
        format_func=lambda r: (
            f"{run_label(r)} · {origins[r.id]} · {r.spec.get('dataset')}"
            + (" · has a card" if r.id in with_card else "")
        ),
        key="mc_run",
    )
    if str(chosen.id) != wanted:
        st.query_params["run"] = str(chosen.id)
    others = [i for i in with_card if i != chosen.id]
    if others:
        runs_named = ", ".join(str(i) for i in others)
        st.caption(f"You also have a card for run {runs_named}: choose it above to open it.")
    return chosen


def render_run_summary(run: RunStatus, key: str, origin: str | None = None) -> None:
    """Test accuracy, the main settings and the per-group chart of a finished run; ``origin``
    says where it came from (run_origins), else its lab."""
    origin = origin or (LABS[run.lab_id].title if run.lab_id in LABS else "no lab")
    result = run.result or {}
    accuracy = result.get("test_accuracy")
    cols = st.columns([1, 2])
    cols[0].metric("Test accuracy", f"{accuracy:.1%}" if accuracy is not None else "n/a")
    cols[0].caption(f"{md_escape(origin)} · dataset: {run.spec.get('dataset')}")
    settings = pd.DataFrame(run_settings(run.spec), columns=["setting", "value"])
    cols[1].dataframe(settings, hide_index=True, width="stretch", height=180)
    if result.get("group_results"):
        render_group_results(result, key=f"{key}_groups")
    else:
        st.caption(
            "This run's data has no groups to compare (only tables with a text column such "
            "as island or sex have them). Say in the card who might still be poorly served."
        )
