"""Serving a class behind nginx: is the config sticky, websocket-ready, within the upload
limit and kept inside its folder; does nginx accept it and route by the cookie; does the app
set that cookie; does the launcher restart what dies?"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from server import serve
from server.middleware import SecurityMiddleware
from server.nginx_conf import (
    BACKEND_HEADER,
    ROUTE_COOKIE,
    ROUTE_HEADER,
    TEMP_KINDS,
    Layout,
    build_config,
    check_config,
    write_config,
)
from server.processes import Child
from tests.server.helpers import TestClient, echo_server, needs_nginx, nginx_in_front_of

BACKENDS = ["127.0.0.1:41001", "127.0.0.1:41002", "127.0.0.1:41003"]


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    return Layout(tmp_path / "serve")


@pytest.fixture
def config(layout: Layout) -> str:
    return build_config(layout, "127.0.0.1", 8501, BACKENDS, upload_mb=50)


def block(config: str, opening: str) -> str:
    """The text of the ``opening { ... }`` block (blocks inside it included)."""
    start = config.index(opening)
    depth, end = 0, start
    for end in range(config.index("{", start), len(config)):
        depth += {"{": 1, "}": -1}.get(config[end], 0)
        if depth == 0:
            break
    return config[start : end + 1]


def test_is_the_streamlit_websocket_upgraded_and_left_open(config: str) -> None:
    server = block(config, "server {")
    assert "proxy_http_version 1.1;" in server
    assert "proxy_set_header Upgrade $http_upgrade;" in server
    assert "proxy_set_header Connection $connection_upgrade;" in server
    assert re.search(r"map \$http_upgrade \$connection_upgrade \{\s*default upgrade;", config)
    stream = block(config, "location /_stcore/stream {")
    assert "proxy_read_timeout 1h;" in stream
    assert "proxy_buffering off;" in stream
    # A location with a proxy_set_header of its own would drop every header set above.
    assert "proxy_set_header" not in stream


def test_does_every_browser_stick_to_one_process_by_its_routing_cookie(config: str) -> None:
    upstream = block(config, "upstream dll_apps {")
    assert "hash $dll_route consistent;" in upstream
    assert "ip_hash" not in config  # a school's learners share one public address
    route = block(config, f"map $cookie_{ROUTE_COOKIE} $dll_route {{")
    assert '""      $request_id;' in route  # no cookie yet: a random key, spread evenly
    assert f"default $cookie_{ROUTE_COOKIE};" in route
    assert f"proxy_set_header {ROUTE_HEADER} $dll_route;" in config


def test_is_every_app_process_an_upstream_that_can_fail_over(config: str) -> None:
    upstream = block(config, "upstream dll_apps {")
    for backend in BACKENDS:
        assert f"server {backend} max_fails=1 fail_timeout=" in upstream
    assert "proxy_next_upstream error timeout http_502 http_503;" in config
    assert f"add_header {BACKEND_HEADER} $upstream_addr always;" in config


def test_are_uploads_up_to_the_app_limit_streamed_to_the_app(config: str) -> None:
    assert "client_max_body_size 51m;" in config  # 50 MB of file, 1 MB of multipart envelope
    assert "proxy_request_buffering off;" in config
    assert serve.upload_limit_mb(serve.streamlit_config()) == 50  # .streamlit/config.toml


def test_does_the_app_learn_who_really_asked(config: str) -> None:
    assert "proxy_set_header Host $http_host;" in config  # Origin checks compare with it
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in config
    assert "proxy_set_header X-Forwarded-Proto $dll_forwarded_proto;" in config


def test_does_nginx_keep_its_pid_logs_and_temporary_files_in_its_folder(
    layout: Layout, config: str
) -> None:
    paths = re.findall(r'"(/[^"]*)"', config)
    for name in ["pid", "lock_file", "error_log", "access_log"]:
        assert re.search(rf'^\s*{name} "', config, re.MULTILINE), name
    for kind in TEMP_KINDS:
        assert re.search(rf'^\s*{kind}_temp_path "', config, re.MULTILINE), kind
    assert len(paths) == 4 + len(TEMP_KINDS)
    assert all(Path(p).is_relative_to(layout.prefix) for p in paths)
    assert "daemon off;" in config  # the launcher supervises it in the foreground


@pytest.mark.parametrize(("as_root", "has_user"), [(True, True), (False, False)])
def test_do_workers_run_as_the_apps_user_only_when_started_as_root(
    layout: Layout, as_root: bool, has_user: bool
) -> None:
    config = build_config(layout, "127.0.0.1", 8501, BACKENDS, 50, as_root=as_root)
    assert bool(re.search(r"^user \S+ \S+;$", config, re.MULTILINE)) is has_user


@pytest.mark.parametrize(("address", "listen"), [("0.0.0.0", "0.0.0.0:8600"), ("::", "[::]:8600")])
def test_can_nginx_listen_on_every_address_of_a_school_server(
    layout: Layout, address: str, listen: str
) -> None:
    assert f"listen {listen};" in build_config(layout, address, 8600, BACKENDS, 50)


def test_does_nginx_accept_the_config(layout: Layout) -> None:
    needs_nginx()
    folder = Layout(layout.prefix.parent / "a data folder" / "serve")  # spaces too
    write_config(folder, "127.0.0.1", 8501, BACKENDS, 50)
    check_config(folder)  # nginx -t -p <prefix> -c <conf>; raises with nginx's words


def test_does_nginx_accept_the_config_as_a_normal_user() -> None:
    needs_nginx()
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root (to become nobody) and setpriv")
    folder = Path(tempfile.mkdtemp(prefix="dll-nginx-"))  # pytest's own folder is root's only
    try:
        os.chmod(folder, 0o755)
        layout = Layout(folder / "serve")
        layout.create()
        layout.conf.write_text(build_config(layout, "127.0.0.1", 8501, BACKENDS, 50, False))
        subprocess.run(["chown", "-R", "nobody:nogroup", str(folder)], check=True)
        as_nobody = ["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups"]
        done = subprocess.run(
            as_nobody + layout.command("-t", "-q"), capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    finally:
        shutil.rmtree(folder)


# --- nginx for real, in front of two tiny stand-ins for app processes ---


@pytest.fixture
def proxied(layout: Layout) -> Iterator[tuple[str, list[ThreadingHTTPServer]]]:
    """nginx on a free port in front of two echo servers; yields its URL and the servers."""
    apps = [echo_server(), echo_server()]
    with nginx_in_front_of(layout, apps) as base:
        yield base, apps


def answered_by(response: httpx.Response) -> int:
    return int(response.json()["port"])


def test_does_one_cookie_always_reach_one_process_and_no_cookie_any(proxied) -> None:
    base, apps = proxied
    for key in ("a" * 32, "b" * 32, "c" * 32):
        seen = {answered_by(httpx.get(base, cookies={ROUTE_COOKIE: key})) for _ in range(8)}
        assert len(seen) == 1
    spread = {answered_by(httpx.get(base)) for _ in range(30)}
    assert spread == {a.server_port for a in apps}


def test_does_the_app_get_the_routing_key_and_forwarded_headers(proxied) -> None:
    base, _ = proxied
    key = "0123456789abcdef" * 2
    headers = httpx.get(f"{base}/x", cookies={ROUTE_COOKIE: key}).json()["headers"]
    assert headers[ROUTE_HEADER] == key
    assert headers["X-Forwarded-For"] == "127.0.0.1"
    assert headers["X-Forwarded-Proto"] == "http"
    assert headers["Host"] == base.removeprefix("http://")
    fresh = httpx.get(f"{base}/x").json()["headers"][ROUTE_HEADER]
    assert re.fullmatch(r"[0-9a-f]{32}", fresh)  # a first request gets a random key


def test_does_a_browser_fail_over_when_its_process_is_down(proxied) -> None:
    base, apps = proxied
    key = next(  # a key that leads to the first app
        k
        for k in (f"{n:032x}" for n in range(100))
        if answered_by(httpx.get(base, cookies={ROUTE_COOKIE: k})) == apps[0].server_port
    )
    apps[0].shutdown()
    apps[0].server_close()
    response = httpx.get(base, cookies={ROUTE_COOKIE: key})
    assert response.status_code == 200
    assert answered_by(response) == apps[1].server_port
    assert response.headers[BACKEND_HEADER].endswith(f"127.0.0.1:{apps[1].server_port}")


def test_is_an_upload_over_the_limit_refused_and_one_under_it_passed_on(proxied) -> None:
    base, _ = proxied  # a limit of 1 MB: 2 MB of body allowed in all
    assert httpx.post(base, content=b"x" * 1_500_000).status_code == 200
    assert httpx.post(base, content=b"x" * 3_000_000).status_code == 413


# --- the app's side: the routing cookie ---


async def ok(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = Starlette(
        routes=[Route("/_stcore/health", ok), Route("/", ok)],
        middleware=[Middleware(SecurityMiddleware)],
    )
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as test_client:
        yield test_client


def test_does_the_app_keep_the_key_nginx_routed_a_first_request_on(client) -> None:
    key = "f" * 32
    response = client.get("/_stcore/health", headers={ROUTE_HEADER: key})
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{ROUTE_COOKIE}={key};")
    assert "HttpOnly" in cookie and "Path=/" in cookie and "samesite=lax" in cookie.lower()
    # A page load without sign-in is sent to the form; it gets the cookie as well.
    client.cookies.clear()
    page = client.get("/", headers={ROUTE_HEADER: key, "Accept": "text/html"})
    assert page.status_code == 303 and f"{ROUTE_COOKIE}={key}" in page.headers["set-cookie"]


@pytest.mark.parametrize(
    ("headers", "cookies"),
    [
        ({}, {}),  # `make run`: no nginx in front, no cookie
        ({ROUTE_HEADER: "e" * 32}, {ROUTE_COOKIE: "d" * 32}),  # the browser has one already
        ({ROUTE_HEADER: "not; a key"}, {}),
    ],
)
def test_does_the_app_set_no_routing_cookie_otherwise(client, headers, cookies) -> None:
    client.cookies.update(cookies)
    response = client.get("/_stcore/health", headers=headers)
    assert ROUTE_COOKIE not in response.headers.get("set-cookie", "")


# --- the launcher ---


def test_is_a_missing_nginx_named_with_how_to_install_it(monkeypatch) -> None:
    monkeypatch.setattr(serve.nginx_conf, "find_nginx", lambda: None)
    with pytest.raises(serve.ServeError, match=r"apt-get install nginx"):
        serve.Served(2, "127.0.0.1", serve.free_port(set())).start()


def test_is_a_process_that_dies_started_again_later_each_time(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "raise SystemExit(3)"]
    child = Child("stand-in", command, dict(os.environ), tmp_path / "child.log")
    child.start()
    child.process.wait()
    first = list(child.revive(max_backoff=30))
    assert first[0] == "stand-in exited with code 3; starting it again"  # at once
    assert first[1].startswith("stand-in: pid ")
    child.process.wait()
    second = list(child.revive(max_backoff=30))
    assert second == ["stand-in exited with code 3; starting it again in 1 s"]
    assert list(child.revive(max_backoff=30)) == []  # not yet
    deadline = time.monotonic() + 10  # asked again after its second, it starts the process
    while not (started := list(child.revive(max_backoff=30))) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(started) == 1 and started[0].startswith("stand-in: pid ")
    child.process.wait()
