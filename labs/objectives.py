"""Objectives: a check against a run's outcome, with hints computed from that run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

RunOutcome = dict[str, Any]  # {"status", "spec", "result"} of a finished run


@dataclass(frozen=True)
class Objective:
    id: str
    text: str
    check: Callable[[RunOutcome], bool]
    hints: Callable[[RunOutcome], list[str]]


@dataclass(frozen=True)
class ObjectiveOutcome:
    objective_id: str
    text: str
    passed: bool
    hints: tuple[str, ...]


def evaluate(objectives: tuple[Objective, ...], outcome: RunOutcome) -> list[ObjectiveOutcome]:
    """Check each objective against one run; hints only for those missed."""
    results = []
    for objective in objectives:
        passed = bool(objective.check(outcome))
        hints = () if passed else tuple(objective.hints(outcome))
        results.append(ObjectiveOutcome(objective.id, objective.text, passed, hints))
    return results
