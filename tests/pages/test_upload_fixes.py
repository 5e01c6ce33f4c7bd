"""Pipeline builder uploads: can a learner mend a refused CSV with one click, are a
database's endings accepted, and are formula cells without values pointed out?"""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from engine.pipeline.ingest import SQLITE_ENDINGS, source_format
from engine.pipeline.readers import FORMATS
from ui.pipeline_builder.sources import UPLOAD_TYPES

PAGE = "pages/pipeline_builder.py"


@pytest.fixture
def lab(open_page, learner):
    at = open_page(learner, PAGE)
    at.radio(key="pl_source_kind").set_value("My file").run()
    return at


def upload(at, name: str, data: bytes) -> None:
    at.file_uploader(key="pl_upload").upload(name, data, "application/octet-stream").run()
    assert not at.exception


def fix_buttons(at) -> list[str]:
    return [b.label for b in at.button if b.key and b.key.startswith("pl_fix_")]


def click_fix(at, fix: str) -> None:
    at.button(key=f"pl_fix_{fix}").click().run()
    assert not at.exception


def test_can_an_unnamed_column_and_infinite_values_be_fixed_in_turn(lab) -> None:
    upload(lab, "marks.csv", b"name,,score\nAda,1,inf\nBo,2,3\nCy,3,4\n")
    assert "has no name for column 2 (B)" in lab.error[0].value
    assert fix_buttons(lab) == ["Name the unnamed columns for me (column_3, …)"]
    click_fix(lab, "unnamed_columns")
    assert "'score' holds infinite values" in lab.error[0].value  # the next problem, and its fix
    assert fix_buttons(lab) == ["Treat the infinite values as missing"]
    click_fix(lab, "infinite_values")
    assert not lab.error
    assert any("3 rows, 3 columns, 1 missing" in c.value for c in lab.caption)
    notes = [i.value for i in lab.info]
    assert "column 2 (B) is now 'column_2'" in notes[0]
    assert notes[1] == "Treated 1 infinite value as missing."


def test_is_no_fix_offered_for_a_refusal_it_cannot_mend(lab) -> None:
    upload(lab, "ragged.csv", b"a,b\n1,2\n3\n")
    assert "row 3 has 1" in lab.error[0].value
    assert fix_buttons(lab) == []


def test_is_a_db_file_accepted_and_its_tables_offered(lab, tmp_path: Path) -> None:
    path = tmp_path / "school.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE marks (name TEXT, score REAL)")
        connection.executemany("INSERT INTO marks VALUES (?, ?)", [("Ada", 1.0), ("Bo", 2.0)])
    upload(lab, "school.db", path.read_bytes())
    assert not lab.error
    assert lab.selectbox(key="pl_upload_table").options == ["marks"]
    assert any("2 rows, 2 columns" in c.value for c in lab.caption)


def test_does_the_upload_widget_take_every_ending_the_engine_reads() -> None:
    endings = {e.lstrip(".") for e in (*FORMATS, *SQLITE_ENDINGS)}
    assert endings <= set(UPLOAD_TYPES)
    assert {source_format(f"file.{ending}") for ending in UPLOAD_TYPES} == {
        "csv",
        "excel",
        "json",
        "parquet",
        "sqlite",
    }


def test_are_formula_cells_without_values_pointed_out(lab) -> None:
    buffer = io.BytesIO()
    pd.DataFrame({"a": [1, 2, 3], "b": [4, "=A3*2", "=A4*2"]}).to_excel(buffer, index=False)
    upload(lab, "sums.xlsx", buffer.getvalue())
    assert not lab.error
    assert any(i.value.startswith("2 cells held formulas") for i in lab.info)
