"""Class challenges: are runs ranked by their score on rows they never saw, is the run budget
kept (per learner and per team), and does the deadline close entries and open settings?"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from classroom import challenges, team_runs, teams
from classroom.access import Actor
from classroom.classes import ClassInfo
from db.models import Run, utcnow
from db.session import read_session
from engine import artifacts, jobs
from engine.holdout import score_on_holdout
from engine.spec import RunSpec, SpecError
from engine.trainer import RunFiles, SilentHooks, train
from labs import evidence
from labs.teamwork import LAB_ID, challenge_outcome
from tests.conftest import wait_for_end

WEEK = timedelta(days=7)


def open_digits(teacher: Actor, klass: ClassInfo, budget: int = 3, per: str = "learner"):
    return challenges.open_challenge(
        teacher,
        klass.id,
        title="Digits cup",
        lab_id="first-network",
        dataset="digits",
        run_budget=budget,
        budget_per=per,
        deadline=utcnow() + WEEK,
    )


def train_as_worker(run_id: int) -> None:
    """Train a queued run in this process, as the worker would, and record its end."""
    with read_session() as session:
        spec = RunSpec.model_validate(session.get_one(Run, run_id).spec)
    result = train(spec, SilentHooks(), files=RunFiles(model=artifacts.model_path(run_id)))
    jobs.finish(run_id, result.status, result.reason, result.as_dict())


@pytest.fixture
def team_of_two(teacher, klass, make_learner) -> tuple[Actor, Actor, Actor]:
    """Ada and Ben in team Alpha, Cy in team Beta."""
    ada, ben, cy = make_learner("ada"), make_learner("ben"), make_learner("cyd")
    alpha = teams.create_team(teacher, klass.id, "Alpha")
    beta = teams.create_team(teacher, klass.id, "Beta")
    teams.add_member(teacher, alpha.id, ada.id)
    teams.add_member(teacher, alpha.id, ben.id)
    teams.add_member(teacher, beta.id, cy.id)
    return ada, ben, cy


WEAK = {"model": "dense", "epochs": 1, "learning_rate": 1e-4, "hidden_units": 16}
STRONG = {"model": "dense", "epochs": 4, "learning_rate": 1e-2, "hidden_units": 64}


def test_is_the_leaderboard_ranked_by_the_held_out_score(teacher, klass, team_of_two) -> None:
    ada, _ben, cy = team_of_two
    challenge = open_digits(teacher, klass)
    weak = challenges.submit_challenge_run(ada, challenge.id, WEAK)
    strong = challenges.submit_challenge_run(cy, challenge.id, STRONG)
    for run_id in (weak, strong):
        train_as_worker(run_id)

    board = challenges.leaderboard(teacher, challenge.id)

    assert [row.run_id for row in board] == [strong, weak]
    assert [row.rank for row in board] == [1, 2]
    assert [row.team_name for row in board] == ["Beta", "Alpha"]
    with read_session() as session:
        spec = RunSpec.model_validate(session.get_one(Run, strong).spec)
    direct = score_on_holdout(strong, spec)
    assert board[0].score == pytest.approx(direct.accuracy)
    assert board[0].held_out_rows == direct.rows == 360  # a fifth of 1,797 digits
    assert board[0].score > board[1].score


def test_is_a_run_that_did_not_finish_left_off_the_board(teacher, klass, learner) -> None:
    challenge = open_digits(teacher, klass)
    run_id = challenges.submit_challenge_run(learner, challenge.id, WEAK)
    jobs.finish(run_id, "diverged", "The loss became NaN.")
    assert challenges.leaderboard(learner, challenge.id) == []
    evidence_outcome = challenge_outcome(run_id, None)
    assert not any(o.passed for o in evidence.record_objective(learner, LAB_ID, evidence_outcome))


def test_are_settings_hidden_from_other_teams_until_the_deadline(
    teacher, klass, team_of_two
) -> None:
    ada, ben, cy = team_of_two
    challenge = open_digits(teacher, klass)
    ada_run = challenges.submit_challenge_run(ada, challenge.id, STRONG)
    train_as_worker(ada_run)

    def spec_seen_by(actor: Actor) -> dict[str, Any] | None:
        (row,) = challenges.leaderboard(actor, challenge.id)
        return row.spec

    assert spec_seen_by(ada)["epochs"] == 4  # her own run
    assert spec_seen_by(teacher)["epochs"] == 4  # the teacher sees every entry
    assert spec_seen_by(cy) is None  # another team: rank and score only
    assert spec_seen_by(ben) is None  # a teammate too, until she shares it
    team_runs.set_team_shared(ada, ada_run, True)
    assert spec_seen_by(ben)["epochs"] == 4
    assert spec_seen_by(cy) is None

    challenges.close_challenge(teacher, challenge.id)
    assert spec_seen_by(cy)["epochs"] == 4  # after the deadline a rank links to its settings


def test_is_the_per_learner_budget_kept_with_a_clear_message(teacher, klass, learner) -> None:
    challenge = open_digits(teacher, klass, budget=2)
    first = challenges.submit_challenge_run(learner, challenge.id, WEAK)
    challenges.submit_challenge_run(learner, challenge.id, WEAK)
    assert challenges.runs_left(learner, challenge.id) == 0
    with pytest.raises(ValueError, match="You have used all 2 runs"):
        challenges.submit_challenge_run(learner, challenge.id, WEAK)
    jobs.cancel(first)  # a cancelled run leaves no score, so it gives its run back
    assert challenges.runs_left(learner, challenge.id) == 1
    challenges.submit_challenge_run(learner, challenge.id, WEAK)
    assert len(challenges.my_challenge_runs(learner, challenge.id)) == 3


def test_is_a_team_budget_shared_by_its_members(teacher, klass, team_of_two, make_learner) -> None:
    ada, ben, cy = team_of_two
    challenge = open_digits(teacher, klass, budget=2, per="team")
    challenges.submit_challenge_run(ada, challenge.id, WEAK)
    assert challenges.runs_left(ben, challenge.id) == 1
    challenges.submit_challenge_run(ben, challenge.id, WEAK)
    with pytest.raises(ValueError, match="Your team has used all 2 runs"):
        challenges.submit_challenge_run(ada, challenge.id, WEAK)
    assert challenges.runs_left(cy, challenge.id) == 2  # the other team's budget is its own
    loner = make_learner("deena")
    with pytest.raises(ValueError, match="join a team first"):
        challenges.submit_challenge_run(loner, challenge.id, WEAK)


def test_does_the_deadline_close_the_challenge(teacher, klass, learner) -> None:
    challenge = open_digits(teacher, klass)
    challenges.close_challenge(teacher, challenge.id)
    assert not challenges.get_challenge(learner, challenge.id).is_open
    with pytest.raises(ValueError, match="deadline has passed"):
        challenges.submit_challenge_run(learner, challenge.id, WEAK)
    assert challenges.my_challenge_runs(learner, challenge.id) == []


def test_is_a_challenge_run_trained_without_the_held_out_rows(teacher, klass, learner) -> None:
    challenge = open_digits(teacher, klass)
    run_id = challenges.submit_challenge_run(
        learner, challenge.id, {**WEAK, "dataset": "digits", "holdout_seed": None}
    )
    state = jobs.status(run_id)
    assert state.spec["holdout_seed"] == challenge.id  # set by the challenge, not the learner
    assert state.lab_id == "first-network"


def test_is_a_run_on_another_dataset_refused(teacher, klass, learner) -> None:
    challenge = open_digits(teacher, klass)
    with pytest.raises(ValueError, match="uses the digits dataset"):
        challenges.submit_challenge_run(learner, challenge.id, {**WEAK, "dataset": "penguins"})


def test_are_bad_settings_refused_before_they_cost_budget(teacher, klass, learner) -> None:
    challenge = open_digits(teacher, klass, budget=1)
    with pytest.raises(SpecError) as caught:
        challenges.submit_challenge_run(learner, challenge.id, {**WEAK, "learning_rate": 0})
    assert "learning_rate" in caught.value.errors
    assert challenges.runs_left(learner, challenge.id) == 1


def test_does_a_fork_into_the_challenge_record_its_origin_and_use_budget(
    teacher, klass, team_of_two
) -> None:
    ada, ben, _cy = team_of_two
    challenge = open_digits(teacher, klass, budget=1, per="learner")
    origin = challenges.submit_challenge_run(ada, challenge.id, WEAK)
    train_as_worker(origin)
    team_runs.set_team_shared(ada, origin, True)
    fork = team_runs.fork_run(ben, origin, {"epochs": 4, "learning_rate": 1e-2}, challenge.id)
    with read_session() as session:
        row = session.get_one(Run, fork)
        assert (row.owner_id, row.forked_from, row.challenge_id) == (ben.id, origin, challenge.id)
        assert row.spec["epochs"] == 4 and row.spec["hidden_units"] == 16  # the rest kept
    with pytest.raises(ValueError, match="You have used all 1 runs"):
        team_runs.fork_run(ben, origin, {"epochs": 5}, challenge.id)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "  "}, "title of 1 to 120"),
        ({"lab_id": "pipeline-builder"}, "lab that trains a network"),
        ({"lab_id": "no-such-lab"}, "lab that trains a network"),
        ({"dataset": "upload:0123456789abcdef"}, "built-in datasets"),
        ({"run_budget": 0}, "between 1 and 100"),
        ({"run_budget": 1.5}, "whole number"),
        ({"run_budget": True}, "whole number"),
        ({"budget_per": "class"}, "per learner or per team"),
        ({"deadline": datetime(2000, 1, 1)}, "in the future"),
        ({"deadline": utcnow() + timedelta(days=800)}, "within a year"),
    ],
)
def test_is_a_bad_challenge_refused_with_a_clear_message(
    teacher, klass, change: dict[str, Any], message: str
) -> None:
    settings: dict[str, Any] = {
        "title": "Cup",
        "lab_id": "first-network",
        "dataset": "digits",
        "run_budget": 3,
        "budget_per": "learner",
        "deadline": utcnow() + WEEK,
        **change,
    }
    with pytest.raises(ValueError, match=message):
        challenges.open_challenge(teacher, klass.id, **settings)
    assert challenges.list_challenges(teacher) == []


def test_does_a_challenge_run_reach_the_board_through_the_real_worker(
    teacher, klass, learner, worker: Callable[..., Any]
) -> None:
    challenge = open_digits(teacher, klass)
    run_id = challenges.submit_challenge_run(learner, challenge.id, {**WEAK, "epochs": 2})
    assert wait_for_end(run_id).status == "done"
    (row,) = challenges.leaderboard(learner, challenge.id)
    assert row.run_id == run_id and row.mine and 0.0 < row.score <= 1.0
    outcomes = evidence.record_objective(learner, LAB_ID, challenge_outcome(run_id, row.score))
    assert [o.passed for o in outcomes] == [True]
