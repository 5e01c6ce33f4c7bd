"""Does a class's teacher, and only they, get the teacher's tools of that class?

classroom.access.teaches_class is the one rule; each service below asks it. Another teacher
is refused with the same message a missing id gets, and the class's own teacher gets through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from classroom import assignments, challenges, classes, journals, teams
from classroom.access import Actor, NotFound, teaches_class
from db.models import utcnow
from db.session import read_session
from tests.classroom.people import Cast

MISSING = 987_654
TRACK = "digital-literacy"


def test_does_only_the_class_teacher_teach_it(cast: Cast) -> None:
    class_id = cast.klass.id
    with read_session() as session:
        assert teaches_class(session, cast.teacher, class_id)
        assert not teaches_class(session, cast.other_teacher, class_id)
        assert not teaches_class(session, cast.owner, class_id)  # a learner of the class
        assert not teaches_class(session, None, class_id)
        assert not teaches_class(session, cast.teacher, MISSING)


@dataclass(frozen=True)
class Ids:
    class_id: int
    team_id: int
    challenge_id: int
    assignment_id: int
    learner_id: int


@pytest.fixture
def ids(cast: Cast) -> Ids:
    teacher, class_id = cast.teacher, cast.klass.id
    team = teams.create_team(teacher, class_id, "Alpha")
    teams.add_member(teacher, team.id, cast.owner.id)
    challenge = challenges.open_challenge(
        teacher,
        class_id,
        title="Digits",
        lab_id="first-network",
        dataset="digits",
        run_budget=3,
        budget_per="learner",
        deadline=utcnow() + timedelta(days=7),
    )
    [work] = assignments.assign(teacher, class_id, TRACK, date.today() + timedelta(days=7))
    return Ids(class_id, team.id, challenge.id, work.id, cast.owner.id)


def _open_challenge(actor: Actor, class_id: int) -> challenges.ChallengeInfo:
    return challenges.open_challenge(
        actor,
        class_id,
        title="Another",
        lab_id="first-network",
        dataset="digits",
        run_budget=3,
        budget_per="learner",
        deadline=utcnow() + timedelta(days=7),
    )


# Each public function that asks teaches_class, and the message a refusal gives.
CALLS: dict[str, tuple[Callable[[Actor, Ids], Any], str]] = {
    "classes.get_class": (lambda a, i: classes.get_class(a, i.class_id), "No such class."),
    "assignments.unassign": (
        lambda a, i: assignments.unassign(a, i.assignment_id),
        "No such assignment.",
    ),
    "journals.shared_entries_for_class": (
        lambda a, i: journals.shared_entries_for_class(a, i.class_id),
        "No such class.",
    ),
    "challenges.open_challenge": (lambda a, i: _open_challenge(a, i.class_id), "No such class."),
    "challenges.close_challenge": (
        lambda a, i: challenges.close_challenge(a, i.challenge_id),
        "No such challenge.",
    ),
    "challenges.get_challenge": (
        lambda a, i: challenges.get_challenge(a, i.challenge_id),
        "No such challenge.",
    ),
    "challenges.leaderboard": (
        lambda a, i: challenges.leaderboard(a, i.challenge_id),
        "No such challenge.",
    ),
    "teams.learners_may_form_teams": (
        lambda a, i: teams.learners_may_form_teams(a, i.class_id),
        "No such class.",
    ),
    "teams.set_learners_may_form_teams": (
        lambda a, i: teams.set_learners_may_form_teams(a, i.class_id, True),
        "No such class.",
    ),
    "teams.create_team": (lambda a, i: teams.create_team(a, i.class_id, "Beta"), "No such class."),
    "teams.add_member": (
        lambda a, i: teams.add_member(a, i.team_id, i.learner_id),
        "No such team.",
    ),
    "teams.remove_member": (
        lambda a, i: teams.remove_member(a, i.team_id, i.learner_id),
        "No such team.",
    ),
    "teams.delete_team": (lambda a, i: teams.delete_team(a, i.team_id), "No such team."),
    "teams.class_teams": (lambda a, i: teams.class_teams(a, i.class_id), "No such class."),
    "teams.get_team": (lambda a, i: teams.get_team(a, i.team_id), "No such team."),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_is_another_teacher_refused_like_a_missing_id(name: str, cast: Cast, ids: Ids) -> None:
    call, message = CALLS[name]
    with pytest.raises(NotFound) as refused:
        call(cast.other_teacher, ids)
    assert str(refused.value) == message


@pytest.mark.parametrize("name", sorted(CALLS))
def test_does_the_class_teacher_get_through(name: str, cast: Cast, ids: Ids) -> None:
    call, _ = CALLS[name]
    call(cast.teacher, ids)  # raises if refused
