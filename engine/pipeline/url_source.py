"""Fetching a CSV or JSON file from an http(s) address, with time limits and a size cap.

The server fetches what a learner names, so it refuses other schemes (file://, ftp://) and,
unless told otherwise, addresses inside its own network (127.0.0.1, 10.x, 169.254.x...):
otherwise a learner could read the school's internal services through the app. Every
redirect is checked the same way. (A DNS answer that changes between the check and the
request is not caught; schools that need that add an outbound proxy.) An IPv6 address that
carries an IPv4 one (::ffff:a.b.c.d, ::a.b.c.d, 6to4, NAT64) is judged by that IPv4 address.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from engine.data.bundle import DataError
from engine.data.csv_checks import megabytes
from engine.pipeline.readers import MAX_FILE_BYTES

TIMEOUT_SECONDS = 10.0  # for each step: connecting, and every read or write
DEADLINE_SECONDS = 30.0  # for the whole fetch, redirects included (20 MB at 1 MB/s fits)
MAX_REDIRECTS = 3
CSV_TYPES = frozenset({"text/csv", "application/csv", "text/comma-separated-values"})
JSON_TYPES = frozenset({"application/json", "text/json"})
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # an IPv4 address in the last 32 bits
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def judged_address(address: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv6 one that carries it, else the address itself:
    [::127.0.0.1] reaches 127.0.0.1, though Python calls that IPv6 address global."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d
        return address.ipv4_mapped
    if address.sixtofour is not None:  # 2002:aabb:ccdd::/48
        return address.sixtofour
    compatible = int(address) >> 32 == 0 and int(address) > 1  # ::a.b.c.d, not :: or ::1
    if compatible or address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def check_address(url: str, allow_private: bool = False) -> str:
    """The host of an http(s) URL that may be fetched, or a DataError saying why not."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise DataError(
            f"Only http:// and https:// addresses can be read; {scheme or 'this'}:// is refused."
        )
    host = parts.hostname
    if not host:
        raise DataError("The address has no host name.")
    if allow_private:
        return host
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise DataError(f"The host {host!r} could not be found.") from None
    for info in infos:
        address = judged_address(ipaddress.ip_address(info[4][0]))
        if not address.is_global:
            raise DataError(
                f"The address {host!r} points inside this server's own network ({address}); "
                "only public addresses can be read."
            )
    return host


class _Deadline:
    """Shuts the fetch's connections down when its time is up, wherever it is waiting: a
    server that sends a byte now and then never lets a per-read timeout expire."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._timer.cancel()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace hook: note each new connection's socket (TLS wraps it anew)."""
        if event not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            return
        sock = info["return_value"].get_extra_info("socket")
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    """Wake whatever waits on this socket (a read then ends as if the server hung up)."""
    with contextlib.suppress(OSError):  # closed already: nothing waits on it
        sock.shutdown(socket.SHUT_RDWR)


def content_format(content_type: str, url: str) -> str:
    """csv or json from the Content-Type (text/plain: from the address's ending)."""
    main = content_type.split(";", 1)[0].strip().lower()
    path = urlsplit(url).path.lower()
    if main in CSV_TYPES or (main == "text/plain" and path.endswith(".csv")):
        return "csv"
    if (
        main in JSON_TYPES
        or main.endswith("+json")
        or (main == "text/plain" and path.endswith(".json"))
    ):
        return "json"
    hint = (
        " (a web page: link to the file itself, e.g. its 'raw' address)" if "html" in main else ""
    )
    raise DataError(
        f"The address returned {main or 'no content type'}{hint}, not a CSV or JSON file."
    )


def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise DataError(
            f"The file at the address is {megabytes(int(declared))}; the limit is "
            f"{megabytes(max_bytes)}."
        )
    body = bytearray()
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if len(body) > max_bytes:  # a server may send more than it declared, or declare nothing
            raise DataError(
                f"The file at the address is larger than the limit of {megabytes(max_bytes)}."
            )
    return bytes(body)


def fetch_url(
    url: str,
    *,
    timeout: float = TIMEOUT_SECONDS,
    deadline: float = DEADLINE_SECONDS,
    max_bytes: int = MAX_FILE_BYTES,
    allow_private: bool = False,
) -> tuple[bytes, str]:
    """(body, "csv" or "json") of a file on the web, or a DataError naming the problem.
    ``timeout``: seconds for each network step; ``deadline``: for the whole fetch."""
    # trust_env=False: a learner's address is fetched directly, never via environment proxies
    with (
        _Deadline(deadline) as time_up,
        httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client,
    ):
        try:
            return _follow(client, url, max_bytes, allow_private, time_up)
        except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:
            if time_up.expired:
                raise DataError(
                    f"The address took more than {deadline:g} seconds to send its file; "
                    "try again later, or a smaller file."
                ) from None
            if isinstance(exc, httpx.TimeoutException):
                raise DataError(f"The address did not answer within {timeout:g} seconds.") from None
            raise DataError(f"The address could not be read ({type(exc).__name__}).") from None


def _follow(
    client: httpx.Client, url: str, max_bytes: int, allow_private: bool, time_up: _Deadline
) -> tuple[bytes, str]:
    """Request ``url``, following up to MAX_REDIRECTS redirects, each address checked."""
    headers = {"Accept": "text/csv, application/json"}
    for _ in range(MAX_REDIRECTS + 1):
        check_address(url, allow_private)
        with client.stream("GET", url, headers=headers, extensions={"trace": time_up.trace}) as r:
            if r.is_redirect:
                url = urljoin(url, r.headers.get("location", ""))
                continue
            if r.status_code >= 400:
                raise DataError(f"The address answered with HTTP {r.status_code}.")
            fmt = content_format(r.headers.get("content-type", ""), url)
            return _read_capped(r, max_bytes), fmt
    raise DataError(f"The address redirected more than {MAX_REDIRECTS} times.")
