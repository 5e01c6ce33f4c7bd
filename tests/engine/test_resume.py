"""Are runs never lost: atomic checkpoints, and resuming after a killed run process?"""

from __future__ import annotations

import os
import signal

import pytest
import torch

from engine import artifacts, jobs
from engine.spec import RunSpec
from engine.trainer import RunFiles, SilentHooks, train
from engine.training import checkpoint as checkpoint_module
from engine.training.checkpoint import load_checkpoint, save_checkpoint
from tests.conftest import wait_for_end, wait_until
from tests.engine.helpers import StopAfterEpoch, assert_resumes_to_the_end_without_duplicate_rows

SPEC = RunSpec(model="dense", hidden_units=32, epochs=8, dropout=0.1, augment_flip=True)


def test_does_an_error_mid_save_leave_the_previous_checkpoint_loadable(
    tmp_path, monkeypatch
) -> None:
    folder = tmp_path / "run"
    path = folder / "checkpoint.pt"
    save_checkpoint(path, {"epoch": 1})

    def broken_save(obj, handle):
        handle.write(b"half a checkpoint")
        raise OSError("No space left on device")

    monkeypatch.setattr(checkpoint_module.torch, "save", broken_save)
    with pytest.raises(OSError):
        save_checkpoint(path, {"epoch": 2})
    monkeypatch.undo()
    assert load_checkpoint(path) == {"epoch": 1}
    assert [p.name for p in folder.iterdir()] == ["checkpoint.pt"]  # no temporary left


def test_does_a_resumed_run_end_exactly_where_an_uninterrupted_one_does(tmp_path) -> None:
    whole = SilentHooks()
    expected = train(SPEC, whole)
    files = RunFiles(checkpoint=tmp_path / "checkpoint.pt", checkpoint_every_seconds=0)
    first = StopAfterEpoch(3)
    assert train(SPEC, first, files=files).status == "cancelled"
    assert load_checkpoint(files.checkpoint)["epoch"] == 3
    second = SilentHooks()
    resumed = train(SPEC, second, files=files)
    assert resumed.resumed_from_epoch == 3
    assert resumed.test_accuracy == expected.test_accuracy
    epoch_rows = [row for row in whole.rows if row[1] > 3]
    assert [row for row in second.rows if row[1] > 3] == epoch_rows


def test_does_a_killed_run_resume_from_its_checkpoint_without_duplicate_rows(worker) -> None:
    run_id = jobs.submit(SPEC.model_copy(update={"epochs": 200}), owner_id=None)
    wait_until(
        lambda: (
            artifacts.checkpoint_path(run_id).exists()
            and load_checkpoint(artifacts.checkpoint_path(run_id))["epoch"] >= 2
        )
    )
    os.kill(worker.worker.running[run_id].pid, signal.SIGKILL)
    assert wait_for_end(run_id).status == "interrupted"
    assert_resumes_to_the_end_without_duplicate_rows(run_id, epochs=200)


def test_can_only_an_interrupted_run_with_a_checkpoint_be_resumed() -> None:
    run_id = jobs.submit(SPEC, owner_id=None)
    assert jobs.resume(run_id) is False  # queued, no checkpoint
    jobs.finish(run_id, "interrupted", "worker died")
    assert jobs.resume(run_id) is False  # still no checkpoint
    save_checkpoint(artifacts.checkpoint_path(run_id), {"epoch": 1, "step": 1})
    assert jobs.resume(run_id) is True
    assert jobs.status(run_id).status == "queued"


def test_is_the_finished_model_saved_for_transfer_learning(worker) -> None:
    run_id = jobs.submit(RunSpec(model="dense", epochs=1), owner_id=None)
    assert wait_for_end(run_id).status == "done"
    weights = torch.load(artifacts.model_path(run_id), weights_only=True)
    assert "head.weight" in weights
