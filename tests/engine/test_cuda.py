"""Training on a GPU: the device chosen, mixed precision with a gradient scaler, real out of
memory, resume, the worker, and nccl data parallelism. Skipped on a machine without CUDA
(CI has none); run them where a GPU is: ``.venv/bin/pytest tests/engine/test_cuda.py``."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from engine import jobs
from engine.spec import RunSpec
from engine.trainer import RunFiles, SilentHooks, train
from engine.training.checkpoint import load_checkpoint
from tests.conftest import wait_for_end
from tests.engine.helpers import StopAfterEpoch

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

DENSE = {"model": "dense", "hidden_units": 64, "epochs": 4, "learning_rate": 0.003}


def test_does_auto_train_on_the_gpu_and_record_its_memory() -> None:
    result = train(RunSpec(model="cnn", epochs=3, learning_rate=0.003), SilentHooks())
    assert result.status == "done", result.reason
    assert result.device == "cuda"
    assert result.test_accuracy > 0.8  # chance is 0.1
    assert result.peak_memory_mb > 0  # GPU memory, read from torch.cuda


@pytest.mark.parametrize(
    ("setting", "dtype", "name"),
    [("fp16", torch.float16, "float16"), ("bf16", torch.bfloat16, "bfloat16")],
)
def test_does_mixed_precision_on_the_gpu_compute_in_the_asked_dtype(
    monkeypatch, setting, dtype, name
) -> None:
    seen: set[torch.dtype] = set()
    scaled_steps: list[float] = []
    original_forward, original_step = nn.Linear.forward, torch.amp.GradScaler.step

    def spy_forward(self, x):
        out = original_forward(self, x)
        seen.add(out.dtype)
        return out

    def spy_step(self, optimizer, *args, **kwargs):
        scaled_steps.append(float(self.get_scale()))
        return original_step(self, optimizer, *args, **kwargs)

    monkeypatch.setattr(nn.Linear, "forward", spy_forward)
    monkeypatch.setattr(torch.amp.GradScaler, "step", spy_step)
    result = train(RunSpec(**DENSE, device="cuda", mixed_precision=setting), SilentHooks())
    assert result.status == "done", result.reason
    assert result.precision == name and seen == {dtype}
    assert result.test_accuracy > 0.8
    if setting == "fp16":  # float16 gradients are scaled so small ones do not vanish
        assert scaled_steps and min(scaled_steps) > 1.0
    else:  # bfloat16 has float32's range: no scaler
        assert scaled_steps == []


def test_does_a_real_out_of_memory_error_fail_with_advice_and_free_the_memory() -> None:
    torch.cuda.empty_cache()
    before = torch.cuda.memory_allocated()
    total = torch.cuda.get_device_properties(0).total_memory
    torch.cuda.set_per_process_memory_fraction(64 * 2**20 / total)  # allow 64 MB
    try:
        spec = RunSpec(model="cnn", hidden_units=1024, depth=6, batch_size=1024, device="cuda")
        result = train(spec, SilentHooks())
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0)
    assert result.status == "failed"
    assert "ran out of memory at batch size 1024" in result.reason and "512" in result.reason
    assert torch.cuda.memory_allocated() <= before  # nothing of the failed run is kept


def test_does_a_resumed_fp16_gpu_run_end_where_an_uninterrupted_one_does(tmp_path) -> None:
    spec = RunSpec(**{**DENSE, "epochs": 6}, device="cuda", mixed_precision="fp16")
    whole = SilentHooks()
    expected = train(spec, whole)
    files = RunFiles(checkpoint=tmp_path / "checkpoint.pt", checkpoint_every_seconds=0)
    assert train(spec, StopAfterEpoch(3), files=files).status == "cancelled"
    saved = load_checkpoint(files.checkpoint)
    assert saved["epoch"] == 3 and saved["scaler"]["scale"] > 1.0  # the loss scale is kept
    rest = SilentHooks()
    resumed = train(spec, rest, files=files)
    assert resumed.resumed_from_epoch == 3
    tail = [values for _, epoch, values in whole.rows if epoch > 3]
    got = [values for _, epoch, values in rest.rows if epoch > 3]
    assert len(got) == len(tail)
    assert got[-1]["val_loss"] == pytest.approx(tail[-1]["val_loss"], rel=1e-3)
    assert resumed.test_accuracy == pytest.approx(expected.test_accuracy, abs=0.01)


def test_does_the_worker_train_a_queued_run_on_the_gpu(worker) -> None:
    run_id = jobs.submit(RunSpec(model="cnn", epochs=3, learning_rate=0.003), owner_id=None)
    state = wait_for_end(run_id)
    assert state.status == "done", state.reason
    assert state.result["device"] == "cuda" and state.result["test_accuracy"] > 0.8


@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="nccl data parallelism needs 2 GPUs")
def test_do_two_gpus_end_with_equal_weights_over_nccl() -> None:
    spec = RunSpec(model="cnn", epochs=3, learning_rate=0.003, data_parallel=2, device="cuda")
    result = train(spec, SilentHooks())
    assert result.status == "done", result.reason
    assert result.workers == 2 and result.weights_equal_across_workers
    assert len(result.per_worker_samples_per_second) == 2
