"""Does data parallelism keep every worker's copy of the model equal, and report each?"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from engine import artifacts, jobs
from engine.spec import RunSpec
from engine.trainer import RunFiles, SilentHooks, train
from engine.training.checkpoint import load_checkpoint
from tests.conftest import wait_for_end, wait_until
from tests.engine.helpers import (
    StopAfterEpoch,
    assert_resumes_to_the_end_without_duplicate_rows,
)


def test_do_two_workers_end_with_equal_weights_and_report_their_throughput() -> None:
    hooks = SilentHooks()
    spec = RunSpec(model="cnn", epochs=3, learning_rate=0.003, data_parallel=2, device="cpu")
    result = train(spec, hooks)  # gloo between processes on the CPU
    assert result.status == "done", result.reason
    assert result.workers == 2
    assert result.weights_equal_across_workers is True
    assert len(result.per_worker_samples_per_second) == 2
    assert all(rate > 0 for rate in result.per_worker_samples_per_second)
    assert result.test_accuracy > 0.8
    epochs = [epoch for _, epoch, values in hooks.rows if "val_loss" in values]
    assert epochs == [1.0, 2.0, 3.0]  # one report per epoch, from the first worker only


SPEC = RunSpec(model="dense", hidden_units=32, epochs=6, dropout=0.1, data_parallel=2, device="cpu")


def test_does_a_resumed_parallel_run_end_exactly_where_an_uninterrupted_one_does(
    tmp_path,
) -> None:
    whole = SilentHooks()
    expected = train(SPEC, whole)
    files = RunFiles(checkpoint=tmp_path / "checkpoint.pt", checkpoint_every_seconds=0)
    assert train(SPEC, StopAfterEpoch(2), files=files).status == "cancelled"
    saved = load_checkpoint(files.checkpoint)
    assert 2 <= saved["epoch"] < SPEC.epochs
    assert len(saved["processes"]) == 2  # each process's own random state and counters
    rest = SilentHooks()
    resumed = train(SPEC, rest, files=files)
    assert resumed.status == "done" and resumed.resumed_from_epoch == saved["epoch"]
    assert resumed.test_accuracy == expected.test_accuracy
    after = [row for row in whole.rows if row[1] > saved["epoch"]]
    assert [row for row in rest.rows if row[1] > saved["epoch"]] == after


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _running(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def test_does_a_killed_parallel_run_stop_its_workers_and_resume_without_duplicates(
    worker,
) -> None:
    run_id = jobs.submit(SPEC.model_copy(update={"epochs": 200}), owner_id=None)
    checkpoint = artifacts.checkpoint_path(run_id)
    wait_until(lambda: checkpoint.exists() and load_checkpoint(checkpoint)["epoch"] >= 2)
    run_process = worker.worker.running[run_id].pid
    ranks = _children(run_process)  # the data-parallel processes (and multiprocessing's helper)
    assert ranks
    os.kill(run_process, signal.SIGKILL)
    assert wait_for_end(run_id).status == "interrupted"
    wait_until(lambda: not any(_running(pid) for pid in ranks), timeout=30)

    assert_resumes_to_the_end_without_duplicate_rows(run_id, epochs=200)
