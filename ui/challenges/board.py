"""The leaderboard: ranks and held-out scores; settings where the viewer may see them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from classroom import challenges
from classroom.access import Actor
from classroom.challenges import ChallengeInfo, LeaderboardRow
from labs import evidence
from labs.teamwork import LAB_ID, challenge_outcome
from ui.teams.settings_form import settings_summary


def render_leaderboard(actor: Actor, challenge: ChallengeInfo) -> None:
    board = challenges.leaderboard(actor, challenge.id)
    st.subheader("Leaderboard")
    st.caption(
        "Accuracy on held-out examples that no challenge run trained, validated or tested on."
        + ("" if not challenge.is_open else " Settings show after the deadline.")
    )
    if not board:
        st.info("No scored runs yet. A run appears here once it has finished.")
        return
    _record_entries(actor, board)
    table = pd.DataFrame(
        {
            "rank": [r.rank for r in board],
            "who": [_who(r) for r in board],
            "held-out accuracy": [r.score for r in board],
            "run": [r.run_id for r in board],
            "settings": [settings_summary(r.spec) if r.spec else "hidden" for r in board],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key=f"board_{challenge.id}",
        column_config={
            "held-out accuracy": st.column_config.NumberColumn(format="percent"),
        },
    )
    for row in board:
        if row.spec is not None:
            with st.expander(f"#{row.rank} · run {row.run_id} · settings"):
                if row.forked_from:
                    st.caption(f"Forked from run {row.forked_from}")
                st.json(row.spec, expanded=False)


def _who(row: LeaderboardRow) -> str:
    name = f"{row.owner_name} (you)" if row.mine else row.owner_name
    return f"{name} · {row.team_name}" if row.team_name else name


def _record_entries(actor: Actor, board: list[LeaderboardRow]) -> None:
    """A learner's first scored run meets the enter-the-challenge objective (recorded once)."""
    seen = st.session_state.setdefault("_challenge_recorded", set())
    for row in board:
        if row.mine and row.run_id not in seen and not actor.is_teacher:
            if any(
                o.passed
                for o in evidence.record_objective(
                    actor, LAB_ID, challenge_outcome(row.run_id, row.score)
                )
            ):
                st.toast("Objective met: your run is on the leaderboard.")
            seen.add(row.run_id)
