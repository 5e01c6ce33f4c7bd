"""The team, teams and challenges pages with AppTest: forming teams, sharing and forking runs,
opening a challenge, entering it, and a leaderboard that hides other teams' settings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from classroom import challenges, journals, progress, team_runs, teams
from db.models import Run, utcnow
from db.session import read_session
from engine import artifacts, jobs
from engine.spec import RunSpec
from engine.trainer import RunFiles, SilentHooks, train
from labs import evidence
from tests.pages.helpers import button, shown


def finished_run(owner, accuracy: float = 0.9, **settings) -> int:
    spec = {"model": "dense", "epochs": 1, **settings}
    run_id = jobs.submit(RunSpec(**spec), owner_id=owner.id, lab_id="first-network")
    jobs.finish(run_id, "done", result={"val_accuracy": accuracy, "test_accuracy": accuracy})
    return run_id


def train_as_worker(run_id: int) -> None:
    with read_session() as session:
        spec = RunSpec.model_validate(session.get_one(Run, run_id).spec)
    result = train(spec, SilentHooks(), files=RunFiles(model=artifacts.model_path(run_id)))
    jobs.finish(run_id, result.status, result.reason, result.as_dict())


@pytest.fixture
def pair(teacher, klass, make_learner):
    """Ada and Ben in team Alpha, formed by the teacher."""
    ada, ben = make_learner("ada"), make_learner("ben")
    alpha = teams.create_team(teacher, klass.id, "Alpha")
    teams.add_member(teacher, alpha.id, ada.id)
    teams.add_member(teacher, alpha.id, ben.id)
    return ada, ben, alpha


def test_does_a_learner_without_a_team_learn_who_forms_teams(open_page, klass, learner) -> None:
    at = open_page(learner, "pages/team.py")
    assert "your teacher puts you in a team" in shown(at)


def test_can_a_learner_create_a_team_where_the_class_allows_it(
    open_page, teacher, klass, learner
) -> None:
    teams.set_learners_may_form_teams(teacher, klass.id, True)
    at = open_page(learner, "pages/team.py")
    at.text_input(key=f"team_name_{klass.id}").input("Night <b>Owls</b>")
    button(at, "Create team").click().run()
    assert not at.exception
    [team] = teams.my_teams(learner)
    assert team.name == "Night <b>Owls</b>"
    assert "Night \\<b\\>Owls\\</b\\>" in shown(at)  # the name is shown as text, not markup


def test_does_sharing_a_run_show_it_to_the_teammate_and_count_as_evidence(open_page, pair) -> None:
    ada, ben, _alpha = pair
    run_id = finished_run(ada, 0.91)
    at = open_page(ada, "pages/team.py")
    at.toggle(key=f"share_{run_id}").set_value(True).run()
    assert not at.exception
    assert team_runs.get_team_run(ben, run_id).shared
    assert "col-share-a-run" in progress.completed_steps(ada)

    mate = open_page(ben, "pages/team.py")
    assert f"**Run {run_id}** by Ada" in shown(mate)

    team_runs.set_team_shared(ada, run_id, False)
    mate.run()  # unsharing hides it at the teammate's next rerun
    assert f"**Run {run_id}**" not in shown(mate)
    assert "Nobody in your team shares a run yet." in shown(mate)


def test_does_forking_start_the_learners_own_run_from_the_teammates_settings(
    open_page, pair
) -> None:
    ada, ben, _alpha = pair
    origin = finished_run(ada, 0.5, hidden_units=16, learning_rate=0.01)
    team_runs.set_team_shared(ada, origin, True)
    at = open_page(ben, "pages/team.py")
    button(at, "Fork").click().run()
    assert not at.exception
    assert at.number_input(key=f"fork_{origin}_hidden").value == 16  # prefilled
    at.number_input(key=f"fork_{origin}_epochs").set_value(3)
    button(at, "Train my fork").click().run()
    assert not at.exception
    [fork] = jobs.list_runs(ben.id)
    with read_session() as session:
        row = session.get_one(Run, fork.id)
    assert (row.forked_from, row.spec["epochs"], row.spec["hidden_units"]) == (origin, 3, 16)
    assert f"Your fork, run {fork.id}, is queued" in shown(at)


def test_does_a_fork_that_beats_its_origin_meet_the_objective(open_page, pair) -> None:
    ada, ben, _alpha = pair
    origin = finished_run(ada, 0.5)
    team_runs.set_team_shared(ada, origin, True)
    fork = team_runs.fork_run(ben, origin, {"epochs": 2})
    # Better on validation, worse on test: the fork is judged on validation.
    jobs.finish(fork, "done", result={"val_accuracy": 0.8, "test_accuracy": 0.4})
    at = open_page(ben, "pages/team.py")
    assert "Your fork beat the run it came from." in shown(at)
    assert "col-fork-and-improve" in progress.completed_steps(ben)
    assert f"Run {fork} by Ben · done · from run {origin} by Ada" in shown(at)


def test_can_a_teacher_form_a_team_on_the_teams_page(open_page, teacher, klass, learner) -> None:
    at = open_page(teacher, "pages/teams_admin.py")
    at.text_input[0].input("Alpha")
    button(at, "Create team").click().run()
    [team] = teams.class_teams(teacher, klass.id)
    at.selectbox(key=f"add_to_{team.id}").select_index(1).run()
    assert not at.exception
    assert [m.id for m in teams.get_team(teacher, team.id).members] == [learner.id]
    at.toggle(key=f"learners_form_{klass.id}").set_value(True).run()
    assert teams.learners_may_form_teams(teacher, klass.id)


def test_is_the_teams_page_not_in_a_learners_navigation(app_as, learner) -> None:
    at = app_as(learner)
    with pytest.raises(ValueError):
        at.switch_page("pages/teams_admin.py").run()


def test_can_a_teacher_open_a_challenge_on_the_page(open_page, teacher, klass) -> None:
    at = open_page(teacher, "pages/challenges.py")
    at.text_input[0].input("Digits cup")
    button(at, "Open the challenge").click().run()
    assert not at.exception
    [challenge] = challenges.list_challenges(teacher)
    assert (challenge.title, challenge.dataset, challenge.run_budget) == ("Digits cup", "digits", 5)
    assert challenge.is_open


def test_does_an_empty_title_get_a_clear_message(open_page, teacher, klass) -> None:
    at = open_page(teacher, "pages/challenges.py")
    button(at, "Open the challenge").click().run()
    assert "Give the challenge a title" in shown(at)
    assert challenges.list_challenges(teacher) == []


def test_does_a_learner_enter_a_run_and_see_the_budget_left(
    open_page, teacher, klass, pair
) -> None:
    ada, _ben, _alpha = pair
    challenge = challenges.open_challenge(
        teacher,
        klass.id,
        title="Digits cup",
        lab_id="first-network",
        dataset="digits",
        run_budget=2,
        budget_per="team",
        deadline=utcnow() + timedelta(days=3),
    )
    at = open_page(ada, "pages/challenges.py")
    assert at.metric[0].value == "2 of 2"
    at.number_input(key=f"challenge_{challenge.id}_epochs").set_value(1)
    button(at, "Train for the challenge").click().run()
    assert not at.exception
    [entry] = challenges.my_challenge_runs(ada, challenge.id)
    assert entry.spec["holdout_seed"] == challenge.id and entry.spec["epochs"] == 1
    assert at.metric[0].value == "1 of 2"


def test_does_the_board_hide_another_teams_settings_until_the_deadline(
    open_page, teacher, klass, pair, make_learner
) -> None:
    ada, _ben, _alpha = pair
    rival = make_learner("rival")
    challenge = challenges.open_challenge(
        teacher,
        klass.id,
        title="Digits cup",
        lab_id="first-network",
        dataset="digits",
        run_budget=2,
        budget_per="learner",
        deadline=utcnow() + timedelta(days=3),
    )
    run_id = challenges.submit_challenge_run(ada, challenge.id, {"model": "dense", "epochs": 2})
    train_as_worker(run_id)

    at = open_page(rival, "pages/challenges.py")
    board = at.dataframe[0].value
    assert list(board["run"]) == [run_id] and list(board["settings"]) == ["hidden"]
    assert 0 < board["held-out accuracy"][0] <= 1
    assert not at.get("json")
    assert "col-enter-the-challenge" not in progress.completed_steps(rival)

    own = open_page(ada, "pages/challenges.py")
    assert own.dataframe[0].value["settings"][0].startswith("Dense on digits")
    assert "col-enter-the-challenge" in progress.completed_steps(ada)

    challenges.close_challenge(teacher, challenge.id)
    at.run()
    assert at.dataframe[0].value["settings"][0].startswith("Dense on digits")
    assert at.get("json")  # a rank now opens its run's full settings


@pytest.mark.parametrize(
    ("role", "page", "expected"),
    [
        ("learner", "pages/team.py", "My team"),
        ("learner", "pages/challenges.py", "Class challenges"),
        ("teacher", "pages/team.py", "My team"),
        ("teacher", "pages/challenges.py", "Class challenges"),
        ("teacher", "pages/teams_admin.py", "Teams"),
    ],
)
def test_does_each_page_render_for_each_role(
    open_page, teacher, learner, role: str, page: str, expected: str
) -> None:
    at = open_page(teacher if role == "teacher" else learner, page)
    assert [t.value for t in at.title] == [expected]


def test_can_a_learner_without_a_team_reflect_on_teamwork(open_page, klass, learner) -> None:
    at = open_page(learner, "pages/team.py")
    assert not at.exception
    assert at.expander[0].label == "Reflect on working as a team"
    text = " ".join(shown(at).split())
    assert "If you worked without a team" in text  # the prompt has a path for them
    words = "I learned from the pipeline a classmate shared and from the review I got. " * 4
    entry = journals.save_draft(
        learner, words, track_id="collaboration", step_id="col-reflect-teamwork"
    )
    assert evidence.record_step_reflection(learner, entry, "teamwork")
    assert "col-reflect-teamwork" in progress.completed_steps(learner)
