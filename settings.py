"""The app's settings: where it keeps its data, its database URL, and what the environment
asks for (DLL_* variables, documented in the README)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent


def data_dir() -> Path:
    """Folder for the SQLite file, artifacts and logs (``DLL_DATA_DIR`` overrides)."""
    return _created(os.environ.get("DLL_DATA_DIR") or str(PROJECT_ROOT / "data"))


@cache
def _created(folder: str) -> Path:
    """The folder, made once per process: ``data_dir`` is called on every database session."""
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """``DATABASE_URL`` if set (e.g. PostgreSQL), else a SQLite file in the data folder."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir() / 'app.db'}"


def private_urls_allowed() -> bool:
    """``DLL_ALLOW_PRIVATE_URLS=1`` lets the pipeline lab read addresses on this machine or
    its network (a classroom's own file server); by default only public addresses."""
    return os.environ.get("DLL_ALLOW_PRIVATE_URLS", "") == "1"


RUN_NICENESS = 10  # a run yields the CPU to the app's processes while they are busy


def max_concurrent_runs() -> int:
    """How many runs the local worker trains at once (``DLL_MAX_CONCURRENT_RUNS``; by
    default half the cores, at least one)."""
    env = os.environ.get("DLL_MAX_CONCURRENT_RUNS")
    return max(1, int(env)) if env else max(1, (os.cpu_count() or 2) // 2)


def run_niceness() -> int:
    """How far a run process lowers its CPU priority (``DLL_RUN_NICENESS``, 0 to 19): on a
    shared server a class's clicks are answered first and training takes what is left, which
    is all of it while nobody clicks."""
    value = os.environ.get("DLL_RUN_NICENESS", "")
    return min(19, max(0, int(value))) if value.strip().isdigit() else RUN_NICENESS


def start_local_worker() -> bool:
    """Whether the app starts its own job worker (``DLL_START_WORKER=0``: no, one runs apart)."""
    return os.environ.get("DLL_START_WORKER", "1") != "0"
