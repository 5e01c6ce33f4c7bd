"""Small files that decode to huge tables: are they refused before the table is built, with
the reading process's memory staying bounded?"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from engine.pipeline.readers import read_table
from settings import PROJECT_ROOT

MAX_GROWTH_MB = 300  # the reader may grow by this much above its start, no more

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        f'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{OOXML}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OOXML}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{OOXML}.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
        f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
}


def workbook(shared: list[str], cells: list[str]) -> bytes:
    """An .xlsx written by hand: ``cells`` are the <c> elements of rows 2, 3, ... (row 1 is
    the header 'text,number' from shared strings 1 and 2)."""
    header = '<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="s"><v>2</v></c></row>'
    rows = "".join(f'<row r="{i}">{c.format(i=i)}</row>' for i, c in enumerate(cells, start=2))
    strings = "".join(f"<si><t>{s}</t></si>" for s in shared)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{strings}</sst>')
        sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{header}{rows}</sheetData></worksheet>'
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def shared_string_bomb() -> bytes:
    """200,000 cells all pointing at one 9,999-character shared string: 2 GB as a table."""
    cell = '<c r="A{i}" t="s"><v>0</v></c><c r="B{i}"><v>1</v></c>'
    return workbook(["x" * 9999, "text", "number"], [cell] * 200_000)


def many_rows() -> bytes:
    """400,000 rows of two small numbers: the row limit is passed halfway through the XML."""
    return workbook(
        ["", "text", "number"], ['<c r="A{i}"><v>1</v></c><c r="B{i}"><v>2</v></c>'] * 400_000
    )


def parquet_bomb() -> bytes:
    """200,000 rows of one 9,000-character string; dictionary encoding stores it once. Built
    from a dictionary array (so this test's process never holds 1.8 GB) and written without
    pandas' schema, so the file's column reads back as plain text."""
    texts = pa.DictionaryArray.from_arrays(pa.array([0] * 200_000, pa.int32()), ["x" * 9000])
    buffer = io.BytesIO()
    pq.write_table(pa.table({"s": texts, "n": [1] * 200_000}), buffer, store_schema=False)
    return buffer.getvalue()


READER = """
import json, resource, sys
from pathlib import Path
from engine.data.bundle import DataError
from engine.pipeline.readers import read_table
data = Path(sys.argv[1]).read_bytes()
start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    read_table(data, sys.argv[2])
    message = None
except DataError as exc:
    message = str(exc)
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start
print(json.dumps({"message": message, "grown_mb": grown / 1024}))
"""


def read_in_fresh_process(path: Path, fmt: str) -> dict:
    """Read the file in a new interpreter; its refusal and how far its peak memory grew."""
    done = subprocess.run(
        [sys.executable, "-c", READER, str(path), fmt],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


BOMBS = {
    "parquet of one long repeated string": (parquet_bomb, "parquet", "Read into a table"),
    "xlsx cells sharing one long string": (shared_string_bomb, "excel", "Read into a table"),
    "xlsx of 400,000 rows": (many_rows, "excel", "more than 200,000 rows"),
}


@pytest.mark.parametrize(("make", "fmt", "words"), BOMBS.values(), ids=BOMBS.keys())
def test_is_a_small_file_of_a_huge_table_refused_with_bounded_memory(
    tmp_path: Path, make, fmt: str, words: str
) -> None:
    data = make()
    assert len(data) < 20 * 1024 * 1024  # under the upload limit: only its content is big
    path = tmp_path / "bomb"
    path.write_bytes(data)
    result = read_in_fresh_process(path, fmt)
    assert result["message"] is not None and words in result["message"], result
    assert result["grown_mb"] < MAX_GROWTH_MB, result


def test_does_a_parquet_file_with_text_still_read_in_full() -> None:
    frame = pd.DataFrame({"name": ["Ada", None, "Cy"] * 100, "score": [1.5, 2.0, None] * 100})
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    table, _ = read_table(buffer.getvalue(), "parquet")
    assert table.loc[1, "name"] == "Ada" and table["name"].isna().sum() == 100
    assert table["name"].dtype == "str" and len(table) == 300


def test_is_a_workbook_of_shared_strings_under_the_limit_read() -> None:
    cell = '<c r="A{i}" t="s"><v>0</v></c><c r="B{i}"><v>7</v></c>'
    table, _ = read_table(workbook(["x" * 500, "text", "number"], [cell] * 50), "excel")
    assert len(table) == 50 and set(table["text"]) == {"x" * 500}
    assert table["number"].tolist() == [7] * 50
