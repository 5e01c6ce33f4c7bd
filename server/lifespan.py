"""App start-up and shut-down: migrate the database, run the local job worker beside the app."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool

from db.migrate import upgrade
from server.processes import Child, SupervisorLock, WorkerSupervisor
from server.warm_up import freeze_heap, preload_page_modules
from settings import data_dir, start_local_worker

log = logging.getLogger("server.lifespan")

CHECK_SECONDS = 0.5  # how soon a dead worker is reaped and started again
MAX_BACKOFF = 30.0  # a worker that keeps dying young is started again at most this often
STOP_SECONDS = 10.0  # a worker that has not stopped by then is killed


class WorkerKeeper:
    """Keeps the local job worker (its own process, never importing streamlit) running: a
    thread checks it every ``CHECK_SECONDS``, reaps it when it dies and starts another. Of
    several app processes on one data folder, only the one holding the lock starts it."""

    def __init__(self, env: dict[str, str] | None = None, log_file: Path | None = None) -> None:
        command = [sys.executable, "-m", "engine", "worker", "--parent-pid", str(os.getpid())]
        # die_with_parent would run Python between fork and exec in this threaded process;
        # the worker watches its parent's pid instead.
        env = env or dict(os.environ)
        child = Child("job worker", command, env, log_file, die_with_parent=False)
        lock = SupervisorLock(data_dir() / "worker-supervisor.lock")
        self.supervisor = WorkerSupervisor(child, lock)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="worker-keeper", daemon=True)

    def start(self) -> WorkerKeeper:
        self.check()  # the worker starts with the app, not half a second later
        self._thread.start()
        return self

    def check(self) -> None:
        for line in self.supervisor.check(MAX_BACKOFF):
            log.info(line)

    def _loop(self) -> None:
        while not self._stopping.wait(CHECK_SECONDS):
            try:
                self.check()
            except OSError:  # e.g. no process could be started just now: try again
                log.exception("could not start the job worker")

    @property
    def worker_pid(self) -> int | None:
        """The worker's pid while this process runs it."""
        return self.supervisor.pid

    def stop(self) -> None:
        """Stop watching, then stop the worker (it marks runs in flight interrupted)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()
        self.supervisor.stop(STOP_SECONDS)


def start_worker() -> WorkerKeeper | None:
    """The local worker, kept running beside the app (``DLL_START_WORKER=0``: none)."""
    if not start_local_worker():
        return None
    return WorkerKeeper().start()


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[dict[str, Any]]:
    await run_in_threadpool(upgrade)
    worker = start_worker()
    count = await run_in_threadpool(preload_page_modules)
    freeze_heap()
    log.info("%d page modules imported before the first request", count)
    log.info("local worker started: pid %s", worker.worker_pid if worker else None)
    try:
        yield {"worker": worker}
    finally:
        if worker is not None:
            worker.stop()
