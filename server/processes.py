"""Supervised child processes for ``server.serve``: start, health, restart with back-off, stop."""

from __future__ import annotations

import ctypes
import fcntl
import http.client
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from io import TextIOWrapper
from pathlib import Path

from settings import PROJECT_ROOT

APP_HOST = "127.0.0.1"  # app processes listen on loopback only; nginx is the way in
PR_SET_PDEATHSIG = 1
SIGTERM = 15
STDERR_FD = 2  # the launcher's own stderr, even where sys.stderr is replaced (tests)


def _die_with_parent() -> None:
    """In a child, before exec: SIGTERM when the launcher dies, even by SIGKILL (Linux)."""
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, SIGTERM)


@dataclass
class Child:
    """One supervised process, in a process group of its own; with ``log`` None its output
    goes to the launcher's stderr. ``die_with_parent``: SIGTERM when the launcher dies. A
    process with threads (an app) must not ask for it, as it runs Python between fork and
    exec; the worker an app starts watches its parent's pid instead."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path | None = None
    die_with_parent: bool = True
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    failures: int = 0  # quick deaths in a row, for the back-off
    restart_at: float | None = None

    def start(self) -> None:
        out = self.log.open("ab") if self.log else None
        try:
            self.process = subprocess.Popen(
                self.command,
                cwd=PROJECT_ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out or STDERR_FD,
                stderr=subprocess.STDOUT,
                # A Ctrl-C reaches the launcher only: it stops them in order.
                process_group=0,
                preexec_fn=_die_with_parent if self.die_with_parent else None,
            )
        finally:
            if out:
                out.close()
        self.started = time.monotonic()
        self.restart_at = None

    def describe(self) -> str:
        return f"{self.name}: pid {self.process.pid if self.process else '-'}"

    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def revive(self, max_backoff: float) -> Iterator[str]:
        """Start the process again if it died: at once the first time, then waiting 1, 3, 7…
        seconds (at most ``max_backoff``) while it keeps dying young. Yields what it did."""
        code = self.exit_code()
        if code is None:
            return
        now = time.monotonic()
        if self.restart_at is None:
            self.failures = 1 if now - self.started > max_backoff else self.failures + 1
            delay = min(max_backoff, 2.0 ** (self.failures - 1) - 1)
            self.restart_at = now + delay
            later = f" in {delay:.0f} s" if delay else ""
            yield f"{self.name} exited with code {code}; starting it again{later}"
        if now >= self.restart_at:
            self.start()
            yield self.describe()

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def wait(self, timeout: float) -> None:
        """Wait for the process to end; kill it after ``timeout`` seconds."""
        if self.process is None:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class SupervisorLock:
    """An flock on a file in the data folder: of all the processes that could start the
    job worker (app processes, launchers), only the one holding it does. The kernel lets it
    go when that process ends, however it ends, so another can take over."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: TextIOWrapper | None = None

    def acquire(self) -> bool:
        """Hold the lock (at once or never: no waiting); True while this process holds it."""
        if self.file is None:
            file = self.path.open("a")  # not inherited by children (PEP 446)
            try:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                file.close()
                return False
            self.file = file
        return True

    def release(self) -> None:
        if self.file is not None:
            self.file.close()  # closing the only descriptor releases the flock
            self.file = None


@dataclass
class WorkerSupervisor:
    """Keeps the one job worker of a data folder running: started by whoever holds the lock,
    reaped and started again when it dies. ``check()`` is called every fraction of a second."""

    child: Child
    lock: SupervisorLock
    waiting_said: bool = False

    def check(self, max_backoff: float) -> Iterator[str]:
        """Start or restart the worker if this process holds the lock; yields what it did."""
        if not self.lock.acquire():
            if not self.waiting_said:
                self.waiting_said = True
                yield f"another process runs the job worker ({self.lock.path} is locked)"
            return
        if self.child.process is None:
            self.child.start()
            yield self.child.describe()
            return
        yield from self.child.revive(max_backoff)  # polling it reaps a dead worker at once

    @property
    def pid(self) -> int | None:
        """The worker's pid while it runs."""
        process = self.child.process
        return process.pid if process is not None and process.poll() is None else None

    def stop(self, timeout: float) -> None:
        """Stop the worker (it marks runs in flight interrupted) and let the lock go."""
        self.child.terminate()
        self.child.wait(timeout)
        self.lock.release()


@dataclass
class App(Child):
    """A ``streamlit run app.py`` process on its own loopback port."""

    port: int = 0

    @property
    def url(self) -> str:
        return f"http://{APP_HOST}:{self.port}"

    def describe(self) -> str:
        return f"{super().describe()} on {self.url}"


def healthy(url: str) -> bool:
    """Does ``url`` answer Streamlit's health check?"""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            status: int = response.status
            return status == 200
    except (OSError, http.client.HTTPException):
        return False


def free_port(taken: set[int]) -> int:
    """A loopback port nobody listens on now, not already in ``taken`` (which it joins)."""
    while True:
        with socket.socket() as sock:
            sock.bind((APP_HOST, 0))
            port = int(sock.getsockname()[1])
        if port not in taken:
            taken.add(port)
            return port
