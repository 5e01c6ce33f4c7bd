"""Do the four samplers and two pruners work for real on a tiny penguins network?"""

from __future__ import annotations

import itertools

import optuna
import pytest
import torch
from optuna.trial import TrialState

from engine.data import load_bundle
from engine.spec import RunSpec
from engine.tuning.analysis import TrialRow, best_row, trial_rows
from engine.tuning.driver import in_process_objective
from engine.tuning.space import SearchSpace, grid
from engine.tuning.study import make_pruner, make_sampler

BASE = RunSpec(dataset="penguins", model="dense", epochs=2)
SMALL = SearchSpace(
    learning_rate_low=1e-3,
    learning_rate_high=1e-1,
    batch_size_low=32,
    batch_size_high=32,
    dropout_low=0.1,
    dropout_high=0.1,
    optimizers=("adam", "sgd"),
    hidden_units_low=16,
    hidden_units_high=16,
    depth_low=1,
    depth_high=1,
)  # 3 learning rates x 2 optimisers: a grid of 6
# Learns nothing in a few epochs: plain SGD with a learning rate of 0.0001.
HOPELESS = {
    "learning_rate": 1e-4,
    "batch_size": 32,
    "dropout": 0.1,
    "optimizer": "sgd",
    "hidden_units": 16,
    "depth": 1,
}
GOOD = {**HOPELESS, "learning_rate": 0.05, "optimizer": "adam"}


@pytest.fixture(scope="module")
def penguins():
    torch.set_num_threads(1)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return load_bundle(BASE)


def run_study(method: str, trials: int, penguins, pruner: str = "none", space=SMALL):
    study = optuna.create_study(
        direction="maximize",
        sampler=make_sampler(method, seed=1, space=space),
        pruner=make_pruner(pruner, BASE.epochs),
    )
    study.optimize(in_process_objective(space, BASE, penguins), n_trials=trials)
    return study


@pytest.mark.parametrize("method", ["grid", "random", "tpe", "gp"])
def test_each_sampler_runs_real_trials_that_finish_with_a_validation_accuracy(
    method, penguins
) -> None:
    study = run_study(method, 6, penguins)
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 6
    assert all(0.0 <= t.value <= 1.0 for t in study.trials)
    assert study.best_value > 0.6  # chance on three species is about 0.33
    for trial in study.trials:
        assert 1e-3 <= trial.params["learning_rate"] <= 1e-1
        assert trial.params["optimizer"] in {"adam", "sgd"}
    # Each trial keeps its validation loss, the value that breaks ties in accuracy.
    assert all(row.val_loss is not None and row.val_loss >= 0 for row in trial_rows(study.trials))


def row(number: int, value: float | None, val_loss: float | None, state: str = "complete"):
    return TrialRow(number, state, {}, value, run_id=number, epochs=5, val_loss=val_loss)


def test_the_best_trial_is_the_most_accurate_and_among_equals_the_lowest_loss() -> None:
    rows = [row(0, 1.0, 0.30), row(1, 0.97, 0.01), row(2, 1.0, 0.05), row(3, 1.0, None)]
    assert best_row(rows).number == 2  # equal accuracy: the lower loss wins
    assert best_row(rows[:2]).number == 0  # higher accuracy wins whatever the loss
    assert best_row([row(0, 1.0, None), row(1, 1.0, None)]).number == 0  # else the earliest
    assert best_row([row(0, None, None, "failed"), row(1, 0.9, 0.2, "pruned")]) is None


def test_grid_search_with_the_grid_as_budget_tries_every_point_once(penguins) -> None:
    study = run_study("grid", 6, penguins)
    points = grid(SMALL)
    tried = {(t.params["learning_rate"], t.params["optimizer"]) for t in study.trials}
    assert tried == set(itertools.product(points["learning_rate"], points["optimizer"]))


def test_the_bayesian_samplers_leave_random_guessing_after_the_startup_trials(penguins) -> None:
    # After 4 random trials TPE should spend most trials near its best learning rates.
    study = run_study("tpe", 12, penguins, space=SearchSpace())
    later = [t.value for t in study.trials[4:]]
    first = [t.value for t in study.trials[:4]]
    assert sum(later) / len(later) > sum(first) / len(first)


def epoch_stopped(study: optuna.Study, value: float, epochs: int = 9) -> int | None:
    """Report ``value`` at every epoch of a new trial; the epoch it was pruned at, if any."""
    trial = study.ask()
    for epoch in range(1, epochs + 1):
        trial.report(value, epoch)
        if trial.should_prune():
            study.tell(trial, state=TrialState.PRUNED)
            return epoch
    study.tell(trial, value)
    return None


@pytest.mark.parametrize(("pruner", "at_least"), [("median", 6), ("hyperband", 3)])
def test_a_pruner_stops_trials_that_lag_far_behind_the_others(pruner, at_least) -> None:
    study = optuna.create_study(direction="maximize", pruner=make_pruner(pruner, epochs=9))
    for _ in range(12):  # trials that reach 0.9 at every epoch
        epoch_stopped(study, 0.9)
    stopped = [epoch_stopped(study, 0.2) for _ in range(6)]
    # Median prunes each at once; Hyperband keeps one bracket of trials running to the end.
    assert sum(epoch is not None and epoch < 9 for epoch in stopped) >= at_least


def test_no_pruner_never_stops_a_trial() -> None:
    study = optuna.create_study(direction="maximize", pruner=make_pruner("none"))
    for value in (0.9, 0.9, 0.9, 0.1):
        trial = study.ask()
        trial.report(value, 1)
        assert not trial.should_prune()
        study.tell(trial, value)


def test_median_pruning_stops_a_hopeless_real_training_run_early(penguins) -> None:
    base = BASE.model_copy(update={"epochs": 6})
    study = optuna.create_study(direction="maximize", pruner=make_pruner("median", 6))
    for params in (GOOD, GOOD, GOOD, HOPELESS):
        study.enqueue_trial(params)
    space = SMALL.model_copy(update={"learning_rate_low": 1e-4})
    study.optimize(in_process_objective(space, base, penguins), n_trials=4)
    states = [t.state for t in study.trials]
    assert states == [TrialState.COMPLETE] * 3 + [TrialState.PRUNED]
    hopeless = study.trials[3]
    assert max(hopeless.intermediate_values) < 6  # it stopped before its last epoch
    assert hopeless.value < study.best_value


@pytest.mark.parametrize("bad", ["bayes", ""])
def test_unknown_method_or_pruner_is_refused(bad) -> None:
    with pytest.raises(ValueError, match="unknown method"):
        make_sampler(bad, 0, SMALL)
    with pytest.raises(ValueError, match="unknown pruner"):
        make_pruner(bad)
