"""Finding journal entries by words, track, competency and date (entries are already the
learner's own; this only narrows them down)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from classroom.journals import Entry
from classroom.progress_summary import step_competencies
from curriculum.catalog import Step, find_step, steps_for_lab, tracks


@dataclass(frozen=True)
class JournalFilter:
    text: str = ""
    track_id: str | None = None
    competency: str | None = None
    since: date | None = None  # last written on or after
    until: date | None = None  # last written on or before


def entry_steps(entry: Entry) -> list[Step]:
    """The track steps an entry is about: its own step, or the steps of its run's lab."""
    steps: list[Step] = []
    if entry.step_id:
        # A step since removed from the content: the entry stays, just without its step.
        with contextlib.suppress(KeyError):
            steps.append(find_step(entry.step_id))
    if entry.lab_id:
        steps += steps_for_lab(entry.lab_id, "lab") + steps_for_lab(entry.lab_id, "reflect")
    return steps


def entry_tracks(entry: Entry) -> set[str]:
    found = {s.track_id for s in entry_steps(entry)}
    if entry.track_id:
        found.add(entry.track_id)
    return found


def entry_competencies(entry: Entry) -> set[str]:
    found = {c for s in entry_steps(entry) for c in step_competencies(s)}
    track = tracks().get(entry.track_id or "")
    if track is not None:
        found.add(track.competency)
    return found


def matches(entry: Entry, wanted: JournalFilter) -> bool:
    words = wanted.text.strip().casefold()
    written = entry.updated_at.date()
    return (
        (not words or words in entry.body.casefold())
        and (wanted.track_id is None or wanted.track_id in entry_tracks(entry))
        and (wanted.competency is None or wanted.competency in entry_competencies(entry))
        and (wanted.since is None or written >= wanted.since)
        and (wanted.until is None or written <= wanted.until)
    )


def filter_entries(entries: Iterable[Entry], wanted: JournalFilter) -> list[Entry]:
    return [e for e in entries if matches(e, wanted)]
