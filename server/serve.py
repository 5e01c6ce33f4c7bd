"""Serve a whole class: one job worker, several app processes, and nginx in front of them.

``python -m server.serve --processes 2 --port 8501 --address 127.0.0.1`` migrates the
database, starts everything, prints one line with ``ready`` and the address, then keeps
watch: an app process (or the worker) that dies is started again. SIGINT or SIGTERM stops
nginx, the app processes and the worker, in that order.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import sys
import time
import tomllib
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from server import nginx_conf
from server.processes import (
    APP_HOST,
    App,
    Child,
    SupervisorLock,
    WorkerSupervisor,
    free_port,
    healthy,
)
from settings import PROJECT_ROOT, data_dir

START_TIMEOUT = 120.0  # seconds for a process to answer its health check
POLL_SECONDS = 0.5
MAX_BACKOFF = 30.0  # a process that keeps dying is started again at most this often
Config = dict[str, Any]  # .streamlit/config.toml


class ServeError(RuntimeError):
    """Serving cannot start or go on; the message says why."""


class Stopping(Exception):
    """SIGINT or SIGTERM arrived."""


def say(line: str) -> None:
    print(line, flush=True)


def check_port_free(address: str, port: int) -> None:
    """Fail at once, before anything starts, if nginx could not listen there."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as nginx binds it
        try:
            sock.bind((address, port))
        except OSError as exc:
            raise ServeError(f"cannot listen on {address}:{port}: {exc.strerror}") from exc


def streamlit_config() -> Config:
    """The app's .streamlit/config.toml, as the app processes will read it."""
    path = PROJECT_ROOT / ".streamlit" / "config.toml"
    return tomllib.loads(path.read_text()) if path.exists() else {}


def child_env(config: Config) -> dict[str, str]:
    """Every process on one data folder and database; the apps without a worker of their own."""
    env = {**os.environ, "DLL_DATA_DIR": str(data_dir().resolve()), "DLL_START_WORKER": "0"}
    env["PYTHONUNBUFFERED"] = "1"
    if "cookieSecret" not in config.get("server", {}):
        # Streamlit signs its own cookies (st.login's) with a secret that is random per
        # process unless set: one secret for all, so such a cookie is good at every process.
        env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))
    return env


def upload_limit_mb(config: Config) -> int:
    """The app's upload limit (server.maxUploadSize, Streamlit's default 200 MB)."""
    setting = os.environ.get("STREAMLIT_SERVER_MAX_UPLOAD_SIZE")
    return int(setting or config.get("server", {}).get("maxUploadSize", 200))


class Served:
    """The worker, the app processes and nginx, started and watched together."""

    def __init__(self, processes: int, address: str, port: int) -> None:
        self.address, self.port = address, port
        self.layout = nginx_conf.Layout(data_dir().resolve() / "serve")
        self.config = streamlit_config()
        self.env = child_env(self.config)
        self.stop_signal: int | None = None
        logs = self.layout.logs
        worker = [sys.executable, "-m", "engine", "worker", "--parent-pid", str(os.getpid())]
        lock = SupervisorLock(data_dir().resolve() / "worker-supervisor.lock")
        self.worker = WorkerSupervisor(
            Child("job worker", worker, self.env, logs / "worker.log"), lock
        )
        self.apps: list[App] = []
        taken = {port}
        for number in range(1, processes + 1):
            app_port = free_port(taken)
            command = [sys.executable, "-m", "streamlit", "run", "app.py"]
            command += ["--server.headless", "true", "--server.address", APP_HOST]
            command += ["--server.port", str(app_port)]
            log = logs / f"app-{number}.log"
            self.apps.append(App(f"app process {number}", command, self.env, log, port=app_port))
        self.nginx: Child | None = None

    @property
    def url(self) -> str:
        """Where this machine reaches nginx (a wildcard address through loopback)."""
        host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.address, self.address)
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    def check_stop(self) -> None:
        if self.stop_signal is not None:
            raise Stopping(signal.Signals(self.stop_signal).name)

    def start(self) -> None:
        if nginx_conf.find_nginx() is None:
            raise ServeError(nginx_conf.INSTALL_HINT)
        check_port_free(self.address, self.port)
        from db.migrate import upgrade  # alembic is imported only once nginx and port are known

        upgrade()  # once, before any process uses the database
        self.layout.create()
        for line in self.worker.check(MAX_BACKOFF):
            say(line)
        for app in self.apps:
            app.start()
        for app in self.apps:
            self.wait_until(partial(healthy, app.url), app)
            say(app.describe())
        backends = [f"{APP_HOST}:{a.port}" for a in self.apps]
        limit = upload_limit_mb(self.config)
        nginx_conf.write_config(self.layout, self.address, self.port, backends, limit)
        try:
            nginx_conf.check_config(self.layout)
        except RuntimeError as exc:
            raise ServeError(str(exc)) from exc
        self.nginx = Child("nginx", self.layout.command(), self.env)
        self.nginx.start()
        self.wait_until(lambda: healthy(self.url), self.nginx, self.layout.error_log)
        say(f"{self.nginx.describe()}, config {self.layout.conf}")
        count = f"{len(self.apps)} app process{'es' if len(self.apps) > 1 else ''}"
        say(
            f"ready: {self.url} ({count} behind nginx on {self.address}:{self.port}; "
            f"logs in {self.layout.logs})"
        )

    def wait_until(self, check: Callable[[], bool], child: Child, log: Path | None = None) -> None:
        """Wait for ``check()``; ServeError with the end of the log if the child exits first."""
        deadline = time.monotonic() + START_TIMEOUT
        while not check():
            self.check_stop()
            code = child.exit_code()
            if code is not None or time.monotonic() > deadline:
                what = f"exited with code {code}" if code is not None else "did not answer in time"
                log = log or child.log
                tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
                raise ServeError(f"{child.name} {what}; the end of {log}:\n{tail}")
            time.sleep(0.2)

    def supervise(self) -> None:
        """Start again whatever app process or worker dies (waiting longer after each quick
        death); nginx dying ends serving."""
        while True:
            self.check_stop()
            if self.nginx is not None and (code := self.nginx.exit_code()) is not None:
                raise ServeError(f"nginx exited with code {code}; see {self.layout.error_log}")
            for app in self.apps:
                for line in app.revive(MAX_BACKOFF):
                    say(line)
            for line in self.worker.check(MAX_BACKOFF):  # reaps a dead worker, starts another
                say(line)
            time.sleep(POLL_SECONDS)

    def stop(self) -> None:
        """nginx first (no new requests), then the app processes, then the worker (which
        marks runs in flight as interrupted, to be started again)."""
        for group, timeout in (([self.nginx], 10), (self.apps, 15)):
            children = [c for c in group if c is not None]
            for child in children:
                child.terminate()
            for child in children:
                child.wait(timeout)
        self.worker.stop(30)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m server.serve", description=__doc__)
    parser.add_argument("--processes", type=int, default=2, help="app processes (default 2)")
    parser.add_argument("--port", type=int, default=8501, help="nginx's port (default 8501)")
    parser.add_argument(
        "--address",
        default="127.0.0.1",
        help="nginx's address (default 127.0.0.1; 0.0.0.0 for every network of a school server)",
    )
    args = parser.parse_args(argv)
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    served = Served(args.processes, args.address, args.port)

    def _on_signal(signum: int, _frame: object) -> None:
        served.stop_signal = signum

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        served.start()
        served.supervise()
    except Stopping as why:
        say(f"stopping ({why})")
    except ServeError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # stopping in order is not interrupted
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        served.stop()
    say("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
