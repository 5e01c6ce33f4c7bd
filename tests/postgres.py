"""A throwaway PostgreSQL server for the tests that check the app on PostgreSQL.

``DLL_TEST_POSTGRES_URL`` names a server to use (its user may create databases). Without
it, a server is started from PostgreSQL's own programs (initdb, pg_ctl; Debian's package
``postgresql``) in a temporary folder, listening on a socket only, and stopped afterwards.
Where neither is possible the PostgreSQL tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

PORT = 55432
USER = "dll"


def _as_server_user(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its programs as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def _programs() -> tuple[str, str] | None:
    found = [shutil.which(name) for name in ("initdb", "pg_ctl")]
    if not all(found):
        for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
            if (folder / "initdb").exists():
                return str(folder / "initdb"), str(folder / "pg_ctl")
        return None
    return found[0], found[1]  # type: ignore[return-value]


@contextmanager
def postgres_server() -> Iterator[str | None]:
    """Yields a server URL (``postgresql+psycopg://...``), or None when none can run here."""
    given = os.environ.get("DLL_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    programs = _programs()
    if programs is None:
        yield None
        return
    initdb, pg_ctl = programs
    folder = Path(tempfile.mkdtemp(prefix="dll-pg-"))
    data, socket = folder / "data", folder / "socket"
    socket.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(socket, "postgres")
    options = f"-k {socket} -p {PORT} -c listen_addresses='' -c fsync=off"
    try:
        subprocess.run(
            _as_server_user([initdb, "-D", str(data), "-A", "trust", "-U", USER]),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            _as_server_user(
                [pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"]
            ),
            check=True,
            capture_output=True,
        )
    except (subprocess.CalledProcessError, OSError):
        shutil.rmtree(folder, ignore_errors=True)
        yield None
        return
    try:
        yield f"postgresql+psycopg://{USER}@/postgres?host={socket}&port={PORT}"
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def create_database(server_url: str, template: str | None = None) -> str:
    """A new empty database on the server (or a copy of ``template``); returns its URL."""
    name = f"dll_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        clause = f" TEMPLATE {template}" if template else ""
        conn.execute(text(f"CREATE DATABASE {name}{clause}"))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)
