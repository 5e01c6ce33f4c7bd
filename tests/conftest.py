"""Shared fixtures: a freshly migrated database per test (SQLite, or PostgreSQL where asked),
accounts, and a live local worker."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url

from classroom import accounts, classes
from classroom.access import Actor
from classroom.classes import ClassInfo
from db.migrate import upgrade
from db.session import dispose_engines
from engine import jobs
from engine.worker import LocalWorker
from tests.postgres import create_database, postgres_server

PASSWORD = "a long enough secret"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated by Alembic; each test gets a copy of it."""
    path = tmp_path_factory.mktemp("template") / "app.db"
    upgrade(f"sqlite:///{path}")
    dispose_engines()
    return path


@pytest.fixture(autouse=True)
def database(
    migrated_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    target = tmp_path / "app.db"
    shutil.copy(migrated_template, target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DLL_DATA_DIR", str(tmp_path / "data"))
    dispose_engines()
    yield url
    dispose_engines()


@pytest.fixture(scope="module")
def migrated_postgres() -> Iterator[tuple[str, str]]:
    """(server URL, name of a migrated database to copy)."""
    with postgres_server() as server:
        if server is None:
            pytest.skip(
                "no PostgreSQL here: install Debian's postgresql or set DLL_TEST_POSTGRES_URL"
            )
        url = create_database(server)
        upgrade(url)
        dispose_engines()
        yield server, str(make_url(url).database)


@pytest.fixture
def postgres(migrated_postgres: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """This test's own migrated PostgreSQL database, as the app's DATABASE_URL."""
    server, template = migrated_postgres
    url = create_database(server, template=template)
    monkeypatch.setenv("DATABASE_URL", url)
    dispose_engines()
    yield url
    dispose_engines()


@pytest.fixture
def teacher() -> Actor:
    return accounts.create_first_teacher("teacher", "Tess Teacher", PASSWORD)


@pytest.fixture
def klass(teacher: Actor) -> ClassInfo:
    return classes.create_class(teacher, "Year 11")


@pytest.fixture
def make_learner(klass: ClassInfo) -> Callable[..., Actor]:
    """make_learner("name") joins the class; make_learner("name", join=False) does not."""

    def make(username: str, join: bool = True) -> Actor:
        code = klass.join_code if join else None
        return accounts.sign_up_learner(username, username.title(), PASSWORD, code)

    return make


@pytest.fixture
def learner(make_learner: Callable[..., Actor]) -> Actor:
    return make_learner("lin")


class WorkerThread:
    """A LocalWorker ticking in a background thread; its runs are real processes."""

    def __init__(self, max_concurrent: int = 1) -> None:
        self.worker = LocalWorker(max_concurrent=max_concurrent, poll_seconds=0.05)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.worker.tick()
            time.sleep(self.worker.poll_seconds)

    def start(self) -> WorkerThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)
        self.worker.stop()


@pytest.fixture
def worker() -> Iterator[WorkerThread]:
    thread = WorkerThread().start()
    yield thread
    thread.stop()


def wait_for_end(run_id: int, timeout: float = 120.0) -> jobs.RunStatus:
    """Poll until the run is no longer queued or running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = jobs.status(run_id)
        if state is not None and not state.active:
            return state
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} still active after {timeout} s")


def wait_until(predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")
