"""Ingestion: is every format read into the same checked table, and is bad input refused?"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import zipfile
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine.data.bundle import DataError
from engine.pipeline.ingest import (
    DEMO_DATABASE,
    check_data_file,
    read_sources,
    store_source,
    stored_source,
)
from engine.pipeline.make_demo_db import build_demo_database
from engine.pipeline.pipeline_spec import parse_pipeline
from engine.pipeline.readers import read_table
from engine.pipeline.sqlite_source import list_tables, read_sqlite_table
from settings import data_dir

TABLE = pd.DataFrame(
    {
        "name": ["Ada", "Bo", None, "Cy"],
        "score": [91.0, np.nan, 78.5, 66.0],
        "school": ["North", "South", "North", "n/a"],
    }
)


def refused(call: Callable[[], object], *fragments: str) -> str:
    with pytest.raises(DataError) as caught:
        call()
    for fragment in fragments:
        assert fragment in str(caught.value), str(caught.value)
    return str(caught.value)


def excel_bytes(frame: pd.DataFrame, header: bool = True) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, header=header, engine="openpyxl")
    return buffer.getvalue()


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


FORMATS = {  # the same table in every format; the first data row's number in that file
    "csv": (TABLE.to_csv(index=False).encode(), "csv", 2),
    "excel": (excel_bytes(TABLE), "excel", 2),
    "json records": (TABLE.to_json(orient="records").encode(), "json", 1),
    "json table orient": (TABLE.to_json(orient="table").encode(), "json", 1),
    "parquet": (parquet_bytes(TABLE), "parquet", 1),
}


@pytest.mark.parametrize(("data", "fmt", "first_row"), FORMATS.values(), ids=FORMATS.keys())
def test_does_every_format_give_the_same_table(data: bytes, fmt: str, first_row: int) -> None:
    frame, _ = read_table(data, fmt)
    assert list(frame.columns) == ["name", "score", "school"]
    assert frame["score"].dtype == "float64"
    assert frame["name"].dtype == "str" and frame["school"].dtype == "str"
    assert frame["name"].isna().tolist() == [False, False, True, False]
    assert frame["school"].isna().tolist() == [False, False, False, True]  # 'n/a' is missing
    assert frame.index.tolist() == list(range(first_row, first_row + 4))  # rows as in the file


def test_does_a_csv_keep_a_mistyped_number_as_text_for_the_type_fix_stage() -> None:
    data = b"score,label\n" + b"".join(f"{i},a\n".encode() for i in range(20)) + b"twelve,b\n"
    frame, extra = read_table(data, "csv")
    assert frame["score"].dtype == "str" and frame.loc[22, "score"] == "twelve"
    assert extra["encoding"] == "UTF-8"


def zip_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


BAD_FILES = {
    "CSV: 0 bytes": (b"", "csv", ["empty (0 bytes)"]),
    "CSV: ragged rows": (b"x,y\n1,2\n3\n", "csv", ["row 3 has 1"]),
    "CSV: binary bytes": (b"\x00\x01PK\x03" * 20, "csv", ["could not be read as text"]),
    "CSV: over the size limit": (b"x,y\n" + b"1,2\n" * (5 * 1024 * 1024 + 1), "csv", ["20.0 MB"]),
    "Excel: random bytes": (b"not a workbook at all", "excel", ["not a readable Excel"]),
    "Excel: a zip of something else": (zip_with({"a.txt": b"hi"}), "excel", ["could not be read"]),
    "Excel: a header repeated": (
        excel_bytes(pd.DataFrame([["x", "x"], [1, 2]]), header=False),
        "excel",
        ["'x' is used twice", "column 2 (B)"],
    ),
    "Excel: header only": (
        excel_bytes(pd.DataFrame(columns=["a", "b"])),
        "excel",
        ["no data rows"],
    ),
    "JSON: not JSON": (b"{'a': 1}", "json", ["not valid JSON", "line 1, column 2"]),
    "JSON: a number": (b"42", "json", ["not a table", "list of records"]),
    "JSON: an object of columns": (b'{"a": [1, 2], "b": [3, 4]}', "json", ["not a table"]),
    "JSON: a list of numbers": (b"[1, 2, 3]", "json", ["Record 1", "is int, not an object"]),
    "JSON: nested values": (
        b'[{"a": 1, "b": 2}, {"a": {"x": 1}, "b": 3}]',
        "json",
        ["'a'", "nested", "record 2"],
    ),
    "JSON: an empty list": (b"[]", "json", ["no data rows"]),
    "JSON: one column": (b'[{"a": 1}, {"a": 2}]', "json", ["only one column ('a')"]),
    "JSON: not UTF-8": ('[{"a": "é"}]'.encode("cp1252"), "json", ["not UTF-8"]),
    "JSON: table orient with bad data": (b'{"schema": {}, "data": 5}', "json", ["list of records"]),
    "Parquet: random bytes": (bytes(range(256)) * 4, "parquet", ["not a Parquet file"]),
    "Parquet: damaged inside": (
        b"PAR1" + b"\x07" * 300 + b"PAR1",
        "parquet",
        ["could not be read"],
    ),
    "Parquet: infinite values": (
        parquet_bytes(pd.DataFrame({"x": [1.0, np.inf], "y": ["a", "b"]})),
        "parquet",
        ["'x'", "infinite", "row 2"],
    ),
}


@pytest.mark.parametrize(("data", "fmt", "fragments"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_is_a_bad_file_refused_with_a_precise_message(
    data: bytes, fmt: str, fragments: list[str]
) -> None:
    refused(lambda: read_table(data, fmt), *fragments)


def test_is_an_excel_bomb_refused_before_it_is_unpacked() -> None:
    bomb = zip_with({"xl/worksheets/sheet1.xml": b"\0" * (201 * 1024 * 1024)})
    refused(lambda: read_table(bomb, "excel"), "Unpacked, the workbook would take")


@pytest.mark.parametrize(
    ("filename", "words"),
    [("data.exe", "ending in .exe"), ("old.xls", "Old .xls"), ("noending", "(nothing)")],
)
def test_is_an_unknown_file_type_refused(filename: str, words: str) -> None:
    refused(lambda: store_source(b"a,b\n1,2\n", filename), words)


# --- SQLite ------------------------------------------------------------------------------


def test_does_the_demo_database_list_and_read_its_tables() -> None:
    assert list_tables(DEMO_DATABASE) == ["lab_results", "students"]
    students = read_sqlite_table(DEMO_DATABASE, "students")
    assert list(students.columns) == ["id", "name", "school", "country"]
    assert len(students) == 60 and students.index[0] == 1


@pytest.mark.parametrize(
    "table",
    [
        "teachers",
        "students; DROP TABLE students",
        'students" --',
        "x' OR '1'='1",
        "sqlite_master",
        "Students",
    ],
)
def test_is_an_unknown_or_injection_like_table_refused_and_the_file_untouched(table: str) -> None:
    before = hashlib.sha256(DEMO_DATABASE.read_bytes()).hexdigest()
    refused(
        lambda: read_sqlite_table(DEMO_DATABASE, table),
        f"no table {table!r}",
        "'lab_results', 'students'",
    )
    assert hashlib.sha256(DEMO_DATABASE.read_bytes()).hexdigest() == before
    assert len(read_sqlite_table(DEMO_DATABASE, "students")) == 60


def test_is_a_table_with_quotes_in_its_name_read_through_a_quoted_identifier(tmp_path) -> None:
    path = tmp_path / "odd.sqlite"
    name = 'odd "name"; --'
    with closing(sqlite3.connect(path)) as db:
        db.execute('CREATE TABLE "odd ""name""; --" (a INTEGER, b TEXT)')
        db.executemany('INSERT INTO "odd ""name""; --" VALUES (?, ?)', [(1, "x"), (2, "y")])
        db.commit()
    assert list_tables(path) == [name]
    assert read_sqlite_table(path, name)["b"].tolist() == ["x", "y"]


def test_is_a_file_that_is_not_a_database_refused(tmp_path: Path) -> None:
    path = tmp_path / "fake.sqlite"
    path.write_bytes(b"hello, I am not a database" * 10)
    refused(lambda: list_tables(path), "not a SQLite database")
    refused(lambda: store_source(path.read_bytes(), "fake.sqlite"), "not a SQLite database")


def test_is_the_demo_database_reproducible_from_its_generator(tmp_path: Path) -> None:
    fresh = build_demo_database(tmp_path / "demo.sqlite")
    for table in ("students", "lab_results"):
        pd.testing.assert_frame_equal(
            read_sqlite_table(fresh, table), read_sqlite_table(DEMO_DATABASE, table)
        )


def test_does_the_demo_database_hold_the_planted_problems() -> None:
    results = read_sqlite_table(DEMO_DATABASE, "lab_results")
    assert results["score"].isna().sum() == 15
    assert set(results["minutes"].dropna()) >= {"45 min", "about 30", "1440"}
    repeated = results.duplicated(subset=["student_id", "lab", "submitted_at"])
    assert repeated.sum() == 8 and not results["id"].duplicated().any()


# --- several sources, stored uploads -----------------------------------------------------


def demo_join(**join: object) -> dict:
    return {
        "name": "demo",
        "sources": [
            {"kind": "sqlite", "database": "demo", "table": "lab_results"},
            {"kind": "sqlite", "database": "demo", "table": "students", "join_column": "id"},
        ],
        "join": {"key": "student_id", **join},
    }


def test_are_two_tables_joined_on_a_key() -> None:
    frame = read_sources(parse_pipeline(demo_join()))
    assert len(frame) == 308 and frame.index[0] == 1
    assert {"school", "country", "score"} <= set(frame.columns)
    assert frame["id"].is_unique  # lab_results' id; the students' id became the key


def test_does_a_join_on_a_missing_key_name_the_source_and_its_columns() -> None:
    data = demo_join(key="learner")
    data["sources"][1].pop("join_column")
    refused(
        lambda: read_sources(parse_pipeline(data)),
        "Source 1 (lab_results) has no column 'learner' to join on",
        "'student_id'",
    )


def test_is_a_stored_file_named_by_its_hash_and_read_back_as_a_source() -> None:
    data = TABLE.to_json(orient="records").encode()
    source_id, fmt, summary = store_source(data, "../../etc/passwd.json")
    assert (fmt, summary["rows"], summary["missing"]["school"]) == ("json", 4, 1)
    path, _ = stored_source(source_id)
    assert path.name == f"{source_id}.json" and path.read_bytes() == data
    assert store_source(data, "again.json")[0] == source_id
    spec = parse_pipeline({"name": "p", "sources": [{"kind": "upload", "upload_id": source_id}]})
    assert read_sources(spec)["name"].tolist()[:2] == ["Ada", "Bo"]


@pytest.mark.parametrize("source_id", ["../../etc/passwd", "0123456789abcdef", ""])
def test_is_an_unknown_stored_file_not_found(source_id: str) -> None:
    refused(lambda: stored_source(source_id), "no uploaded file")


def test_does_check_data_summarise_a_file(tmp_path: Path) -> None:
    path = tmp_path / "table.xlsx"
    path.write_bytes(excel_bytes(TABLE))
    summary = check_data_file(path)
    assert summary["rows"] == 4 and summary["columns"] == 3
    assert summary["types"] == {"name": "text", "score": "number", "school": "text"}
    assert summary["missing"] == {"name": 1, "score": 1, "school": 1}
    assert json.loads(json.dumps(summary)) == summary


def test_is_a_damaged_database_refused_and_nothing_stored() -> None:
    damaged = b"SQLite format 3\x00" + b"\xff" * 4000
    refused(lambda: store_source(damaged, "school.db"), "could not be read")
    folder = data_dir() / "pipeline_sources"
    assert not folder.exists() or list(folder.iterdir()) == []
