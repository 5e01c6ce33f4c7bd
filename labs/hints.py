"""Hint ladders: a nudge first, then hints computed from the learner's own outcome.

Every objective's hints are a ladder (see ``labs.objectives.reveal_ladder``): hint 1 names
what to look at without giving the answer away; hint 2 is built from the learner's own runs
or answers (their numbers, their settings, what differs from a run that passed). The worked
solution comes after both.
"""

from __future__ import annotations

from collections.abc import Iterable


def ladder(nudge: str, specific: Iterable[str]) -> list[str]:
    """The nudge, then each specific hint once, in order (none may repeat the nudge).

    Every objective passes at least one specific hint for every outcome;
    tests/labs/test_hint_ladders.py walks them all and fails on a ladder with one rung."""
    hints = [nudge]
    for hint in specific:
        if hint and hint not in hints and hint not in nudge:
            hints.append(hint)
    return hints


def percent(value: float | None) -> str:
    """A share as a learner reads it: "94.2%", or "no score" when there is none."""
    return "no score" if value is None else f"{value:.1%}"
