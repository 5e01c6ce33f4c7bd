"""The teacher's team management for one class: who forms teams, the teams, their members."""

from __future__ import annotations

from functools import partial

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from classroom import classes, team_runs, teams
from classroom.access import Actor, NotFound
from classroom.classes import ClassInfo
from classroom.teams import TeamInfo
from ui.common.confirm_destructive import destructive_button, render_done_notice
from ui.common.markdown_text import md_escape


def render_policy(actor: Actor, klass: ClassInfo) -> None:
    allowed = teams.learners_may_form_teams(actor, klass.id)
    chosen = st.toggle(
        "Learners may create and join teams themselves",
        value=allowed,
        key=f"learners_form_{klass.id}",
        help="Off: only you put learners in teams. On: learners also use team codes.",
    )
    if chosen != allowed:
        teams.set_learners_may_form_teams(actor, klass.id, chosen)
        st.rerun()


def render_new_team(actor: Actor, klass: ClassInfo) -> None:
    with st.form(f"new_team_{klass.id}", clear_on_submit=True):
        name = st.text_input("New team's name", max_chars=80)
        if st.form_submit_button("Create team", icon=":material/group_add:"):
            try:
                teams.create_team(actor, klass.id, name)
            except (ValueError, NotFound) as exc:
                st.error(str(exc))
            else:
                st.rerun()


def render_teams(actor: Actor, klass: ClassInfo) -> None:
    """Each team with its members, a way to add a learner of the class, and its shared runs."""
    render_done_notice()
    all_teams = teams.class_teams(actor, klass.id)
    if not all_teams:
        st.info("No teams in this class yet.")
        return
    roster = classes.roster(actor, klass.id)
    for team in all_teams:
        with st.container(border=True):
            st.markdown(f"**{md_escape(team.name)}** · code `{team.join_code}`")
            _members(actor, team)
            others = [m for m in roster if m.id not in {x.id for x in team.members}]
            add_col, delete_col = st.columns([3, 1])
            learner = add_col.selectbox(
                "Add a learner (moves them from any other team)",
                [None, *others],
                format_func=lambda m: "Choose…" if m is None else m.display_name,
                key=f"add_to_{team.id}",
            )
            if learner is not None:
                teams.add_member(actor, team.id, learner.id)
                st.session_state.pop(f"add_to_{team.id}", None)
                st.rerun()
            _delete_button(actor, team, delete_col)
            shared = team_runs.team_shared_runs(actor, team.id)
            st.caption(f"{len(shared)} run(s) shared within the team")


def _members(actor: Actor, team: TeamInfo) -> None:
    if not team.members:
        st.caption("No members yet.")
    for member in team.members:
        name_col, button_col = st.columns([3, 1])
        name = md_escape(member.display_name)
        name_col.markdown(name)
        destructive_button(
            "Remove",
            f"remove_{team.id}_{member.id}",
            question=f"Take {name} out of {md_escape(team.name)}? They keep their runs.",
            confirm_label=f"Yes, remove {name}",
            action=partial(_remove, actor, team, member.id, member.display_name),
            where=button_col,
        )


def _delete_button(actor: Actor, team: TeamInfo, where: DeltaGenerator) -> None:
    """Deleting a team asks first: its members leave it (their runs and work stay theirs)."""
    name = md_escape(team.name)
    members = len(team.members)
    destructive_button(
        "Delete team",
        f"delete_team_{team.id}",
        question=(
            f"Delete the team {name}? Its {members} member{'s' * (members != 1)} leave the "
            "team; their runs and work stay theirs, and they can join another team."
        ),
        confirm_label=f"Yes, delete {name}",
        action=lambda: _delete(actor, team),
        icon=":material/delete:",
        where=where,
    )


def _delete(actor: Actor, team: TeamInfo) -> str:
    teams.delete_team(actor, team.id)
    return f"Deleted the team {md_escape(team.name)}."


def _remove(actor: Actor, team: TeamInfo, learner_id: int, name: str) -> str:
    teams.remove_member(actor, team.id, learner_id)
    return f"Took {md_escape(name)} out of {md_escape(team.name)}."
