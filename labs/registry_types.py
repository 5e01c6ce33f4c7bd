"""The shape of a lab definition."""

from __future__ import annotations

from dataclasses import dataclass

from engine.spec import RunSpec
from labs.objectives import Objective


@dataclass(frozen=True)
class Lab:
    id: str
    title: str
    competencies: tuple[str, ...]
    default_spec: RunSpec | None  # None: the lab works on data and trains no network
    objectives: tuple[Objective, ...]
