"""Does the progress page compute the right shares, counts, activity, goal states and next
steps from a learner's records?"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from classroom import assignments, goals, journals
from classroom.goals import GoalInfo
from classroom.journals import Entry
from classroom.my_data import Completion
from classroom.progress import StepRef, complete_step
from classroom.progress_summary import (
    AssignedStep,
    build_summary,
    competency_shares,
    goal_states,
    recent_activity,
    step_competencies,
    steps_per_track,
    suggest_next_steps,
)
from curriculum.catalog import Step, Track, competencies, tracks
from engine.jobs import RunStatus
from labs.registry import LAB_TITLES

T0 = datetime(2026, 3, 1, 9, 0)


def step(step_id: str, track_id: str, competency: str, **extra) -> Step:
    return Step(step_id, "concept", f"Title {step_id}", track_id, competency, **extra)


def two_tracks() -> list[Track]:
    """A small world: critical thinking (3 steps), collaboration (2 steps)."""
    ct = "critical-thinking"
    col = "collaboration"
    return [
        Track("ct", ct, "Thinking", "", tuple(step(f"ct{i}", "ct", ct) for i in (1, 2, 3))),
        Track("col", col, "Teams", "", tuple(step(f"col{i}", "col", col) for i in (1, 2))),
    ]


def test_is_each_competency_share_its_done_steps_over_its_steps() -> None:
    shares = {s.competency: s for s in competency_shares({"ct1", "ct3", "col2"}, two_tracks())}
    assert (shares["critical-thinking"].done, shares["critical-thinking"].total) == (2, 3)
    assert shares["critical-thinking"].share == pytest.approx(2 / 3)
    assert shares["collaboration"].share == 0.5
    assert set(shares) == {c.id for c in competencies()}
    assert shares["digital-literacy"].share == 0.0  # no steps here: 0, not a division error


def test_does_a_step_count_for_every_competency_it_lists() -> None:
    multi = step("both", "ct", "critical-thinking", also_counts_for=("collaboration",))
    track = Track("ct", "critical-thinking", "Thinking", "", (multi,))
    assert step_competencies(multi) == ("critical-thinking", "collaboration")
    shares = {s.competency: s.share for s in competency_shares({"both"}, [track])}
    assert shares["critical-thinking"] == shares["collaboration"] == 1.0


def test_are_steps_counted_per_track() -> None:
    counts = steps_per_track({"ct2", "col1", "col2", "elsewhere"}, two_tracks())
    assert [(c.track_id, c.done, c.total) for c in counts] == [("ct", 1, 3), ("col", 2, 2)]


def test_are_assigned_steps_suggested_first_soonest_due_first() -> None:
    assigned = [
        AssignedStep("col", "col2", date(2026, 4, 9)),
        AssignedStep("ct", "ct3", date(2026, 4, 2)),
        AssignedStep("ct", "ct1", date(2026, 3, 1)),  # done already: not suggested
    ]
    found = suggest_next_steps({"ct1"}, assigned, two_tracks())
    assert [s.step.id for s in found[:2]] == ["ct3", "col2"]
    assert found[0].reason == "Assigned by your teacher, due 02 Apr 2026"


def test_is_a_begun_track_continued_before_the_weakest_competency() -> None:
    found = suggest_next_steps({"ct1"}, (), two_tracks())
    assert [s.step.id for s in found] == ["ct2", "col1"]
    assert "started" in found[0].reason
    assert found[1].reason == "Collaboration is your least practised competency so far"


def test_does_a_new_learner_get_the_weakest_competencys_first_step() -> None:
    assert [s.step.id for s in suggest_next_steps(set(), (), two_tracks())] == ["col1"]


def test_is_nothing_suggested_when_everything_is_done() -> None:
    assert suggest_next_steps({"ct1", "ct2", "ct3", "col1", "col2"}, (), two_tracks()) == []


def goal(goal_id: int, done: bool, due: date | None) -> GoalInfo:
    return GoalInfo(goal_id, 1, f"goal {goal_id}", "collaboration", due, done, T0, None)


def test_are_goals_met_overdue_due_soon_or_open() -> None:
    today = date(2026, 3, 10)
    states = goal_states(
        [
            goal(1, False, None),
            goal(2, True, date(2026, 3, 1)),
            goal(3, False, date(2026, 3, 9)),
            goal(4, False, date(2026, 3, 17)),
            goal(5, False, date(2026, 3, 18)),
            goal(6, False, today),
        ],
        today,
    )
    assert [(s.goal.id, s.state) for s in states] == [
        (3, "overdue"),
        (6, "due soon"),
        (4, "due soon"),
        (5, "open"),
        (1, "open"),
        (2, "met"),
    ]


def run(run_id: int, status: str, at: datetime) -> RunStatus:
    return RunStatus(run_id, 1, "first-network", status, None, 1.0, {}, None, at, at, None)


def entry(entry_id: int, body: str, at: datetime) -> Entry:
    return Entry(entry_id, 1, body, False, 1, None, None, None, at)


def test_is_recent_activity_newest_first_across_kinds_and_limited() -> None:
    first_step = next(iter(tracks().values())).steps[0]
    items = recent_activity(
        [Completion("t", first_step.id, "x", T0 + timedelta(hours=1), None)],
        [run(7, "done", T0 + timedelta(hours=3)), run(8, "diverged", T0)],
        [
            entry(1, "word " * 40, T0 + timedelta(hours=2)),
            entry(2, "   ", T0 + timedelta(hours=5)),  # an empty draft is no activity
        ],
        {"first-network": "Train your first network"},
        limit=3,
    )
    assert [i.kind for i in items] == ["run", "journal", "step"]
    assert items[0].text == "Run 7 in Train your first network finished"
    assert items[1].text.endswith("…") and len(items[1].text) < 100
    assert items[2].text == f"Completed “{first_step.title}”"


def test_does_the_summary_gather_a_learners_own_records(learner) -> None:
    track = next(iter(tracks().values()))
    first = track.steps[0]
    complete_step(learner, StepRef(track.id, first.id, track.competency))
    journals.save_draft(learner, "A first thought")
    goals.add_goal(learner, "Late goal", "collaboration", date.today() - timedelta(days=1))
    summary = build_summary(learner, date.today(), LAB_TITLES)
    counted = {c.track_id: c.done for c in summary.tracks}
    assert counted[track.id] == 1 and sum(counted.values()) == 1
    assert [(g.goal.text, g.state) for g in summary.goals] == [("Late goal", "overdue")]
    assert {a.kind for a in summary.activity} == {"step", "journal"}
    assert summary.next_steps[0].step.id == track.steps[1].id  # continue the begun track


def test_does_work_the_teacher_assigned_come_first_in_the_next_steps(
    teacher, klass, learner
) -> None:
    track = list(tracks().values())[-1]
    wanted = track.steps[-1]
    due = date.today() + timedelta(days=5)
    assignments.assign(teacher, klass.id, track.id, due, step_id=wanted.id)
    summary = build_summary(learner, date.today(), LAB_TITLES)
    first = summary.next_steps[0]
    assert first.step.id == wanted.id
    assert first.reason == f"Assigned by your teacher, due {due:%d %b %Y}"
