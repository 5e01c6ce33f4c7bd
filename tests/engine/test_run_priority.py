"""Does training yield the CPU to the web pages a class is clicking?"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine import jobs
from engine.spec import RunSpec
from settings import RUN_NICENESS, run_niceness
from tests.conftest import wait_for_end, wait_until

LONG = RunSpec(model="dense", epochs=300)


def _lowered_below(root: int) -> list[tuple[int, int]]:
    """(niceness, its parent's niceness) of every process below ``root``, from /proc."""
    parents: dict[int, int] = {}
    nice: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        pid = int(stat.parent.name)
        parents[pid], nice[pid] = int(fields[1]), int(fields[16])
    below = {root}
    for _ in range(5):  # forkserver -> run process: a few generations at most
        below |= {pid for pid, parent in parents.items() if parent in below}
    return [(nice[pid], nice[parents[pid]]) for pid in below - {root} if parents[pid] in nice]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_does_a_training_run_lower_its_own_cpu_priority_and_nothing_else(worker) -> None:
    own = os.nice(0)
    run_id = jobs.submit(LONG, owner_id=None)
    wait_until(lambda: jobs.status(run_id).status == "running" and jobs.metrics_since(run_id))
    pairs = _lowered_below(os.getpid())
    jobs.cancel(run_id)
    wait_for_end(run_id)
    # The run process trains at a lower priority than the process it was forked from...
    assert any(child == min(19, parent + RUN_NICENESS) > parent for child, parent in pairs)
    assert os.nice(0) == own  # ...and the process that serves pages keeps its own


@pytest.mark.parametrize(
    ("setting", "expected"), [("", RUN_NICENESS), ("0", 0), ("5", 5), ("40", 19), ("high", 10)]
)
def test_does_the_niceness_setting_stay_within_what_the_system_allows(
    monkeypatch: pytest.MonkeyPatch, setting: str, expected: int
) -> None:
    monkeypatch.setenv("DLL_RUN_NICENESS", setting)
    assert run_niceness() == expected
