"""Does ``python -m engine check-data FILE`` print a JSON summary (exit 0), or one clear error
line (exit 2)?"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from settings import PROJECT_ROOT


def check_data(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", "check-data", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DLL_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_files(folder: Path) -> dict[str, Path]:
    table = pd.DataFrame({"name": ["Ada", None, "Cy"], "score": [91.0, 78.0, None]})
    paths = {name: folder / name for name in ("t.csv", "t.json", "t.parquet", "t.xlsx")}
    paths["t.csv"].write_bytes(table.to_csv(index=False).encode("utf-8-sig"))
    paths["t.json"].write_text(table.to_json(orient="records"))
    table.to_parquet(paths["t.parquet"])
    table.to_excel(paths["t.xlsx"], index=False)
    return paths


@pytest.mark.parametrize("name", ["t.csv", "t.json", "t.parquet", "t.xlsx"])
def test_does_a_good_file_print_its_summary_and_exit_0(name: str, tmp_path: Path) -> None:
    path = write_files(tmp_path)[name]
    done = check_data(str(path), data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["rows"], summary["columns"]) == (3, 2)
    assert summary["types"] == {"name": "text", "score": "number"}
    assert summary["missing"] == {"name": 1, "score": 1}
    if name == "t.csv":
        assert summary["encoding"] == "UTF-8 with BOM"


def test_does_a_demo_table_print_its_summary(tmp_path: Path) -> None:
    done = check_data("content/datasets/demo.sqlite", "--table", "students", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["missing"]["country"] == 4


BAD = {
    "ragged CSV": ("bad.csv", b"x,y\n1,2\n3\n", "row 3 has 1"),
    "random bytes as Excel": ("bad.xlsx", b"\x00\x01\x02" * 100, "not a readable Excel"),
    "JSON that is not a table": ("bad.json", b'{"a": 1}', "not a table"),
    "random bytes as Parquet": ("bad.parquet", os.urandom(512), "not a Parquet file"),
    "unknown ending": ("bad.docx", b"hello", "ending in .docx"),
    "empty file": ("empty.csv", b"", "empty (0 bytes)"),
}


@pytest.mark.parametrize(("name", "data", "words"), BAD.values(), ids=BAD.keys())
def test_does_a_bad_file_give_one_error_line_and_exit_2(
    name: str, data: bytes, words: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    done = check_data(str(path), data_dir=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: ") and words in lines[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["no-such-file.csv"], "No such file"),
        (["content/datasets/demo.sqlite"], "name one with --table"),
        (["content/datasets/demo.sqlite", "--table", "x; DROP TABLE students"], "no table"),
    ],
)
def test_does_a_missing_file_or_table_exit_2(args: list[str], words: str, tmp_path: Path) -> None:
    done = check_data(*args, data_dir=tmp_path)
    assert done.returncode == 2 and words in done.stderr
