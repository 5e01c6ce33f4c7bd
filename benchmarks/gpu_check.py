"""Does training on the GPU work, and how much do the GPU and mixed precision speed it up?

One script for a GPU machine that also runs on a CPU-only one:
1. Throughput (training samples per second, after warm-up) of a larger image model, the
   engine's CNN with depth 4 and 256 hidden units on 32x32 digits (upsampled from 8x8),
   batch 256: on CUDA in float32, float16 (autocast + GradScaler) and bfloat16, and on the
   CPU in float32 for a few steps. GPU timings are taken between torch.cuda.synchronize().
2. A short real engine run: engine.trainer.train with device="cuda", mixed_precision="fp16".
3. With two or more GPUs: a 2-process DistributedDataParallel engine run (nccl).
Without CUDA it says so and measures the CPU only; GPU numbers are then null.

Run: ``.venv/bin/python benchmarks/gpu_check.py``. The last line printed is JSON with
``amp_speedup`` (float16 / float32 samples per second) and ``gpu_over_cpu`` (float32 GPU /
float32 CPU). About 1 minute on an H100 machine, under 2 on a 2-core CPU machine.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from engine.data import DataBundle  # noqa: E402
from engine.data.images import load_digits_images  # noqa: E402
from engine.models import build_model  # noqa: E402
from engine.spec import RunSpec  # noqa: E402
from engine.trainer import SilentHooks, train  # noqa: E402

BATCH = 256
IMAGE_SIZE = 32
MODEL = RunSpec(model="cnn", depth=4, hidden_units=256, batch_size=BATCH)
GPU_WARMUP, GPU_STEPS = 10, 50
CPU_WARMUP, CPU_STEPS = 1, 3
DTYPES = {"fp32": None, "fp16": torch.float16, "bf16": torch.bfloat16}


def upsampled_digits() -> DataBundle:
    """The digits as (N, 1, 32, 32) images: big enough that convolutions cost something."""
    x, y = load_digits_images()
    big = F.interpolate(torch.from_numpy(x), size=IMAGE_SIZE, mode="bilinear").numpy()
    return DataBundle("image", big, y, big[:1], y[:1], big[:1], y[:1], tuple("0123456789"), "")


def samples_per_second(
    data: DataBundle, device: torch.device, precision: str, warmup: int, steps: int
) -> tuple[float, float]:
    """Training samples per second after ``warmup`` steps, and peak GPU memory in MB."""
    torch.manual_seed(0)
    model = build_model(MODEL, data).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    dtype = DTYPES[precision]
    scaler = torch.amp.GradScaler("cuda") if precision == "fp16" else None
    index = torch.randint(0, len(data.y_train), (BATCH,))
    x = torch.from_numpy(data.x_train)[index].to(device)  # (256, 1, 32, 32)
    y = torch.from_numpy(data.y_train)[index].to(device)

    def step() -> None:
        with torch.autocast(device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
            loss = F.cross_entropy(model(x).float(), y)
        optimizer.zero_grad(set_to_none=True)
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            optimizer.step()

    for _ in range(warmup):
        step()
    synchronize(device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    started = time.perf_counter()
    for _ in range(steps):
        step()
    synchronize(device)
    seconds = time.perf_counter() - started
    memory = torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else 0.0
    return steps * BATCH / seconds, memory


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)  # GPU work is asynchronous: wait before reading clocks


def engine_runs() -> dict[str, Any]:
    """A short fp16 engine run on the GPU, and a 2-GPU data-parallel one when possible."""
    out: dict[str, Any] = {}
    spec = RunSpec(model="cnn", epochs=3, device="cuda", mixed_precision="fp16", batch_size=64)
    result = train(spec, SilentHooks())
    out["engine_fp16"] = {
        k: getattr(result, k)
        for k in ("status", "test_accuracy", "precision", "samples_per_second", "seconds")
    }
    print(
        f"engine run (cuda, fp16, 3 epochs): {result.status}, precision {result.precision}, "
        f"test accuracy {result.test_accuracy}, {result.samples_per_second:.0f} samples/s"
    )
    if torch.cuda.device_count() >= 2:
        ddp = train(spec.model_copy(update={"data_parallel": 2}), SilentHooks())
        out["engine_ddp"] = {
            k: getattr(ddp, k)
            for k in ("status", "test_accuracy", "workers", "weights_equal_across_workers")
        }
        print(
            f"engine run (2 GPUs, DDP): {ddp.status}, {ddp.workers} workers, weights equal "
            f"across workers: {ddp.weights_equal_across_workers}, test accuracy "
            f"{ddp.test_accuracy} ({ddp.reason or 'no problems'})"
        )
    else:
        print(f"DDP check skipped: {torch.cuda.device_count()} GPU(s), it needs 2")
        out["engine_ddp"] = None
    return out


def main() -> None:
    data = upsampled_digits()
    cuda = torch.cuda.is_available()
    name = torch.cuda.get_device_name(0) if cuda else "none"
    print(f"model: CNN depth 4, 256 hidden, {IMAGE_SIZE}x{IMAGE_SIZE} inputs, batch {BATCH}")
    print(f"CUDA: {'available, ' + name if cuda else 'not available; measuring the CPU only'}")
    print(f"CPU: {torch.get_num_threads()} torch threads")
    cpu, _ = samples_per_second(data, torch.device("cpu"), "fp32", CPU_WARMUP, CPU_STEPS)
    print(f"cpu  fp32: {cpu:10.0f} samples/s ({CPU_STEPS} steps)")
    summary: dict[str, Any] = {
        "cuda": cuda,
        "gpu": name if cuda else None,
        "cpu_fp32_samples_per_second": round(cpu, 1),
    }
    gpu: dict[str, float] = {}
    if cuda:
        torch.backends.cudnn.benchmark = True  # fixed shapes: let cuDNN pick its fastest kernels
        device = torch.device("cuda")
        for precision in DTYPES:
            rate, memory = samples_per_second(data, device, precision, GPU_WARMUP, GPU_STEPS)
            gpu[precision] = rate
            print(f"cuda {precision}: {rate:10.0f} samples/s, peak memory {memory:.0f} MB")
        print("(float32 convolutions may use TF32 tensor cores: torch's default for cuDNN)")
        summary.update(engine_runs())
    for precision in DTYPES:
        value = gpu.get(precision)
        summary[f"gpu_{precision}_samples_per_second"] = None if value is None else round(value, 1)
    summary["amp_speedup"] = round(gpu["fp16"] / gpu["fp32"], 3) if gpu else None
    summary["bf16_speedup"] = round(gpu["bf16"] / gpu["fp32"], 3) if gpu else None
    summary["gpu_over_cpu"] = round(gpu["fp32"] / cpu, 2) if gpu else None
    if gpu:
        print(
            f"float16 is {summary['amp_speedup']}x float32; bfloat16 "
            f"{summary['bf16_speedup']}x; the GPU is {summary['gpu_over_cpu']}x the CPU"
        )
    print(json.dumps(summary, default=lambda v: float(v) if isinstance(v, np.floating) else str(v)))


if __name__ == "__main__":
    main()
