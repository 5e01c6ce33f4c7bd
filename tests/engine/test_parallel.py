"""Does data parallelism keep every worker's copy of the model equal, and report each?"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
import torch

from engine import artifacts, jobs
from engine.spec import RunSpec, SpecError, parse_spec
from engine.trainer import RunFiles, SilentHooks, train
from engine.training.checkpoint import load_checkpoint
from engine.training.parallel import batch_shape, share_of_batch
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


# --- how the workers share a batch ------------------------------------------------------------

# 100 training rows in batches of 10: one worker takes 10 steps per epoch.
SMALL = RunSpec(
    model="dense", hidden_units=16, depth=1, epochs=2, train_limit=100, batch_size=10, device="cpu"
)


def _epoch_ends(hooks: SilentHooks) -> list[tuple[int, dict[str, float]]]:
    """(optimiser steps so far, values) at the end of each epoch."""
    return [(step, values) for step, _, values in hooks.rows if "val_loss" in values]


def test_do_two_workers_sharing_each_batch_train_like_one_worker() -> None:
    one, two = SilentHooks(), SilentHooks()
    assert train(SMALL, one).status == "done"
    result = train(SMALL.model_copy(update={"data_parallel": 2}), two)
    assert result.status == "done" and result.weights_equal_across_workers is True
    # the same global batch of 10 (5 rows each), so the same 10 optimiser steps per epoch
    assert batch_shape(10, 2, "global", 100) == {
        "global_batch": 10,
        "worker_batch": 5,
        "steps_per_epoch": 10,
    }
    assert [step for step, _ in _epoch_ends(one)] == [10, 20]
    assert [step for step, _ in _epoch_ends(two)] == [10, 20]
    # the same batches in the same order: the curves match up to rounding
    for (_, alone), (_, shared) in zip(_epoch_ends(one), _epoch_ends(two), strict=True):
        assert shared["train_loss"] == pytest.approx(alone["train_loss"], abs=1e-4)
        assert shared["val_loss"] == pytest.approx(alone["val_loss"], abs=1e-4)


def test_do_two_workers_with_batches_of_their_own_take_half_the_steps() -> None:
    hooks = SilentHooks()
    spec = SMALL.model_copy(update={"data_parallel": 2, "parallel_batch": "per_worker"})
    assert train(spec, hooks).status == "done"
    assert batch_shape(10, 2, "per_worker", 100) == {
        "global_batch": 20,
        "worker_batch": 10,
        "steps_per_epoch": 5,
    }
    assert [step for step, _ in _epoch_ends(hooks)] == [5, 10]


def test_does_each_worker_get_an_equal_slice_of_every_batch() -> None:
    rows = torch.arange(10).reshape(5, 2)
    labels = torch.arange(5)
    first, second = (share_of_batch((rows, labels), rank, 2)[1] for rank in (0, 1))
    # a batch of 5 cannot split in two: the last slice is topped up from the batch's start
    assert first.tolist() == [0, 1, 2] and second.tolist() == [3, 4, 0]
    quarters = [share_of_batch((labels[:4],), rank, 2)[0].tolist() for rank in (0, 1)]
    assert quarters == [[0, 1], [2, 3]]


def test_is_a_batch_the_workers_cannot_share_evenly_refused_with_sizes_that_fit() -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec({"data_parallel": 2, "batch_size": 33})
    assert "does not split evenly between 2 workers" in caught.value.errors["batch_size"]
    assert "choose 32 or 34" in caught.value.errors["batch_size"]
    with pytest.raises(SpecError) as caught:
        parse_spec({"data_parallel": 3, "batch_size": 32})
    assert "choose 30 or 33" in caught.value.errors["batch_size"]
    # each worker taking its own batch, or one worker, never needs an even split
    assert parse_spec({"data_parallel": 2, "batch_size": 33, "parallel_batch": "per_worker"})
    assert parse_spec({"data_parallel": 1, "batch_size": 33})


def test_does_a_spec_saved_before_the_setting_still_load() -> None:
    saved = RunSpec(data_parallel=2).model_dump()
    del saved["parallel_batch"]
    assert parse_spec(saved).parallel_batch == "global"
