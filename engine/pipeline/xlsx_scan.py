"""Measuring an .xlsx workbook's first sheet from its XML before openpyxl reads it.

A 1.6 MB workbook can hold 200,000 cells that all point at one 10,000-character shared
string: tiny packed, gigabytes as a table. The sheet is streamed through expat (nothing
kept but counts) and refused as soon as its rows, or the size its cells would take once
read, pass the limits; formula cells without a saved value are counted on the way.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from array import array
from dataclasses import dataclass
from typing import IO, Any
from xml.parsers import expat

from engine.data.bundle import DataError
from engine.data.csv_checks import megabytes
from engine.data.message_text import count

CELL_BYTES = 8  # what one cell costs besides its text (a pointer or a number)
SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
CELL_REFERENCE = re.compile(r"([A-Z]{1,3})(\d+)$")
CHUNK = 64 * 1024


class _Stop(Exception):
    """Raised inside an expat handler to stop reading early."""


@dataclass
class SheetScan:
    rows: int = 0  # the highest row number (openpyxl fills gaps with empty rows)
    columns: int = 0  # the highest column number
    text_chars: int = 0  # characters of every cell's value, shared strings expanded
    formulas_without_value: int = 0

    def table_bytes(self) -> int:
        return self.rows * self.columns * CELL_BYTES + self.text_chars


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]  # expat gives "namespace local" with namespace_separator


def _parse(stream: IO[bytes], start: Any, end: Any = None, text: Any = None) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
        parser.buffer_text = True

    def no_doctype(*_: Any) -> None:  # workbooks never declare one; entity tricks need one
        raise DataError("The workbook holds a document type declaration, which is refused.")

    parser.StartDoctypeDeclHandler = no_doctype
    try:
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Stop:
        pass
    except expat.ExpatError as exc:
        message = expat.errors.messages[exc.code]
        raise DataError(f"The workbook's XML is damaged ({message}).") from None


def _first_sheet_path(archive: zipfile.ZipFile) -> str | None:
    """The part of the first sheet in workbook.xml's order, as openpyxl finds it."""
    found: dict[str, str] = {}

    def sheet(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "sheet":
            found["id"] = next((v for k, v in attrs.items() if k.endswith(" id")), "")
            raise _Stop

    def relation(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and attrs.get("Id") == found.get("id"):
            found["target"] = attrs.get("Target", "")
            raise _Stop

    if "xl/workbook.xml" not in archive.namelist():
        return None
    with archive.open("xl/workbook.xml") as stream:
        _parse(stream, sheet)
    if "xl/_rels/workbook.xml.rels" in archive.namelist():
        with archive.open("xl/_rels/workbook.xml.rels") as stream:
            _parse(stream, relation)
    target = found.get("target", "")
    path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    path = posixpath.normpath(path)
    return path if target and path in archive.namelist() else None


def _shared_strings_path(archive: zipfile.ZipFile) -> str | None:
    found: list[str] = []

    def override(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Override" and attrs.get("ContentType") == SHARED_STRINGS_TYPE:
            found.append(attrs.get("PartName", "").lstrip("/"))
            raise _Stop

    if "[Content_Types].xml" in archive.namelist():
        with archive.open("[Content_Types].xml") as stream:
            _parse(stream, override)
    path = found[0] if found else "xl/sharedStrings.xml"
    return path if path in archive.namelist() else None


def shared_string_lengths(archive: zipfile.ZipFile, max_bytes: int) -> array[int]:
    """The length of every shared string; refuses a table of strings over ``max_bytes``."""
    lengths = array("q")
    path = _shared_strings_path(archive)
    if path is None:
        return lengths
    state = {"in_t": False, "total": 0}

    def start(name: str, _: dict[str, str]) -> None:
        local = _local(name)
        if local == "si":
            lengths.append(0)
            state["total"] += CELL_BYTES
        state["in_t"] = local == "t" and bool(lengths)

    def end(name: str) -> None:
        state["in_t"] = False
        if state["total"] > max_bytes:
            raise DataError(
                f"The workbook's shared texts take more than {megabytes(max_bytes)}; "
                "use a smaller sample."
            )

    def text(data: str) -> None:
        if state["in_t"]:
            lengths[-1] += len(data)
            state["total"] += len(data)

    with archive.open(path) as stream:
        _parse(stream, start, end, text)
    return lengths


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def scan_sheet(stream: IO[bytes], shared: array[int], max_rows: int, max_bytes: int) -> SheetScan:
    """Counts of one worksheet's XML; a DataError as soon as it passes a limit."""
    scan = SheetScan()
    cell: dict[str, Any] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "row":
            scan.rows = max(scan.rows + 1, int(attrs.get("r", 0) or 0))
            if scan.rows > max_rows:
                raise DataError(f"The first sheet has more than {count(max_rows - 1, 'row')}.")
        elif local == "c":
            cell.update(type=attrs.get("t"), value=[], formula=False, in_value=False)
            match = CELL_REFERENCE.match(attrs.get("r", ""))
            column = column_number(match.group(1)) if match else 0
            scan.columns = max(scan.columns + (0 if match else 1), column)
        elif local == "f":
            cell["formula"] = True
        elif local in ("v", "t"):
            cell["in_value"] = True

    def end(name: str) -> None:
        local = _local(name)
        if local in ("v", "t"):
            cell["in_value"] = False
        elif local == "c":
            _end_cell(cell, scan, shared)
        elif local == "row" and scan.table_bytes() > max_bytes:
            raise DataError(
                f"Read into a table, the first sheet would take more than "
                f"{megabytes(max_bytes)} ({count(scan.rows, 'row')} of up to "
                f"{count(scan.columns, 'column')} so far, with "
                f"{count(scan.text_chars, 'character')} of text). Use a smaller sample."
            )

    def text(data: str) -> None:
        if cell.get("in_value"):
            cell["value"].append(data)

    _parse(stream, start, end, text)
    return scan


def _end_cell(cell: dict[str, Any], scan: SheetScan, shared: array[int]) -> None:
    value = "".join(cell["value"])
    if cell["formula"] and not value:
        scan.formulas_without_value += 1
    if cell["type"] == "s" and value.strip().isdigit():
        index = int(value)
        scan.text_chars += shared[index] if index < len(shared) else 0
    else:
        scan.text_chars += len(value)


def scan_workbook(archive: zipfile.ZipFile, max_rows: int, max_bytes: int) -> SheetScan:
    """The first sheet's counts; if it cannot be found where Excel puts it, every XML part is
    scanned as if it were a sheet (openpyxl may still find one elsewhere)."""
    shared = shared_string_lengths(archive, max_bytes)
    first = _first_sheet_path(archive)
    parts = [first] if first else [n for n in archive.namelist() if n.endswith(".xml")]
    total = SheetScan()
    for part in parts:
        with archive.open(part) as stream:
            scan = scan_sheet(stream, shared, max_rows, max_bytes)
        total.rows = max(total.rows, scan.rows)
        total.columns = max(total.columns, scan.columns)
        total.text_chars += scan.text_chars
        total.formulas_without_value += scan.formulas_without_value
    return total
