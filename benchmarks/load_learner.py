"""One simulated learner's tab, from sign-in through Train and the results to a reflection
(the scenario is told in load_test.py's docstring)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from dataclasses import dataclass, field

import httpx

from benchmarks.load_accounts import PASSWORD
from benchmarks.load_stats import Learner, Recorder
from benchmarks.streamlit_client import (
    EARLY,
    BrowserTab,
    Disconnected,
    ProtocolError,
    Run,
    Timeout,
    json_widget,
)

TRACK_PATH, TRACK_QUERY = "track", "id=digital-literacy"  # the track with the lab
LAB_PATH = "first-network"
REFLECTION = (
    "I trained a small dense network on the digit pictures. The loss fell quickly and the "
    "validation accuracy settled after a few epochs; next I will try a CNN."
)
INTERACTION_TIMEOUT = 60.0  # one click, page or run chain
HTTP_TIMEOUT = 60.0
READING_SECONDS = 2.0  # a learner reads the results before writing


async def sign_in(http: httpx.AsyncClient, base_url: str, username: str) -> float:
    """POST the sign-in form as the browser does; returns the seconds it took."""
    started = time.monotonic()
    answer = await http.post(
        f"{base_url}/auth/login",
        data={"username": username, "password": PASSWORD},
        headers={"Origin": base_url, "Accept": "text/html"},
    )
    seconds = time.monotonic() - started
    if answer.status_code != 303 or not http.cookies.get("dll_session"):
        raise httpx.HTTPStatusError(
            f"sign-in answered HTTP {answer.status_code}", request=answer.request, response=answer
        )
    return seconds


def status_line(tab: BrowserTab) -> str:
    """The live panel's status line ("**Run 3** · Training: epoch 2 of 10. 15% done."): the
    progress bar's text, or a line of its own in earlier versions of the panel."""
    texts = (e.text for kind in ("progress", "markdown") for e in tab.find_all(kind))
    return next((text for text in texts if text.startswith("**Run ")), "")


def run_over(tab: BrowserTab, since: Run) -> Run | None:
    """The full run, from ``since`` on, that shows the run over: it finished and asked for
    no more polling (no ``auto_rerun`` in it)."""
    last = next((r for r in reversed(tab.runs) if r.full), None)
    if last is not None and last.index >= since.index and last.done and not tab.announced:
        return last
    return None


async def wait_run_over(tab: BrowserTab, since: Run, deadline: float, recorder: Recorder) -> Run:
    """Let the timers poll until the page shows the run over; reconnect like the frontend."""
    for attempt in range(3):
        try:
            # A little past the deadline: when the time is up the learner is cancelled, which
            # is no error; this timeout is for a learner that would otherwise wait forever.
            left = max(0.0, deadline - time.monotonic()) + 5.0
            return await tab.wait_for(lambda: run_over(tab, since), left, "run end")
        except Disconnected:
            if attempt == 2 or time.monotonic() >= deadline:
                raise
            await asyncio.sleep(1.0)
            await recorder.timed("reconnect", tab.reconnect(INTERACTION_TIMEOUT))
    raise AssertionError("unreachable")


async def write_reflection(tab: BrowserTab) -> None:
    """Type into the journal box: its component sends ``{"text": ...}`` after a pause."""
    box = next(
        (e for e in tab.find_all("bidi_component") if "autosave" in e.proto.component_name), None
    )
    if box is None:
        raise ProtocolError("no reflection box under the results")
    mark = await tab.rerun([json_widget(box, text=REFLECTION)], fragment_id=box.fragment_id)
    await tab.wait_run(mark, full=not box.fragment_id, timeout=INTERACTION_TIMEOUT)
    if not any(text.startswith("Saved ") for text in tab.texts()):
        raise ProtocolError("the reflection was not saved")


@dataclass
class Classroom:
    """Tabs stay open until every learner is through (or the time is up), as in a class."""

    waiting: int
    everyone_done: asyncio.Event = field(default_factory=asyncio.Event)

    def through(self) -> None:
        self.waiting -= 1
        if self.waiting <= 0:
            self.everyone_done.set()


async def learner_session(
    me: Learner,
    base_url: str,
    recorder: Recorder,
    classroom: Classroom,
    deadline: float,
    delay: float,
    reflect: bool,
) -> None:
    """One learner from sign-in to reflection; errors are recorded, never raised."""
    await asyncio.sleep(delay)
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT, follow_redirects=False) as http:
        tab = BrowserTab(base_url, http)
        try:
            await learner_steps(me, tab, http, base_url, recorder, deadline, reflect)
        except Disconnected:
            pass  # the tab has recorded the disconnect
        except Timeout as exc:
            recorder.error("timeout", f"{me.name}: {exc}")
        except ProtocolError as exc:
            recorder.error("protocol", f"{me.name}: {exc}")
        except httpx.HTTPError as exc:
            recorder.error("http", f"{me.name}: {exc}")
        finally:
            classroom.through()
            me.polls = tab.polls
            try:
                with contextlib.suppress(TimeoutError):
                    left = max(0.0, deadline - time.monotonic())
                    await asyncio.wait_for(classroom.everyone_done.wait(), left)
            finally:
                for cut, after in itertools.pairwise(tab.runs):
                    if cut.fragment_ids and cut.status == EARLY:
                        if after.full:
                            me.full_reruns_from_panel += 1  # the panel's st.rerun()
                        else:
                            me.fragment_restarts += 1
                for entry in tab.errors:
                    kind, _, detail = entry.partition(": ")
                    recorder.error(kind, f"{me.name}: {detail}")
                tab.errors.clear()
                await tab.close()


async def learner_steps(
    me: Learner,
    tab: BrowserTab,
    http: httpx.AsyncClient,
    base_url: str,
    recorder: Recorder,
    deadline: float,
    reflect: bool,
) -> None:
    """Sign in, home, track, lab, Train, the results, a reflection."""
    recorder.interaction("sign_in", await sign_in(http, base_url, me.name))
    me.signed_in = True
    await recorder.timed("home", tab.open("", timeout=INTERACTION_TIMEOUT))
    await recorder.timed("track", tab.follow_link(TRACK_PATH, TRACK_QUERY))
    await recorder.timed("lab", tab.follow_link(LAB_PATH))
    train = await recorder.timed("train", tab.click_button("Train"))
    me.trained = True
    over = await wait_run_over(tab, train, deadline, recorder)
    finished = over.finished or over.started
    me.over_started = over.started
    asked = [p.sent for p in tab.polls if p.run is over]  # the poll that found the end
    recorder.interaction("results", finished - min(asked, default=over.started))
    me.saw_results = tab.find("metric", "Validation accuracy") is not None
    if not me.saw_results:
        recorder.error("no_results", f"{me.name}: {status_line(tab) or 'no status line'}")
    await asyncio.sleep(min(READING_SECONDS, max(0.0, deadline - time.monotonic())))
    me.polls_after_results = sum(1 for p in tab.polls if p.sent > finished)
    if reflect and me.saw_results and time.monotonic() < deadline:
        await recorder.timed("reflect", write_reflection(tab))
    me.finished = True
