"""Samplers, pruners and Optuna's storage in the app's database."""

from __future__ import annotations

import warnings
from typing import Any, Literal

import optuna
import sqlalchemy
from sqlalchemy import orm

from engine.tuning.space import SearchSpace, grid
from settings import database_url

Method = Literal["grid", "random", "tpe", "gp"]
Pruner = Literal["none", "median", "hyperband"]
METHODS: dict[str, str] = {
    "grid": "Grid search",
    "random": "Random search",
    "tpe": "Bayesian (TPE)",
    "gp": "Bayesian (Gaussian process)",
}
PRUNERS: dict[str, str] = {"none": "No pruning", "median": "Median", "hyperband": "Hyperband"}
# Bayesian samplers start with a few random trials to learn from. Optuna's default (10) would
# spend most of a classroom budget of 10 to 20 trials on random guesses. Measured with
# benchmarks/tuning_efficiency.py's task on seeds 0 to 95: with 2 instead of 4, both samplers
# reached grid search's best about a trial sooner (20 trials: GP 7.0 against 7.9 on seeds 48 to
# 95), but at the default budget of 12 GP's best value was lower on both halves of the seeds
# (0.970 against 0.977, 0.978 against 0.983), and TPE's was lower on one; 3, 5, 6, 8 and 10 were
# no better.
STARTUP_TRIALS = 4

_storages: dict[str, optuna.storages.BaseStorage] = {}


class AppRDBStorage(optuna.storages.RDBStorage):
    """Optuna's RDB storage on tables that the app's migrations create (0004).

    RDBStorage's own set-up also runs Optuna's version manager, which reads and, on a
    database without a version row, stamps the ``alembic_version`` table. That table
    belongs to the app's Alembic history (one row per branch head), so this storage is set
    up without it: the tables and their schema are the app's migrations' business.
    """

    def __init__(self, url: str, engine_kwargs: dict[str, Any]) -> None:
        # The attributes RDBStorage.__init__ sets, minus the version manager (optuna==5.0.0).
        self.engine_kwargs = engine_kwargs
        self.url = url
        self.skip_compatibility_check = True
        self.heartbeat_interval = self.grace_period = None
        self.heartbeat_stale_trial_callback = self.failed_trial_callback = None
        self.engine = sqlalchemy.create_engine(url, **engine_kwargs)
        self.scoped_session = orm.scoped_session(orm.sessionmaker(bind=self.engine))
        # Optuna types it as always set; this storage has none, on purpose (see above).
        self._version_manager = None  # type: ignore[assignment]


class AskTellGridSampler(optuna.samplers.GridSampler):
    """GridSampler that never calls study.stop(): with ask-and-tell the driver stops at the
    budget, and Optuna refuses stop() outside optimize()."""

    def after_trial(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def make_sampler(method: str, seed: int, space: SearchSpace) -> optuna.samplers.BaseSampler:
    """The sampler for a method: grid, random, tpe or gp."""
    if method == "grid":
        return AskTellGridSampler(grid(space), seed=seed)
    if method == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if method == "tpe":
        with warnings.catch_warnings():  # multivariate TPE is marked experimental
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            # multivariate: one model of all settings together (learning rate and optimiser
            # interact). constant_liar: trials still training count as poor guesses, so two
            # trials asked at once (the app's parallel trials) are not sent to the same spot.
            return optuna.samplers.TPESampler(
                seed=seed,
                n_startup_trials=STARTUP_TRIALS,
                multivariate=True,
                constant_liar=True,
            )
    if method == "gp":
        # GPSampler keeps trials still training in its model too, for parallel trials.
        return optuna.samplers.GPSampler(
            seed=seed, n_startup_trials=STARTUP_TRIALS, warn_independent_sampling=False
        )
    raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def make_pruner(name: str, epochs: int = 10) -> optuna.pruners.BasePruner:
    """none, median (stop a trial below the median of earlier ones at the same epoch) or
    hyperband (successive halving over several budgets of epochs)."""
    if name == "none":
        return optuna.pruners.NopPruner()
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(
            min_resource=1, max_resource=max(epochs, 2), reduction_factor=3
        )
    raise ValueError(f"unknown pruner {name!r}; choose one of {', '.join(PRUNERS)}")


def optuna_storage(url: str | None = None) -> optuna.storages.BaseStorage:
    """Optuna's RDB storage in the app's database (its tables come from migration 0004)."""
    url = url or database_url()
    if url not in _storages:
        optuna.logging.set_verbosity(optuna.logging.WARNING)  # no log line per trial
        engine_kwargs: dict[str, Any] = {"pool_pre_ping": True}
        if url.startswith("sqlite"):
            # Wait for a busy database instead of failing, and take the write lock when a
            # write starts (as db.session does), so runs streaming metrics never lock it out.
            engine_kwargs["connect_args"] = {
                "timeout": 30,
                "isolation_level": "IMMEDIATE",
                "check_same_thread": False,  # the worker drives studies in threads
            }
        _storages[url] = AppRDBStorage(url, engine_kwargs)
    return _storages[url]


def create_optuna_study(name: str, storage: optuna.storages.BaseStorage | None = None) -> None:
    """An empty study that maximises validation accuracy."""
    optuna.create_study(study_name=name, storage=storage or optuna_storage(), direction="maximize")


def load_optuna_study(
    name: str,
    method: str,
    seed: int,
    space: SearchSpace,
    pruner: str = "none",
    epochs: int = 10,
) -> optuna.Study:
    return optuna.load_study(
        study_name=name,
        storage=optuna_storage(),
        sampler=make_sampler(method, seed, space),
        pruner=make_pruner(pruner, epochs),
    )
