"""The teacher's progress matrix: each learner against each assigned step, in one state.

States, most telling first: done; stuck (3+ failed checks or 2+ hint reveals on the step
without passing it); overdue (past its due date, not done); in progress (tried, not done);
not started. A learner the step is not assigned to has no cell.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import select

from classroom import objective_events, progress
from classroom.access import Actor
from classroom.assignments import AssignmentInfo, assignments_for_class
from classroom.classes import Member, roster
from classroom.csv_export import safe_csv
from curriculum.catalog import tracks
from db.models import Run
from db.session import read_session

STATES = ("done", "stuck", "overdue", "in progress", "not started")
STUCK_FAILS = 3
STUCK_REVEALS = 2


@dataclass(frozen=True)
class Column:
    track_id: str
    step_id: str
    label: str
    lab: str | None


@dataclass(frozen=True)
class Cell:
    state: str
    due: date
    failed: int = 0
    reveals: int = 0


@dataclass(frozen=True)
class ClassMatrix:
    learners: tuple[Member, ...]
    columns: tuple[Column, ...]
    cells: dict[tuple[int, str], Cell] = field(default_factory=dict)

    def cell(self, learner_id: int, step_id: str) -> Cell | None:
        """None where the step is not assigned to this learner."""
        return self.cells.get((learner_id, step_id))


def cell_state(
    *, done: bool, passed: bool, failed: int, reveals: int, started: bool, due: date, today: date
) -> str:
    """One learner's state on one assigned step."""
    if done:
        return "done"
    if not passed and (failed >= STUCK_FAILS or reveals >= STUCK_REVEALS):
        return "stuck"
    if today > due:
        return "overdue"
    if started or failed or reveals:
        return "in progress"
    return "not started"


def _columns(assignments: list[AssignmentInfo]) -> tuple[Column, ...]:
    """The assigned steps in track order, each labelled once."""
    assigned = {s.id for a in assignments for s in a.steps}
    columns: list[Column] = []
    seen: Counter[str] = Counter()
    for track in tracks().values():
        for number, step in enumerate(track.steps, start=1):
            if step.id in assigned:
                label = f"{number}. {step.title}"
                seen[label] += 1
                if seen[label] > 1:
                    label = f"{label} ({track.title})"
                columns.append(Column(track.id, step.id, label, step.lab))
    return tuple(columns)


def _due_dates(
    assignments: list[AssignmentInfo], learners: list[Member]
) -> dict[tuple[int, str], date]:
    """The earliest due date of any assignment that gives a learner a step."""
    due: dict[tuple[int, str], date] = {}
    for a in assignments:
        whom = [m.id for m in learners] if a.learner_id is None else [a.learner_id]
        for learner_id in whom:
            for step in a.steps:
                key = (learner_id, step.id)
                due[key] = min(due.get(key, a.due_date), a.due_date)
    return due


def _labs_tried(learner_ids: list[int]) -> set[tuple[int, str]]:
    with read_session() as session:
        rows = session.execute(
            select(Run.owner_id, Run.lab_id).where(Run.owner_id.in_(learner_ids)).distinct()
        )
        return {(owner, lab) for owner, lab in rows if owner is not None and lab}


def _labs_of_several_objectives() -> set[str]:
    """Labs whose runs serve several objectives (the optimisation lab's experiments): a run
    there starts none of those steps by itself, only a check of that step's objective does."""
    objectives: dict[str, set[str]] = {}
    for track in tracks().values():
        for step in track.steps:
            if step.lab and step.objective:
                objectives.setdefault(step.lab, set()).add(step.objective)
    return {lab for lab, found in objectives.items() if len(found) > 1}


def class_matrix(actor: Actor | None, class_id: int, today: date | None = None) -> ClassMatrix:
    """The matrix of the teacher's class (NotFound for anyone else)."""
    learners = roster(actor, class_id)
    assignments = assignments_for_class(actor, class_id)
    done = progress.class_progress(actor, class_id)
    events = objective_events.events_for_class(actor, class_id)
    today = today or date.today()
    ids = [m.id for m in learners]
    failed = Counter((e.learner_id, e.step_id) for e in events if e.event == "failed")
    reveals = Counter((e.learner_id, e.step_id) for e in events if e.is_reveal)
    passed = {(e.learner_id, e.step_id) for e in events if e.event == "passed"}
    checked = {(e.learner_id, e.step_id) for e in events}
    tried = _labs_tried(ids)
    shared = _labs_of_several_objectives()
    columns = _columns(assignments)
    cells = {}
    for (learner_id, step_id), due in _due_dates(assignments, learners).items():
        lab = next((c.lab for c in columns if c.step_id == step_id), None)
        key = (learner_id, step_id)
        cells[key] = Cell(
            cell_state(
                done=step_id in done.get(learner_id, set()),
                passed=key in passed,
                failed=failed[key],
                reveals=reveals[key],
                started=key in checked
                or (lab is not None and lab not in shared and (learner_id, lab) in tried),
                due=due,
                today=today,
            ),
            due,
            failed[key],
            reveals[key],
        )
    return ClassMatrix(tuple(learners), columns, cells)


def progress_frame(matrix: ClassMatrix, done: dict[int, set[str]]) -> pd.DataFrame:
    """One row per learner, for the CSV export: steps done in all, then each assigned step."""
    rows = []
    for member in matrix.learners:
        row: dict[str, object] = {
            "learner": member.display_name,
            "username": member.username,
            "steps completed (all tracks)": len(done.get(member.id, set())),
        }
        for column in matrix.columns:
            cell = matrix.cell(member.id, column.step_id)
            row[column.label] = (
                "not assigned" if cell is None else f"{cell.state} (due {cell.due:%Y-%m-%d})"
            )
        rows.append(row)
    return pd.DataFrame(
        rows,
        columns=["learner", "username", "steps completed (all tracks)"]
        + [c.label for c in matrix.columns],
    )


def class_progress_csv(actor: Actor | None, class_id: int, today: date | None = None) -> bytes:
    """The class's progress as CSV, escaped against formula injection."""
    matrix = class_matrix(actor, class_id, today)
    return safe_csv(progress_frame(matrix, progress.class_progress(actor, class_id)))
