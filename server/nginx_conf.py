"""nginx in front of several app processes: the config, its files, and how nginx is run.

Sticky sessions without ip_hash (a school's learners share one public address) and without
nginx plus's ``sticky``: the upstream hashes a routing cookie. A browser's first request has
no cookie yet, so nginx hashes a random request id instead and passes that key on in a
header; the app's middleware stores it as the cookie, so that request and every later one
of the browser reach the same process.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROUTE_COOKIE = "dll_route"
ROUTE_HEADER = "X-DLL-Route"  # the key nginx hashed; the middleware makes it the cookie
BACKEND_HEADER = "X-DLL-Backend"  # which app process answered (tests and troubleshooting)
INSTALL_HINT = "nginx is not installed: install it with `apt-get install nginx` (Debian/Ubuntu)"
TEMP_KINDS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")  # nginx makes them all
STREAM_TIMEOUT = "1h"  # a quiet websocket stays open; a closed one reconnects to the same process
FAIL_TIMEOUT = "5s"  # after a failed connect, a process gets no requests for this long


def find_nginx() -> str | None:
    """The nginx program, also where a normal user's PATH lacks /usr/sbin (Debian's place)."""
    return shutil.which("nginx", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"]))


@dataclass(frozen=True)
class Layout:
    """Where nginx keeps its config, pid, logs and temporary files: all under ``prefix``."""

    prefix: Path

    @property
    def conf(self) -> Path:
        return self.prefix / "nginx.conf"

    @property
    def logs(self) -> Path:
        return self.prefix / "logs"

    @property
    def error_log(self) -> Path:
        return self.logs / "nginx-error.log"

    def create(self) -> None:
        for folder in [self.logs, *(self.prefix / "tmp" / kind for kind in TEMP_KINDS)]:
            folder.mkdir(parents=True, exist_ok=True)

    def command(self, *extra: str) -> list[str]:
        """nginx in the foreground on this layout (``-e``: not even start-up errors go to
        the system's log folder, which a normal user cannot write)."""
        program = find_nginx()
        if program is None:
            raise FileNotFoundError(INSTALL_HINT)
        prefix = f"{self.prefix}/"
        return [program, "-p", prefix, "-c", str(self.conf), "-e", str(self.error_log), *extra]


def _run_as(as_root: bool) -> str:
    """Started as root, nginx's workers would switch to nobody, who cannot write the temporary
    folders under the data folder; they run as the app's own user instead."""
    if not as_root:
        return ""  # the user directive only means something to root
    user = pwd.getpwuid(os.geteuid()).pw_name
    group = grp.getgrgid(os.getegid()).gr_name
    return f"user {user} {group};\n"


def _quoted(path: Path) -> str:
    """A path as an nginx string (a data folder may have spaces in its name)."""
    text = str(path)
    if any(c in text for c in '"$\\'):
        raise ValueError(f'nginx cannot be given a path with ", $ or \\ in it: {text}')
    return f'"{text}"'


def _listen(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def build_config(
    layout: Layout,
    address: str,
    port: int,
    backends: list[str],
    upload_mb: int,
    as_root: bool | None = None,
) -> str:
    """The whole nginx.conf: ``backends`` are the app processes as "127.0.0.1:port";
    ``as_root`` (default: whether this process is root) adds the workers' user."""
    as_root = os.geteuid() == 0 if as_root is None else as_root
    p, logs = layout.prefix, layout.logs
    servers = "\n".join(
        f"        server {b} max_fails=1 fail_timeout={FAIL_TIMEOUT};" for b in backends
    )
    temp_paths = "\n".join(
        f"    {kind}_temp_path {_quoted(p / 'tmp' / kind)};" for kind in TEMP_KINDS
    )
    return f"""# Written by `python -m server.serve` at each start: edits here are overwritten.
daemon off;
{_run_as(as_root)}worker_processes auto;
pid {_quoted(p / "nginx.pid")};
lock_file {_quoted(p / "nginx.lock")};
error_log {_quoted(layout.error_log)} warn;

events {{
    worker_connections 1024;  # a learner's tab holds two: browser side and app side
}}

http {{
    log_format dll '$remote_addr [$time_local] "$request" $status $body_bytes_sent '
                   '$upstream_addr $request_time';
    access_log {_quoted(logs / "nginx-access.log")} dll;
{temp_paths}
    server_tokens off;

    # The routing key: the browser's cookie, or for a first request a random id (the app
    # stores it as the cookie), so requests without one are spread over the processes.
    map $cookie_{ROUTE_COOKIE} $dll_route {{
        ""      $request_id;
        default $cookie_{ROUTE_COOKIE};
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ""      close;
    }}
    # https when the browser used it: to nginx itself, or to a TLS proxy in front of it that
    # said so. The app then marks its cookies Secure and sends HSTS. (A browser that claims
    # https over plain http only loses its own cookies.)
    map $http_x_forwarded_proto $dll_forwarded_proto {{
        default $scheme;
        https   https;
    }}

    upstream dll_apps {{
        hash $dll_route consistent;  # sticky: one browser, one process
        zone dll_apps 64k;  # failures seen by one nginx worker count for all
{servers}
    }}

    server {{
        listen {_listen(address, port)};
        # Uploads up to the app's limit (plus the multipart envelope), streamed to the app
        # as they arrive rather than written to a temporary file first.
        client_max_body_size {upload_mb + 1}m;
        proxy_request_buffering off;

        # Set here once for every location (a location with its own proxy_set_header would
        # inherit none of these). Upgrade and Connection turn /_stcore/stream into a websocket.
        proxy_http_version 1.1;
        proxy_set_header Host $http_host;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $dll_forwarded_proto;
        proxy_set_header {ROUTE_HEADER} $dll_route;

        # Failover: a process that is down (restarting) is skipped and the next one answers.
        proxy_connect_timeout 5s;
        proxy_next_upstream error timeout http_502 http_503;
        add_header {BACKEND_HEADER} $upstream_addr always;

        location /_stcore/stream {{
            proxy_pass http://dll_apps;
            proxy_buffering off;
            proxy_read_timeout {STREAM_TIMEOUT};
            proxy_send_timeout {STREAM_TIMEOUT};
        }}

        location / {{
            proxy_pass http://dll_apps;
            proxy_read_timeout 300s;
        }}
    }}
}}
"""


def write_config(
    layout: Layout, address: str, port: int, backends: list[str], upload_mb: int
) -> Path:
    """Create the layout's folders and write nginx.conf; returns its path."""
    layout.create()
    layout.conf.write_text(build_config(layout, address, port, backends, upload_mb))
    return layout.conf


def check_config(layout: Layout) -> None:
    """``nginx -t`` on the written config; RuntimeError with nginx's own words if refused."""
    done = subprocess.run(layout.command("-t", "-q"), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"nginx refused {layout.conf}:\n{done.stderr.strip()}")
