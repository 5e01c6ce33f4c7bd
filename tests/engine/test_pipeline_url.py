"""Reading a URL: against a real http.server on 127.0.0.1, are CSV and JSON read and the rest
refused (other schemes, web pages, bodies over the limit, the server's own network)?"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from engine.data.bundle import DataError
from engine.pipeline.ingest import read_sources
from engine.pipeline.pipeline_spec import parse_pipeline
from engine.pipeline.readers import read_table
from engine.pipeline.url_source import check_address, fetch_url

CSV = b"name,score\nAda,91\nBo,78\n"
JSON = b'[{"name": "Ada", "score": 91}, {"name": "Bo", "score": 78}]'
ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/data.csv": (200, "text/csv; charset=utf-8", CSV),
    "/data.json": (200, "application/json", JSON),
    "/raw/data.csv": (200, "text/plain; charset=utf-8", CSV),
    "/page": (200, "text/html; charset=utf-8", b"<html><body>Download here</body></html>"),
    "/image": (200, "image/png", b"\x89PNG\r\n"),
    "/big.csv": (200, "text/csv", b"a,b\n" + b"1,2\n" * 2000),
    "/missing": (404, "text/plain", b"not found"),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/data.csv")
            self.end_headers()
            return
        if self.path == "/slow.csv":
            time.sleep(1.0)
        status, content_type, body = ROUTES.get(self.path, (200, "text/csv", CSV))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if self.path != "/undeclared.csv":  # this one sends its body without a length
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # the client may stop reading at its size limit, as it should
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body if self.path != "/undeclared.csv" else b"a,b\n" + b"1,2\n" * 2000)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    ("path", "fmt"), [("/data.csv", "csv"), ("/data.json", "json"), ("/raw/data.csv", "csv")]
)
def test_is_a_csv_or_json_address_read_into_a_table(server: str, path: str, fmt: str) -> None:
    data, found = fetch_url(server + path, allow_private=True)
    assert found == fmt
    frame, _ = read_table(data, found)
    assert frame["name"].tolist() == ["Ada", "Bo"] and frame["score"].tolist() == [91, 78]


def test_is_a_redirect_followed(server: str) -> None:
    assert fetch_url(server + "/redirect", allow_private=True) == (CSV, "csv")


REFUSED = {
    "a web page": ("/page", {}, ["text/html", "link to the file itself"]),
    "an image": ("/image", {}, ["image/png", "not a CSV or JSON"]),
    "a declared body over the limit": ("/big.csv", {"max_bytes": 1000}, ["0.0 MB", "limit"]),
    "an undeclared body over the limit": ("/undeclared.csv", {"max_bytes": 1000}, ["larger"]),
    "a missing file": ("/missing", {}, ["HTTP 404"]),
    "a server too slow": ("/slow.csv", {"timeout": 0.2}, ["did not answer within 0.2 seconds"]),
}


@pytest.mark.parametrize(("path", "options", "words"), REFUSED.values(), ids=REFUSED.keys())
def test_is_an_unusable_answer_refused(
    server: str, path: str, options: dict, words: list[str]
) -> None:
    with pytest.raises(DataError) as caught:
        fetch_url(server + path, allow_private=True, **options)
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("file:///etc/passwd", "file:// is refused"),
        ("ftp://example.org/data.csv", "ftp:// is refused"),
        ("gopher://example.org/", "gopher:// is refused"),
        ("http:///data.csv", "no host"),
        ("http://127.0.0.1:9/data.csv", "inside this server's own network (127.0.0.1)"),
        ("http://localhost/data.csv", "inside this server's own network"),
        ("http://169.254.169.254/latest/meta-data", "own network (169.254.169.254)"),
        ("http://10.1.2.3/data.csv", "own network (10.1.2.3)"),
    ],
)
def test_is_an_address_outside_the_public_web_refused_before_any_request(
    url: str, words: str
) -> None:
    with pytest.raises(DataError) as caught:
        check_address(url)
    assert words in str(caught.value)


def test_does_a_url_source_feed_a_pipeline(server: str) -> None:
    spec = parse_pipeline(
        {"name": "web", "sources": [{"kind": "url", "url": server + "/data.json"}]}
    )
    frame = read_sources(spec, allow_private_urls=True)
    assert frame.shape == (2, 2)
    with pytest.raises(DataError, match=r"Source 1 .* own network"):
        read_sources(spec)  # by default the server's own addresses are not read
