"""When the whole worker is killed, do its runs end as interrupted within seconds, and
can a new worker resume them?"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from engine import jobs
from engine.spec import RunSpec
from settings import PROJECT_ROOT
from tests.conftest import wait_for_end, wait_until


def start_worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "engine", "worker"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DLL_MAX_CONCURRENT_RUNS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_does_killing_the_worker_interrupt_its_run_and_a_new_worker_resume_it() -> None:
    spec = RunSpec(model="dense", hidden_units=32, epochs=150)
    first = start_worker()
    try:
        run_id = jobs.submit(spec, owner_id=None)
        wait_until(
            lambda: (
                any("val_loss" in r.values for r in jobs.metrics_since(run_id))
                and jobs.status(run_id).progress > 0.05
            ),
            timeout=90,
        )
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        state = wait_for_end(run_id, timeout=20)
        assert state.status == "interrupted"
        assert "Resume it to continue" in state.reason
    finally:
        first.kill()
    assert jobs.resume(run_id)
    second = start_worker()
    try:
        final = wait_for_end(run_id, timeout=180)
    finally:
        second.terminate()
        second.wait(10)
    assert final.status == "done", final.reason
    steps = [r.step for r in jobs.metrics_since(run_id)]
    assert len(steps) == len(set(steps))
