"""What the "My progress" page shows, computed from plain data (no streamlit, no SQL):
competency shares, steps per track, recent activity, goal states and next steps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from classroom import assignments, goals, journals, my_data, progress, runs
from classroom.access import Actor
from classroom.goals import GoalInfo
from classroom.journals import Entry
from classroom.my_data import Completion
from curriculum.catalog import Step, Track, competencies, tracks
from engine.jobs import RunStatus

DUE_SOON = timedelta(days=7)


def step_competencies(step: Step) -> tuple[str, ...]:
    """The competencies a step counts for: its track's, and any it also counts for."""
    return step.competencies


@dataclass(frozen=True)
class Share:
    competency: str
    name: str
    done: int
    total: int

    @property
    def share(self) -> float:
        return self.done / self.total if self.total else 0.0


def competency_shares(done: set[str], all_tracks: Iterable[Track] | None = None) -> list[Share]:
    """For each competency, how many of the steps that count for it are done."""
    steps = [s for t in (all_tracks or tracks().values()) for s in t.steps]
    shares = []
    for comp in competencies():
        counting = [s for s in steps if comp.id in step_competencies(s)]
        shares.append(Share(comp.id, comp.name, sum(s.id in done for s in counting), len(counting)))
    return shares


@dataclass(frozen=True)
class TrackCount:
    track_id: str
    title: str
    done: int
    total: int


def steps_per_track(done: set[str], all_tracks: Iterable[Track] | None = None) -> list[TrackCount]:
    return [
        TrackCount(t.id, t.title, sum(s.id in done for s in t.steps), len(t.steps))
        for t in (all_tracks or tracks().values())
    ]


@dataclass(frozen=True)
class Activity:
    at: datetime
    kind: str  # step | run | journal
    text: str


RUN_WORDS = {
    "done": "finished",
    "failed": "failed",
    "cancelled": "was cancelled",
    "interrupted": "was interrupted",
    "diverged": "diverged",
    "queued": "is waiting to start",
    "running": "is training",
}


def recent_activity(
    completed: Iterable[Completion],
    runs: Iterable[RunStatus],
    entries: Iterable[Entry],
    lab_titles: dict[str, str] | None = None,
    limit: int = 8,
) -> list[Activity]:
    """The latest step completions, runs and journal entries, newest first."""
    titles = {s.id: s.title for t in tracks().values() for s in t.steps}
    labs = lab_titles or {}
    items = [
        Activity(c.completed_at, "step", f"Completed “{titles.get(c.step_id, c.step_id)}”")
        for c in completed
    ]
    for run in runs:
        lab = labs.get(run.lab_id or "", run.lab_id or "a lab")
        words = RUN_WORDS.get(run.status, run.status)
        items.append(
            Activity(run.finished_at or run.created_at, "run", f"Run {run.id} in {lab} {words}")
        )
    for entry in entries:
        if entry.body.strip():
            preview = " ".join(entry.body.split())
            preview = preview if len(preview) <= 60 else preview[:57] + "…"
            items.append(Activity(entry.updated_at, "journal", f"Wrote in the journal: {preview}"))
    return sorted(items, key=lambda a: a.at, reverse=True)[:limit]


@dataclass(frozen=True)
class GoalState:
    goal: GoalInfo
    state: str  # met | overdue | due soon | open


def goal_states(goals: Iterable[GoalInfo], today: date) -> list[GoalState]:
    """Each goal with its state; overdue first, then due soon, open, and met last."""
    order = {"overdue": 0, "due soon": 1, "open": 2, "met": 3}
    states = []
    for goal in goals:
        if goal.done:
            state = "met"
        elif goal.due_on is not None and goal.due_on < today:
            state = "overdue"
        elif goal.due_on is not None and goal.due_on - today <= DUE_SOON:
            state = "due soon"
        else:
            state = "open"
        states.append(GoalState(goal, state))
    return sorted(states, key=lambda g: (order[g.state], g.goal.due_on or date.max, g.goal.id))


@dataclass(frozen=True)
class AssignedStep:
    track_id: str
    step_id: str
    due_on: date | None


@dataclass(frozen=True)
class Suggestion:
    step: Step
    reason: str


def suggest_next_steps(
    done: set[str],
    assigned: Iterable[AssignedStep] = (),
    all_tracks: Iterable[Track] | None = None,
    limit: int = 3,
) -> list[Suggestion]:
    """Unfinished assigned steps first (soonest due), then the next step of each track begun
    but not finished, then the next step of the weakest competency's track."""
    track_list = list(all_tracks or tracks().values())
    steps = {s.id: s for t in track_list for s in t.steps}
    found: list[Suggestion] = []

    def add(step: Step, reason: str) -> None:
        if step.id not in done and all(f.step.id != step.id for f in found):
            found.append(Suggestion(step, reason))

    for item in sorted(assigned, key=lambda a: (a.due_on or date.max, a.track_id)):
        if item.step_id in steps:
            due = f", due {item.due_on:%d %b %Y}" if item.due_on else ""
            add(steps[item.step_id], f"Assigned by your teacher{due}")
    for track in track_list:
        begun = any(s.id in done for s in track.steps)
        upcoming = [s for s in track.steps if s.id not in done]
        if begun and upcoming:
            add(upcoming[0], f"Next in “{track.title}”, which you have started")
    shares = sorted(competency_shares(done, track_list), key=lambda s: (s.share, s.name))
    for weakest in shares:
        upcoming = [
            s
            for t in track_list
            for s in t.steps
            if weakest.competency in step_competencies(s) and s.id not in done
        ]
        if upcoming:
            add(upcoming[0], f"{weakest.name} is your least practised competency so far")
            break
    return found[:limit]


@dataclass(frozen=True)
class ProgressSummary:
    shares: list[Share]
    tracks: list[TrackCount]
    activity: list[Activity]
    goals: list[GoalState]
    next_steps: list[Suggestion]


def assigned_steps(actor: Actor) -> list[AssignedStep]:
    """Every step set for the actor by their teachers (a whole track: each of its steps)."""
    found = []
    for item in assignments.assignments_for_learner(actor):
        if item.track_id not in tracks():  # a track since removed from the content
            continue
        found += [AssignedStep(item.track_id, s.id, item.due_date) for s in item.steps]
    return found


def build_summary(actor: Actor, today: date, lab_titles: dict[str, str]) -> ProgressSummary:
    """Everything the progress page shows about the actor's own work (``lab_titles``: each
    lab's id and title, from the lab registry above this layer)."""
    done = progress.completed_steps(actor)
    assigned = assigned_steps(actor)
    activity = recent_activity(
        my_data.completions(actor),
        runs.my_runs(actor),
        journals.list_entries(actor),
        lab_titles,
    )
    return ProgressSummary(
        competency_shares(done),
        steps_per_track(done),
        activity,
        goal_states(goals.list_goals(actor), today),
        suggest_next_steps(done, assigned),
    )
