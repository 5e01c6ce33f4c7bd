"""The quiet calibration before the load: server CPU per rerun of each kind, measured by one
extra learner whose tab has no timers."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from benchmarks.load_accounts import Accounts, cancel_active_runs, run_status, submit_long_run
from benchmarks.load_learner import (
    HTTP_TIMEOUT,
    INTERACTION_TIMEOUT,
    LAB_PATH,
    TRACK_PATH,
    TRACK_QUERY,
    sign_in,
    status_line,
)
from benchmarks.load_server import Server, cpu_seconds
from benchmarks.load_stats import rounded
from benchmarks.streamlit_client import BrowserTab, ProtocolError, Timeout

SETTLE_SECONDS = 0.3  # after a calibration series, for the server's trailing work
RUN_STATE_TIMEOUT = 90.0
CPU_KINDS = ("home", "track", "lab", "train", "poll", "idle_poll")


class CpuMeter:
    """Server CPU time across a series of reruns, less what the server spends idle."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.idle_per_second = 0.0

    def read(self) -> float:
        return cpu_seconds(self.pids)

    async def measure_idle(self, seconds: float) -> None:
        cpu, started = self.read(), time.monotonic()
        await asyncio.sleep(seconds)
        self.idle_per_second = (self.read() - cpu) / (time.monotonic() - started)

    async def per_action(
        self,
        repeats: int,
        action: Callable[[], Awaitable[Any]],
        valid: Callable[[], bool] = lambda: True,
        interval: float = 0.0,
    ) -> float | None:
        """Mean milliseconds of server CPU per valid action, one action after another (at
        most one per ``interval`` seconds). Each action's window runs to the next one's start."""
        marks: list[tuple[float, float, bool]] = []
        next_at = time.monotonic()
        for _ in range(repeats):
            if interval:
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                next_at += interval
            cpu, started = self.read(), time.monotonic()
            await action()
            ok = valid()
            marks.append((cpu, started, ok))
            if not ok and interval:
                break  # a paced series ends when its condition is gone (the run ended)
        await asyncio.sleep(SETTLE_SECONDS)
        marks.append((self.read(), time.monotonic(), False))
        total, count = 0.0, 0
        for (cpu, started, ok), (cpu_next, next_start, _) in itertools.pairwise(marks):
            if ok:
                total += cpu_next - cpu - self.idle_per_second * (next_start - started)
                count += 1
        return max(0.0, total / count * 1000) if count else None


async def wait_status(run_ids: list[int], wanted: set[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = [await asyncio.to_thread(run_status, run_id) for run_id in run_ids]
        if all(s in wanted for s in states):
            return
        await asyncio.sleep(0.2)
    raise Timeout(f"runs {run_ids} not {sorted(wanted)} within {timeout:.0f} s")


@dataclass
class Calibration:
    cpu_ms: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(CPU_KINDS))
    latency_s: dict[str, float | None] = field(default_factory=dict)
    idle_cpu_per_s: float | None = None
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Calibrator:
    """One learner's tab, without timers, sending series of reruns one after another."""

    def __init__(self, tab: BrowserTab, meter: CpuMeter, repeats: int, result: Calibration):
        self.tab, self.meter, self.repeats, self.result = tab, meter, repeats, result

    def clean(self) -> bool:
        return not self.tab.runs[-1].exceptions

    def showing(self, words: str) -> Callable[[], bool]:
        """A check that the live panel's status line contains ``words``."""
        return lambda: self.clean() and words in status_line(self.tab)

    async def page_rerun(self) -> None:
        mark = await self.tab.rerun()
        await self.tab.wait_run(mark, full=True, timeout=INTERACTION_TIMEOUT)

    async def train(self) -> None:
        await self.tab.click_button("Train", timeout=INTERACTION_TIMEOUT)

    async def poll(self) -> None:
        """What the live panel's timer sends, sent by hand."""
        fragment = next(iter(self.tab.announced), "")
        if not fragment:
            raise ProtocolError("the page has no polling fragment")
        mark = await self.tab.rerun(fragment_id=fragment)
        await self.tab.wait_run(mark, full=False, timeout=INTERACTION_TIMEOUT)

    async def series(
        self,
        kind: str,
        action: Callable[[], Awaitable[Any]],
        valid: Callable[[], bool],
        paced: bool = False,
    ) -> None:
        """CPU per action into ``result.cpu_ms[kind]``, mean wall time into ``latency_s``."""
        if not valid():
            self.result.notes.append(f"{kind} skipped: {status_line(self.tab) or 'page not ready'}")
            return
        interval = next(iter(self.tab.announced.values()), 1.0) if paced else 0.0
        times: list[float] = []

        async def timed() -> None:
            started = time.monotonic()
            await action()
            times.append(time.monotonic() - started)

        cpu = await self.meter.per_action(self.repeats, timed, valid, interval)
        self.result.cpu_ms[kind] = rounded(cpu, 1)
        self.result.latency_s[kind] = rounded(sum(times) / len(times)) if times else None


async def calibrate(server: Server, accounts: Accounts, repeats: int, result: Calibration) -> None:
    """Quiet series of reruns by one learner; fills ``result`` as it goes.

    Pages first (no run exists yet). Then the calibrator's own long run takes a trainer slot
    (blockers of other accounts take any others) and its live panel is polled at the
    fragment's interval while it trains. Then Train is pressed repeatedly: those runs wait in
    the queue, and the last one's panel is polled while nothing changes."""
    meter = CpuMeter(server.app_pids())
    await meter.measure_idle(2.0)
    result.idle_cpu_per_s = meter.idle_per_second
    base = server.base_url
    owners = [accounts.calibrator.id, *(b.id for b in accounts.blockers)]
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT, follow_redirects=False) as http:
        tab = BrowserTab(base, http, timers=False)
        cal = Calibrator(tab, meter, repeats, result)
        try:
            await sign_in(http, base, accounts.calibrator.username)
            await tab.open("", timeout=INTERACTION_TIMEOUT)
            await cal.series("home", cal.page_rerun, cal.clean)
            await tab.follow_link(TRACK_PATH, TRACK_QUERY)
            await cal.series("track", cal.page_rerun, cal.clean)
            await tab.follow_link(LAB_PATH)
            await cal.series("lab", cal.page_rerun, cal.clean)

            actors = [accounts.calibrator, *accounts.blockers]
            long_runs = [await asyncio.to_thread(submit_long_run, a) for a in actors]
            await wait_status(long_runs, {"running"}, RUN_STATE_TIMEOUT)
            lab = tab.pages.get(LAB_PATH)
            if lab is None:
                raise ProtocolError(f"no page /{LAB_PATH} in the navigation")
            await tab.go_to(lab, f"run={long_runs[0]}")
            await cal.series("poll", cal.poll, cal.showing("Training"), paced=True)
            await cal.series("train", cal.train, cal.clean)
            await cal.series("idle_poll", cal.poll, cal.showing("Waiting"))
        finally:
            result.errors.extend(tab.errors)
            await tab.close()
            await asyncio.to_thread(cancel_active_runs, owners)


async def quiet_worker(owner_ids: list[int], timeout: float) -> None:
    """Wait until none of these owners' runs is queued or running (cancelled runs stop)."""
    from engine import jobs

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = [
            r for o in owner_ids for r in await asyncio.to_thread(jobs.list_runs, o) if r.active
        ]
        if not busy:
            return
        await asyncio.sleep(0.3)
