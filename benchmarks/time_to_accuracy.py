"""How long does the first lab's CNN take to reach 97% test accuracy on the digits?

For each seed (0, 1, 2) the engine trains the CNN (Adam, learning rate 0.003, batch 32) for
E = 2, 4, 6, 8, 12, 16, 24 epochs, each a fresh run, and stops at the first E whose test
accuracy reaches 97%; that run's seconds are the seed's time to accuracy. The medians over
the seeds are reported once with one torch thread (as the engine's run processes train) and
once with torch's default thread count. The same process also times one epoch of a plain
PyTorch loop on the same model, so ``seconds_to_97 / baseline_plain_epoch_seconds`` stays
meaningful on a noisy or slower machine.

Run: ``.venv/bin/python benchmarks/time_to_accuracy.py``. The last line printed is JSON.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from engine.data import load_bundle  # noqa: E402
from engine.networks import build_model  # noqa: E402
from engine.spec import RunSpec  # noqa: E402
from engine.trainer import SilentHooks, train  # noqa: E402

TARGET = 0.97
EPOCH_STEPS = (2, 4, 6, 8, 12, 16, 24)
SEEDS = (0, 1, 2)
BASELINE_EPOCHS = 5  # plain epochs timed (after one warm-up epoch); the median is kept


def lab_spec(seed: int, epochs: int) -> RunSpec:
    """The first lab's settings with a CNN (labs/first_network.py uses a dense network)."""
    return RunSpec(
        model="cnn",
        optimizer="adam",
        learning_rate=0.003,
        batch_size=32,
        epochs=epochs,
        seed=seed,
        device="cpu",
    )


def time_to_target(seed: int) -> tuple[float | None, int | None]:
    """(seconds, epochs) of the shortest run in EPOCH_STEPS that reaches TARGET."""
    for epochs in EPOCH_STEPS:
        started = time.perf_counter()
        result = train(lab_spec(seed, epochs), SilentHooks())
        seconds = time.perf_counter() - started
        accuracy = result.test_accuracy or 0.0
        print(
            f"    seed {seed}, {epochs:2d} epochs: test accuracy {accuracy:.4f} in {seconds:.2f} s"
        )
        if result.status == "done" and accuracy >= TARGET:
            return seconds, epochs
    return None, None


def plain_epoch_seconds() -> float:
    """Median seconds of one plain PyTorch training epoch of the same model and data."""
    spec = lab_spec(0, 1)
    data = load_bundle(spec)
    torch.manual_seed(spec.seed)
    model = build_model(spec, data)
    optimizer = torch.optim.Adam(model.parameters(), lr=spec.learning_rate)
    dataset = TensorDataset(torch.from_numpy(data.x_train), torch.from_numpy(data.y_train))
    loader = DataLoader(dataset, batch_size=spec.batch_size, shuffle=True)
    times = []
    for _ in range(BASELINE_EPOCHS + 1):
        started = time.perf_counter()
        model.train()
        for xb, yb in loader:
            loss = nn.functional.cross_entropy(model(xb), yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])  # the first epoch warms caches up


def measure(threads: int) -> dict[str, float | int | None]:
    torch.set_num_threads(threads)
    print(f"torch threads: {threads}")
    baseline = plain_epoch_seconds()
    print(f"  one plain PyTorch epoch: {baseline:.3f} s")
    found = [time_to_target(seed) for seed in SEEDS]
    reached = [(s, e) for s, e in found if s is not None and e is not None]
    seconds = statistics.median(s for s, _ in reached) if reached else None
    epochs = statistics.median(e for _, e in reached) if reached else None
    if seconds is None:
        print(f"  no run reached {TARGET:.0%} within {EPOCH_STEPS[-1]} epochs")
    else:
        print(
            f"  median time to {TARGET:.0%}: {seconds:.2f} s ({epochs:g} epochs), "
            f"{seconds / baseline:.1f} plain epochs' worth; "
            f"{len(reached)} of {len(SEEDS)} seeds reached it"
        )
    return {
        "seconds_to_97": None if seconds is None else round(seconds, 3),
        "epochs_to_97": epochs,
        "threads": threads,
        "baseline_plain_epoch_seconds": round(baseline, 4),
        "seeds_reaching_97": len(reached),
    }


def main() -> None:
    default_threads = torch.get_num_threads()
    cpus = os.cpu_count()
    print(f"digits CNN (Adam, lr 0.003, batch 32) to {TARGET:.0%} test accuracy; {cpus} CPUs")
    train(lab_spec(0, 1), SilentHooks())  # warm-up: loads the digits and torch's kernels
    one = measure(1)
    default = measure(default_threads) if default_threads != 1 else one
    torch.set_num_threads(default_threads)
    summary = {
        **one,  # one thread, as the engine's run processes train: the headline numbers
        "ratio_to_plain_epoch": (
            None
            if one["seconds_to_97"] is None
            else round(float(one["seconds_to_97"]) / float(one["baseline_plain_epoch_seconds"]), 2)
        ),
        "default_threads": {
            key: default[key]
            for key in ("threads", "seconds_to_97", "epochs_to_97", "baseline_plain_epoch_seconds")
        },
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
