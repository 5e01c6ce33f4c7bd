"""How much does the engine (queue, worker, run process, database metrics) cost over plain PyTorch?

Trains the same digits CNN (same seed, split, model, optimiser and batches) twice over:
(a) a plain PyTorch loop in this script, doing the same work as the trainer (train, validate
each epoch, test at the end), and (b) through the engine: ``jobs.submit`` to a
``python -m engine worker`` subprocess, timed from submit until the run is done. Each is
measured REPEATS times, interleaved, and the medians are compared. Both train on one thread,
as the engine's run processes do.

The plain loop is the textbook one: a DataLoader over a TensorDataset (one item at a time,
stacked into batches) and torch's default optimiser settings. The engine indexes each batch
in one operation and updates parameters with foreach (multi-tensor) operations, which saves
a few % of every step; that pays for the queue, the process start and the database writes,
so a ratio a little under 1 is possible. The run processes fork from a server that has
already imported torch and set up the database mappings (engine.worker, engine.runner).

Run: ``.venv/bin/python benchmarks/engine_overhead.py``. The last line printed is JSON.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

REPEATS = 3
EPOCHS = 30
TARGET_OVERHEAD_RATIO = 1.05
TARGET_FIRST_METRIC_SECONDS = 1.5
WORKER_READY_TIMEOUT = 60.0


def plain_pytorch_seconds(spec) -> float:  # type: ignore[no-untyped-def]
    """Seconds for a hand-written loop doing the trainer's work on the same data."""
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    from engine.data import load_bundle
    from engine.networks import build_model

    def loader(x, y, batch_size: int, shuffle: bool) -> DataLoader:  # type: ignore[no-untyped-def]
        data = TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
        generator = torch.Generator().manual_seed(spec.seed)
        return DataLoader(data, batch_size=batch_size, shuffle=shuffle, generator=generator)

    @torch.no_grad()
    def accuracy(model: nn.Module, data: DataLoader) -> float:
        model.eval()
        correct = sum(int((model(xb).argmax(1) == yb).sum()) for xb, yb in data)
        return correct / len(data.dataset)  # type: ignore[arg-type]

    started = time.perf_counter()
    torch.manual_seed(spec.seed)
    split = load_bundle(spec)
    model = build_model(spec, split)
    optimizer = torch.optim.Adam(model.parameters(), lr=spec.learning_rate)
    train_data = loader(split.x_train, split.y_train, spec.batch_size, True)
    val_data = loader(split.x_val, split.y_val, 512, False)
    for _ in range(spec.epochs):
        model.train()
        loss_sum = 0.0  # the epoch's train loss, as anyone watching a run would print it
        for xb, yb in train_data:
            loss = nn.functional.cross_entropy(model(xb), yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(yb)
        accuracy(model, val_data)
    test_accuracy = accuracy(model, loader(split.x_test, split.y_test, 512, False))
    seconds = time.perf_counter() - started
    print(f"  plain PyTorch: {seconds:.2f} s, test accuracy {test_accuracy:.3f}")
    return seconds


def engine_seconds(spec) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Seconds from submit to done, and from submit to the first metric row."""
    from engine import jobs

    started = time.perf_counter()
    run_id = jobs.submit(spec, owner_id=None)
    first_metric: float | None = None
    while True:
        state = jobs.status(run_id)
        if first_metric is None and jobs.metrics_since(run_id):
            first_metric = time.perf_counter() - started
        if state is not None and not state.active:
            break
        # Poll often for the first row, then about as often as a live page redraws.
        time.sleep(0.02 if first_metric is None else 0.1)
    seconds = time.perf_counter() - started
    if state.status != "done":
        raise SystemExit(f"run {run_id} ended {state.status}: {state.reason}")
    result = state.result or {}
    print(
        f"  engine: {seconds:.2f} s (trainer inside the run: {result.get('seconds', 0):.2f} s), "
        f"first metric after {first_metric:.2f} s, "
        f"test accuracy {result.get('test_accuracy', 0):.3f}"
    )
    return seconds, first_metric if first_metric is not None else seconds


def start_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """Start ``python -m engine worker`` and wait until it logs that it is serving."""
    log = log_path.open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "engine", "worker", "--max-concurrent", "1"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + WORKER_READY_TIMEOUT
    while b"serving" not in log_path.read_bytes():
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            raise SystemExit(f"the worker did not start:\n{log_path.read_text()}")
        time.sleep(0.1)
    return worker


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="dll-bench-") as tmp:
        data_dir = Path(tmp)
        os.environ["DLL_DATA_DIR"] = str(data_dir)
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'app.db'}"
        env = {**os.environ, "DLL_MAX_CONCURRENT_RUNS": "1"}

        import torch

        from db.migrate import upgrade
        from engine.spec import RunSpec

        upgrade(os.environ["DATABASE_URL"])
        torch.set_num_threads(1)  # as engine.runner does in each run process
        spec = RunSpec(
            model="cnn",
            optimizer="adam",
            learning_rate=1e-3,
            batch_size=32,
            epochs=EPOCHS,
            seed=0,
            device="cpu",
        )
        print(f"digits CNN, {EPOCHS} epochs, batch 32, Adam, seed 0, {REPEATS} repeats")

        worker = start_worker(env, data_dir / "worker.log")
        plain, engine, first = [], [], []
        try:
            # Warm-ups, not counted: caches here, and the worker's fork server, which is still
            # importing torch when the worker says it is serving.
            print("warm-up")
            plain_pytorch_seconds(spec.model_copy(update={"epochs": 1}))
            engine_seconds(spec.model_copy(update={"epochs": 1}))
            for i in range(REPEATS):
                print(f"repeat {i + 1}")
                plain.append(plain_pytorch_seconds(spec))
                seconds, first_metric = engine_seconds(spec)
                engine.append(seconds)
                first.append(first_metric)
        finally:
            worker.terminate()
            worker.wait(timeout=30)

    summary = {
        "plain_seconds": round(statistics.median(plain), 3),
        "engine_seconds": round(statistics.median(engine), 3),
        "overhead_ratio": round(statistics.median(engine) / statistics.median(plain), 3),
        "first_metric_seconds": round(statistics.median(first), 3),
        "target_overhead_ratio": TARGET_OVERHEAD_RATIO,
        "target_first_metric_seconds": TARGET_FIRST_METRIC_SECONDS,
    }
    print(f"median plain PyTorch: {summary['plain_seconds']:.2f} s")
    print(f"median engine (submit -> done): {summary['engine_seconds']:.2f} s")
    print(f"median first metric row after: {summary['first_metric_seconds']:.2f} s")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
