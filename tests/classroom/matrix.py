"""Shared pieces of the access-matrix tests: a parametrized cell per operation and actor, and
the outcome of one call (its refusal and message, or its result)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from classroom.access import NotAllowed, NotFound

Outcome = tuple[type[BaseException] | None, str, Any]


def matrix_cells(matrix: Mapping[str, Sequence[Any]], actors: Sequence[str]) -> list[Any]:
    """One pytest case per (operation, actor) with the cell it expects."""
    return [
        pytest.param(op, actor, row[col], id=f"{op}-{actor}")
        for op, row in matrix.items()
        for col, actor in enumerate(actors)
    ]


def outcome(
    call: Callable[[], Any], refusals: tuple[type[BaseException], ...] = (NotFound, NotAllowed)
) -> Outcome:
    """(refusal type, its message, None) or (None, "", the result)."""
    try:
        return None, "", call()
    except refusals as exc:
        return type(exc), str(exc), None
