"""Is a process really running? A zombie (dead, not yet reaped by its parent) is not.

``os.kill(pid, 0)`` succeeds for a zombie, so a run process asking it about a killed worker
that nobody has reaped would think the worker alive and train on. Linux's ``/proc/PID/stat``
gives the process state and its start time; the start time tells a reused pid apart.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
GONE_STATES = (b"Z", b"X")  # zombie, dead


def process_start(pid: int) -> int | None:
    """When the process started (clock ticks after boot); None if it is gone or a zombie."""
    if not (PROC / "self" / "stat").exists():  # no /proc (macOS): ask the kernel by signal
        return 0 if _signal_reaches(pid) else None
    try:
        stat = (PROC / str(pid) / "stat").read_bytes()
    except OSError:
        return None
    # The command name, in brackets, may itself hold spaces or ")": the fields follow its last ")".
    fields = stat[stat.rindex(b")") + 2 :].split()
    state, started = fields[0], fields[19]  # fields 3 and 22 of proc_pid_stat(5)
    return None if state in GONE_STATES else int(started)


def is_running(pid: int, started: int | None = None) -> bool:
    """Is ``pid`` a live process (and, given ``started``, still the same one)?"""
    now = process_start(pid)
    return now is not None and (started is None or now == started)


def _signal_reaches(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
