"""The learner's team page parts: join or create a team, share runs, teammates' runs, forks."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from classroom import team_runs, teams
from classroom.access import Actor, NotAllowed, NotFound
from classroom.classes import ClassInfo
from classroom.team_runs import SharedRun
from classroom.teams import TeamInfo
from labs import evidence
from labs.teamwork import LAB_ID, fork_outcome, share_outcome
from ui.common.cards import LAB_PAGES
from ui.common.confirm_destructive import destructive_button
from ui.common.markdown_text import md_escape
from ui.teams.settings_form import settings_summary


def render_join_or_create(actor: Actor, classes: list[ClassInfo], mine: list[TeamInfo]) -> None:
    """For each class without a team of the learner's, where learners form teams: join/create."""
    in_team = {t.class_id for t in mine}
    for klass in classes:
        if klass.id in in_team:
            continue
        if not teams.learners_may_form_teams(actor, klass.id):
            st.info(
                f"{md_escape(klass.name)}: your teacher puts you in a team.",
                icon=":material/groups:",
            )
            continue
        with st.container(border=True):
            st.markdown(f"**{md_escape(klass.name)}**: join a team or start one")
            join, create = st.columns(2)
            with join.form(f"join_team_{klass.id}"):
                code = st.text_input("Team code", max_chars=16, key=f"team_code_{klass.id}")
                if st.form_submit_button("Join team"):
                    _act(teams.join_team, (actor, code), "You joined the team.")
            with create.form(f"create_team_{klass.id}"):
                name = st.text_input("Team name", max_chars=80, key=f"team_name_{klass.id}")
                if st.form_submit_button("Create team"):
                    _act(teams.create_team, (actor, klass.id, name), "Team created.")


def _act(action: Callable[..., object], args: tuple[object, ...], done: str) -> None:
    try:
        action(*args)
    except (ValueError, NotFound, NotAllowed) as exc:
        st.error(str(exc))
        return
    st.toast(done)
    st.rerun()


def render_team_header(actor: Actor, team: TeamInfo) -> None:
    names = ", ".join(md_escape(m.display_name) for m in team.members)
    st.markdown(f"**{md_escape(team.name)}** ({md_escape(team.class_name)}): {names}")
    st.caption(f"Team code: `{team.join_code}`")
    if teams.learners_may_form_teams(actor, team.class_id):
        destructive_button(
            "Leave this team",
            f"leave_{team.id}",
            question=(
                f"Leave {md_escape(team.name)}? Your runs stay yours, and you can join again "
                "with the team code."
            ),
            confirm_label="Yes, leave the team",
            action=lambda: _leave(actor, team),
            icon=":material/logout:",
        )


def _leave(actor: Actor, team: TeamInfo) -> str:
    teams.remove_member(actor, team.id, actor.id)
    return f"You left {md_escape(team.name)}."


def _toggle_share(actor: Actor, run: SharedRun) -> None:
    shared = bool(st.session_state[f"share_{run.id}"])
    team_runs.set_team_shared(actor, run.id, shared)
    if shared:
        outcomes = evidence.record_objective(actor, LAB_ID, share_outcome(run.id, run.status))
        if any(o.passed for o in outcomes):
            st.toast("Shared with your team. Objective met: share a finished run.")


def render_my_runs(actor: Actor) -> None:
    """Each finished run of the learner with a switch that shares it with their team."""
    mine = team_runs.my_finished_runs(actor)
    if not mine:
        st.info("Your finished runs appear here. Train one in any lab first.")
        return
    for run in mine:
        score = run.val_accuracy
        accuracy = f" · validation {score:.1%}" if score is not None else ""
        st.toggle(
            f"Run {run.id} · {run.status}{accuracy} · {settings_summary(run.spec)}",
            value=run.shared,
            key=f"share_{run.id}",
            on_change=_toggle_share,
            args=(actor, run),
            help="Your teammates see this run's settings and results while this is on.",
        )


def render_shared_runs(actor: Actor, team: TeamInfo) -> None:
    """Runs the team shares; a teammate's has a Fork button that opens the fork form."""
    shared = team_runs.team_shared_runs(actor, team.id)
    if not shared:
        st.info("Nobody in your team shares a run yet.")
        return
    for run in shared:
        with st.container(border=True):
            score = run.val_accuracy
            accuracy = f"validation {score:.1%}" if score is not None else "no score"
            st.markdown(
                f"**Run {run.id}** by {md_escape(run.owner_name)} · {run.status} · {accuracy}"
            )
            st.caption(settings_summary(run.spec))
            if run.forked_from:
                st.caption(f"Forked from run {run.forked_from}")
            if run.owner_id != actor.id:
                st.button(
                    "Fork",
                    key=f"fork_{run.id}",
                    icon=":material/fork_right:",
                    on_click=_open_fork_form,
                    args=(run.id,),
                )


def _open_fork_form(run_id: int) -> None:
    st.session_state["fork_of"] = run_id  # a callback: the form shows in this very rerun


def render_forks(actor: Actor, team: TeamInfo) -> None:
    """The team's forks the learner may see, with where each came from; checks the learner's
    own finished forks against the fork-and-improve objective."""
    pairs = team_runs.team_forks(actor, team.id)
    if not pairs:
        st.info("No forks yet. Fork a teammate's shared run to start from their settings.")
        return
    for fork, origin in pairs:
        came_from = f"run {fork.forked_from}"
        if origin is not None:
            came_from += f" by {md_escape(origin.owner_name)}"
        line = f"Run {fork.id} by {md_escape(fork.owner_name)} · {fork.status} · from {came_from}"
        if fork.val_accuracy is not None:
            line += f" · validation {fork.val_accuracy:.1%}"
            if origin is not None and origin.val_accuracy is not None:
                line += f" (origin {origin.val_accuracy:.1%})"
        st.markdown(line)
        if fork.owner_id == actor.id and fork.status == "done" and origin is not None:
            _check_fork(actor, fork, origin)
        if fork.owner_id == actor.id and fork.lab_id in LAB_PAGES:
            st.page_link(
                LAB_PAGES[fork.lab_id],
                label=f"Open run {fork.id}",
                query_params={"run": str(fork.id)},
            )


def _check_fork(actor: Actor, fork: SharedRun, origin: SharedRun) -> None:
    outcome = fork_outcome(fork.id, fork.status, fork.val_accuracy, origin.val_accuracy)
    seen = st.session_state.setdefault("_teamwork_recorded", {})
    if fork.id not in seen:
        seen[fork.id] = any(o.passed for o in evidence.record_objective(actor, LAB_ID, outcome))
    if seen[fork.id]:
        st.success("Your fork beat the run it came from.", icon=":material/trending_up:")
