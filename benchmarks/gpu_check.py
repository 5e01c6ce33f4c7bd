"""Does training on the GPU work, and how much do the GPU and mixed precision speed it up?

One script for a GPU machine that also runs on a CPU-only one:
1. Throughput (training samples per second, after warm-up) of two larger models than the labs'
   defaults, on CUDA in float32, float16 (autocast + GradScaler) and bfloat16, and on the CPU
   in float32 for a few steps. GPU timings are taken between torch.cuda.synchronize().
   - text: the engine's transformer encoder, 512 wide, 4 layers, 64 tokens, batch 256, on the
     competency sentences. Matrix products dominate, so tensor cores show: this model gives
     the headline figures.
   - image: the engine's CNN with depth 4 and 256 hidden units on 32x32 digits (upsampled
     from 8x8), batch 256. Its convolutions are small (16 to 128 channels), so it shows
     what a lab-sized image model gains.
2. A short real engine run: engine.trainer.train with device="cuda", mixed_precision="fp16".
3. With two or more GPUs: a 2-process DistributedDataParallel engine run (nccl).
Without CUDA it says so and measures the CPU only; GPU numbers are then null.

Run: ``.venv/bin/python benchmarks/gpu_check.py``. The last line printed is JSON with
``amp_speedup`` (float16 / float32 samples per second of the text model) and ``gpu_over_cpu``
(float32 GPU / float32 CPU, text model), and the image model's figures beside them. About 1
minute on an H100 or H200 machine, about 2 on a 2-core CPU machine.
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

from engine.data import DataBundle, load_bundle  # noqa: E402
from engine.data.images import load_digits_images  # noqa: E402
from engine.networks import build_model  # noqa: E402
from engine.spec import RunSpec  # noqa: E402
from engine.trainer import SilentHooks, train  # noqa: E402

BATCH = 256
IMAGE_SIZE = 32
MODELS = {
    "text": RunSpec(
        dataset="competency-sentences",
        model="transformer",
        hidden_units=512,
        depth=4,
        text_max_tokens=64,
        batch_size=BATCH,
    ),
    "image": RunSpec(model="cnn", depth=4, hidden_units=256, batch_size=BATCH),
}
GPU_WARMUP, GPU_STEPS = 10, 50
CPU_WARMUP, CPU_STEPS, CPU_BATCH = 1, 3, 64  # the CPU is slow: fewer, smaller steps
DTYPES = {"fp32": None, "fp16": torch.float16, "bf16": torch.bfloat16}


def model_data(name: str) -> DataBundle:
    """The text model's sentences, or the digits as (N, 1, 32, 32) images: big enough that
    convolutions cost something."""
    if name == "text":
        return load_bundle(MODELS["text"])
    x, y = load_digits_images()
    big = F.interpolate(torch.from_numpy(x), size=IMAGE_SIZE, mode="bilinear").numpy()
    return DataBundle("image", big, y, big[:1], y[:1], big[:1], y[:1], tuple("0123456789"), "")


def samples_per_second(
    name: str, data: DataBundle, device: torch.device, precision: str
) -> tuple[float, float]:
    """Training samples per second after a warm-up, and peak GPU memory in MB."""
    on_gpu = device.type == "cuda"
    batch = BATCH if on_gpu else CPU_BATCH
    warmup, steps = (GPU_WARMUP, GPU_STEPS) if on_gpu else (CPU_WARMUP, CPU_STEPS)
    torch.manual_seed(0)
    model = build_model(MODELS[name], data).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    dtype = DTYPES[precision]
    scaler = torch.amp.GradScaler("cuda") if precision == "fp16" else None
    index = torch.randint(0, len(data.y_train), (batch,))
    x = torch.from_numpy(data.x_train)[index].to(device)  # (batch, ...) as the model takes it
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
    if on_gpu:
        torch.cuda.reset_peak_memory_stats(device)
    started = time.perf_counter()
    for _ in range(steps):
        step()
    synchronize(device)
    seconds = time.perf_counter() - started
    memory = torch.cuda.max_memory_allocated(device) / 2**20 if on_gpu else 0.0
    return steps * batch / seconds, memory


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


def measure(name: str, cuda: bool) -> dict[str, float | None]:
    """Samples per second of one model: CPU float32, and each GPU precision when there is one."""
    data = model_data(name)
    rates: dict[str, float | None] = {}
    rates["cpu_fp32"], _ = samples_per_second(name, data, torch.device("cpu"), "fp32")
    print(f"{name:5} cpu  fp32: {rates['cpu_fp32']:9.0f} samples/s (batch {CPU_BATCH})")
    for precision in DTYPES:
        rates[f"gpu_{precision}"] = None
        if cuda:
            rate, memory = samples_per_second(name, data, torch.device("cuda"), precision)
            rates[f"gpu_{precision}"] = rate
            print(f"{name:5} cuda {precision}: {rate:9.0f} samples/s, peak memory {memory:.0f} MB")
    return rates


def ratios(rates: dict[str, float | None]) -> dict[str, float | None]:
    fp32 = rates["gpu_fp32"]
    if fp32 is None:
        return {"amp_speedup": None, "bf16_speedup": None, "gpu_over_cpu": None}
    return {
        "amp_speedup": round(rates["gpu_fp16"] / fp32, 3),  # type: ignore[operator]
        "bf16_speedup": round(rates["gpu_bf16"] / fp32, 3),  # type: ignore[operator]
        "gpu_over_cpu": round(fp32 / rates["cpu_fp32"], 2),  # type: ignore[operator]
    }


def main() -> None:
    cuda = torch.cuda.is_available()
    name = torch.cuda.get_device_name(0) if cuda else "none"
    print(f"CUDA: {'available, ' + name if cuda else 'not available; measuring the CPU only'}")
    print(f"CPU: {torch.get_num_threads()} torch threads")
    print("text: transformer 512 wide, 4 layers, 64 tokens; image: CNN depth 4, 32x32 inputs")
    if cuda:
        torch.backends.cudnn.benchmark = True  # fixed shapes: let cuDNN pick its fastest kernels
        print("(float32 convolutions may use TF32 tensor cores: torch's default for cuDNN)")
    summary: dict[str, Any] = {"cuda": cuda, "gpu": name if cuda else None}
    for model in MODELS:
        rates = measure(model, cuda)
        prefix = "" if model == "text" else "image_"
        summary.update({f"{prefix}{k}": v for k, v in ratios(rates).items()})
        summary.update(
            {f"{model}_{k}_samples_per_second": v and round(v, 1) for k, v in rates.items()}
        )
    if cuda:
        summary.update(engine_runs())
        print(
            f"text model: float16 is {summary['amp_speedup']}x float32, bfloat16 "
            f"{summary['bf16_speedup']}x; the GPU is {summary['gpu_over_cpu']}x the CPU"
        )
        print(
            f"image model: float16 is {summary['image_amp_speedup']}x float32; the GPU is "
            f"{summary['image_gpu_over_cpu']}x the CPU"
        )
    print(json.dumps(summary, default=lambda v: float(v) if isinstance(v, np.floating) else str(v)))


if __name__ == "__main__":
    main()
