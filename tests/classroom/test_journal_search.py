"""Can a learner find journal entries by words, track, competency and date?"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from classroom.journal_search import JournalFilter, entry_tracks, filter_entries
from classroom.journals import Entry
from curriculum.catalog import steps_for_lab, tracks

FIRST_LAB_STEP = steps_for_lab("first-network", "lab")[0]
OTHER_TRACK = next(t for t in tracks().values() if t.id != FIRST_LAB_STEP.track_id)


def entry(entry_id: int, body: str, day: date, **about) -> Entry:
    fields = {"run_id": None, "track_id": None, "step_id": None, **about}
    when = datetime(day.year, day.month, day.day, 12)
    return Entry(
        entry_id, 1, body, False, 1, fields["run_id"], fields["track_id"], fields["step_id"],
        when, lab_id=fields.get("lab_id"),
    )  # fmt: skip


ENTRIES = [
    entry(1, "The Loss fell quickly", date(2026, 3, 1), run_id=5, lab_id="first-network"),
    entry(
        2,
        "Teams need clear roles",
        date(2026, 3, 5),
        track_id=OTHER_TRACK.id,
        step_id=OTHER_TRACK.steps[0].id,
    ),
    entry(3, "A free thought about loss curves", date(2026, 3, 9)),
]


@pytest.mark.parametrize(
    ("wanted", "ids"),
    [
        (JournalFilter(), [1, 2, 3]),
        (JournalFilter(text="loss"), [1, 3]),
        (JournalFilter(text="  LOSS  "), [1, 3]),
        (JournalFilter(text="nothing like this"), []),
        (JournalFilter(track_id=FIRST_LAB_STEP.track_id), [1]),
        (JournalFilter(track_id=OTHER_TRACK.id), [2]),
        (JournalFilter(competency=FIRST_LAB_STEP.competency), [1]),
        (JournalFilter(competency=OTHER_TRACK.competency), [2]),
        (JournalFilter(since=date(2026, 3, 5)), [2, 3]),
        (JournalFilter(until=date(2026, 3, 5)), [1, 2]),
        (JournalFilter(since=date(2026, 3, 5), until=date(2026, 3, 5)), [2]),
        (JournalFilter(text="loss", since=date(2026, 3, 2)), [3]),
        (JournalFilter(text="loss", track_id=OTHER_TRACK.id), []),
    ],
)
def test_does_each_filter_keep_exactly_the_matching_entries(wanted, ids) -> None:
    assert [e.id for e in filter_entries(ENTRIES, wanted)] == ids


def test_does_an_entry_about_a_run_belong_to_its_labs_tracks() -> None:
    assert FIRST_LAB_STEP.track_id in entry_tracks(ENTRIES[0])
    assert entry_tracks(ENTRIES[2]) == set()


def test_does_an_entry_about_a_removed_step_stay_findable_by_words() -> None:
    gone = entry(9, "old words", date(2026, 1, 1), step_id="no-longer-there")
    assert entry_tracks(gone) == set()
    assert filter_entries([gone], JournalFilter(text="old")) == [gone]
