"""Helpers that the server tests share: Starlette's test client, stand-ins for Streamlit's
own endpoints behind the app's middleware, and nginx for real in front of echo servers."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from server import serve
from server.auth_routes import ROUTES
from server.middleware import SecurityMiddleware
from server.nginx_conf import Layout, find_nginx, write_config
from server.trusted_proxy import client_address

with warnings.catch_warnings():  # starlette would prefer httpx2, which this project lacks
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

__all__ = ["TestClient"]

SITE = "http://testserver"
NGINX = ("127.0.0.1", 41234)  # the app's nginx connects from this machine


class StandIns:
    """Streamlit's upload and metrics endpoints as seen from the middleware: they record
    what reached them (the real ones are tried in test_attacker_findings_live.py)."""

    def __init__(self) -> None:
        self.uploaded: list[int] = []

    async def upload(self, request: Request) -> Response:
        self.uploaded.append(len(await request.body()))
        return Response(status_code=204)

    async def metrics(self, _request: Request) -> Response:
        return PlainTextResponse("session_state_memory_bytes 123")

    async def whoami(self, request: Request) -> Response:
        return PlainTextResponse(client_address(request))

    def app(self) -> Starlette:
        routes = [
            *ROUTES,
            Route("/_stcore/upload_file/{session_id}/{file_id}", self.upload, methods=["PUT"]),
            Route("/_stcore/upload_file/{session_id}/{file_id}", self.upload, methods=["DELETE"]),
            Route("/_stcore/metrics", self.metrics),
            Route("/whoami", self.whoami),
        ]
        return Starlette(routes=routes, middleware=[Middleware(SecurityMiddleware)])


def needs_nginx() -> str:
    """nginx's program; the test is skipped where nginx is missing (and fails on CI)."""
    program = find_nginx()
    if program is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: .ci/run installs Debian's nginx")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    return program


class Echo(BaseHTTPRequestHandler):
    """Answers with its own port and the request's headers (and reads any body)."""

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        body = json.dumps({"port": self.server.server_port, "headers": dict(self.headers)})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


def echo_server() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@contextmanager
def nginx_in_front_of(layout: Layout, apps: list[ThreadingHTTPServer]) -> Iterator[str]:
    """The app's nginx config, for real, on a free port in front of ``apps`` (with a 1 MB
    upload limit); yields its URL once it answers. The apps are shut down afterwards."""
    needs_nginx()
    port = serve.free_port(set())
    backends = [f"127.0.0.1:{app.server_port}" for app in apps]
    write_config(layout, "127.0.0.1", port, backends, upload_mb=1)
    nginx = subprocess.Popen(layout.command(), stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while not serve.healthy(base) and nginx.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # an echo server answers the health path too
        assert nginx.poll() is None, (layout.error_log.read_text(), nginx.stderr.read())
        yield base
    finally:
        nginx.terminate()
        nginx.wait(10)
        for app in apps:
            app.shutdown()
            app.server_close()
