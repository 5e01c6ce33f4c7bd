"""'Show as code': does the generated pandas / scikit-learn script give the same table as
run_pipeline, run on its own in a fresh Python process?"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from engine.pipeline.code import pipeline_code
from engine.pipeline.ingest import read_sources
from engine.pipeline.pipeline_spec import parse_pipeline
from engine.pipeline.stages import run_pipeline
from settings import PROJECT_ROOT

DEMO = {
    "sources": [
        {"kind": "sqlite", "database": "demo", "table": "lab_results"},
        {"kind": "sqlite", "database": "demo", "table": "students", "join_column": "id"},
    ],
    "join": {"key": "student_id"},
}
STAGE_LISTS = {
    "every kind of stage": [
        {
            "step": "fix_types",
            "columns": {"minutes": "int", "submitted_at": "datetime"},
            "invalid": "missing",
        },
        {"step": "fix_types", "columns": {"school": "category", "id": "string"}},
        {
            "step": "impute",
            "columns": {
                "score": "median",
                "minutes": "knn",
                "country": {"strategy": "constant", "value": "unknown"},
            },
        },
        {"step": "outliers", "columns": ["minutes"], "method": "iqr", "action": "clip"},
        {"step": "deduplicate", "subset": ["student_id", "lab", "submitted_at"]},
        {"step": "scale", "columns": ["score"], "method": "robust"},
        {"step": "scale", "columns": ["minutes"], "method": "minmax"},
        {"step": "encode", "columns": ["lab", "school"], "method": "onehot"},
        {"step": "encode", "columns": ["country"], "method": "ordinal"},
        {"step": "target", "column": "passed"},
    ],
    "dropping and removing rows": [
        {"step": "fix_types", "columns": {"minutes": "float"}, "invalid": "missing"},
        {"step": "impute", "columns": {"minutes": "drop", "score": "mean", "country": "drop"}},
        {
            "step": "outliers",
            "columns": ["minutes", "score"],
            "method": "zscore",
            "action": "remove",
            "threshold": 2.5,
        },
        {"step": "deduplicate"},
        {"step": "scale", "columns": ["minutes", "score"]},
    ],
}


@pytest.mark.parametrize("stages", STAGE_LISTS.values(), ids=STAGE_LISTS.keys())
def test_does_the_script_reproduce_run_pipeline(
    stages: list[dict[str, Any]], tmp_path: Path
) -> None:
    spec = parse_pipeline({"name": "demo", **DEMO, "stages": stages})
    frame = read_sources(spec)
    expected, _ = run_pipeline(spec, frame)
    script = tmp_path / "pipeline.py"
    script.write_text(pipeline_code(spec))
    frame.to_parquet(tmp_path / "input.parquet")
    done = subprocess.run(
        [sys.executable, str(script), "input.parquet", "output.parquet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "output.parquet"), expected)


def test_does_the_script_load_the_demo_sources_itself(tmp_path: Path) -> None:
    spec = parse_pipeline({"name": "demo", **DEMO, "stages": [{"step": "deduplicate"}]})
    (tmp_path / "demo.sqlite").write_bytes(
        (PROJECT_ROOT / "content/datasets/demo.sqlite").read_bytes()
    )
    (tmp_path / "pipeline.py").write_text(pipeline_code(spec))
    done = subprocess.run(
        [sys.executable, "pipeline.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "student_id" in done.stdout and "school" in done.stdout


SOURCES = {
    "bundled": [{"kind": "bundled", "name": "breast-cancer"}],
    "upload": [{"kind": "upload", "upload_id": "0123456789abcdef"}],
    "url": [{"kind": "url", "url": "https://example.org/data.json?x=');import os;('"}],
    "odd names": [{"kind": "sqlite", "database": "demo", "table": "t'); import os; ('"}],
}


@pytest.mark.parametrize("sources", SOURCES.values(), ids=SOURCES.keys())
def test_is_every_script_valid_python_with_names_kept_as_strings(sources: list[dict]) -> None:
    odd = 'x"); import os; ("'
    spec = parse_pipeline(
        {
            "name": "p",
            "sources": sources,
            "stages": [
                {"step": "impute", "columns": {odd: {"strategy": "constant", "value": odd}}},
                {"step": "encode", "columns": [odd]},
            ],
        }
    )
    tree = ast.parse(pipeline_code(spec))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert "os" not in imported
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert not any(getattr(c.func, "id", "") in ("exec", "eval", "system") for c in calls)
