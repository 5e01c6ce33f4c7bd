"""Helpers that several engine tests (and the lab and page tests) share."""

from __future__ import annotations

from engine import artifacts, jobs
from engine.trainer import SilentHooks
from engine.training.checkpoint import load_checkpoint
from tests.conftest import wait_for_end


class StopAfterEpoch(SilentHooks):
    """Ends the run as if the process died right after the given epoch was checkpointed."""

    def __init__(self, epoch: int) -> None:
        super().__init__()
        self.epoch = epoch
        self.stop = False

    def on_metrics(self, step, epoch, values) -> None:
        super().on_metrics(step, epoch, values)
        self.stop = self.stop or epoch > self.epoch

    def should_stop(self) -> bool:
        return self.stop


def assert_resumes_to_the_end_without_duplicate_rows(run_id: int, epochs: int) -> None:
    """Resume an interrupted run; it must go on from its checkpoint, every step stored once."""
    saved_epoch = load_checkpoint(artifacts.checkpoint_path(run_id))["epoch"]
    assert jobs.resume(run_id) is True
    state = wait_for_end(run_id, timeout=300)
    assert state.status == "done", state.reason
    assert state.result["resumed_from_epoch"] == saved_epoch
    rows = jobs.metrics_since(run_id)
    steps = [r.step for r in rows]
    assert len(steps) == len(set(steps)) and steps == sorted(steps)
    val_epochs = [r.epoch for r in rows if "val_loss" in r.values]
    assert val_epochs == [float(e) for e in range(1, epochs + 1)]


def text_csv(rows: int = 30) -> bytes:
    """Short sentences, happy or sad, with their label."""
    lines = [
        f"{'great fun happy' if i % 2 else 'sad dull boring'} day {i},{i % 2}" for i in range(rows)
    ]
    return ("text,label\n" + "\n".join(lines) + "\n").encode()


def table_csv(rows: int = 45) -> bytes:
    """A small table: a number, a colour and the species to predict."""
    lines = [
        f"{35 + i % 7 + (i % 3) * 5},{['red', 'blue'][i % 2]},{['a', 'b', 'c'][i % 3]}"
        for i in range(rows)
    ]
    return ("bill,colour,species\n" + "\n".join(lines) + "\n").encode()
