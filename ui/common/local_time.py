"""Stored times (naive UTC) shown in the viewer's own time zone, in one format everywhere.

Text: ``local_time`` ("Fri 4 Dec 2026, 15:30") and ``local_day`` ("Fri 4 Dec 2026").
Tables: ``local_times`` for the column's values and ``time_column`` for its display.
When the browser does not say its zone (or names one we do not know), times are shown in UTC
and say so. Downloads are data for other programs: they stay ISO 8601 UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import streamlit as st

if TYPE_CHECKING:  # the type st.column_config's functions return (not exported by name)
    from streamlit.elements.lib.column_types import ColumnConfig

UTC_ZONE = ZoneInfo("UTC")
# The same format as local_time, in the moment.js pattern st.column_config.DatetimeColumn reads.
TABLE_FORMAT = "ddd D MMM YYYY, HH:mm"


def zone_named(name: str | None) -> ZoneInfo:
    """The time zone with this IANA name (e.g. "Asia/Kolkata"); UTC when missing or unknown."""
    if not name:
        return UTC_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE


def viewer_zone() -> ZoneInfo:
    """The time zone the viewer's browser reports; UTC when it does not say."""
    return zone_named(st.context.timezone)


def is_utc(zone: ZoneInfo) -> bool:
    return zone.key in ("UTC", "Etc/UTC")


def in_zone(moment: datetime, zone: ZoneInfo | None = None) -> datetime:
    """A stored datetime (naive means UTC) as the same instant in ``zone`` (default: the
    viewer's)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone or viewer_zone())


def local_time(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """e.g. "Fri 4 Dec 2026, 15:30" in the viewer's zone (with " UTC" when shown in UTC)."""
    chosen = zone or viewer_zone()
    local = in_zone(moment, chosen)
    return f"{_day_text(local)}, {local:%H:%M}" + (" UTC" if is_utc(chosen) else "")


def local_day(moment: datetime | date, zone: ZoneInfo | None = None) -> str:
    """The day only, e.g. "Fri 4 Dec 2026": a stored datetime's day in the viewer's zone, or a
    calendar date (such as a due date) as it is."""
    return _day_text(in_zone(moment, zone) if isinstance(moment, datetime) else moment)


def local_times(values: pd.Series, zone: ZoneInfo | None = None) -> pd.Series:
    """A table column of stored times (naive UTC datetimes or ISO 8601 text) in the viewer's
    zone; show it with ``time_column``."""
    return pd.to_datetime(values, utc=True).dt.tz_convert(zone or viewer_zone())


def time_column(label: str | None = None) -> ColumnConfig:
    """How a column of ``local_times`` is shown: like ``local_time``."""
    suffix = " [UTC]" if is_utc(viewer_zone()) else ""
    return st.column_config.DatetimeColumn(label, format=TABLE_FORMAT + suffix)


def _day_text(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"
