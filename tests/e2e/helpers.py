"""What the browser tests share: serving the app, signing up and in, waiting for the app and
for what it saves, counting the points of plotly charts, and filling the pipeline builder."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from db.models import JournalEntry
from db.session import dispose_engines, read_session
from settings import PROJECT_ROOT

TEACHER_PASSWORD = "teach with patience"
LEARNER_PASSWORD = "learning every day"
CURVES = "training-curves"  # the uirevision of every run's loss and accuracy chart


# --- the served app ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving_app(data: Path, **settings: str) -> Iterator[str]:
    """``streamlit run app.py`` on a free port of 127.0.0.1 with ``data`` as its data folder
    (and its own local worker), until the block ends; yields the base URL."""
    port = free_port()
    env = {
        **os.environ,
        "DLL_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data}/app.db",
        "DLL_MAX_CONCURRENT_RUNS": "1",
        "PYTHONUNBUFFERED": "1",
        **settings,
    }
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    log = (data / "server.log").open("w")
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process, data / "server.log")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/_stcore/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server not healthy in time:\n{log.read_text()}")


@contextmanager
def using_database(url: str) -> Iterator[None]:
    """Service calls inside the block read and write ``url`` (a served app's own database)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        dispose_engines()
        try:
            yield
        finally:
            dispose_engines()


def poll(done: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    """Ask ``done`` twice a second until it is true; after ``timeout`` seconds, fail with
    ``what`` (the thing awaited) in the message."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.5)


def wait_for_journal_entry(text: str, timeout: float = 30.0) -> None:
    """Wait until a journal entry holding exactly ``text`` is stored (its autosave landed).
    Service calls must be reading the served app's database (``in_server_db``)."""

    def stored() -> bool:
        with read_session() as session:
            found = session.scalar(select(JournalEntry.id).where(JournalEntry.body == text))
            return found is not None

    poll(stored, "the journal entry saved", timeout)


# --- the page ------------------------------------------------------------------------------


def wait_for_app(page: Page, timeout: float = 60_000) -> None:
    """Wait the way Streamlit's own e2e suite does: connected, and the script idle."""
    page.wait_for_selector(
        "[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=timeout
    )
    page.wait_for_selector(
        "[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout
    )


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    wait_for_app(page)


def fill_account_form(page: Page, name: str, username: str, password: str) -> None:
    page.fill("#display_name", name)
    page.fill("#username", username)
    page.fill("#password", password)
    page.fill("#confirm", password)
    page.click("button[type=submit]")
    wait_for_app(page)


def sign_up_teacher(page: Page, base: str) -> None:
    """Tess Teacher (``tess``), the first account of a new server, through the setup page."""
    page.goto(base)
    expect(page).to_have_url(re.compile(r"/auth/setup$"))
    fill_account_form(page, "Tess Teacher", "tess", TEACHER_PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Tess Teacher")).to_be_visible()


def create_class(page: Page, base: str) -> str:
    """The signed-in teacher creates "Year 11 Computing"; returns its join code."""
    page.goto(f"{base}/classes")
    wait_for_app(page)
    page.get_by_label("Class name").fill("Year 11 Computing")
    page.get_by_role("button", name="Create class").click()
    notice = page.get_by_text(re.compile(r"Its join code is [A-Z0-9]{6}"))
    expect(notice).to_be_visible(timeout=30_000)
    return re.search(r"join code is ([A-Z0-9]{6})", notice.inner_text()).group(1)


def sign_up_learner(page: Page, base: str, code: str) -> None:
    """Lin Learner (``lin``) signs up with the class's join code."""
    page.goto(f"{base}/auth/signup?code={code}")
    fill_account_form(page, "Lin Learner", "lin", LEARNER_PASSWORD)
    expect(page.get_by_text("Class: Year 11 Computing")).to_be_visible()


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the select box or multiselect labelled ``label``."""
    box = page.get_by_role("combobox", name=label, exact=True).last
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()


def set_number(page: Page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Tab")  # commit the value without submitting the form (Enter would)


# --- plotly charts -------------------------------------------------------------------------

# Points plotly has computed (calcdata, per trace) in the charts whose uirevision is
# ``revision``, under the CSS selector ``within`` when one is given.
_POINTS = """([revision, within]) =>
  [...document.querySelectorAll((within ? within + ' ' : '') + '.js-plotly-plot')]
    .filter(d => d.layout && d.layout.uirevision === revision && d.calcdata)
    .reduce((n, d) => n + d.calcdata.reduce((m, t) => m + t.length, 0), 0)"""


def chart_points(page: Page, revision: str = CURVES, within: str = "") -> int:
    """How many points the charts of this ``revision`` (see CURVES) hold right now."""
    return int(page.evaluate(_POINTS, [revision, within]))


def wait_for_points(
    page: Page,
    more_than: int,
    revision: str = CURVES,
    within: str = "",
    while_shown: str | None = None,
    timeout: float = 30_000,
) -> None:
    """Wait until those charts hold more than ``more_than`` points; with ``while_shown``,
    while the page also still shows that text (e.g. "Training: epoch": the run is live)."""
    page.wait_for_function(
        f"([revision, within, n, shown]) => ({_POINTS})([revision, within]) > n"
        " && (shown === null || document.body.innerText.includes(shown))",
        arg=[revision, within, more_than, while_shown],
        timeout=timeout,
    )


# --- the pipeline builder ------------------------------------------------------------------

KIND_FIELD = {
    "impute missing values": "Strategy",
    "fix types": "Type",
    "target": "Column to predict",
    "outliers": "Action",
}


def messy_csv(shift: int, rows: int = 120) -> bytes:
    """Scores with gaps and a text value in a number column; ``shift`` moves every score."""
    lines = ["name,score,minutes,passed"]
    for i in range(rows):
        score = "" if i % 9 == 4 else str(shift + (i * 7) % 30)
        minutes = "about 30" if i == 5 else str(20 + (i * 3) % 40)
        passed = "yes" if (i * 7) % 30 >= 15 else "no"
        lines.append(f"student {i},{score},{minutes},{passed}")
    return ("\n".join(lines) + "\n").encode()


def add_stage(page: Page, kind: str, **fields: str | list[str]) -> None:
    """Add one stage through the editor's form, and wait until the list shows it."""
    before = page.get_by_role("button", name="Remove").count()
    if page.get_by_role("combobox", name="Stage to add").input_value() != kind:
        choose(page, "Stage to add", kind)
        wait_for_app(page)
    # A field only this kind's form has: once it shows, the rerun has drawn the new form.
    expect(page.get_by_role("combobox", name=KIND_FIELD[kind], exact=True)).to_be_visible()
    wait_for_app(page)
    for label, value in fields.items():
        for option in [value] if isinstance(value, str) else value:
            choose(page, label, option)
        page.keyboard.press("Escape")
    page.get_by_role("button", name="Add stage").click()
    expect(page.get_by_role("button", name="Remove")).to_have_count(before + 1)
    wait_for_app(page)


def upload(page: Page, label: str, path: Path) -> None:
    page.get_by_test_id("stFileUploader").filter(has_text=label).locator(
        "input[type=file]"
    ).set_input_files(str(path))
    wait_for_app(page)
