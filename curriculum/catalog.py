"""Loads competencies and tracks from content/ (data, not code)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from settings import PROJECT_ROOT

CONTENT = PROJECT_ROOT / "content"


@dataclass(frozen=True)
class Competency:
    id: str
    name: str
    icon: str
    summary: str
    description: str
    practised_in: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    id: str
    kind: str  # concept | lab | reflect
    title: str
    track_id: str
    competency: str
    body: str = ""  # Markdown, for concept steps
    lab: str | None = None
    objective: str | None = None
    prompt: str = ""
    summary: str = ""
    also_counts_for: tuple[str, ...] = ()  # other competencies this step is evidence of

    @property
    def competencies(self) -> tuple[str, ...]:
        """Every competency the step counts for: its track's first."""
        return (self.competency, *self.also_counts_for)


@dataclass(frozen=True)
class Track:
    id: str
    competency: str
    title: str
    introduction: str
    steps: tuple[Step, ...]


def _read_yaml(path: Path) -> object:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def competencies() -> tuple[Competency, ...]:
    rows = _read_yaml(CONTENT / "competencies.yaml")
    assert isinstance(rows, list)
    return tuple(
        Competency(
            r["id"],
            r["name"],
            r["icon"],
            r["summary"].strip(),
            r["description"].strip(),
            tuple(r.get("practised_in", [])),
        )
        for r in rows
    )


def competency(competency_id: str) -> Competency:
    for item in competencies():
        if item.id == competency_id:
            return item
    raise KeyError(competency_id)


def _step(raw: dict[str, Any], track_id: str, competency_id: str) -> Step:
    body = (CONTENT / raw["body"]).read_text(encoding="utf-8") if raw.get("body") else ""
    return Step(
        id=raw["id"],
        kind=raw["kind"],
        title=raw["title"],
        track_id=track_id,
        competency=competency_id,
        body=body,
        lab=raw.get("lab"),
        objective=raw.get("objective"),
        prompt=(raw.get("prompt") or "").strip(),
        summary=(raw.get("summary") or "").strip(),
        also_counts_for=tuple(raw.get("also_counts_for", [])),
    )


@lru_cache(maxsize=1)
def tracks() -> dict[str, Track]:
    """Every track by id, in the order of the competencies."""
    result: dict[str, Track] = {}
    for comp in competencies():
        raw = _read_yaml(CONTENT / "tracks" / f"{comp.id}.yaml")
        assert isinstance(raw, dict)
        steps = tuple(_step(s, raw["id"], raw["competency"]) for s in raw["steps"])
        result[raw["id"]] = Track(
            raw["id"], raw["competency"], raw["title"], raw["introduction"].strip(), steps
        )
    return result


def find_step(step_id: str) -> Step:
    for track in tracks().values():
        for step in track.steps:
            if step.id == step_id:
                return step
    raise KeyError(step_id)


def steps_for_lab(lab_id: str, kind: str) -> list[Step]:
    """Track steps that a lab's runs can complete (lab objectives or reflections)."""
    return [s for t in tracks().values() for s in t.steps if s.lab == lab_id and s.kind == kind]


DIAGRAM = re.compile(r"```dot\n(.*?)```", re.DOTALL)


def concept_parts(body: str) -> list[tuple[str, str]]:
    """A concept page as ("markdown", text) and ("diagram", Graphviz DOT source) parts, in
    order: a page draws a diagram where its Markdown has a ```dot fenced block."""
    parts: list[tuple[str, str]] = []
    position = 0
    for match in DIAGRAM.finditer(body):
        if body[position : match.start()].strip():
            parts.append(("markdown", body[position : match.start()]))
        parts.append(("diagram", match.group(1).strip()))
        position = match.end()
    if body[position:].strip():
        parts.append(("markdown", body[position:]))
    return parts


def concept_words(body: str) -> int:
    """Words of a concept page's prose (diagram sources not counted)."""
    return sum(len(text.split()) for kind, text in concept_parts(body) if kind == "markdown")
