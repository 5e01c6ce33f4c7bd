"""Where the app keeps its data: the database URL and the data folder."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
