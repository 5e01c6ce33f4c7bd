"""Does ``python -m engine`` print specs, train one and refuse bad input with a clear exit code?"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.spec import EXAMPLE_SPECS, RunSpec, parse_spec

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def engine_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    # One torch thread, as in the engine's run processes: on a small shared test machine
    # more threads make these tiny networks slower, not faster.
    env = {**os.environ, "DLL_DATA_DIR": str(data_dir), "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("name", sorted(EXAMPLE_SPECS))
def test_does_example_spec_print_json_that_parse_spec_accepts(name: str, tmp_path: Path) -> None:
    done = engine_cli("example-spec", name, data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    spec = parse_spec(json.loads(done.stdout))
    assert spec.model_dump() == {**RunSpec().model_dump(), **EXAMPLE_SPECS[name]}


def test_does_run_train_a_spec_and_end_with_a_json_summary(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"model": "cnn", "learning_rate": 0.003, "epochs": 2}))
    done = engine_cli("run", str(path), data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["status"] == "done"
    assert summary["epochs"] == 2
    assert summary["test_accuracy"] > 0.5
    assert summary["seconds"] > 0
    assert "epoch 2:" in done.stderr  # progress goes to stderr, keeping stdout parseable


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (json.dumps({"learning_rate": -1}), "learning_rate"),
        (json.dumps({"batch_size": 2000}), "1077 training examples"),
        (json.dumps({"optimiser": "adam"}), "optimiser"),
        ("{not json", "cannot read the spec"),
    ],
    ids=["negative-lr", "batch-too-large", "misspelt-key", "not-json"],
)
def test_is_a_bad_spec_file_refused_with_exit_code_2(
    content: str, words: str, tmp_path: Path
) -> None:
    path = tmp_path / "spec.json"
    path.write_text(content)
    done = engine_cli("run", str(path), data_dir=tmp_path)
    assert done.returncode == 2
    assert words in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_is_a_missing_spec_file_refused_with_exit_code_2(tmp_path: Path) -> None:
    done = engine_cli("run", str(tmp_path / "nowhere.json"), data_dir=tmp_path)
    assert done.returncode == 2
    assert "cannot read the spec" in done.stderr


def test_is_an_unknown_example_name_refused(tmp_path: Path) -> None:
    done = engine_cli("example-spec", "imagenet", data_dir=tmp_path)
    assert done.returncode != 0
    assert "imagenet" in done.stderr and "digits-cnn" in done.stderr
    assert done.stdout == ""
