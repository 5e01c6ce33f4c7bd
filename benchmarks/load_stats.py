"""What the class went through (each learner's record, interactions, errors, polls) and the
statistics and printed summary made from it."""

from __future__ import annotations

import sys
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from benchmarks.streamlit_client import Poll

POLL_TIMEOUT = 30.0  # a poll unanswered this long is lost


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between the closest ranks (q in 0..1)."""
    if not values:
        return None
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


@dataclass
class Learner:
    """What one simulated learner went through."""

    name: str
    signed_in: bool = False
    trained: bool = False
    saw_results: bool = False
    finished: bool = False
    polls: list[Poll] = field(default_factory=list)
    over_started: float | None = None  # when the run showing the run over began
    full_reruns_from_panel: int = 0  # fragment runs cut short for a full run: st.rerun()
    # Fragment runs cut short at their start for the next poll that had arrived meanwhile:
    # Streamlit's way of merging auto-reruns that pile up.
    fragment_restarts: int = 0
    polls_after_results: int = 0


@dataclass
class Recorder:
    """Interactions and errors of the whole class, as they happen."""

    interactions: list[tuple[str, float]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    verbose: bool = False

    def interaction(self, kind: str, seconds: float) -> None:
        self.interactions.append((kind, seconds))

    def error(self, kind: str, detail: str) -> None:
        self.errors.append((kind, detail))
        if self.verbose:
            print(f"  error {kind}: {detail}", file=sys.stderr)

    async def timed(self, kind: str, action: Awaitable[Any]) -> Any:
        started = time.monotonic()
        value = await action
        self.interaction(kind, time.monotonic() - started)
        return value


def poll_outcomes(learners: list[Learner], end: float) -> dict[str, Any]:
    """Sort every poll into answered, unanswered after its run was over, or lost."""
    latencies, after_end, lost, pending = [], 0, 0, 0
    for learner in learners:
        for poll in learner.polls:
            if poll.answered is not None:
                latencies.append(poll.latency or 0.0)
            elif learner.over_started is not None and poll.sent >= learner.over_started:
                after_end += 1  # the results page had begun: its timer was gone
            elif end - poll.sent >= POLL_TIMEOUT:
                lost += 1
            else:
                pending += 1  # sent in the last seconds before the time was up
    return {
        "polls_sent": sum(len(learner.polls) for learner in learners),
        "polls_answered": len(latencies),
        "polls_after_end": after_end,
        "polls_timed_out": lost,
        "polls_pending_at_end": pending,
        "poll_p50_s": rounded(percentile(latencies, 0.5)),
        "poll_p95_s": rounded(percentile(latencies, 0.95)),
        "poll_max_s": rounded(max(latencies) if latencies else None),
    }


def interaction_stats(recorder: Recorder) -> dict[str, Any]:
    values = [seconds for _kind, seconds in recorder.interactions]
    by_kind: dict[str, dict[str, Any]] = {}
    for kind in dict.fromkeys(k for k, _s in recorder.interactions):
        mine = [s for k, s in recorder.interactions if k == kind]
        by_kind[kind] = {
            "n": len(mine),
            "p50_s": rounded(percentile(mine, 0.5)),
            "p95_s": rounded(percentile(mine, 0.95)),
            "max_s": rounded(max(mine)),
        }
    return {
        "interactions": len(values),
        "p50_s": rounded(percentile(values, 0.5)),
        "p95_s": rounded(percentile(values, 0.95)),
        "max_s": rounded(max(values) if values else None),
        "by_kind": by_kind,
    }


def print_summary(summary: dict[str, Any]) -> None:
    s = summary
    print(
        f"{s['learners']} learners, {s['seconds']} s ({s['calibration_seconds']} s calibration, "
        f"{s['load_seconds']} s load, {s['processes']} app process(es))"
    )
    print(
        f"interactions: {s['interactions']}, p50 {s['p50_s']} s, p95 {s['p95_s']} s, "
        f"max {s['max_s']} s"
    )
    for kind, row in s["by_kind"].items():
        print(
            f"  {kind:<9} n={row['n']:<4} p50 {row['p50_s']} s  p95 {row['p95_s']} s  "
            f"max {row['max_s']} s"
        )
    print(
        f"polls: {s['polls_sent']} sent, {s['polls_answered']} answered, "
        f"{s['polls_after_end']} unanswered after their run ended, {s['polls_timed_out']} lost, "
        f"{s['polls_pending_at_end']} cut off; p50 {s['poll_p50_s']} s, p95 {s['poll_p95_s']} s"
    )
    print(
        f"runs done: {s['runs_done']}, saw results: {s['saw_results']}, finished: "
        f"{s['learners_finished']}; errors: {s['errors']} {s['errors_by_kind'] or ''}"
    )
    for sample in s["error_samples"]:
        print(f"  {sample}")
    print(
        f"server CPU per rerun (ms): home {s['cpu_ms_home']}, track {s['cpu_ms_track']}, "
        f"lab {s['cpu_ms_lab']}, train {s['cpu_ms_train']}, poll while training "
        f"{s['poll_cpu_ms']}, idle poll {s['idle_poll_cpu_ms']}; pages' mean "
        f"{s['server_cpu_ms_per_rerun']}"
    )
    print(
        f"server: peak RSS {s['server_rss_mb']} MB, {s['server_cpu_s_load']} s CPU during the "
        f"load; this client used {s['client_cpu_s']} s CPU"
    )
    print(
        f"live panel: {s['full_reruns_from_panel']} full reruns asked by the panel, "
        f"{s['polls_after_results']} polls after the results, {s['fragment_restarts']} "
        "panel runs restarted for a poll that came meanwhile"
    )
    for note in s["calibration_notes"] + s["calibration_errors"]:
        print(f"  calibration: {note}")
