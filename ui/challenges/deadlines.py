"""Deadlines are stored in UTC; people read and type them in their browser's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st


def local_zone() -> ZoneInfo:
    try:
        return ZoneInfo(st.context.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def to_utc(day: date, at: time) -> datetime:
    """A date and time typed in the browser's zone, as a naive UTC datetime."""
    local = datetime.combine(day, at, tzinfo=local_zone())
    return local.astimezone(UTC).replace(tzinfo=None)


def shown(moment: datetime) -> str:
    """A naive UTC datetime in the browser's zone, e.g. "Fri 4 Dec, 15:30"."""
    local = moment.replace(tzinfo=UTC).astimezone(local_zone())
    return local.strftime("%a %-d %b %Y, %H:%M")
