"""A browser tab reduced to Streamlit 1.67's wire protocol: HTTP, one websocket, protobufs.

``BrowserTab`` does what the frontend (``streamlit/static``) does, no more:

* **Connecting.** A page load is a GET of the page's URL (the app's middleware checks the
  session cookie there), then ``/_stcore/health`` and ``/_stcore/host-config`` in parallel
  (the health answer sets the ``_streamlit_xsrf`` cookie), then the websocket
  ``/_stcore/stream`` with the subprotocols ``["streamlit", <xsrf cookie>]`` and, on a
  reconnect, the previous session id as a third entry. The browser's cookies and ``Origin``
  go with the handshake. Once connected the tab asks for a script run itself (a
  ``rerun_script`` BackMsg with ``page_name`` from the URL path and an empty page hash).
* **Reruns.** Every rerun carries the URL's query string, the current page's script hash,
  the widget states the tab holds, the hashes of the messages it has cached and the browser
  context. Triggers (a button, a form's submit button) are sent once and then dropped, as
  the frontend's ``WidgetStateManager`` does; form fields left at their defaults are not
  sent (the server falls back to the same defaults).
* **Page links** clear the auto-rerun timers and send a rerun with the link's page hash and
  query string (``onPageChange``).
* **The message cache.** Cacheable messages are kept by hash and reported back; a
  ``ref_hash`` message is answered from the cache; entries older than
  ``max_cached_message_age`` finished runs are dropped (``ForwardMsgCache``).
* **Auto-rerun timers** (``@st.fragment(run_every=...)``): an ``auto_rerun`` message starts a
  ``setInterval`` for its fragment, unless one with the same interval is already running.
  Each tick sends a fragment rerun (``fragment_id``, ``is_auto_rerun``) whether or not the
  previous one was answered. Timers are cleared by ``stop_auto_rerun``, by the start of any
  full script run (a ``new_session`` without fragment ids) and by a page change; a
  disconnected tab skips its ticks.

Each sent auto-rerun is a ``Poll``. A poll is answered by the first run that starts after
it was sent (one that reruns its fragment, or a full run) and then finishes. A run cut short
(``FINISHED_EARLY_FOR_RERUN``: by ``st.rerun()``, or by Streamlit when a second auto-rerun
of the fragment arrives as the first starts) or dropped without a ``script_finished`` (a
full rerun under ``runner.fastReruns``) hands its polls on to the run that follows, as the
server does with the requests. The start is known from the
``new_session`` message, so a run that the server had already started when the poll left,
but whose ``new_session`` was still on the wire, can be credited with it: latencies are then
a little low, never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED_OK = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
EARLY = ForwardMsg.FINISHED_EARLY_FOR_RERUN
XSRF_COOKIE = "_streamlit_xsrf"


class ProtocolError(RuntimeError):
    """The server said something a browser would show as an error, or said nothing in time."""


class Timeout(ProtocolError):
    """What the tab waited for did not come in time."""


class Disconnected(ProtocolError):
    """The websocket closed while the tab was waiting on it."""


@dataclass
class Element:
    """One element of the page, as the last delta at its path left it."""

    path: tuple[int, ...]
    kind: str  # "button", "metric", "markdown", "block", ...
    proto: Any
    fragment_id: str
    run_id: str

    @property
    def label(self) -> str:
        return str(getattr(self.proto, "label", ""))

    @property
    def text(self) -> str:
        """The words a person reads on it (label and body where it has them)."""
        parts = [getattr(self.proto, name, "") for name in ("label", "body", "text")]
        return " ".join(str(p) for p in parts if isinstance(p, str) and p)


@dataclass
class Run:
    """One script run: a full run of the page, or a run of some fragments."""

    script_run_id: str
    fragment_ids: tuple[str, ...]
    index: int  # position of its new_session among the messages received
    started: float
    finished: float | None = None
    status: int | None = None
    exceptions: list[str] = field(default_factory=list)

    @property
    def full(self) -> bool:
        return not self.fragment_ids

    @property
    def done(self) -> bool:
        return self.finished is not None and self.status != EARLY


@dataclass
class Poll:
    """One tick of an auto-rerun timer: a fragment rerun the tab sent on its own."""

    fragment_id: str
    sent: float
    mark: int  # messages received before it was sent
    run: Run | None = None
    answered: float | None = None

    @property
    def latency(self) -> float | None:
        return None if self.answered is None else self.answered - self.sent


class MessageCache:
    """The frontend's ForwardMsgCache: cacheable messages by hash, aged in finished runs."""

    def __init__(self) -> None:
        self._messages: dict[str, tuple[bytes, int, str]] = {}  # hash: (bytes, run, fragment)
        self._runs = 0

    def hashes(self) -> list[str]:
        return list(self._messages)

    def remember(self, msg: ForwardMsg, raw: bytes) -> None:
        if msg.metadata.cacheable and msg.hash:
            if msg.hash in self._messages:
                self._touch(msg.hash)
            else:
                fragment = msg.delta.fragment_id if msg.HasField("delta") else ""
                self._messages[msg.hash] = (raw, self._runs, fragment)

    def resolve(self, ref: ForwardMsg) -> ForwardMsg:
        entry = self._messages.get(ref.ref_hash)
        if entry is None:
            raise ProtocolError(f"cached message missing: {ref.ref_hash}")
        self._touch(ref.ref_hash)
        msg = ForwardMsg()
        msg.ParseFromString(entry[0])
        msg.metadata.CopyFrom(ref.metadata)
        return msg

    def run_finished(self, max_age: int, fragment_ids: Iterable[str]) -> None:
        self._runs += 1
        fragments = set(fragment_ids)
        for key, (_raw, seen, fragment) in list(self._messages.items()):
            if fragments and fragment not in fragments:
                continue
            if self._runs - seen > max_age:
                del self._messages[key]

    def _touch(self, key: str) -> None:
        raw, _seen, fragment = self._messages[key]
        self._messages[key] = (raw, self._runs, fragment)


class BrowserTab:
    """One browser tab on the app: an HTTP client with its cookies, and the websocket."""

    def __init__(
        self,
        base_url: str,
        http: httpx.AsyncClient,
        *,
        timers: bool = True,
        on_event: Callable[[str, str], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.ws_url = (
            f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}/_stcore/stream"
        )
        self.http = http
        self.timers_enabled = timers
        self.on_event = on_event or (lambda kind, detail: None)
        self.session_id = ""
        self.path = ""
        self.page_script_hash = ""
        self.query_string = ""
        self.pages: dict[str, str] = {}  # url path: page script hash
        self.elements: dict[tuple[int, ...], Element] = {}
        self.runs: list[Run] = []
        self.polls: list[Poll] = []
        self.errors: list[str] = []
        self.widget_states: dict[str, WidgetState] = {}
        self.max_cached_message_age = 2
        self._cache = MessageCache()
        self._timers: dict[str, tuple[asyncio.Task[None], float]] = {}
        self.announced: dict[str, float] = {}  # auto_rerun fragments of the last full run
        self._ws: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._received = 0
        self._changed = asyncio.Condition()
        self._current: Run | None = None
        self._new_session_since_send = False
        self.closed = True

    # ------------------------------------------------------------------ connecting
    async def open(self, path: str = "", query: str = "", timeout: float = 60.0) -> Run:
        """Load ``/<path>?<query>`` as a browser does and wait for the first script run."""
        self.path, self.query_string = path.strip("/"), query
        url = f"{self.base_url}/{self.path}" + (f"?{query}" if query else "")
        page = await self.http.get(url, headers={"Accept": "text/html"})
        if page.status_code != 200:
            raise ProtocolError(f"GET {url}: HTTP {page.status_code}")
        await self._ping()
        await self._connect()
        mark = await self._send_rerun(page_name=self.path, page_script_hash="")
        return await self.wait_run(mark, full=True, timeout=timeout)

    async def reconnect(self, timeout: float = 60.0) -> Run:
        """Reconnect with the old session id and ask for a run, as the frontend does."""
        await self._ping()
        await self._connect()
        mark = await self._send_rerun()
        return await self.wait_run(mark, full=True, timeout=timeout)

    async def _ping(self) -> None:
        for answer in await asyncio.gather(
            self.http.get(f"{self.base_url}/_stcore/health"),
            self.http.get(f"{self.base_url}/_stcore/host-config"),
        ):
            if answer.status_code != 200:
                raise ProtocolError(f"GET {answer.url.path}: HTTP {answer.status_code}")

    async def _connect(self) -> None:
        xsrf = self.http.cookies.get(XSRF_COOKIE) or "PLACEHOLDER_AUTH_TOKEN"
        protocols = ["streamlit", xsrf, *([self.session_id] if self.session_id else [])]
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies.jar)
        try:
            self._ws = await websockets.connect(
                self.ws_url,
                subprotocols=protocols,  # type: ignore[arg-type]
                origin=self.origin,  # type: ignore[arg-type]
                additional_headers={"Cookie": cookie},
                ping_interval=None,  # browsers answer pings but never send them
                max_size=None,
                open_timeout=30,
            )
        except (websockets.InvalidHandshake, OSError, TimeoutError) as exc:
            raise ProtocolError(f"websocket handshake failed: {exc!r}") from exc
        self.closed = False
        self._reader = asyncio.create_task(self._read(self._ws))

    async def close(self) -> None:
        """Close the tab: stop its timers and the websocket."""
        self.clear_timers()
        ws, self._ws = self._ws, None
        if ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 5)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        self.closed = True

    # ------------------------------------------------------------------ sending
    async def rerun(self, widgets: Iterable[WidgetState] = (), fragment_id: str = "") -> int:
        """Send a rerun of the current page (or of one fragment) with these widget changes."""
        for state in widgets:
            self.widget_states[state.id] = state
        return await self._send_rerun(fragment_id=fragment_id)

    async def click_button(self, label: str, timeout: float = 60.0) -> Run:
        """Press a button (or a form's submit button) and wait for the run it starts."""
        button = self.find("button", label)
        if button is None:
            raise ProtocolError(f"no button {label!r} on the page")
        trigger = WidgetState(id=button.proto.id, trigger_value=True)
        mark = await self.rerun([trigger], fragment_id=button.fragment_id)
        return await self.wait_run(mark, full=not button.fragment_id, timeout=timeout)

    async def follow_link(self, path: str, query: str = "", timeout: float = 60.0) -> Run:
        """Click the first ``st.page_link`` to the page at URL ``path`` (and ``query``)."""
        target = self.pages.get(path.strip("/"))
        link = next(
            (
                e
                for e in self.find_all("page_link")
                if e.proto.page_script_hash == target
                and (not query or e.proto.query_string == query)
            ),
            None,
        )
        if link is None:
            raise ProtocolError(f"no link to /{path}?{query} on the page")
        return await self.go_to(link.proto.page_script_hash, link.proto.query_string, timeout)

    async def go_to(self, page_script_hash: str, query: str = "", timeout: float = 60.0) -> Run:
        """Switch page in the app (``onPageChange``): timers cleared, new page hash and query."""
        self.clear_timers()
        self.query_string = query
        self.path = next((p for p, h in self.pages.items() if h == page_script_hash), self.path)
        mark = await self._send_rerun(page_script_hash=page_script_hash, widgets=False)
        return await self.wait_run(mark, full=True, timeout=timeout)

    async def _send_rerun(
        self,
        *,
        fragment_id: str = "",
        is_auto_rerun: bool = False,
        page_script_hash: str | None = None,
        page_name: str = "",
        widgets: bool = True,
    ) -> int:
        if self._ws is None or self.closed:
            raise Disconnected("not connected")
        if page_script_hash is not None:
            self.page_script_hash = page_script_hash
        url = f"{self.base_url}/{self.path}" + (
            f"?{self.query_string}" if self.query_string else ""
        )
        state = ClientState(
            query_string=self.query_string,
            page_script_hash=self.page_script_hash,
            page_name=page_name,
            fragment_id=fragment_id,
            is_auto_rerun=is_auto_rerun,
            cached_message_hashes=self._cache.hashes(),
            context_info=ContextInfo(
                timezone="UTC",
                timezone_offset=0,
                locale="en-GB",
                url=url,
                is_embedded=False,
                color_scheme="light",
            ),
        )
        if widgets:
            state.widget_states.widgets.extend(self.widget_states.values())
        mark = self._received
        try:
            await self._ws.send(BackMsg(rerun_script=state).SerializeToString())
        except websockets.ConnectionClosed as exc:
            raise Disconnected(f"send failed: {exc}") from exc
        finally:
            # Triggers are one-shot: the frontend deletes them once they are sent.
            for key in [
                k
                for k, s in self.widget_states.items()
                if s.WhichOneof("value")
                in ("trigger_value", "json_trigger_value", "string_trigger_value")
            ]:
                del self.widget_states[key]
        self._new_session_since_send = False
        return mark

    # ------------------------------------------------------------------ auto-rerun timers
    def _start_timer(self, fragment_id: str, interval: float) -> None:
        current = self._timers.get(fragment_id)
        if current is not None and current[1] == interval:
            return  # the frontend keeps a timer that already has this interval
        self._clear_timer(fragment_id)
        task = asyncio.create_task(self._tick(fragment_id, interval))
        self._timers[fragment_id] = (task, interval)

    async def _tick(self, fragment_id: str, interval: float) -> None:
        """``setInterval``: a tick every ``interval`` seconds; late ticks are not made up."""
        next_tick = time.monotonic() + interval
        while True:
            await asyncio.sleep(max(0.0, next_tick - time.monotonic()))
            next_tick += interval
            if next_tick < time.monotonic():
                next_tick = time.monotonic() + interval
            if self._ws is None or self.closed:
                continue  # "Cannot send rerun backMessage when disconnected"
            poll = Poll(fragment_id, time.monotonic(), self._received)
            try:
                await self._send_rerun(fragment_id=fragment_id, is_auto_rerun=True)
            except Disconnected:
                continue
            self.polls.append(poll)
            self.on_event("poll", fragment_id)

    def _clear_timer(self, fragment_id: str) -> None:
        entry = self._timers.pop(fragment_id, None)
        if entry is not None:
            entry[0].cancel()

    def clear_timers(self) -> None:
        for fragment_id in list(self._timers):
            self._clear_timer(fragment_id)

    @property
    def timers(self) -> dict[str, float]:
        """Running auto-rerun timers: fragment id to interval in seconds."""
        return {k: v[1] for k, v in self._timers.items()}

    # ------------------------------------------------------------------ receiving
    async def _read(self, ws: Any) -> None:
        """Receive until the websocket closes; a close this tab did not ask for is an error."""
        why: str | None = "the server closed the websocket"
        try:
            async for raw in ws:
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                self._cache.remember(msg, raw)
                if msg.HasField("ref_hash"):
                    msg = self._cache.resolve(msg)
                self._handle(msg)
                self._received += 1
                async with self._changed:
                    self._changed.notify_all()
        except websockets.ConnectionClosed as exc:
            why = f"websocket closed: {exc}"
        except ProtocolError as exc:
            why = None
            self._error("protocol", str(exc))
            with contextlib.suppress(Exception):
                await ws.close()
        if self._ws is ws:  # not closed by close()
            self.closed = True
            if why:
                self._error("disconnect", why)
        async with self._changed:
            self._changed.notify_all()

    def _error(self, kind: str, detail: str) -> None:
        self.errors.append(f"{kind}: {detail}")
        self.on_event(kind, detail)

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self._on_new_session(msg)
        elif kind == "delta":
            self._on_delta(msg)
        elif kind == "script_finished":
            self._on_finished(msg)
        elif kind == "auto_rerun":
            self.announced[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
            if self.timers_enabled and msg.auto_rerun.fragment_id:
                self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
            self.on_event("auto_rerun", msg.auto_rerun.fragment_id)
        elif kind == "stop_auto_rerun":
            for fragment_id in msg.stop_auto_rerun.fragment_ids:
                self._clear_timer(fragment_id)
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            self.page_script_hash = msg.navigation.page_script_hash or self.page_script_hash
        elif kind == "page_not_found":
            self._error("page_not_found", msg.page_not_found.page_name)
        elif kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
            exc = msg.session_event.script_compilation_exception
            self._error("exception", f"{exc.type}: {exc.message}")

    def _on_new_session(self, msg: ForwardMsg) -> None:
        new = msg.new_session
        if new.initialize.session_id:
            self.session_id = new.initialize.session_id
        if new.HasField("config") and new.config.max_cached_message_age:
            self.max_cached_message_age = new.config.max_cached_message_age
        if new.page_script_hash:
            self.page_script_hash = new.page_script_hash
        previous = self._current
        if previous is not None and previous.finished is None:
            # Dropped without a script_finished (fastReruns stops a run for a full rerun):
            # its polls wait for the next run that covers their fragment.
            for poll in self.polls:
                if poll.run is previous:
                    poll.run = None
        run = Run(
            msg.metadata.run.script_run_id,
            tuple(msg.metadata.run.fragment_ids),
            self._received,
            time.monotonic(),
        )
        if run.full:
            self.clear_timers()  # cleanupAutoReruns() on a full run's new_session
            self.announced.clear()
        self._current = run
        self._new_session_since_send = True
        self.runs.append(run)
        for poll in self.polls:
            waiting = poll.run is None and poll.answered is None and poll.mark <= run.index
            if waiting and (run.full or poll.fragment_id in run.fragment_ids):
                poll.run = run

    def _on_delta(self, msg: ForwardMsg) -> None:
        delta = msg.delta
        run_id = self._current.script_run_id if self._current else ""
        path = tuple(msg.metadata.delta_path)
        if delta.HasField("new_element"):
            element = delta.new_element
            kind = element.WhichOneof("type") or ""
            proto = getattr(element, kind) if kind else element
            self.elements[path] = Element(path, kind, proto, delta.fragment_id, run_id)
            if kind == "exception":
                text = f"{proto.type}: {proto.message}"
                if self._current is not None:
                    self._current.exceptions.append(text)
                self._error("exception", text)
        elif delta.HasField("add_block"):
            self.elements[path] = Element(path, "block", delta.add_block, delta.fragment_id, run_id)

    def _on_finished(self, msg: ForwardMsg) -> None:
        status = msg.script_finished
        run = self._current
        if run is None or (
            msg.metadata.run.script_run_id and msg.metadata.run.script_run_id != run.script_run_id
        ):
            return
        run.finished, run.status = time.monotonic(), status
        if status == EARLY:
            for poll in self.polls:
                if poll.run is run:
                    poll.run = None  # the run that follows answers it
            return
        for poll in self.polls:
            if poll.run is run and poll.answered is None:
                poll.answered = run.finished
        if status in FINISHED_OK:
            self._clear_stale(run)
            if self._new_session_since_send:
                self._cache.run_finished(self.max_cached_message_age, run.fragment_ids)
        active = {e.proto.id for e in self.elements.values() if hasattr(e.proto, "id")}
        for key in [k for k in self.widget_states if k not in active]:
            del self.widget_states[key]

    def _clear_stale(self, run: Run) -> None:
        """``clearStaleNodes``: drop what this run (or these fragments) did not send again."""
        for path, element in list(self.elements.items()):
            if element.run_id == run.script_run_id:
                continue
            if run.full or element.fragment_id in run.fragment_ids:
                del self.elements[path]

    # ------------------------------------------------------------------ waiting and reading
    async def wait_run(self, mark: int, *, full: bool, timeout: float) -> Run:
        """The first run started after ``mark`` that finishes (a full one if ``full``)."""

        def finished() -> Run | None:
            for run in self.runs:
                if run.index >= mark and run.done and (run.full or not full):
                    return run
            return None

        return await self.wait_for(finished, timeout, "script_finished")

    async def wait_for(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        """Wait until ``predicate()`` is truthy; ProtocolError on timeout or disconnect."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                if self.closed:
                    raise Disconnected(f"disconnected while waiting for {what}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Timeout(f"no {what} within {timeout:.0f} s")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), left)

    def find_all(self, kind: str) -> list[Element]:
        return [e for p, e in sorted(self.elements.items()) if e.kind == kind]

    def find(self, kind: str, label: str) -> Element | None:
        """The first element of this kind whose label is exactly ``label``."""
        return next((e for e in self.find_all(kind) if e.label == label), None)

    def texts(self) -> list[str]:
        return [e.text for _p, e in sorted(self.elements.items()) if e.text]


def json_widget(element: Element, **values: Any) -> WidgetState:
    """A component's JSON state, as ``setStateValue`` sends it."""
    return WidgetState(id=element.proto.id, json_value=json.dumps(values))
