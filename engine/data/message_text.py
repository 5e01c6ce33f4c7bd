"""Wording shared by upload messages: short quotes of what the learner sent, and plurals."""

from __future__ import annotations

from typing import Any

MAX_QUOTED_CHARS = 40  # a message quotes at most this much of a cell, a name or a header


def quoted(value: Any, limit: int = MAX_QUOTED_CHARS) -> str:
    """repr() of a value's text, cut to ``limit`` characters with an ellipsis; repr escapes
    control and direction characters, so a quote cannot reorder or hide the message."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 row', '2 rows', '1,200 rows'."""
    word = noun if n == 1 else (plural or noun + "s")
    return f"{n:,} {word}"


def column_label(index: int) -> str:
    """Column 3 (C): the position a spreadsheet shows, 0-based index in."""
    letters, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return f"column {index + 1} ({letters})"
