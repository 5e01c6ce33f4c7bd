"""Objectives: a check against an outcome, hints computed from it, and a worked solution.

A missed objective offers its help in steps (check / hint(level) / solution): the first
hint, then the stronger ones, then the solution. Each reveal is an event (``REVEALS``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from curriculum.catalog import steps_for_lab

RunOutcome = dict[str, Any]  # {"status", "spec", "result"} of a finished run, or a lab action


@dataclass(frozen=True)
class Objective:
    id: str
    text: str
    check: Callable[[RunOutcome], bool]
    hints: Callable[[RunOutcome], list[str]]
    solution: Callable[[RunOutcome], str] | None = None
    # Whether an outcome tried this objective at all (None: every outcome does). A missed
    # objective that was not tried is no failure: it gets no "Not yet" and no failed event.
    attempted: Callable[[RunOutcome], bool] | None = None


@dataclass(frozen=True)
class ObjectiveOutcome:
    objective_id: str
    text: str
    passed: bool
    hints: tuple[str, ...]
    solution: str | None = None
    outcome_key: str | None = None  # which run or action was checked (dedupes its events)
    run_id: int | None = None
    objective: Objective | None = field(default=None, compare=False, repr=False)
    attempted: bool = True  # False: the run did not try this objective (see Objective)


def outcome_key(outcome: RunOutcome) -> tuple[str, int | None]:
    """A stable key for what was checked: "run:<id>" for a run, else a hash of the action."""
    if "spec" in outcome and isinstance(outcome.get("id"), int):
        return f"run:{outcome['id']}", int(outcome["id"])
    plain = {k: v for k, v in outcome.items() if k != "others"}
    digest = hashlib.sha256(json.dumps(plain, sort_keys=True, default=str).encode()).hexdigest()
    return f"{outcome.get('kind', 'action')}:{digest[:20]}", None


def evaluate(objectives: tuple[Objective, ...], outcome: RunOutcome) -> list[ObjectiveOutcome]:
    """Check each objective against one outcome; hints and a solution only for those missed."""
    key, run_id = outcome_key(outcome)
    results = []
    for objective in objectives:
        passed = bool(objective.check(outcome))
        tried = passed or objective.attempted is None or bool(objective.attempted(outcome))
        hints = () if passed else tuple(objective.hints(outcome))
        solution = None
        if not passed and objective.solution is not None:
            solution = objective.solution(outcome)
        results.append(
            ObjectiveOutcome(
                objective.id, objective.text, passed, hints, solution, key, run_id, objective, tried
            )
        )
    return results


def reveal_ladder(outcome: ObjectiveOutcome) -> list[str]:
    """The reveals a missed objective offers, in order (a second hint only if there is one)."""
    ladder = []
    if outcome.hints:
        ladder.append("hint-1")
    if len(outcome.hints) > 1:
        ladder.append("hint-2")
    if outcome.solution:
        ladder.append("solution")
    return ladder


def next_reveal(outcome: ObjectiveOutcome, revealed: set[str]) -> str | None:
    """The next reveal to offer: one step at a time, never skipping a hint."""
    for event in reveal_ladder(outcome):
        if event not in revealed:
            return event
    return None


def revealed_help(outcome: ObjectiveOutcome, revealed: set[str]) -> list[tuple[str, str]]:
    """(event, text) pairs to show, in ladder order, for the reveals already asked for.

    A reveal counts only once every earlier step of the ladder was revealed too."""
    shown: list[tuple[str, str]] = []
    for event in reveal_ladder(outcome):
        if event not in revealed:
            break
        if event == "hint-1":
            shown.append((event, outcome.hints[0]))
        elif event == "hint-2":
            shown.extend((event, hint) for hint in outcome.hints[1:])
        else:
            shown.append((event, outcome.solution or ""))
    return shown


def step_for_objective(lab_id: str, objective_id: str) -> str | None:
    """The track step that this objective completes, if one does."""
    for step in steps_for_lab(lab_id, "lab"):
        if step.objective == objective_id:
            return step.id
    return None
