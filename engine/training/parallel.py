"""Data parallelism: DistributedDataParallel over N processes (gloo on CPU, nccl on GPUs).

Each process trains on its own shard of every epoch; gradients are averaged after each
backward pass, so all copies of the model stay equal. Process 0 reports the metrics."""

from __future__ import annotations

import multiprocessing as mp
import queue
import socket
import time
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from engine.data import DataBundle
from engine.spec import RunSpec
from engine.trainer import RunFiles, Training, TrainingHooks, TrainResult, resolve_device


class EpochSampler(DistributedSampler):  # type: ignore[type-arg]
    """A shard per process, reshuffled each epoch (set_epoch called on every new pass)."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        self.set_epoch(self.epoch + 1)
        return super().__iter__()


class _RelayHooks:
    """In process 0: metrics go to the parent through a queue. Others: stay quiet."""

    def __init__(self, rank: int, outbox: Any) -> None:
        self.rank, self.outbox = rank, outbox

    def on_metrics(self, step: int, epoch: float, values: dict[str, float]) -> None:
        if self.rank == 0:
            self.outbox.put(("metrics", step, epoch, values))

    def should_stop(self) -> bool:
        return False  # cancelling is agreed by all processes at the end of an epoch

    def flush(self) -> None:
        pass


class ParallelTraining(Training):
    def __init__(self, rank: int, world: int, stop: Any, *args: Any) -> None:
        self.rank, self.world, self.stop_event = rank, world, stop
        super().__init__(*args)

    def _device(self) -> torch.device:
        device = resolve_device(self.spec.device)
        return torch.device("cuda", self.rank) if device.type == "cuda" else device

    def _wrap(self, net: nn.Module) -> nn.Module:
        ids = [self.rank] if self.device.type == "cuda" else None
        return DistributedDataParallel(net, device_ids=ids)

    def _train_loader(self) -> DataLoader:
        data = TensorDataset(
            torch.from_numpy(self.data.x_train), torch.from_numpy(self.data.y_train)
        )
        sampler = EpochSampler(
            data, num_replicas=self.world, rank=self.rank, shuffle=True, seed=self.spec.seed
        )
        return DataLoader(data, batch_size=self.spec.batch_size, sampler=sampler)

    def _reduce_loss(self, loss: torch.Tensor) -> float:
        total = loss.float().clone()
        dist.all_reduce(total)
        return float(total) / self.world

    def _agree(self, flag: bool) -> bool:
        wanted = torch.tensor([float(flag or self.stop_event.is_set())], device=self.device)
        dist.all_reduce(wanted, op=dist.ReduceOp.MAX)
        if self.stop_event.is_set() and not flag:
            self.result.status, self.result.reason = "cancelled", "Cancelled."
        return bool(wanted.item())

    def summary(self, result: TrainResult) -> dict[str, Any]:
        """What all processes add to the record: throughput each, and whether weights agree."""
        mine = self.loop.samples / max(self.loop.train_seconds, 1e-9)
        checksum = torch.stack([p.detach().double().sum() for p in self.net.parameters()]).sum()
        gathered: list[Any] = [None] * self.world
        dist.all_gather_object(gathered, (mine, float(checksum)))
        return {
            "per_worker_samples_per_second": [g[0] for g in gathered],
            "weights_equal_across_workers": len({g[1] for g in gathered}) == 1,
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rank_main(
    rank: int,
    world: int,
    port: int,
    spec: RunSpec,
    data: DataBundle,
    files: RunFiles,
    outbox: Any,
    stop: Any,
) -> None:
    torch.set_num_threads(1)
    backend = "nccl" if resolve_device(spec.device).type == "cuda" else "gloo"
    dist.init_process_group(
        backend, init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world
    )
    try:
        # Only process 0 writes the final model; no per-epoch checkpoints for parallel runs.
        mine = RunFiles(model=files.model if rank == 0 else None, pretrained=files.pretrained)
        training = ParallelTraining(rank, world, stop, spec, _RelayHooks(rank, outbox), data, mine)
        result = training.run()
        extra = training.summary(result)
        if rank == 0:
            outbox.put(("result", {**result.as_dict(), **extra}))
    finally:
        dist.destroy_process_group()


def train_data_parallel(
    spec: RunSpec, hooks: TrainingHooks, data: DataBundle, files: RunFiles
) -> TrainResult:
    """Run N processes and relay process 0's metrics to ``hooks``; cancel reaches all."""
    started = time.perf_counter()
    ctx = mp.get_context("spawn")  # safe with CUDA; each process imports torch afresh
    outbox, stop = ctx.Queue(), ctx.Event()
    port = _free_port()
    workers = [
        ctx.Process(
            target=_rank_main,
            args=(rank, spec.data_parallel, port, spec, data, files, outbox, stop),
        )
        for rank in range(spec.data_parallel)
    ]
    for worker in workers:
        worker.start()
    final: dict[str, Any] | None = None
    while (final is None and any(w.is_alive() for w in workers)) or not outbox.empty():
        try:
            message = outbox.get(timeout=0.2)
        except queue.Empty:
            if hooks.should_stop():
                stop.set()
            continue
        if message[0] == "metrics":
            hooks.on_metrics(*message[1:])
        else:
            final = message[1]
    for worker in workers:
        worker.join(30)
    if final is None:
        codes = [w.exitcode for w in workers]
        return TrainResult(
            "failed",
            0,
            time.perf_counter() - started,
            "cpu",
            reason=f"A data-parallel worker stopped unexpectedly (exit codes {codes}).",
        )
    result = TrainResult(**final)
    result.workers = spec.data_parallel
    result.seconds = time.perf_counter() - started  # includes starting the processes
    result.samples_per_second = sum(result.per_worker_samples_per_second)
    return result
