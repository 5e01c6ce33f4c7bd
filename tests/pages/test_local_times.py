"""Times on screen are in the viewer's own time zone, in one format (ui.common.local_time)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from classroom import journals
from engine import jobs
from engine.spec import RunSpec
from ui.common.local_time import local_day, local_time, local_times, zone_named

NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")


def test_is_a_stored_utc_time_shown_in_the_viewers_zone() -> None:
    assert local_time(datetime(2026, 12, 4, 10, 0), KOLKATA) == "Fri 4 Dec 2026, 15:30"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (datetime(2026, 3, 8, 6, 30), "Sun 8 Mar 2026, 01:30"),  # EST, UTC-5
        (datetime(2026, 3, 8, 7, 30), "Sun 8 Mar 2026, 03:30"),  # clocks went forward: EDT
        (datetime(2026, 11, 1, 5, 30), "Sun 1 Nov 2026, 01:30"),  # EDT, the first 01:30
        (datetime(2026, 11, 1, 6, 30), "Sun 1 Nov 2026, 01:30"),  # EST again, the second one
    ],
)
def test_does_new_york_follow_its_daylight_saving_changes(stored: datetime, shown: str) -> None:
    assert local_time(stored, NEW_YORK) == shown


@pytest.mark.parametrize("name", [None, "", "Mars/Olympus_Mons", "../../etc/passwd"])
def test_is_a_missing_or_unknown_zone_shown_as_utc_and_labelled(name: str | None) -> None:
    zone = zone_named(name)
    assert local_time(datetime(2026, 12, 4, 10, 0), zone) == "Fri 4 Dec 2026, 10:00 UTC"


def test_is_the_day_the_viewers_day() -> None:
    late_evening_utc = datetime(2026, 12, 4, 20, 0)
    assert local_day(late_evening_utc, KOLKATA) == "Sat 5 Dec 2026"  # 01:30 the next morning
    assert local_day(late_evening_utc, NEW_YORK) == "Fri 4 Dec 2026"
    assert local_day(date(2026, 12, 4), KOLKATA) == "Fri 4 Dec 2026"  # a due date stays put


def test_does_a_table_column_hold_the_same_instants_in_the_viewers_zone() -> None:
    stored = pd.Series([datetime(2026, 12, 4, 10, 0), "2026-07-01T12:00:00"])
    shown = local_times(stored, NEW_YORK)
    assert [t.strftime("%d %b %H:%M") for t in shown] == ["04 Dec 05:00", "01 Jul 08:00"]
    assert shown.iloc[0] == pd.Timestamp("2026-12-04 10:00", tz="UTC")


def activity_lines(at) -> list[str]:
    return [t.value for t in at.text if "Wrote in the journal" in t.value]


def test_does_the_progress_page_show_recent_work_in_the_browsers_zone(app_as, learner) -> None:
    entry = journals.save_draft(learner, "Noted what the first reading said.")
    at = app_as(learner)
    at.context = {"timezone": "Asia/Kolkata"}
    at.switch_page("pages/progress.py").run()
    assert not at.exception
    [line] = activity_lines(at)
    assert local_time(entry.updated_at, KOLKATA) in line
    assert "UTC" not in line


def test_does_the_progress_page_say_utc_when_the_browser_gives_no_zone(open_page, learner) -> None:
    entry = journals.save_draft(learner, "Noted what the first reading said.")
    at = open_page(learner, "pages/progress.py")
    [line] = activity_lines(at)
    assert f"{local_time(entry.updated_at, ZoneInfo('UTC'))} · Wrote in the journal" in line
    assert line.count("UTC") == 1


def test_does_the_teachers_run_table_start_times_in_the_browsers_zone(
    app_as, teacher, klass, learner
) -> None:
    run_id = jobs.submit(RunSpec(epochs=1), owner_id=learner.id, lab_id="first-network")
    run = jobs.status(run_id)
    assert run is not None
    at = app_as(teacher)
    at.context = {"timezone": "America/New_York"}
    at.query_params["id"] = str(learner.id)
    at.switch_page("pages/learner.py").run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "status" in d.value.columns)
    [started] = table["started"].tolist()
    assert started == pd.Timestamp(run.created_at, tz="UTC")  # the same instant…
    assert started.tz_convert(NEW_YORK).utcoffset() == started.utcoffset()  # …in New York
