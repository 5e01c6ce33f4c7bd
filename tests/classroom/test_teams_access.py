"""Who may call what in teams, team runs and challenges? Every function times every actor.

The actors: the owner (a learner in team Alpha), a teammate (also Alpha), a classmate in no
team, a rival (team Beta of the same class), the class's teacher, another class's teacher,
and nobody signed in. Only the documented cells pass; a refusal looks exactly like what the
same actor gets for an id that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest

from classroom import challenges, team_runs, teams
from classroom.access import Actor, NotAllowed, NotFound
from db.models import Run, TeamMember, utcnow
from db.session import read_session
from engine import jobs
from engine.spec import RunSpec
from tests.classroom.matrix import Outcome, matrix_cells
from tests.classroom.matrix import outcome as matrix_outcome
from tests.classroom.people import TEAM_ACTORS as ACTORS
from tests.classroom.people import TeamCast, World

MISSING = 987_654


@dataclass(frozen=True)
class Ids:
    class_id: int
    team_id: int
    team_code: str
    shared_run: int  # the owner's finished run, shared with Alpha
    private_run: int  # the owner's finished run, not shared
    challenge_id: int
    learner_id: int  # the owner


def finished_run(owner: Actor, accuracy: float) -> int:
    run_id = jobs.submit(
        RunSpec(model="dense", epochs=1), owner_id=owner.id, lab_id="first-network"
    )
    jobs.finish(run_id, "done", result={"test_accuracy": accuracy})
    return run_id


@pytest.fixture
def world(team_cast: TeamCast) -> World[Ids]:
    teacher, klass, owner = team_cast.teacher, team_cast.klass, team_cast.owner
    teams.set_learners_may_form_teams(teacher, klass.id, True)
    shared, private = finished_run(owner, 0.9), finished_run(owner, 0.8)
    team_runs.set_team_shared(owner, shared, True)
    challenge = challenges.open_challenge(
        teacher,
        klass.id,
        title="Digits cup",
        lab_id="first-network",
        dataset="digits",
        run_budget=3,
        budget_per="learner",
        deadline=utcnow() + timedelta(days=7),
    )
    alpha = team_cast.alpha
    ids = Ids(klass.id, alpha.id, alpha.join_code, shared, private, challenge.id, owner.id)
    return World(team_cast.actors, ids)


CHALLENGE_RUN = {"model": "dense", "epochs": 1}
OPERATIONS: dict[str, Callable[[Actor | None, Ids], Any]] = {
    "teams.learners_may_form_teams": lambda a, i: teams.learners_may_form_teams(a, i.class_id),
    "teams.set_learners_may_form_teams": lambda a, i: teams.set_learners_may_form_teams(
        a, i.class_id, False
    ),
    "teams.create_team": lambda a, i: teams.create_team(a, i.class_id, "Gamma"),
    "teams.join_team": lambda a, i: teams.join_team(a, i.team_code),
    "teams.add_member": lambda a, i: teams.add_member(a, i.team_id, i.learner_id),
    "teams.remove_member(owner)": lambda a, i: teams.remove_member(a, i.team_id, i.learner_id),
    "teams.delete_team": lambda a, i: teams.delete_team(a, i.team_id),
    "teams.get_team": lambda a, i: teams.get_team(a, i.team_id),
    "teams.class_teams": lambda a, i: teams.class_teams(a, i.class_id),
    "team_runs.get_team_run(shared)": lambda a, i: team_runs.get_team_run(a, i.shared_run),
    "team_runs.get_team_run(private)": lambda a, i: team_runs.get_team_run(a, i.private_run),
    "team_runs.set_team_shared": lambda a, i: team_runs.set_team_shared(a, i.private_run, True),
    "team_runs.team_shared_runs": lambda a, i: team_runs.team_shared_runs(a, i.team_id),
    "team_runs.team_forks": lambda a, i: team_runs.team_forks(a, i.team_id),
    "team_runs.fork_settings": lambda a, i: team_runs.fork_settings(a, i.shared_run),
    "team_runs.fork_run": lambda a, i: team_runs.fork_run(a, i.shared_run, {"epochs": 2}),
    "challenges.open_challenge": lambda a, i: challenges.open_challenge(
        a,
        i.class_id,
        title="Penguin cup",
        lab_id="data-types",
        dataset="penguins",
        run_budget=2,
        budget_per="team",
        deadline=utcnow() + timedelta(days=1),
    ),
    "challenges.close_challenge": lambda a, i: challenges.close_challenge(a, i.challenge_id),
    "challenges.get_challenge": lambda a, i: challenges.get_challenge(a, i.challenge_id),
    "challenges.runs_left": lambda a, i: challenges.runs_left(a, i.challenge_id),
    "challenges.submit_challenge_run": lambda a, i: challenges.submit_challenge_run(
        a, i.challenge_id, CHALLENGE_RUN
    ),
    "challenges.my_challenge_runs": lambda a, i: challenges.my_challenge_runs(a, i.challenge_id),
    "challenges.leaderboard": lambda a, i: challenges.leaderboard(a, i.challenge_id),
}


def _members(team_id: int) -> set[int]:
    with read_session() as session:
        return set(
            session.scalars(
                TeamMember.__table__.select()
                .with_only_columns(TeamMember.learner_id)
                .where(TeamMember.team_id == team_id)
            )
        )


def _run(run_id: int) -> Run:
    with read_session() as session:
        return session.get_one(Run, run_id)


RESULT_CHECKS: dict[str, Callable[[Any, World, Actor], bool]] = {
    "teams.learners_may_form_teams": lambda r, w, a: r is True,
    "teams.set_learners_may_form_teams": lambda r, w, a: (
        not teams.learners_may_form_teams(a, w.ids.class_id)
    ),
    "teams.create_team": lambda r, w, a: r.name == "Gamma" and r.class_id == w.ids.class_id,
    "teams.join_team": lambda r, w, a: r.id == w.ids.team_id and a.id in _members(r.id),
    "teams.add_member": lambda r, w, a: w.ids.learner_id in {m.id for m in r.members},
    "teams.remove_member(owner)": lambda r, w, a: w.ids.learner_id not in _members(w.ids.team_id),
    "teams.delete_team": lambda r, w, a: _members(w.ids.team_id) == set(),
    "teams.get_team": lambda r, w, a: r.id == w.ids.team_id and len(r.members) == 2,
    "teams.class_teams": lambda r, w, a: [t.name for t in r] == ["Alpha", "Beta"],
    "team_runs.get_team_run(shared)": lambda r, w, a: r.id == w.ids.shared_run and r.shared,
    "team_runs.get_team_run(private)": lambda r, w, a: r.id == w.ids.private_run,
    "team_runs.set_team_shared": lambda r, w, a: _run(w.ids.private_run).team_shared,
    "team_runs.team_shared_runs": lambda r, w, a: [x.id for x in r] == [w.ids.shared_run],
    "team_runs.team_forks": lambda r, w, a: r == [],
    "team_runs.fork_settings": lambda r, w, a: r["model"] == "dense" and r["holdout_seed"] is None,
    "team_runs.fork_run": lambda r, w, a: (
        _run(r).owner_id == a.id
        and _run(r).forked_from == w.ids.shared_run
        and _run(r).spec["epochs"] == 2
    ),
    "challenges.open_challenge": lambda r, w, a: r.dataset == "penguins",
    "challenges.close_challenge": lambda r, w, a: not r.is_open,
    "challenges.get_challenge": lambda r, w, a: r.id == w.ids.challenge_id,
    "challenges.runs_left": lambda r, w, a: r == (0 if a.is_teacher else 3),
    "challenges.submit_challenge_run": lambda r, w, a: (
        _run(r).challenge_id == w.ids.challenge_id
        and _run(r).spec["holdout_seed"] == w.ids.challenge_id
    ),
    "challenges.my_challenge_runs": lambda r, w, a: r == [],
    "challenges.leaderboard": lambda r, w, a: r == [],
}

OK, NF, NA, VE = "ok", NotFound, NotAllowed, ValueError
# ValueError: the actor may reach the thing, but the action makes no sense for them (a learner
# already in a team creating another, a teacher entering a challenge); the message says why.
MATRIX: dict[str, tuple[Any, ...]] = {
    #                                  owner mate class rival ownT othT anon
    "teams.learners_may_form_teams": (OK, OK, OK, OK, OK, NF, NF),
    "teams.set_learners_may_form_teams": (NA, NA, NA, NA, OK, NF, NA),
    "teams.create_team": (VE, VE, OK, VE, OK, NF, NF),
    "teams.join_team": (OK, OK, OK, VE, NF, NF, NF),
    "teams.add_member": (NA, NA, NA, NA, OK, NF, NA),
    "teams.remove_member(owner)": (OK, NA, NA, NA, OK, NF, NF),
    "teams.delete_team": (NA, NA, NA, NA, OK, NF, NA),
    "teams.get_team": (OK, OK, NF, NF, OK, NF, NF),
    "teams.class_teams": (NA, NA, NA, NA, OK, NF, NA),
    "team_runs.get_team_run(shared)": (OK, OK, NF, NF, OK, NF, NF),
    "team_runs.get_team_run(private)": (OK, NF, NF, NF, OK, NF, NF),
    "team_runs.set_team_shared": (OK, NF, NF, NF, NF, NF, NF),
    "team_runs.team_shared_runs": (OK, OK, NF, NF, OK, NF, NF),
    "team_runs.team_forks": (OK, OK, NF, NF, OK, NF, NF),
    "team_runs.fork_settings": (OK, OK, NF, NF, OK, NF, NF),
    "team_runs.fork_run": (OK, OK, NF, NF, OK, NF, NF),
    "challenges.open_challenge": (NA, NA, NA, NA, OK, NF, NA),
    "challenges.close_challenge": (NA, NA, NA, NA, OK, NF, NA),
    "challenges.get_challenge": (OK, OK, OK, OK, OK, NF, NF),
    "challenges.runs_left": (OK, OK, OK, OK, OK, NF, NF),
    "challenges.submit_challenge_run": (OK, OK, OK, OK, VE, NF, NF),
    "challenges.my_challenge_runs": (OK, OK, OK, OK, OK, NF, NF),
    "challenges.leaderboard": (OK, OK, OK, OK, OK, NF, NF),
}
CELLS = matrix_cells(MATRIX, ACTORS)


REFUSALS = (NotFound, NotAllowed, ValueError)


def outcome(call: Callable[[], Any]) -> Outcome:
    return matrix_outcome(call, REFUSALS)


def test_does_the_matrix_cover_every_operation() -> None:
    assert set(MATRIX) == set(OPERATIONS) == set(RESULT_CHECKS)
    assert all(len(row) == len(ACTORS) for row in MATRIX.values())


@pytest.mark.parametrize(("op", "actor_name", "expected"), CELLS)
def test_is_only_the_documented_cell_allowed(
    world: World, op: str, actor_name: str, expected: Any
) -> None:
    actor = world.actors[actor_name]
    error, message, result = outcome(lambda: OPERATIONS[op](actor, world.ids))
    if expected == OK:
        assert error is None, f"{actor_name} was refused: {message}"
        assert RESULT_CHECKS[op](result, world, actor)
    else:
        assert error is expected, f"{actor_name} got {error or result!r}"
        assert message  # every refusal says something


@pytest.mark.parametrize(
    ("op", "actor_name", "expected"),
    [c for c in CELLS if c.values[2] in (NF, NA)],
)
def test_does_a_refusal_look_the_same_as_a_missing_id(
    world: World, op: str, actor_name: str, expected: Any
) -> None:
    actor = world.actors[actor_name]
    missing = Ids(MISSING, MISSING, "NOSUCH", MISSING, MISSING, MISSING, MISSING)
    refused = outcome(lambda: OPERATIONS[op](actor, world.ids))
    absent = outcome(lambda: OPERATIONS[op](actor, missing))
    assert refused == absent


@pytest.mark.parametrize(
    ("op", "field"),
    [
        ("teams.get_team", "team_id"),
        ("teams.join_team", "team_code"),
        ("team_runs.get_team_run(shared)", "shared_run"),
        ("team_runs.fork_run", "shared_run"),
        ("challenges.get_challenge", "challenge_id"),
        ("challenges.leaderboard", "challenge_id"),
    ],
)
def test_is_a_truly_missing_id_not_found_even_for_an_allowed_actor(
    world: World, op: str, field: str
) -> None:
    allowed = next(a for a, e in zip(ACTORS, MATRIX[op], strict=True) if e == OK)
    value = "NOSUCH" if field == "team_code" else MISSING
    with pytest.raises(NotFound):
        OPERATIONS[op](world.actors[allowed], replace(world.ids, **{field: value}))


def test_does_unsharing_hide_the_run_from_the_team_at_once(world: World) -> None:
    owner, mate = world.actors["owner"], world.actors["teammate"]
    assert team_runs.get_team_run(mate, world.ids.shared_run).id == world.ids.shared_run
    team_runs.set_team_shared(owner, world.ids.shared_run, False)
    with pytest.raises(NotFound):
        team_runs.get_team_run(mate, world.ids.shared_run)
    assert team_runs.team_shared_runs(mate, world.ids.team_id) == []
    with pytest.raises(NotFound):
        team_runs.fork_run(mate, world.ids.shared_run)


def test_does_leaving_the_team_end_the_view_of_its_shared_runs(world: World) -> None:
    mate = world.actors["teammate"]
    teams.remove_member(mate, world.ids.team_id, mate.id)
    with pytest.raises(NotFound):
        team_runs.get_team_run(mate, world.ids.shared_run)
    with pytest.raises(NotFound):
        team_runs.team_shared_runs(mate, world.ids.team_id)


@pytest.mark.parametrize(
    ("actor_name", "expected"),
    [
        ("owner", ["Alpha"]),
        ("teammate", ["Alpha"]),
        ("classmate", []),
        ("rival", ["Beta"]),
        ("own teacher", []),
        ("other teacher", []),
    ],
)
def test_do_listings_show_only_ones_own_teams_and_runs(
    world: World, actor_name: str, expected: list[str]
) -> None:
    actor = world.actors[actor_name]
    assert [t.name for t in teams.my_teams(actor)] == expected
    own_runs = {r.id for r in team_runs.my_finished_runs(actor)}
    mine = actor_name == "owner"
    assert (world.ids.shared_run in own_runs) is mine
    assert (world.ids.private_run in own_runs) is mine


def test_does_a_teacher_see_no_team_of_another_class(world: World) -> None:
    other = world.actors["other teacher"]
    assert [c.id for c in challenges.list_challenges(other)] == []
    own = world.actors["own teacher"]
    assert [c.id for c in challenges.list_challenges(own)] == [world.ids.challenge_id]


@pytest.mark.parametrize(
    "call",
    [
        lambda: teams.my_teams(None),
        lambda: team_runs.my_finished_runs(None),
        lambda: challenges.list_challenges(None),
    ],
)
def test_is_nobody_signed_in_refused_everywhere(world: World, call: Callable[[], Any]) -> None:
    with pytest.raises((NotFound, NotAllowed)):
        call()
