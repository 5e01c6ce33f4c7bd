"""Recognising common binary files by their first bytes, so a PNG renamed to .csv is named."""

from __future__ import annotations

import io
import zipfile

# (first bytes, what the file is, which reader of ours takes it or None)
MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image", None),
    (b"\xff\xd8\xff", "a JPEG image", None),
    (b"GIF87a", "a GIF image", None),
    (b"GIF89a", "a GIF image", None),
    (b"%PDF-", "a PDF document", None),
    (b"SQLite format 3\x00", "a SQLite database", "sqlite"),
    (b"PAR1", "a Parquet file", "parquet"),
    (b"\x1f\x8b", "a gzip-compressed file", None),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.xls or .doc)", None),
)
ADVICE = {
    "sqlite": "Upload it with the ending .db or .sqlite in Pipeline builder, or export a "
    "table as CSV.",
    "parquet": "Upload it with the ending .parquet in Pipeline builder, or save it as CSV.",
    "excel": "Upload it with the ending .xlsx in Pipeline builder, or save the sheet as CSV "
    "(File > Save as > CSV UTF-8).",
}


def sniff(data: bytes) -> tuple[str, str | None] | None:
    """(what the file looks like, our format for it or None) from its first bytes, or None."""
    for magic, what, fmt in MAGIC:
        if data.startswith(magic):
            return what, fmt
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data[:4] in (b"RIFF", b"RIFX") and data[8:12] == b"WAVE":
        return "a WAV sound file", None
    return None


def _zip_kind(data: bytes) -> tuple[str, str | None]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "a zip archive", None
    if "xl/workbook.xml" in names:
        return "an Excel workbook (.xlsx)", "excel"
    if "word/document.xml" in names:
        return "a Word document (.docx)", None
    return "a zip archive", None


def refuse_other_format(data: bytes, expected: str, label: str) -> str | None:
    """A message when the bytes are plainly another kind of file than ``expected`` (our
    format name: csv, json, excel...), or None. ``label`` names the expected kind."""
    found = sniff(data)
    if found is None or found[1] == expected:
        return None
    if expected == "excel" and found[0] == "a zip archive":
        return None  # the workbook reader says what is wrong inside
    what, fmt = found
    advice = ADVICE.get(fmt or "", f"Upload the {label} itself, or export your data as one.")
    return f"This looks like {what}, not a {label}. {advice}"
