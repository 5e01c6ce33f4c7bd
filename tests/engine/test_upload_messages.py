"""Upload messages: do parsers that raise get a clear message, do messages stay short, are
renamed binary files named, are stray quotes caught, and can the app mend what it refuses?"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.io import wavfile

from engine.data.audio_files import read_wav
from engine.data.bundle import DataError, FixableDataError
from engine.data.csv_checks import check_csv
from engine.data.csv_fixes import apply_fix
from engine.data.message_text import MAX_QUOTED_CHARS
from engine.data.uploads import load_upload, store_zip_upload
from engine.pipeline.readers import read_table
from settings import PROJECT_ROOT


def message_of(call) -> str:
    with pytest.raises(DataError) as caught:
        call()
    return str(caught.value)


# --- parsers that raise instead of answering ---------------------------------------------

DEEP_JSON = b"[" * 10_000 + b"]" * 10_000
LONG_INTEGER = b'[{"a": ' + b"9" * 5000 + b', "b": 1}]'


def wav_header(bits: int, rate: int = 8000) -> bytes:
    """A mono PCM WAV whose format chunk says ``bits`` per sample, with 8 bytes of data."""
    align = bits // 8
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * align, align, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", 8)
    return b"RIFF" + struct.pack("<I", len(body) + 8) + body + b"\x00" * 8


def good_wav(frequency: float) -> bytes:
    t = np.arange(2400) / 8000
    buffer = io.BytesIO()
    wavfile.write(buffer, 8000, (np.sin(2 * np.pi * frequency * t) * 20_000).astype(np.int16))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "words"),
    [(DEEP_JSON, "nested too deeply"), (LONG_INTEGER, "thousands of digits")],
    ids=["JSON nested 10,000 deep", "JSON integer of 5,000 digits"],
)
def test_does_a_json_file_that_breaks_the_parser_get_a_message(data: bytes, words: str) -> None:
    assert words in message_of(lambda: read_table(data, "json"))


@pytest.mark.parametrize(
    ("data", "words"),
    [(wav_header(0), "damaged"), (wav_header(8, rate=4_000_000_000), "sample rate")],
    ids=["0 bits per sample", "a rate of 4 GHz"],
)
def test_does_a_wav_header_that_breaks_the_reader_get_a_message(data: bytes, words: str) -> None:
    assert words in message_of(lambda: read_wav(data, name="'dog/1.wav'"))


def test_is_one_broken_wav_in_a_zip_named_and_skipped() -> None:
    files = {
        f"{c}/{i}.wav": good_wav(f + 20 * i)
        for c, f in (("low", 220), ("high", 900))
        for i in range(6)
    }
    files["low/zero-bits.wav"] = wav_header(0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    meta = load_upload(store_zip_upload(buffer.getvalue(), "sounds.zip", "audio"))
    assert meta["rows"] == 12 and meta["file_error_count"] == 1
    assert meta["file_errors"][0]["file"] == "'low/zero-bits.wav'"
    assert "damaged" in meta["file_errors"][0]["reason"]


@pytest.mark.parametrize(("name", "data"), [("deep.json", DEEP_JSON), ("long.json", LONG_INTEGER)])
def test_does_check_data_print_one_line_and_fail_for_a_parser_breaking_file(
    tmp_path: Path, name: str, data: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-m", "engine", "check-data", str(path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: {path}: The JSON") and done.stderr.count("\n") == 1


# --- CSV: stray quotes, noise, other formats ---------------------------------------------


@pytest.mark.parametrize(
    ("data", "row"),
    [
        (b'name,score\n"Ana,3\nBo,4\nCy,5\n', "Row 2"),  # never closed
        (b'name,score\n"Ana,3\nBo,4\nCy",5\nDee,6\n', "Row 2"),  # closed two rows later
        (b'name,score\nAl,1\n"Ana,3\nBo,4\nCy,5\nDi,6', "Row 3"),
    ],
)
def test_is_a_quote_that_swallows_rows_refused_naming_its_row(data: bytes, row: str) -> None:
    message = message_of(lambda: check_csv(data))
    assert message.startswith(f"{row} opens a quote"), message
    assert "stray quote" in message


def test_does_a_real_multi_line_cell_still_read() -> None:
    frame, summary = check_csv(b'text,label\n"Great product,\nwould buy",5\nok,4\n')
    assert summary["rows"] == 2 and frame.loc[2, "text"] == "Great product,\nwould buy"


def noise_without_line_breaks(size: int) -> bytes:
    undefined_in_cp1252 = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
    rng = np.random.default_rng(7)
    raw = rng.integers(0, 256, size * 2, dtype=np.uint8).tobytes()
    return bytes(b for b in raw if b not in undefined_in_cp1252 | {0, 10, 13})[:size]


LONG_NAME = ("x" * 5000 + ",label\n" + "1,a\n" * 12).encode()


@pytest.mark.parametrize(
    "data",
    [
        os.urandom(6000),
        noise_without_line_breaks(6000),
        LONG_NAME.replace(b",label", b""),  # one column, its name 5,000 characters
        b"name,name\n" + b"y" * 5000 + b",1\n",
    ],
    ids=["random bytes", "noise that decodes as cp1252", "a huge header", "a huge cell"],
)
def test_does_a_message_quote_at_most_a_short_slice_of_the_file(data: bytes) -> None:
    message = message_of(lambda: check_csv(data, "label"))
    assert len(message) < 400, message
    assert (
        "x" * (MAX_QUOTED_CHARS + 1) not in message and "y" * (MAX_QUOTED_CHARS + 1) not in message
    )


def sqlite_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "t.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (a, b)")
    return path.read_bytes()


def excel_bytes() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame({"a": [1, 2], "b": [3, 4]}).to_excel(buffer, index=False)
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cat/1.png", b"x")
    return buffer.getvalue()


def parquet_bytes() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame({"a": [1], "b": [2]}).to_parquet(buffer)
    return buffer.getvalue()


BINARY = {
    "PNG": (lambda _: b"\x89PNG\r\n\x1a\n" + os.urandom(200), "a PNG image"),
    "JPEG": (lambda _: b"\xff\xd8\xff\xe0" + os.urandom(200), "a JPEG image"),
    "ZIP": (lambda _: zip_bytes(), "a zip archive"),
    "PDF": (lambda _: b"%PDF-1.7\n" + os.urandom(200), "a PDF document"),
    "XLSX": (lambda _: excel_bytes(), "an Excel workbook (.xlsx)"),
    "SQLite": (sqlite_bytes, "a SQLite database"),
    "Parquet": (lambda _: parquet_bytes(), "a Parquet file"),
}


@pytest.mark.parametrize(("make", "what"), BINARY.values(), ids=BINARY.keys())
def test_is_a_binary_file_sent_as_csv_named_by_its_kind(tmp_path: Path, make, what: str) -> None:
    data = make(tmp_path)
    assert message_of(lambda: check_csv(data)).startswith(f"This looks like {what}, not a CSV")
    assert message_of(lambda: read_table(data, "json")).startswith(f"This looks like {what}")


# --- counts and fixes --------------------------------------------------------------------


def test_does_a_count_of_one_read_in_the_singular() -> None:
    message = message_of(lambda: check_csv(b"x,label\n1,a\n", "label"))
    assert "There is only 1 labelled row in" in message


@pytest.mark.parametrize(
    ("data", "fix", "check"),
    [
        (
            b"a,,c\n1,2,3\n4,5,6\n",
            "unnamed_columns",
            lambda f: list(f.columns) == ["a", "column_2", "c"],
        ),
        (b"a,b\n1,inf\n2,-Infinity\n3,4\n", "infinite_values", lambda f: f["b"].isna().sum() == 2),
    ],
    ids=["an unnamed column", "infinite values"],
)
def test_does_the_offered_fix_make_a_refused_csv_readable(data: bytes, fix: str, check) -> None:
    with pytest.raises(FixableDataError) as caught:
        read_table(data, "csv")
    assert caught.value.fix == fix
    mended, note = apply_fix(data, fix)
    frame, _ = read_table(mended, "csv")
    assert check(frame) and len(frame) == 2 + (fix == "infinite_values") and note


def test_are_formula_cells_without_saved_values_reported() -> None:
    buffer = io.BytesIO()
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["=A2*2", "=A3*2", "=A4*2"]})
    frame.to_excel(buffer, index=False)  # openpyxl writes the formulas, no values
    table, extra = read_table(buffer.getvalue(), "excel")
    assert table["b"].isna().all()
    assert extra["formula_cells_without_value"] == 3
    assert extra["notes"][0].startswith("3 cells held formulas whose values were not saved")


def test_does_check_data_print_the_formula_note(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    pd.DataFrame({"a": [1, 2], "b": ["=A2", 5]}).to_excel(path, index=False)
    done = subprocess.run(
        [sys.executable, "-m", "engine", "check-data", str(path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["notes"][0].startswith("1 cell held formulas")
