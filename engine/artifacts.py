"""Where a run's files live: checkpoints and the final model, under the data folder."""

from __future__ import annotations

from pathlib import Path

from settings import data_dir


def run_dir(run_id: int) -> Path:
    path = data_dir() / "runs" / str(run_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def checkpoint_path(run_id: int) -> Path:
    """The last completed epoch's state (model, optimiser, scheduler, epoch)."""
    return run_dir(run_id) / "checkpoint.pt"


def model_path(run_id: int) -> Path:
    """The finished run's model, used to start transfer learning from."""
    return data_dir() / "runs" / str(run_id) / "model.pt"
