"""Drives a study: each trial is an engine run, watched epoch by epoch and pruned early.

``drive_study`` runs in the worker (a thread per study) and goes through the job queue, so
every trial has live metrics. ``in_process_objective`` trains in this process with the same
specs, for the benchmark and fast tests."""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import optuna
from optuna.trial import TrialState

from engine import jobs
from engine.data import DataBundle
from engine.spec import RunSpec, SpecError
from engine.trainer import train
from engine.tuning import records
from engine.tuning.space import SearchSpace, build_spec, suggest
from engine.tuning.study import load_optuna_study

log = logging.getLogger("engine.tuning")

OBJECTIVE = "val_accuracy"  # each trial's value: validation accuracy after its last epoch
# A secondary value, kept as the trial's user attribute: validation loss after the last epoch.
# On a small validation set many trials tie on accuracy (69 penguins rows: steps of 1.4%);
# among equal accuracies the lower loss wins (the more confident correct predictions).
SECONDARY = "val_loss"
HEARTBEAT_SECONDS = 2.0


def trial_spec(trial: optuna.Trial, space: SearchSpace, base: RunSpec) -> RunSpec:
    """The run a trial trains: the base spec with this trial's hyperparameters."""
    return build_spec(base, suggest(trial, space))


def best_key(value: float, val_loss: float | None, number: int) -> tuple[float, float, int]:
    """Sort key of the best trial: highest accuracy, then lowest validation loss, then the
    earliest (a trial without a recorded loss loses a tie)."""
    return value, -(val_loss if val_loss is not None else math.inf), -number


def record_loss(trial: optuna.Trial, val_loss: float | None) -> None:
    """Keep a finished trial's validation loss (a diverged run's NaN is left out)."""
    if val_loss is not None and math.isfinite(val_loss):
        trial.set_user_attr(SECONDARY, float(val_loss))


@dataclass
class WatchedTrial:
    """A trial whose run is queued or training."""

    trial: optuna.Trial
    run_id: int
    last_step: int = -1  # the last metric row read
    last_value: float | None = None
    last_loss: float | None = None
    reported: set[int] = field(default_factory=set)  # epochs already reported


class StudyDriver:
    """Asks, submits, watches and tells, until the budget is spent or the study is cancelled."""

    def __init__(self, study_id: int) -> None:
        info = records.get_study(study_id)
        if info is None:
            raise LookupError(f"no study {study_id}")
        self.info = info
        self.study = load_optuna_study(
            info.optuna_name,
            info.settings.method,
            info.settings.seed,
            info.space,
            info.settings.pruner,
            info.settings.epochs,
        )
        self.watched: dict[int, WatchedTrial] = {}
        self.last_heartbeat = 0.0
        self._resume_open_trials()

    def _resume_open_trials(self) -> None:
        """Watch again the trials an earlier driver left running (after a worker restart)."""
        for frozen in self.study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            run_id = frozen.user_attrs.get("run_id")
            if run_id is None:
                self.study.tell(frozen.number, state=TrialState.FAIL)
                continue
            trial = optuna.Trial(self.study, frozen._trial_id)
            self.watched[frozen.number] = WatchedTrial(
                trial, int(run_id), reported=set(frozen.intermediate_values)
            )

    def step(self) -> bool:
        """One round: start trials, read new metrics, end trials. True when the study ended."""
        info = records.get_study(self.info.id)
        if info is None or not info.active:
            return True
        if info.cancel_requested:
            self._cancel()
            return True
        self._fill()
        for number, watched in list(self.watched.items()):
            if self._advance(watched):
                del self.watched[number]
        if not self.watched and self._asked() >= info.settings.budget:
            self._finish()
            return True
        if time.monotonic() - self.last_heartbeat > HEARTBEAT_SECONDS:
            records.heartbeat(info.id)
            self.last_heartbeat = time.monotonic()
        return False

    def _asked(self) -> int:
        """Trials started so far (an enqueued trial waits to be asked; it is not one yet)."""
        return sum(t.state != TrialState.WAITING for t in self.study.get_trials(deepcopy=False))

    def _fill(self) -> None:
        settings = self.info.settings
        while len(self.watched) < settings.parallel and self._asked() < settings.budget:
            trial = self.study.ask()
            try:
                spec = trial_spec(trial, self.info.space, self.info.base_spec)
                run_id = jobs.submit(
                    spec, self.info.owner_id, self.info.lab_id, self.info.id, trial.number
                )
            except SpecError as exc:
                trial.set_user_attr("reason", str(exc))
                self.study.tell(trial, state=TrialState.FAIL)
                continue
            trial.set_user_attr("run_id", run_id)
            self.watched[trial.number] = WatchedTrial(trial, run_id)

    def _advance(self, watched: WatchedTrial) -> bool:
        """Report new epochs to the trial; prune or tell its end. True when it is over."""
        state = jobs.status(watched.run_id)  # read before the metrics: a finished run's
        rows = jobs.metrics_since(watched.run_id, watched.last_step)  # rows are all in
        for row in rows:
            watched.last_step = row.step
            value = row.values.get(OBJECTIVE)
            if value is None:
                continue
            watched.last_value = value
            watched.last_loss = row.values.get(SECONDARY)
            epoch = int(row.epoch)
            if epoch in watched.reported:
                continue
            watched.trial.report(value, epoch)
            watched.reported.add(epoch)
            if watched.trial.should_prune():
                jobs.cancel(watched.run_id)
                watched.trial.set_user_attr("pruned_at_epoch", epoch)
                self.study.tell(watched.trial, state=TrialState.PRUNED)
                return True
        if state is not None and state.active:
            return False
        if state is not None and state.status == "done" and watched.last_value is not None:
            record_loss(watched.trial, watched.last_loss)
            self.study.tell(watched.trial, watched.last_value)
            return True
        if state is not None and state.status == "interrupted" and jobs.resume(watched.run_id):
            return False  # the worker restarted: the run goes on from its checkpoint
        reason = state.reason if state else "The trial's run is gone."
        watched.trial.set_user_attr(
            "reason", reason or f"The run ended as {state and state.status}."
        )
        self.study.tell(watched.trial, state=TrialState.FAIL)
        return True

    def _cancel(self) -> None:
        for watched in self.watched.values():
            jobs.cancel(watched.run_id)
            watched.trial.set_user_attr("reason", "The study was cancelled.")
            self.study.tell(watched.trial, state=TrialState.FAIL)
        self.watched.clear()
        records.finish_study(self.info.id, "cancelled", "Cancelled.", self._best_run_id())

    def _finish(self) -> None:
        best = self._best_run_id()
        if best is None:
            records.finish_study(
                self.info.id, "failed", "No trial finished; check the search space.", None
            )
        else:
            records.finish_study(self.info.id, "done", None, best)

    def _best_run_id(self) -> int | None:
        complete = self.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if not complete:
            return None
        # A complete trial always has a value; "or 0.0" only tells the type checker so.
        best = max(
            complete, key=lambda t: best_key(t.value or 0.0, t.user_attrs.get(SECONDARY), t.number)
        )
        return int(best.user_attrs["run_id"])


def drive_study(study_id: int, stop: threading.Event, poll_seconds: float = 0.25) -> None:
    """Drive a claimed study until it ends or ``stop`` is set (then it stays running, for the
    worker to give back to the queue)."""
    try:
        driver = StudyDriver(study_id)
        while not stop.is_set():
            if driver.step():
                return
            stop.wait(poll_seconds)
    except Exception as exc:  # the learner sees why; the worker serves on
        log.exception("study %s failed", study_id)
        records.finish_study(study_id, "failed", f"The study stopped with an error: {exc}")


# --- in this process, without the queue ----------------------------------------------------


class PruningHooks:
    """Trainer hooks that report each epoch's validation accuracy and stop a pruned trial."""

    def __init__(self, trial: optuna.Trial) -> None:
        self.trial = trial
        self.pruned = False
        self.last_value: float | None = None
        self.last_loss: float | None = None

    def on_metrics(self, step: int, epoch: float, values: dict[str, float]) -> None:
        value = values.get(OBJECTIVE)
        if value is None:
            return
        self.last_value = value
        self.last_loss = values.get(SECONDARY)
        self.trial.report(value, int(epoch))
        self.pruned = self.trial.should_prune()

    def should_stop(self) -> bool:
        return self.pruned

    def flush(self) -> None:
        pass


def in_process_objective(space: SearchSpace, base: RunSpec, data: DataBundle) -> Any:
    """An Optuna objective that trains each trial here, on data loaded once."""

    def objective(trial: optuna.Trial) -> float:
        hooks = PruningHooks(trial)
        result = train(trial_spec(trial, space, base), hooks, split=data)
        if hooks.pruned:
            raise optuna.TrialPruned()
        if result.status != "done" or hooks.last_value is None:
            raise RuntimeError(result.reason or f"the run ended as {result.status}")
        record_loss(trial, hooks.last_loss)
        return hooks.last_value

    return objective
