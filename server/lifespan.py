"""App start-up and shut-down: migrate the database, run the local job worker beside the app."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.concurrency import run_in_threadpool

from db.migrate import upgrade
from db.settings import PROJECT_ROOT
from server.warm_up import freeze_heap, preload_page_modules

log = logging.getLogger("server.lifespan")


def start_worker() -> subprocess.Popen[bytes] | None:
    """The local worker as its own process (it never imports streamlit)."""
    if os.environ.get("DLL_START_WORKER", "1") == "0":
        return None
    command = [sys.executable, "-m", "engine", "worker", "--parent-pid", str(os.getpid())]
    return subprocess.Popen(command, cwd=PROJECT_ROOT)


def stop_worker(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[dict[str, Any]]:
    await run_in_threadpool(upgrade)
    worker = start_worker()
    count = await run_in_threadpool(preload_page_modules)
    freeze_heap()
    log.info("%d page modules imported before the first request", count)
    log.info("local worker started: pid %s", worker.pid if worker else None)
    try:
        yield {"worker": worker}
    finally:
        stop_worker(worker)
