"""A real server (`streamlit run app.py`) on a free port and Debian's Chromium via Playwright.
The helpers the tests call are in helpers.py."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.session import dispose_engines
from tests.e2e.helpers import serving_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The app with its own data folder, database and local worker, one per test module;
    yields (base URL, database URL)."""
    data = tmp_path_factory.mktemp("server-data")
    with serving_app(data) as base:
        yield base, f"sqlite:///{data}/app.db"


@pytest.fixture(scope="module")
def server(served: tuple[str, str]) -> str:
    """The served app's base URL."""
    return served[0]


@pytest.fixture
def in_server_db(served: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Service calls in this test read and write the served app's own database (to set up
    what a test needs cheaply, or to check what the app stored); yields its URL."""
    monkeypatch.setenv("DATABASE_URL", served[1])
    dispose_engines()
    yield served[1]
    dispose_engines()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
