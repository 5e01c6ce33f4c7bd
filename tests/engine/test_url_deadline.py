"""Reading a URL from a server that is slow on purpose: does the whole fetch end at its
deadline, however the server trickles its answer, and is an IPv6 address that carries an
internal IPv4 one (such as [::127.0.0.1]) refused like that IPv4 address?"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
from collections.abc import Iterator

import pytest

from engine.data.bundle import DataError
from engine.pipeline.url_source import check_address, fetch_url

CSV = b"name,score\n" + b"Ada,91\n" * 20
HEADERS = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\n"
    + f"Content-Length: {len(CSV)}\r\nConnection: close\r\n\r\n".encode()
)
DRIP_SECONDS = 0.02  # one byte at a time: each read is quick, the whole answer is not


class Trickle(socketserver.BaseRequestHandler):
    """Answers every request a byte at a time: the headers too for /slow-headers.csv."""

    def handle(self) -> None:
        request = self.request.recv(4096)
        slow_part, fast_part = (
            (HEADERS + CSV, b"") if b"/slow-headers" in request else (CSV, HEADERS)
        )
        with contextlib.suppress(OSError):  # the client hangs up when its time is up
            self.request.sendall(fast_part)
            for byte in slow_part:
                self.request.sendall(bytes([byte]))
                time.sleep(DRIP_SECONDS)


@pytest.fixture(scope="module")
def trickle_server() -> Iterator[str]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Trickle)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", ["/slow-body.csv", "/slow-headers.csv"])
def test_does_a_server_sending_a_byte_at_a_time_get_cut_off_at_the_deadline(
    trickle_server: str, path: str
) -> None:
    """The whole answer takes seconds; each byte comes well within the per-read timeout."""
    with pytest.raises(DataError) as caught:
        fetch_url(trickle_server + path, timeout=5.0, deadline=0.5, allow_private=True)
    assert "took more than 0.5 seconds" in str(caught.value)


def test_does_a_server_within_the_deadline_still_deliver_its_file(trickle_server: str) -> None:
    body, fmt = fetch_url(trickle_server + "/slow-body.csv", deadline=120, allow_private=True)
    assert (body, fmt) == (CSV, "csv")


def test_does_a_quick_answer_arrive_whole_under_a_short_deadline() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:

        def answer_once() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(4096)
                conn.sendall(HEADERS + CSV)

        threading.Thread(target=answer_once, daemon=True).start()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/data.csv"
        assert fetch_url(url, deadline=5.0, allow_private=True) == (CSV, "csv")


@pytest.mark.parametrize(
    ("url", "inside"),
    [
        ("http://[::127.0.0.1]/data.csv", "127.0.0.1"),  # IPv4-compatible
        ("http://[::ffff:127.0.0.1]/data.csv", "127.0.0.1"),  # IPv4-mapped
        ("http://[::ffff:169.254.169.254]/latest/meta-data", "169.254.169.254"),
        ("http://[::10.1.2.3]/data.csv", "10.1.2.3"),
        ("http://[2002:7f00:1::]/data.csv", "127.0.0.1"),  # 6to4
        ("http://[64:ff9b::a01:203]/data.csv", "10.1.2.3"),  # NAT64
        ("http://[::1]/data.csv", "::1"),
    ],
)
def test_is_an_ipv6_address_carrying_an_internal_ipv4_one_refused(url: str, inside: str) -> None:
    with pytest.raises(DataError) as caught:
        check_address(url)
    assert f"inside this server's own network ({inside})" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    ["http://[::ffff:8.8.8.8]/data.csv", "http://[2001:4860:4860::8888]/data.csv"],
)
def test_is_a_public_address_written_in_ipv6_still_allowed(url: str) -> None:
    assert check_address(url) == url.split("[")[1].split("]")[0]
