"""Reading one table of a SQLite database file, read-only, naming only tables that exist.

The table name a learner types never reaches SQL as typed: it must equal a name listed in
sqlite_master, and that name is then quoted as an identifier.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.request import pathname2url

import pandas as pd

from engine.data.bundle import DataError
from engine.data.csv_checks import MAX_ROWS
from engine.pipeline.readers import tidy_table

SQLITE_MAGIC = b"SQLite format 3\x00"
# An uploaded database could hold a query that runs for ever (e.g. a huge table scan);
# the progress handler stops any statement after this many virtual-machine steps.
MAX_SQLITE_STEPS = 50_000_000


def _connect(path: Path) -> sqlite3.Connection:
    """Open read-only (URI mode=ro): nothing we run can change the file."""
    if not path.is_file():
        raise DataError("There is no such database file.")
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise DataError("The file is not a SQLite database.")
    connection = sqlite3.connect(f"file:{pathname2url(str(path.resolve()))}?mode=ro", uri=True)
    steps = {"left": MAX_SQLITE_STEPS // 1000}
    connection.set_progress_handler(lambda: _count_down(steps), 1000)
    connection.execute("PRAGMA query_only = ON")
    return connection


def _count_down(steps: dict[str, int]) -> int:
    steps["left"] -= 1
    return 1 if steps["left"] <= 0 else 0  # non-zero aborts the statement


def quote_identifier(name: str) -> str:
    """A name as a SQL identifier: in double quotes, inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def list_tables(path: Path) -> list[str]:
    """The database's own tables (no views, no sqlite_ internals), sorted."""
    try:
        with closing(_connect(path)) as connection:
            rows = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
            ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise DataError(f"The database could not be read ({exc}).") from None
    return [str(row[0]) for row in rows]


def read_sqlite_table(path: Path, table: str) -> pd.DataFrame:
    """Every row of ``table`` (rows numbered from 1), checked like an uploaded file."""
    tables = list_tables(path)
    if table not in tables:
        listed = ", ".join(repr(t) for t in tables) or "none"
        raise DataError(f"The database has no table {table!r}. Its tables are: {listed}.")
    query = f"SELECT * FROM {quote_identifier(table)} LIMIT {MAX_ROWS + 1}"
    try:
        with closing(_connect(path)) as connection:
            frame = pd.read_sql_query(query, connection)
    except (sqlite3.DatabaseError, pd.errors.DatabaseError) as exc:
        raise DataError(f"The table {table!r} could not be read ({exc}).") from None
    return tidy_table(frame)
