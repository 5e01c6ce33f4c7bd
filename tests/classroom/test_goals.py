"""Can a learner set goals, tick them off and delete them, with clear refusals for bad input?"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from classroom import goals
from classroom.goals import MAX_GOALS, MAX_TEXT, GoalError


def test_does_a_new_goal_keep_what_by_when_and_which_competency(learner) -> None:
    due = date.today() + timedelta(days=14)
    goal = goals.add_goal(learner, "  Explain   overfitting to a friend ", "critical-thinking", due)
    assert (goal.text, goal.competency, goal.due_on, goal.done) == (
        "Explain overfitting to a friend",
        "critical-thinking",
        due,
        False,
    )
    assert goal.achieved_at is None
    assert [g.id for g in goals.list_goals(learner)] == [goal.id]


def test_does_marking_a_goal_done_record_when_and_reopening_clear_it(learner) -> None:
    goal = goals.add_goal(learner, "Finish the tuning lab", "self-directed-learning")
    done = goals.mark_done(learner, goal.id)
    assert done.done and isinstance(done.achieved_at, datetime)
    again = goals.mark_done(learner, goal.id)  # ticking twice keeps the first date
    assert again.achieved_at == done.achieved_at
    reopened = goals.mark_done(learner, goal.id, done=False)
    assert not reopened.done and reopened.achieved_at is None


def test_does_deleting_a_goal_remove_it(learner) -> None:
    keep = goals.add_goal(learner, "Keep me", "collaboration")
    drop = goals.add_goal(learner, "Drop me", "collaboration")
    goals.delete_goal(learner, drop.id)
    assert [g.id for g in goals.list_goals(learner)] == [keep.id]


def test_are_open_goals_listed_by_due_date_and_met_ones_last(learner) -> None:
    today = date.today()
    late = goals.add_goal(learner, "Later", "collaboration", today + timedelta(days=30))
    undated = goals.add_goal(learner, "Someday", "collaboration")
    soon = goals.add_goal(learner, "Soon", "collaboration", today + timedelta(days=2))
    met = goals.add_goal(learner, "Met already", "collaboration", today - timedelta(days=3))
    goals.mark_done(learner, met.id)
    assert [g.id for g in goals.list_goals(learner)] == [soon.id, late.id, undated.id, met.id]


@pytest.mark.parametrize(
    ("text", "competency", "due", "message"),
    [
        ("", "collaboration", None, "Say what you want to achieve"),
        ("   \n\t", "collaboration", None, "Say what you want to achieve"),
        (None, "collaboration", None, "Say what you want to achieve"),
        ("x" * (MAX_TEXT + 1), "collaboration", None, f"under {MAX_TEXT} characters"),
        ("A goal", "", None, "Choose the competency"),
        ("A goal", None, None, "Choose the competency"),
        ("A goal", "collaboration", "2030-01-01", "as a date"),
        ("A goal", "collaboration", datetime(2030, 1, 1, 9), "as a date"),
    ],
)
def test_is_bad_input_refused_with_a_clear_message(
    learner, text, competency, due, message: str
) -> None:
    with pytest.raises(GoalError, match=message):
        goals.add_goal(learner, text, competency, due)
    assert goals.list_goals(learner) == []


def test_is_a_goal_with_a_past_due_date_kept_to_show_as_overdue(learner) -> None:
    past = date.today() - timedelta(days=1)
    assert goals.add_goal(learner, "Catch up", "digital-literacy", past).due_on == past


def test_is_hostile_text_kept_exactly_as_typed(learner) -> None:
    text = "<script>alert(1)</script> ![x](http://evil/p.png)"
    assert goals.add_goal(learner, text, "collaboration").text == text


def test_is_the_number_of_goals_capped(learner, monkeypatch) -> None:
    monkeypatch.setattr(goals, "MAX_GOALS", 2)
    goals.add_goal(learner, "one", "collaboration")
    goals.add_goal(learner, "two", "collaboration")
    with pytest.raises(GoalError, match="delete some"):
        goals.add_goal(learner, "three", "collaboration")
    assert MAX_GOALS >= 100


def test_does_a_teacher_read_their_learners_goals(teacher, learner) -> None:
    goal = goals.add_goal(learner, "Share a reflection", "collaboration")
    assert [g.id for g in goals.list_goals(teacher, learner_id=learner.id)] == [goal.id]
