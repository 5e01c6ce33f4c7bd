"""What a study shows a learner: its trials, the best so far, which setting mattered, and how
methods compare on the same budget. Plain data, read from Optuna's storage."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from engine import jobs
from engine.tuning import records
from engine.tuning.driver import OBJECTIVE, SECONDARY, best_key
from engine.tuning.records import StudyInfo
from engine.tuning.study import optuna_storage

MIN_TRIALS_FOR_IMPORTANCE = 5  # fANOVA on fewer finished trials mostly measures noise
STATES = {
    TrialState.COMPLETE: "complete",
    TrialState.PRUNED: "pruned",
    TrialState.RUNNING: "running",
    TrialState.FAIL: "failed",
    TrialState.WAITING: "waiting",
}


@dataclass(frozen=True)
class TrialRow:
    number: int  # 0, 1, 2, ... in the order they were asked
    state: str  # complete | pruned (stopped early) | running | failed | waiting
    params: dict[str, Any]
    value: float | None  # validation accuracy (a pruned trial: at the epoch it stopped)
    run_id: int | None
    epochs: int  # epochs reported so far
    reason: str | None = None  # why a trial failed
    val_loss: float | None = None  # validation loss after its last epoch: breaks accuracy ties


@dataclass(frozen=True)
class MethodResult:
    study_id: int
    method: str
    status: str
    finished_trials: int
    best_value: float | None
    trials_to_best: int | None  # how many trials it took to first reach its best value


def load_trials(info: StudyInfo) -> list[FrozenTrial]:
    """Every trial of the study, in order (read-only: no sampler needed)."""
    study = optuna.load_study(
        study_name=info.optuna_name,
        storage=optuna_storage(),
        sampler=optuna.samplers.RandomSampler(),
    )
    return study.get_trials(deepcopy=False)


def trial_rows(trials: list[FrozenTrial]) -> list[TrialRow]:
    return [
        TrialRow(
            number=t.number,
            state=STATES.get(t.state, t.state.name.lower()),
            params=dict(t.params),
            value=t.value if t.value is not None and math.isfinite(t.value) else None,
            run_id=t.user_attrs.get("run_id"),
            epochs=len(t.intermediate_values),
            reason=t.user_attrs.get("reason"),
            val_loss=t.user_attrs.get(SECONDARY),
        )
        for t in trials
    ]


def best_so_far(rows: list[TrialRow]) -> list[tuple[int, float, float]]:
    """(trial number, its value, the best value up to it) for each finished trial."""
    history, best = [], -math.inf
    for row in rows:
        if row.state != "complete" or row.value is None:
            continue
        best = max(best, row.value)
        history.append((row.number, row.value, best))
    return history


def trials_to_reach(rows: list[TrialRow], target: float) -> int | None:
    """How many trials (counting from 1) the study ran before one reached ``target``."""
    for row in rows:
        if row.state == "complete" and row.value is not None and row.value >= target - 1e-9:
            return row.number + 1
    return None


def best_row(rows: list[TrialRow]) -> TrialRow | None:
    """The finished trial with the highest accuracy; among equal ones, the lowest loss."""
    complete = [r for r in rows if r.state == "complete" and r.value is not None]
    if not complete:
        return None
    return max(complete, key=lambda r: best_key(r.value or 0.0, r.val_loss, r.number))


def param_importances(trials: list[FrozenTrial], info: StudyInfo) -> dict[str, float] | None:
    """Each tuned hyperparameter's share of the variation in validation accuracy (fANOVA),
    or None until enough trials have finished."""
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    tuned = info.space.tuned()
    if len(complete) < MIN_TRIALS_FOR_IMPORTANCE or not tuned:
        return None
    study = optuna.create_study(direction="maximize")  # in memory: a copy to analyse
    study.add_trials(complete)
    evaluator = optuna.importance.FanovaImportanceEvaluator(seed=0)
    try:
        scores = optuna.importance.get_param_importances(study, evaluator=evaluator, params=tuned)
    except (RuntimeError, ValueError):  # e.g. every trial scored the same
        return None
    if not scores or not all(math.isfinite(v) for v in scores.values()):
        return None
    return {name: float(value) for name, value in scores.items()}


def final_val_accuracy(run_id: int) -> float | None:
    """A run's validation accuracy after its last epoch (what a trial's value means)."""
    values = [r.values[OBJECTIVE] for r in jobs.metrics_since(run_id) if OBJECTIVE in r.values]
    return values[-1] if values else None


def method_comparison(info: StudyInfo) -> list[MethodResult]:
    """The owner's studies with the same budget, data and epochs as ``info``, oldest first."""
    same = [
        s
        for s in records.list_studies(info.owner_id, info.lab_id)
        if s.settings.budget == info.settings.budget
        and s.settings.dataset == info.settings.dataset
        and s.settings.epochs == info.settings.epochs
    ]
    results = []
    for study in reversed(same):
        rows = trial_rows(load_trials(study))
        best = best_row(rows)
        results.append(
            MethodResult(
                study.id,
                study.settings.method,
                study.status,
                sum(r.state in ("complete", "pruned", "failed") for r in rows),
                best.value if best else None,
                trials_to_reach(rows, best.value) if best and best.value is not None else None,
            )
        )
    return results
