"""Does ``python -m engine export`` write a standalone script that repeats a run exactly?"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from db.models import Run
from db.session import write_session
from engine import jobs
from engine.data.uploads import store_csv_upload
from engine.export import export_run
from engine.runner import execute_run
from engine.spec import RunSpec

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = {"engine", "classroom", "labs", "db", "ui", "pages", "server", "content"}
PUBLIC_PACKAGES = {"numpy", "pandas", "torch", "sklearn", "scipy", "PIL", "palmerpenguins"}

# Each exported script must reach exactly the engine's test accuracy and loss on the CPU:
# same split, seed, layer order, loader generators, optimiser and schedule stepping.
REPEATED = {
    "digits-cnn-adam-step": RunSpec(
        model="cnn", learning_rate=0.003, schedule="step", step_size=1, epochs=3, device="cpu"
    ),
    "digits-dense-sgd-dropout-bn-clip-early-stop": RunSpec(
        model="dense",
        optimizer="sgd",
        learning_rate=0.1,
        momentum=0.9,
        dropout=0.3,
        batch_norm=True,
        clip_grad_norm=0.5,
        early_stopping_patience=2,
        epochs=20,  # stops early at epoch 10 and goes back to epoch 8's weights
        device="cpu",
    ),
    "penguins-dense": RunSpec(
        dataset="penguins", model="dense", learning_rate=0.01, epochs=5, device="cpu"
    ),
    # A class challenge's run: its held-out rows stay out of the script's split too.
    "penguins-challenge": RunSpec(
        dataset="penguins",
        model="dense",
        learning_rate=0.01,
        epochs=5,
        holdout_seed=11,
        device="cpu",
    ),
    # The LSTM is exact too: packed sequences on one CPU thread are deterministic.
    "sentences-lstm": RunSpec(
        dataset="competency-sentences", model="lstm", learning_rate=0.01, epochs=3, device="cpu"
    ),
}


@pytest.fixture(autouse=True)
def restore_threads() -> Iterator[None]:
    """execute_run trains on one thread; give the test process its threads back after."""
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def finished_run(spec: RunSpec) -> int:
    """Queue a run and train it here, as a worker's run process would."""
    run_id = jobs.submit(spec, owner_id=None)
    assert jobs.claim_next(worker_pid=os.getpid()) == run_id
    assert execute_run(run_id) == "done"
    return run_id


def run_script(script: Path) -> subprocess.CompletedProcess[str]:
    """Run an exported script where a learner would: beside its files, project out of reach."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["OMP_NUM_THREADS"] = "1"
    return subprocess.run(
        [sys.executable, script.name],
        cwd=script.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def engine_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def imported_packages(script: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or "").split(".")[0])
    return names


@pytest.mark.parametrize("name", sorted(REPEATED))
def test_does_the_exported_script_reach_the_engines_test_accuracy(
    name: str, tmp_path: Path
) -> None:
    spec = REPEATED[name]
    run_id = finished_run(spec)
    engine = jobs.status(run_id).result
    script = export_run(run_id, tmp_path / "export")[0]

    done = run_script(script)

    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["test_accuracy"] == engine["test_accuracy"]
    assert summary["test_loss"] == engine["test_loss"]
    assert summary["epochs"] == engine["epochs"]
    if spec.early_stopping_patience:
        assert engine["stopped_early"] and "stopped early" in done.stdout


EXPORTED = {
    **REPEATED,
    "sounds-cnn-onecycle": RunSpec(dataset="sounds", model="cnn", schedule="onecycle"),
    "wine-bf16-adamw": RunSpec(
        dataset="wine", model="dense", mixed_precision="bf16", optimizer="adamw"
    ),
    "sentences-transformer-dropout": RunSpec(
        dataset="competency-sentences", model="transformer", dropout=0.1, batch_norm=True
    ),
    "sentences-bag-few-labels": RunSpec(
        dataset="competency-sentences", model="dense", train_limit=100
    ),
    "digits-fp16-cosine-warmup-augment": RunSpec(
        model="cnn",
        mixed_precision="fp16",
        schedule="cosine",
        warmup_epochs=2,
        augment_flip=True,
        augment_shift=2,
        clip_grad_value=1.0,
    ),
    "digits-plateau-warmup-early-stop": RunSpec(
        model="dense", schedule="plateau", warmup_epochs=1, early_stopping_patience=3
    ),
}


def stored_run(spec: RunSpec) -> int:
    """A queued run as the database holds it; the spec alone is enough to export it, even
    one this machine could not train (float16 needs a GPU)."""
    with write_session() as session:
        run = Run(owner_id=None, spec=spec.model_dump(), status="queued")
        session.add(run)
        session.flush()
        return run.id


@pytest.mark.parametrize("name", sorted(EXPORTED))
def test_does_the_script_import_only_public_packages(name: str, tmp_path: Path) -> None:
    script = export_run(stored_run(EXPORTED[name]), tmp_path)[0]
    packages = imported_packages(script)
    assert not packages & PROJECT_PACKAGES
    assert packages - set(sys.stdlib_module_names) <= PUBLIC_PACKAGES


@pytest.mark.parametrize("name", sorted(EXPORTED))
def test_is_the_script_valid_python_in_lines_a_reader_can_follow(name: str, tmp_path: Path) -> None:
    text = export_run(stored_run(EXPORTED[name]), tmp_path)[0].read_text(encoding="utf-8")
    compile(text, "run.py", "exec")
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "@@" not in text  # every template slot was filled


TECHNIQUES = {
    "Step decay": {"schedule": "step"},
    "Warm-up": {"warmup_epochs": 1},
    "Gradient clipping by norm": {"clip_grad_norm": 1.0},
    "Gradient clipping by value": {"clip_grad_value": 0.5},
    "Early stopping": {"early_stopping_patience": 2},
    "Mixed precision (bfloat16)": {"mixed_precision": "bf16"},
    "Data augmentation": {"augment_shift": 1},
    "Batch normalisation": {"batch_norm": True},
    "Dropout:": {"dropout": 0.2},
    "Weight decay (L2)": {"weight_decay": 0.01},
}


@pytest.mark.parametrize("technique", sorted(TECHNIQUES))
def test_is_a_technique_explained_only_when_the_spec_turns_it_on(
    technique: str, tmp_path: Path
) -> None:
    plain = stored_run(RunSpec(epochs=3))
    using = stored_run(RunSpec(epochs=3, **TECHNIQUES[technique]))
    assert technique not in export_run(plain, tmp_path / "plain")[0].read_text()
    assert technique in export_run(using, tmp_path / "using")[0].read_text()


def test_does_the_header_name_the_run_its_settings_and_result(tmp_path: Path) -> None:
    spec = RunSpec(model="dense", epochs=1, data_parallel=2, device="cpu")
    run_id = stored_run(spec)
    result = {"test_accuracy": 0.875, "test_loss": 0.5, "epochs": 1, "dataset_hash": "0" * 16}
    jobs.finish(run_id, "done", result=result)
    header = export_run(run_id, tmp_path)[0].read_text().split("\nimport ", 1)[0]
    assert f"# Run {run_id} of Deep Learning Labs" in header
    assert "model=dense" in header and "data_parallel=2" in header
    assert "test accuracy 0.875" in header
    assert "one process" in header  # data-parallel runs are exported single-process
    assert "the dataset changed since this run" in header  # its hash is not the run's


UPLOAD_CSV = "size,colour,kind\n" + "".join(
    f"{i % 7}.5,{'red' if i % 2 else 'NA'},{'abc'[i % 3]}\n" for i in range(30)
)


@pytest.mark.parametrize(
    ("dataset", "files"),
    [
        ("digits", {"SCRIPT"}),  # scikit-learn holds the digits
        ("penguins", {"SCRIPT"}),  # the palmerpenguins package holds the penguins
        ("competency-sentences", {"SCRIPT", "data.csv"}),  # the project's own data
        ("an uploaded table", {"SCRIPT", "data.csv"}),  # the learner's own data
    ],
)
def test_does_the_command_copy_only_data_no_package_holds(
    dataset: str, files: set[str], tmp_path: Path
) -> None:
    if dataset == "an uploaded table":
        dataset = "upload:" + store_csv_upload(UPLOAD_CSV.encode(), "table.csv", "kind")
    run_id = stored_run(RunSpec(dataset=dataset, model="dense", epochs=1))
    files = {f"run_{run_id}.py" if name == "SCRIPT" else name for name in files}
    done = engine_cli("export", str(run_id), "-o", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert {p.name for p in (tmp_path / "out").iterdir()} == files
    assert {Path(line).name for line in done.stdout.split()} == files


def test_does_a_transfer_learning_export_carry_the_source_weights(tmp_path: Path) -> None:
    source = finished_run(RunSpec(dataset="digits-0-4", model="cnn", epochs=1, device="cpu"))
    spec = RunSpec(
        dataset="digits-5-9",
        model="cnn",
        epochs=1,
        device="cpu",
        pretrained_from=source,
        freeze_pretrained=True,
    )
    target = finished_run(spec)
    written = export_run(target, tmp_path)
    assert {p.name for p in written} == {f"run_{target}.py", "pretrained.pt"}
    done = run_script(written[0])
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["test_accuracy"] == jobs.status(target).result["test_accuracy"]


def test_is_an_unknown_run_refused_with_exit_code_2(tmp_path: Path) -> None:
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    done = engine_cli("export", "987654", cwd=workdir)
    assert done.returncode == 2
    assert "no run 987654" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(workdir.iterdir()) == []  # nothing written
