"""Data parallelism: DistributedDataParallel over N processes (gloo on CPU, nccl on GPUs).

With ``parallel_batch="global"`` (the default) every process walks through the very batches
one process would take and trains on its own equal slice of each; with "per_worker" each process
takes whole batches from its own shard of the epoch, so N processes make every step average N
batches and take about 1/N of the steps. Either way gradients are averaged after each backward
pass, so all copies of the model stay equal. Process 0 reports the metrics and
writes the checkpoints, which hold every process's own random state and counters, so a
resumed parallel run continues exactly as it would have. A process whose parent (the run
process) is gone stops at the end of its epoch: nobody would store what it reports."""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import socket
import time
from collections.abc import Iterator
from functools import partial
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler

from engine.data import DataBundle
from engine.spec import RunSpec
from engine.training.single import (
    BatchTensors,
    RunFiles,
    TensorLoader,
    Training,
    TrainingHooks,
    TrainResult,
    batch_as_is,
    resolve_device,
)

Message = tuple[Any, ...]  # ("metrics", step, epoch, values), ("flush",) or ("result", record)
Channels = tuple["Queue[Message]", "Queue[bool]", Event]  # outbox, flushed, stop


class EpochSampler(DistributedSampler[int]):
    """A shard per process, reshuffled each epoch (set_epoch called on every new pass)."""

    def __iter__(self) -> Iterator[int]:
        self.set_epoch(self.epoch + 1)
        return super().__iter__()


def share_of_batch(
    batch: tuple[torch.Tensor, ...], rank: int, world: int
) -> tuple[torch.Tensor, ...]:
    """This process's slice of a whole batch: equal slices, in order. A last batch that does
    not split evenly is topped up from its own first rows, so every process gets rows."""
    rows = len(batch[0])
    each = -(-rows // world)
    if rows % world == 0:
        return tuple(t[rank * each : (rank + 1) * each] for t in batch)
    index = torch.arange(rank * each, (rank + 1) * each, device=batch[0].device) % rows
    return tuple(t[index] for t in batch)


def batch_shape(
    batch_size: int, workers: int, mode: str, train_rows: int | None = None
) -> dict[str, int]:
    """The effective (global) batch, each worker's batch and, given the number of training
    rows, the optimiser steps per epoch, as ``ParallelTraining`` runs them."""
    if workers > 1 and mode == "per_worker":
        shape = {"global_batch": batch_size * workers, "worker_batch": batch_size}
    else:
        shape = {"global_batch": batch_size, "worker_batch": max(1, batch_size // workers)}
    if train_rows is not None:
        # global: a step per whole batch. per_worker: a step per batch of each worker's shard
        # (DistributedSampler pads the shards to equal sizes).
        rows = -(-train_rows // workers) if mode == "per_worker" else train_rows
        shape["steps_per_epoch"] = max(1, -(-rows // batch_size))
    return shape


class _RelayHooks:
    """In process 0: metrics go to the parent through a queue. Others: stay quiet."""

    def __init__(
        self, rank: int, outbox: Queue[Message], flushed: Queue[bool], parent: int
    ) -> None:
        self.rank, self.outbox, self.flushed, self.parent = rank, outbox, flushed, parent
        self.parent_gone = False

    def on_metrics(self, step: int, epoch: float, values: dict[str, float]) -> None:
        if self.rank == 0:
            self.outbox.put(("metrics", step, epoch, values))

    def should_stop(self) -> bool:
        return False  # cancelling is agreed by all processes at the end of an epoch

    def flush(self) -> None:
        """Process 0 waits until the parent has stored every row sent so far."""
        if self.rank != 0:
            return
        self.outbox.put(("flush",))
        while not self.parent_gone:
            try:
                self.flushed.get(timeout=0.5)
                return
            except queue.Empty:
                self.parent_gone = os.getppid() != self.parent


class ParallelTraining(Training):
    hooks: _RelayHooks
    # per_worker: set by _train_loader; its epoch is part of the random state. global: None,
    # the loader's own generator orders the batches, as in a single process
    sampler: EpochSampler | None

    def __init__(
        self,
        rank: int,
        world: int,
        stop: Event,
        parent: int,
        spec: RunSpec,
        hooks: _RelayHooks,
        data: DataBundle,
        files: RunFiles,
    ) -> None:
        self.rank, self.world, self.stop_event, self.parent = rank, world, stop, parent
        super().__init__(spec, hooks, data, files)

    def _device(self) -> torch.device:
        device = resolve_device(self.spec.device)
        return torch.device("cuda", self.rank) if device.type == "cuda" else device

    def _wrap(self, net: nn.Module) -> nn.Module:
        ids = [self.rank] if self.device.type == "cuda" else None
        return DistributedDataParallel(net, device_ids=ids)

    def _train_loader(self) -> TensorLoader:
        x, y = torch.from_numpy(self.data.x_train), torch.from_numpy(self.data.y_train)
        tensors: tuple[torch.Tensor, ...] = (x, y)
        if self.device.type == "cuda":
            tensors = tuple(t.to(self.device) for t in tensors)
        data = BatchTensors(*tensors)
        if self.spec.parallel_batch == "global":
            self.sampler = None
            return DataLoader(
                data,
                batch_size=self.spec.batch_size,
                shuffle=True,  # the same generator and seed as make_loader: the same batches
                generator=torch.Generator().manual_seed(self.spec.seed),
                collate_fn=partial(share_of_batch, rank=self.rank, world=self.world),
            )
        self.sampler = EpochSampler(
            data, num_replicas=self.world, rank=self.rank, shuffle=True, seed=self.spec.seed
        )
        return DataLoader(
            data,
            batch_size=self.spec.batch_size,
            sampler=self.sampler,
            # torch's stub wants a collate of a list of items; BatchTensors hands over whole batches
            collate_fn=batch_as_is,  # type: ignore[arg-type]
        )

    def _reduce_loss(self, loss: torch.Tensor) -> float:
        total = loss.float().clone()
        dist.all_reduce(total)
        return float(total) / self.world

    def _agree(self, flag: bool) -> bool:
        asked = self.stop_event.is_set() or os.getppid() != self.parent
        wanted = torch.tensor([float(flag or asked)], device=self.device)
        dist.all_reduce(wanted, op=dist.ReduceOp.MAX)
        if asked and not flag:
            self.result.status, self.result.reason = "cancelled", "Cancelled."
        return bool(wanted.item())

    # --- checkpoints: process 0 decides when and writes; every process adds its own state
    def _checkpoint_due(self, epoch: int) -> bool:
        mine = self.rank == 0 and super()._checkpoint_due(epoch)
        due = torch.tensor([float(mine)], device=self.device)
        dist.broadcast(due, src=0)
        return bool(due.item())

    def _checkpoint_state(self, epoch: int) -> dict[str, Any] | None:
        state = super()._checkpoint_state(epoch)
        assert state is not None
        own = (state["counters"], state["rng"])
        gathered: list[Any] = [None] * self.world
        dist.all_gather_object(gathered, own)
        if self.rank != 0 or self.hooks.parent_gone:
            return None  # rows may be missing without the parent: keep the last checkpoint
        return {**state, "processes": gathered}

    def _restore_own_state(self, state: dict[str, Any]) -> None:
        counters, rng = state["processes"][self.rank]
        super()._restore_own_state({"counters": counters, "rng": rng})

    def _rng_state(self) -> tuple[Any, ...]:
        gpu = torch.cuda.get_rng_state(self.device) if self.device.type == "cuda" else None
        order = (
            self.sampler.epoch if self.sampler is not None else self.loader.generator.get_state()
        )
        return (torch.get_rng_state(), order, self.loop.aug_generator.get_state(), gpu)

    def _set_rng_state(self, rng: tuple[Any, ...]) -> None:
        torch_rng, order, aug_rng, gpu_rng = rng
        torch.set_rng_state(torch_rng)
        if self.sampler is not None:
            self.sampler.epoch = order
        elif isinstance(order, torch.Tensor):  # not a sampler epoch saved before the setting
            self.loader.generator.set_state(order)
        self.loop.aug_generator.set_state(aug_rng)
        if gpu_rng is not None and self.device.type == "cuda":
            torch.cuda.set_rng_state(gpu_rng, self.device)

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
    channels: Channels,
) -> None:
    outbox, flushed, stop = channels
    torch.set_num_threads(1)
    on_gpu = resolve_device(spec.device).type == "cuda"
    if on_gpu:
        torch.cuda.set_device(rank)  # nccl's collectives run on this process's own GPU
    dist.init_process_group(
        "nccl" if on_gpu else "gloo",
        init_method=f"tcp://127.0.0.1:{port}",
        rank=rank,
        world_size=world,
    )
    try:
        # Every process reads the checkpoint to resume; only process 0 writes it and the model.
        mine = RunFiles(
            checkpoint=files.checkpoint,
            model=files.model if rank == 0 else None,
            pretrained=files.pretrained,
            checkpoint_every_seconds=files.checkpoint_every_seconds,
        )
        hooks = _RelayHooks(rank, outbox, flushed, os.getppid())
        training = ParallelTraining(rank, world, stop, os.getppid(), spec, hooks, data, mine)
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
    outbox, flushed, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    port = _free_port()
    workers = [
        ctx.Process(
            target=_rank_main,
            args=(rank, spec.data_parallel, port, spec, data, files, (outbox, flushed, stop)),
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
        kind = message[0]
        if kind == "metrics":
            hooks.on_metrics(*message[1:])
        elif kind == "result":
            final = message[1]
        if hooks.should_stop():
            stop.set()
        if kind == "flush":  # process 0 writes a checkpoint once every row so far is stored
            hooks.flush()
            flushed.put(True)
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
