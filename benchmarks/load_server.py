"""The server under test (one this benchmark starts and stops, or one already running) and its
app processes' CPU time and memory, read from /proc."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SERVER_START_TIMEOUT = 180.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text.rsplit(")", 1)[1].split()  # fields from 3 (state) on


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes (all their threads, none of their children)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = _stat_fields(pid)
            total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def descendants(root: int) -> list[int]:
    """Every process below ``root``, found through the parent ids in /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parents.setdefault(int(_stat_fields(int(entry.name))[1]), []).append(
                    int(entry.name)
                )
    found, todo = [], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _cmdline(pid: int) -> list[str]:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    return []


def _start_time(pid: int) -> str | None:
    with contextlib.suppress(OSError, IndexError):
        return _stat_fields(pid)[19]
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """The server under test and the ids of its app processes (for CPU and memory)."""

    base_url: str = ""

    def app_pids(self) -> list[int]:
        return []

    def stop(self) -> None:
        """Nothing to stop for a server this script did not start."""


class ExternalServer(Server):
    """``--url``: somebody else's server; its CPU only if ``--server-pid`` names it."""

    def __init__(self, url: str, pid: int | None) -> None:
        self.base_url, self.pid = url.rstrip("/"), pid

    def app_pids(self) -> list[int]:
        return [self.pid] if self.pid else []


class OwnServer(Server):
    """``streamlit run app.py`` (or ``server.serve``) in its own process group."""

    def __init__(self, processes: int, env: dict[str, str], log: Path) -> None:
        self.processes, self.env, self.log_path = processes, env, log
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._known: dict[int, str | None] = {}  # pid: start time, for the final sweep

    def start(self) -> None:
        if self.processes > 1:
            command = [sys.executable, "-m", "server.serve", "--processes", str(self.processes)]
            command += ["--port", str(self.port), "--address", "127.0.0.1"]
        else:
            command = [sys.executable, "-m", "streamlit", "run", "app.py"]
            command += ["--server.port", str(self.port), "--server.address", "127.0.0.1"]
            command += ["--server.headless", "true"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a process group to stop as one
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self._log_tail()}")
            if self._ready():
                self._remember_children()
                return
            time.sleep(0.3)
        raise RuntimeError(
            f"the server was not ready in {SERVER_START_TIMEOUT:.0f} s:\n{self._log_tail()}"
        )

    def _ready(self) -> bool:
        if self.processes > 1:
            log = self.log_path.read_text(errors="replace")
            if not any("ready" in line for line in log.splitlines()):
                return False
        try:
            return httpx.get(f"{self.base_url}/_stcore/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def _log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def _remember_children(self) -> None:
        if self.process is not None:
            for pid in descendants(self.process.pid):
                self._known[pid] = _start_time(pid)

    def app_pids(self) -> list[int]:
        if self.process is None:
            return []
        if self.processes == 1:
            return [self.process.pid]
        return [
            pid
            for pid in descendants(self.process.pid)
            if "streamlit" in " ".join(_cmdline(pid)) and "run" in _cmdline(pid)
        ]

    def stop(self) -> None:
        """SIGTERM to the group (the app stops its worker), SIGKILL after a while, then a
        sweep of every process seen below it (server.serve gives each its own group)."""
        process = self.process
        if process is None:
            return
        self._remember_children()
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(60 if self.processes > 1 else 20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # whatever of the group is left
        for pid, started in self._known.items():
            if started is not None and _start_time(pid) == started:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self.process = None


async def sample_rss(server: Server, peak: list[float], stop: asyncio.Event) -> None:
    pids, refreshed = server.app_pids(), time.monotonic()
    while not stop.is_set():
        if time.monotonic() - refreshed > 2.0:
            pids, refreshed = server.app_pids(), time.monotonic()
        peak[0] = max(peak[0], rss_mb(pids))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)
