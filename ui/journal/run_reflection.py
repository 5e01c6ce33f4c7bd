"""A reflection tied to one run: its settings and results beside an autosaving text box."""

from __future__ import annotations

import streamlit as st

from classroom import journals
from classroom.access import Actor
from engine.jobs import RunStatus
from labs import evidence
from labs.run_pairs import validation_accuracy
from ui.common.autosave import autosave_text_area
from ui.common.local_time import local_time

SETTING_LABELS = {
    "model": "Model",
    "optimizer": "Optimiser",
    "learning_rate": "Learning rate",
    "batch_size": "Batch size",
    "epochs": "Epochs",
    "hidden_units": "Hidden units",
}


def run_summary_rows(run: RunStatus) -> list[tuple[str, str]]:
    rows = [(label, str(run.spec.get(key))) for key, label in SETTING_LABELS.items()]
    result = run.result or {}
    score = validation_accuracy(result)  # the test score waits for the final test
    if score is not None:
        rows.append(("Validation accuracy", f"{score:.1%}"))
    rows.append(("Outcome", run.status))
    return rows


def render_journal_box(actor: Actor, run: RunStatus, prompt: str) -> None:
    """Write about this run; every pause in typing saves a draft to the database."""
    key = f"journal_run_{run.id}"

    @st.fragment
    def box() -> None:
        entry = journals.entry_for_run(actor, run.id)
        left, right = st.columns([1, 2])
        with left:
            st.markdown("**This run**")
            st.table(
                {
                    "setting": [r[0] for r in run_summary_rows(run)],
                    "value": [r[1] for r in run_summary_rows(run)],
                }
            )
        with right:
            st.markdown(prompt)

            def save(text: str) -> None:
                current = journals.entry_for_run(actor, run.id)
                saved = journals.save_draft(
                    actor, text, entry_id=current.id if current else None, run_id=run.id
                )
                evidence.record_reflection(actor, saved, run.lab_id)

            autosave_text_area(
                "Your reflection",
                entry.body if entry else "",
                key,
                save,
                placeholder="Write a few sentences about this run…",
            )
            if entry and entry.body:
                st.caption(
                    f"Saved {local_time(entry.updated_at)} · "
                    f"{len(entry.body.split())} words · only you can see it "
                    "unless you share it."
                )
                st.toggle(
                    "Share with my teacher",
                    value=entry.shared,
                    key=f"{key}_share",
                    on_change=_toggle_share,
                    args=(actor, entry.id, f"{key}_share"),
                )
            else:
                st.caption("Your text is saved as you type.")

    box()


def _toggle_share(actor: Actor, entry_id: int, key: str) -> None:
    journals.set_shared(actor, entry_id, bool(st.session_state[key]))
