"""A class of simulated learners against a real server, through Streamlit's own protocol.

Run::

    .venv/bin/python benchmarks/load_test.py --learners 30 --seconds 240
    .venv/bin/python benchmarks/load_test.py --learners 5 --seconds 60 --processes 2
    .venv/bin/python benchmarks/load_test.py --url http://127.0.0.1:8501 \\
        --database-url sqlite:///data/app.db --server-pid 12345

Without ``--url`` it creates a throwaway data folder, migrates its SQLite database, makes a
teacher, a class and the accounts through the app's own Python API, and starts
``streamlit run app.py`` on a free port of 127.0.0.1 (or, with ``--processes K`` > 1,
``python -m server.serve``: K app processes behind nginx). The server is stopped, with its
job worker and training processes, at the end, on an error and on Ctrl-C. With ``--url`` the
accounts (learners on their own, without a class) go into the server's database
(``--database-url``) and the server is left alone.

Each learner is one asyncio task with its own cookies and one websocket, driven like a browser
tab (``benchmarks/streamlit_client.py`` says what a tab does): sign in (``POST
/auth/login``), open the home page, follow the link to the Digital Literacy track, follow its
link to the lab "Train your first network", press **Train**, then leave the live panel's
auto-rerun timer to poll once a second, exactly as the frontend's ``setInterval`` does, until
the run ends and the page shows its results (the validation accuracy); then type a reflection into
the journal box. Learners start spread over ``--ramp`` seconds, go through this once, and
keep their tab open until the whole class is through, as a class would.

Measured:

* **Interactions**: sign-in (the HTTP answer); ``home`` (the page load: HTML, health and
  host-config requests, websocket, first script run); ``track``, ``lab``, ``train`` (from the
  click to the ``script_finished`` of the run chain it started, ``st.rerun()`` included);
  ``results`` (from the poll that found the run over to the end of the full rerun showing
  the results); ``reflect``. Their p50, p95 and maximum, overall and per kind.
* **Polls**: every auto-rerun sent, whether it was answered (a run that started after it
  finished) and how long that took. A poll still unanswered when its run was over and the
  page had moved on is counted apart (``polls_after_end``); one unanswered for longer than
  ``POLL_TIMEOUT`` is a timeout.
* **Errors**: exceptions the app rendered, websocket disconnects, HTTP errors, timeouts,
  pages not found, and runs that ended without results.
* **Server CPU per rerun**, in a quiet calibration before the load (``--calibration-repeats``
  reruns of each kind, one after another, by one extra learner whose tab has no timers):
  reading ``utime + stime`` of the app process(es) in ``/proc/<pid>/stat`` around them
  (the job worker and its training processes are other processes and are not counted), less
  the idle rate measured over 2 s before; each rerun's share runs from its start to the
  next one's. Kinds: a rerun of the home, track and lab pages (the lab as a learner first
  sees it, with no run yet); a Train click (submitting the run, ``st.rerun()`` and the page
  again with the live panel); a live poll while a run trains (paced at the fragment's own
  interval, so each poll finds the new epochs a learner's poll would find); and an idle
  poll: a poll while the run is queued behind others, which is when nothing at all changes
  between polls and also the poll most learners of a class send (the worker trains a few
  runs at a time). The
  training run is a long one of the calibrator's, submitted through the app's API; with
  more trainer slots, long runs of extra "blocker" accounts fill the others, so the Train
  clicks' runs wait in the queue. Calibration runs are cancelled before the load starts.
* **Peak server RSS**, sampled every 0.5 s during the load (summed over the app processes).
* **Runs done**, counted in the database (``runs.status = 'done'``) for the learners.

``--seconds`` bounds calibration plus load; setting up (accounts, server start) and shutting
down come on top. The load ends when every learner is through or the time is up. The last
line printed is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.load_accounts import (  # noqa: E402
    Accounts,
    cancel_active_runs,
    create_accounts,
    runs_done,
    trainer_slots,
)
from benchmarks.load_calibration import Calibration, calibrate, quiet_worker  # noqa: E402
from benchmarks.load_learner import Classroom, learner_session  # noqa: E402
from benchmarks.load_server import (  # noqa: E402
    ExternalServer,
    OwnServer,
    Server,
    cpu_seconds,
    rss_mb,
    sample_rss,
)
from benchmarks.load_stats import (  # noqa: E402
    Learner,
    Recorder,
    interaction_stats,
    poll_outcomes,
    print_summary,
    rounded,
)
from benchmarks.streamlit_client import ProtocolError  # noqa: E402

# ---------------------------------------------------------------------------- the session


@dataclass
class Options:
    seconds: float
    ramp: float
    calibration_repeats: int
    calibration_seconds: float
    reflect: bool
    verbose: bool


async def session(server: Server, accounts: Accounts, opts: Options) -> dict[str, Any]:
    """Calibration, then the class; returns the summary."""
    began = time.monotonic()
    deadline = began + opts.seconds
    calibration = Calibration()
    measurable = bool(server.app_pids())
    if opts.calibration_repeats > 0 and measurable and accounts.calibrator is not None:
        budget = min(opts.calibration_seconds, opts.seconds / 2)
        try:
            await asyncio.wait_for(
                calibrate(server, accounts, opts.calibration_repeats, calibration),
                budget,
            )
        except TimeoutError:
            calibration.notes.append(f"calibration cut off after {budget:.0f} s")
        except (ProtocolError, httpx.HTTPError) as exc:
            calibration.errors.append(f"calibration stopped: {exc}")
        owners = [accounts.calibrator.id, *(b.id for b in accounts.blockers)]
        await asyncio.to_thread(cancel_active_runs, owners)
        await quiet_worker(owners, 30.0)
    elif not measurable:
        calibration.notes.append("no server CPU: pass --server-pid with --url")
    calibrated = time.monotonic()

    recorder = Recorder(verbose=opts.verbose)
    learners = [Learner(name) for name in accounts.learners]
    pids = server.app_pids()
    cpu_before = cpu_seconds(pids)
    peak = [rss_mb(pids)]
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_rss(server, peak, stop))
    ramp = min(opts.ramp, max(0.0, (deadline - time.monotonic()) / 4))
    classroom = Classroom(len(learners))
    tasks = [
        asyncio.create_task(
            learner_session(
                me,
                server.base_url,
                recorder,
                classroom,
                deadline,
                ramp * n / max(1, len(learners)),
                opts.reflect,
            )
        )
        for n, me in enumerate(learners)
    ]
    _done, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()))
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    ended = time.monotonic()
    for task in tasks:  # a learner's task ends by itself only through a bug here
        if not task.cancelled() and task.exception() is not None:
            recorder.error("crash", repr(task.exception()))
    stop.set()
    await sampler
    cpu_load = cpu_seconds(pids) - cpu_before
    done = await asyncio.to_thread(runs_done, accounts.learner_ids)

    pages = [calibration.cpu_ms[k] for k in ("home", "track", "lab")]
    page_values = [v for v in pages if v is not None]
    errors = Counter(kind for kind, _detail in recorder.errors)
    polls = poll_outcomes(learners, ended)
    errors["poll_timeout"] += polls["polls_timed_out"]
    errors = +errors  # drop the kinds that did not happen
    stats = interaction_stats(recorder)
    return {
        "learners": len(learners),
        **{k: v for k, v in stats.items() if k != "by_kind"},
        **polls,
        "errors": sum(errors.values()),
        "runs_done": done,
        "saw_results": sum(me.saw_results for me in learners),
        "learners_signed_in": sum(me.signed_in for me in learners),
        "learners_trained": sum(me.trained for me in learners),
        "learners_finished": sum(me.finished for me in learners),
        "server_cpu_ms_per_rerun": rounded(sum(page_values) / len(page_values), 1)
        if page_values
        else None,
        **{f"cpu_ms_{k}": calibration.cpu_ms[k] for k in ("home", "track", "lab", "train")},
        "poll_cpu_ms": calibration.cpu_ms["poll"],
        "idle_poll_cpu_ms": calibration.cpu_ms["idle_poll"],
        "server_rss_mb": rounded(peak[0], 1) if pids else None,
        "server_cpu_s_load": rounded(cpu_load, 2) if pids else None,
        "seconds": rounded(ended - began, 1),
        "load_seconds": rounded(ended - calibrated, 1),
        "calibration_seconds": rounded(calibrated - began, 1),
        "full_reruns_from_panel": sum(me.full_reruns_from_panel for me in learners),
        "polls_after_results": sum(me.polls_after_results for me in learners),
        "fragment_restarts": sum(me.fragment_restarts for me in learners),
        "errors_by_kind": dict(errors),
        "by_kind": stats["by_kind"],
        "calibration_latency_s": calibration.latency_s,
        "idle_server_cpu_per_s": rounded(calibration.idle_cpu_per_s, 4),
        "calibration_notes": calibration.notes,
        "calibration_errors": calibration.errors,
        "error_samples": [f"{k}: {d}" for k, d in recorder.errors[:10]],
    }


# ---------------------------------------------------------------------------- running


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Simulated learners against a real server (see the module docstring)."
    )
    parser.add_argument("--learners", type=int, default=5, help="simulated learners (5)")
    parser.add_argument(
        "--seconds", type=float, default=120.0, help="time for calibration and load (120)"
    )
    parser.add_argument("--url", help="an already running server on 127.0.0.1 instead of one here")
    parser.add_argument("--server-pid", type=int, help="with --url: its app process, for CPU")
    parser.add_argument(
        "--database-url", help="with --url: the server's database (default: DATABASE_URL)"
    )
    parser.add_argument(
        "--processes", type=int, default=1, help="app processes; >1 runs server.serve (1)"
    )
    parser.add_argument("--concurrent-runs", type=int, help="DLL_MAX_CONCURRENT_RUNS for it")
    parser.add_argument("--ramp", type=float, default=5.0, help="seconds to start everyone (5)")
    parser.add_argument(
        "--calibration-repeats", type=int, default=20, help="reruns per CPU kind; 0: none (20)"
    )
    parser.add_argument(
        "--calibration-seconds", type=float, default=120.0, help="cap on calibration (120)"
    )
    parser.add_argument("--no-reflection", action="store_true", help="skip the journal step")
    parser.add_argument("--verbose", action="store_true", help="print errors as they happen")
    args = parser.parse_args(argv)
    if args.learners < 1 or args.seconds <= 0 or args.processes < 1:
        parser.error("--learners and --processes must be at least 1, --seconds positive")
    if args.processes > 1 and args.url:
        parser.error("--processes starts a server: it does not go with --url")
    if args.processes > 1 and not (PROJECT_ROOT / "server" / "serve.py").exists():
        parser.error(
            "--processes > 1 needs server/serve.py (python -m server.serve), which this "
            "checkout does not have yet"
        )
    if args.url:
        host = urlsplit(args.url).hostname
        if host not in ("127.0.0.1", "localhost"):
            parser.error("--url must be on 127.0.0.1: this benchmark talks to nothing else")
        args.database_url = args.database_url or os.environ.get("DATABASE_URL")
        if not args.database_url:
            parser.error("--url needs --database-url: the accounts go into its database")
    return args


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration (the app's modules read them per call)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    """Set up, start the server, run the session, stop everything; the summary."""
    from db.session import dispose_engines

    data = Path(tempfile.mkdtemp(prefix="dll-load-"))
    server: Server | None = None
    calibrate = args.calibration_repeats > 0 and (not args.url or args.server_pid)
    slots = trainer_slots(args.concurrent_runs) if calibrate else 1
    try:
        if args.url:
            env = {"DATABASE_URL": args.database_url}
        else:
            env = {"DLL_DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{data}/app.db"}
        with environment(env):
            prefix = f"lt{secrets.token_hex(3)}-" if args.url else ""
            blockers = slots - 1  # the calibrator's own run takes one trainer slot
            accounts = create_accounts(
                args.learners, blockers, bool(calibrate), not args.url, prefix
            )
            if args.url:
                server = ExternalServer(args.url, args.server_pid)
            else:
                server_env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
                if args.concurrent_runs:
                    server_env["DLL_MAX_CONCURRENT_RUNS"] = str(args.concurrent_runs)
                own = OwnServer(args.processes, server_env, data / "server.log")
                server = own
                own.start()
            opts = Options(
                seconds=args.seconds,
                ramp=args.ramp,
                calibration_repeats=args.calibration_repeats if calibrate else 0,
                calibration_seconds=args.calibration_seconds,
                reflect=not args.no_reflection,
                verbose=args.verbose,
            )
            client_cpu = time.process_time()
            summary = asyncio.run(session(server, accounts, opts))
            summary["client_cpu_s"] = rounded(time.process_time() - client_cpu, 2)
            summary["processes"] = args.processes
            dispose_engines()
            return summary
    finally:
        if server is not None:
            server.stop()
        dispose_engines()
        shutil.rmtree(data, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def _terminate(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        summary = run_benchmark(args)
    except KeyboardInterrupt:
        print("interrupted; the server was stopped", file=sys.stderr)
        return 130
    print_summary(summary)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
