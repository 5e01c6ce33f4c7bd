"""Deadlines are stored in UTC; people type them in their browser's time zone (and read them
with ui.common.local_time)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from ui.common.local_time import viewer_zone


def to_utc(day: date, at: time) -> datetime:
    """A date and time typed in the browser's zone, as a naive UTC datetime."""
    local = datetime.combine(day, at, tzinfo=viewer_zone())
    return local.astimezone(UTC).replace(tzinfo=None)
