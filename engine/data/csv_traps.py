"""Traps in a CSV file that parse without an error: binary data that decodes as Windows-1252,
and a stray quote that swallows the line breaks of the rows after it."""

from __future__ import annotations

import re

from engine.data.bundle import DataError
from engine.data.message_text import column_label, count, quoted

# Text files hold almost no control characters besides tab and line breaks; this share
# of them in the first BINARY_SAMPLE characters means binary data read as Windows-1252.
BINARY_SAMPLE, BINARY_SHARE = 65_536, 0.01
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def looks_binary(text: str) -> bool:
    sample = text[:BINARY_SAMPLE]
    return len(CONTROL_CHARACTERS.findall(sample)) > max(8, BINARY_SHARE * len(sample))


def _fields(line: str, delimiter: str) -> int:
    return line.count(delimiter) + 1


def check_runaway_quote(row: list[str], row_number: int, delimiter: str, width: int) -> None:
    """Refuse a quote that swallowed line breaks across rows: its cell holds lines that each
    look like a whole row, or the row comes out short (the quote ran to the end of the file)."""
    for index, cell in enumerate(row):
        lines = LINE_BREAK.split(cell)
        if len(lines) < 2:
            continue
        whole_rows = [index + _fields(lines[0], delimiter)] + [
            _fields(line, delimiter) for line in lines[1:-1]
        ]
        swallowed = len(lines) >= 3 and all(n == width for n in whole_rows)
        ran_to_end = len(row) < width and any(n == width for n in whole_rows)
        if swallowed or ran_to_end:
            breaks = count(len(lines) - 1, "line break")
            raise DataError(
                f'Row {row_number} opens a quote (") in {column_label(index)} that is not '
                f"closed where the row ends, so the next rows were read into one cell "
                f"({breaks}): {quoted(cell)}. Remove the stray quote, or close it, and "
                "upload again."
            )
