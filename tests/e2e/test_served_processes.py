"""A class served by two app processes behind nginx (``python -m server.serve``): does a
learner keep their sign-in, their upload and their live run when their browser moves to the
other process, first by its routing cookie and then because its process died?"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Response, expect

from classroom import accounts, classes
from db.migrate import upgrade
from db.session import dispose_engines
from labs.first_network import DEFAULT_SPEC
from server.nginx_conf import BACKEND_HEADER, ROUTE_COOKIE, find_nginx
from settings import PROJECT_ROOT
from tests.e2e.helpers import free_port, sign_in, wait_for_app, wait_for_points

PASSWORD = "learning every day"
EPOCHS = 40  # a CNN: about 10 s of training here, so the browser moves while the run is live
APP_LINE = re.compile(r"app process (\d+): pid (\d+) on http://(127\.0\.0\.1:\d+)")


@dataclass
class Served:
    base: str
    process: subprocess.Popen[bytes]
    output: Path

    def wait_for_line(self, pattern: str, timeout: float = 180.0) -> re.Match[str]:
        """The first match of ``pattern`` in the launcher's output, waiting for it to appear."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.output.read_text())
            if found:
                return found
            if self.process.poll() is not None:
                raise AssertionError(f"the launcher exited:\n{self.output.read_text()}")
            time.sleep(0.2)
        raise AssertionError(f"no {pattern!r} in time:\n{self.output.read_text()}")

    def pids(self) -> dict[str, int]:
        """The newest pid of each app process, by its address ("127.0.0.1:port")."""
        return {m[3]: int(m[2]) for m in APP_LINE.finditer(self.output.read_text())}

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def _make_accounts(data: Path, url: str) -> None:
    """A teacher, a class and the learner Lin, straight into the database to be served."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        patch.setenv("DLL_DATA_DIR", str(data))
        upgrade(url)
        teacher = accounts.create_first_teacher("tess", "Tess Teacher", PASSWORD)
        klass = classes.create_class(teacher, "Year 11")
        accounts.sign_up_learner("lin", "Lin Learner", PASSWORD, klass.join_code)
        dispose_engines()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``python -m server.serve --processes 2`` on a free port with a data folder of its own."""
    if find_nginx() is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: .ci/run installs Debian's nginx")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    data = tmp_path_factory.mktemp("served-data")
    url = f"sqlite:///{data}/app.db"
    _make_accounts(data, url)
    port = free_port()
    env = {
        **os.environ,
        "DLL_DATA_DIR": str(data),
        "DATABASE_URL": url,
        "DLL_MAX_CONCURRENT_RUNS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    output = data / "serve.out"
    with output.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "server.serve", "--processes", "2", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    launched = Served(f"http://127.0.0.1:{port}", process, output)
    try:
        launched.wait_for_line(rf"ready: http://127\.0\.0\.1:{port} ")
        yield launched
    finally:
        launched.stop()


def backend(headers: dict[str, str]) -> str:
    """The app process that answered: the last one nginx tried."""
    return headers.get(BACKEND_HEADER.lower(), "").split(", ")[-1]


def app_backend(base: str, response: Response) -> list[str]:
    """[the process that answered], or [] for a file (a script, a font, the icon): the
    browser keeps those and reports its copy with the headers of whichever process first
    sent it. Pages, sign-in, health, websocket set-up and uploads are counted."""
    path = urlsplit(response.url).path
    if not response.url.startswith(base) or "." in path.rsplit("/", 1)[-1]:
        return []
    return [backend(response.headers)]


def sticky_backend(context: BrowserContext, base: str) -> str:
    """The process this browser's routing cookie leads to."""
    return backend(context.request.get(f"{base}/_stcore/health").headers)


def move_to_other_process(context: BrowserContext, base: str, current: str) -> str:
    """Give the browser a routing cookie that nginx hashes to another process than
    ``current``; returns that process."""
    for number in range(1, 200):
        key = f"{number:032x}"
        probe = httpx.get(f"{base}/_stcore/health", cookies={ROUTE_COOKIE: key})
        if backend(dict(probe.headers)) != current:
            context.add_cookies([{"name": ROUTE_COOKIE, "value": key, "url": base}])
            return backend(dict(probe.headers))
    raise AssertionError("every routing key led to the same process")


def open_tabular_tab(page: Page, base: str) -> None:
    page.goto(f"{base}/data-types")
    wait_for_app(page)
    page.get_by_role("tab", name="Tabular").click()
    wait_for_app(page)
    page.get_by_role("radio", name="My own").click()
    wait_for_app(page)


def upload_dataset(page: Page, base: str, csv: Path) -> None:
    open_tabular_tab(page, base)
    page.get_by_text("Add a dataset of your own").click()
    uploader = page.get_by_test_id("stFileUploader")
    uploader.locator("input[type=file]").set_input_files(str(csv))
    expect(uploader.get_by_text(csv.name)).to_be_visible()
    page.get_by_label("Label column").fill("label")
    page.get_by_role("button", name="Add dataset").click()
    expect(page.get_by_text("Your dataset was added")).to_be_visible(timeout=30_000)


def start_run(page: Page, base: str) -> str:
    """Train a CNN on "Train your first network"; the run's id once it trains."""
    page.goto(f"{base}/first-network")
    wait_for_app(page)
    page.get_by_role("radio", name="CNN").click()
    epochs = page.get_by_role("slider", name="Epochs")
    epochs.focus()
    for _ in range(EPOCHS - DEFAULT_SPEC.epochs):  # from the lab's starting value
        page.keyboard.press("ArrowRight")
    expect(epochs).to_have_attribute("aria-valuetext", str(EPOCHS))
    page.get_by_role("button", name="Train").click()
    training = page.get_by_text(re.compile(rf"Run \d+ · Training: epoch \d+ of {EPOCHS}"))
    expect(training).to_be_visible(timeout=60_000)
    return re.search(r"Run (\d+)", training.inner_text()).group(1)


def expect_all_kept(page: Page, base: str, run_id: str, answering: str, csv: Path) -> None:
    """Signed in, the run shown and finished with its curves, the upload listed; every page
    answered by ``answering``."""
    response = page.goto(f"{base}/first-network?run={run_id}")
    assert backend(response.headers) == answering
    wait_for_app(page)
    expect(page).not_to_have_url(re.compile(r"/auth/"))
    expect(page.get_by_test_id("sign-out")).to_be_visible()
    expect(page.get_by_text(re.compile(rf"Run {run_id} · Finished"))).to_be_visible(timeout=120_000)
    wait_for_app(page)
    # Training and validation, every epoch: at least 2 * EPOCHS points in the run's chart.
    run_chart = f'[class*="st-key-curves_{run_id}"]'
    wait_for_points(page, 2 * EPOCHS - 1, within=run_chart)
    open_tabular_tab(page, base)
    expect(page.get_by_role("combobox", name="Your dataset")).to_have_value(csv.name)


def tabular_csv(rows: int = 60) -> str:
    lines = ["height,weight,label"] + [
        f"{150 + i},{50 + (i * 7) % 30},{'tall' if i >= rows // 2 else 'short'}"
        for i in range(rows)
    ]
    return "\n".join(lines) + "\n"


def test_a_learner_keeps_sign_in_upload_and_live_run_on_either_process(
    served: Served, browser, tmp_path: Path
) -> None:
    csv = tmp_path / "heights.csv"
    csv.write_text(tabular_csv())
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    answered: list[str] = []  # the process behind each response to this browser, in order
    page.on("response", lambda r: answered.extend(app_backend(served.base, r)))

    sign_in(page, served.base, "lin", PASSWORD)
    expect(page.get_by_test_id("sign-out")).to_be_visible()
    first = sticky_backend(context, served.base)
    upload_dataset(page, served.base, csv)
    run_id = start_run(page, served.base)
    # Sticky from the very first request (the sign-in form, before the browser had a cookie).
    assert set(answered) == {first}

    # The routing cookie now leads to the other process, while the run trains.
    second = move_to_other_process(context, served.base, first)
    assert {first, second} == set(served.pids())
    moved = len(answered)
    response = page.reload()
    assert backend(response.headers) == second
    wait_for_app(page)
    # Still training: the new process polls the live run that the old one started.
    expect(page.get_by_text(re.compile(rf"Run {run_id} · Training"))).to_be_visible()
    expect_all_kept(page, served.base, run_id, second, csv)

    # That process dies: nginx sends the browser back to the first one at once, and the
    # launcher starts the dead one again on its port.
    assert set(answered[moved:]) == {second}
    killed, moved = served.pids()[second], len(answered)
    os.kill(killed, signal.SIGKILL)
    expect_all_kept(page, served.base, run_id, first, csv)
    assert set(answered[moved:]) == {first}
    served.wait_for_line(rf"app process \d+: pid (?!{killed}\b)\d+ on http://{second}\b")
    deadline = time.monotonic() + 120
    while not _healthy(f"http://{second}") and time.monotonic() < deadline:
        time.sleep(0.3)
    assert _healthy(f"http://{second}"), "the dead app process was not started again"


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_stopping_the_launcher_stops_nginx_every_app_process_and_the_worker(
    served: Served,
) -> None:
    text = served.output.read_text()
    pids = [int(p) for p in re.findall(r"(?:job worker|nginx|app process \d+): pid (\d+)", text)]
    assert served.stop() == 0
    assert "stopped" in served.output.read_text()
    alive = [pid for pid in pids if Path(f"/proc/{pid}").exists()]
    assert alive == [], f"still running after the launcher stopped: {alive}"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{served.base}/_stcore/health", timeout=2)
