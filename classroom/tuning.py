"""Hyperparameter studies as people see them: start and cancel your own, read your own or
your learners'. A denial reads the same as "not found"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from classroom.access import Actor, NotFound, can_view_learner, require_actor
from classroom.datasets import require_dataset_access
from db.session import read_session
from engine import jobs
from engine.tuning import analysis, records
from engine.tuning.records import StudyInfo
from engine.tuning.space import build_spec, parse_space

FULL_EPOCHS_FACTOR = 4  # "in full": this many times a trial's epochs (at least FULL_EPOCHS_MIN)
FULL_EPOCHS_MIN = 20


@dataclass(frozen=True)
class StudyView:
    """One study with everything its page draws, read at one moment."""

    info: StudyInfo
    trials: list[analysis.TrialRow]
    importances: dict[str, float] | None  # None until enough trials have finished
    baseline_value: float | None  # the default configuration's validation accuracy
    baseline_status: str | None


def start_study(
    actor: Actor | None, settings: dict[str, Any], space: dict[str, Any], lab_id: str
) -> int:
    """Queue a study for the worker; SpaceError names each bad setting or range."""
    actor = require_actor(actor)
    parsed_settings = records.parse_settings(settings)
    parsed_space = parse_space(space)
    require_dataset_access(actor, parsed_settings.dataset)
    return records.create_study(actor.id, lab_id, parsed_settings, parsed_space)


def get_study(actor: Actor | None, study_id: int) -> StudyInfo:
    """A study its owner or the owner's teacher may see; NotFound for anyone else."""
    info = records.get_study(study_id)
    if info is None:
        raise NotFound("No such study.")
    with read_session() as session:
        if not can_view_learner(session, actor, info.owner_id):
            raise NotFound("No such study.")
    return info


def my_studies(actor: Actor | None, lab_id: str | None = None) -> list[StudyInfo]:
    actor = require_actor(actor)
    return records.list_studies(actor.id, lab_id)


def study_trials(actor: Actor | None, study_id: int) -> list[analysis.TrialRow]:
    """The trial table: number, state (pruned = stopped early), params, value, run id."""
    return analysis.trial_rows(analysis.load_trials(get_study(actor, study_id)))


def study_view(actor: Actor | None, study_id: int, with_importances: bool = True) -> StudyView:
    info = get_study(actor, study_id)
    trials = analysis.load_trials(info)
    baseline = jobs.status(info.baseline_run_id) if info.baseline_run_id else None
    return StudyView(
        info,
        analysis.trial_rows(trials),
        analysis.param_importances(trials, info) if with_importances else None,
        analysis.final_val_accuracy(baseline.id) if baseline else None,
        baseline.status if baseline else None,
    )


def study_importances(actor: Actor | None, study_id: int) -> dict[str, float] | None:
    """Each tuned setting's share of the variation in accuracy (None until enough trials)."""
    info = get_study(actor, study_id)
    return analysis.param_importances(analysis.load_trials(info), info)


def method_comparison(actor: Actor | None, study_id: int) -> list[analysis.MethodResult]:
    """The same owner's studies on the same budget, data and epochs, oldest first."""
    return analysis.method_comparison(get_study(actor, study_id))


def cancel_study(actor: Actor | None, study_id: int) -> bool:
    """Only the owner can cancel."""
    info = _own_study(actor, study_id)
    return records.request_cancel(info.id)


def train_best_in_full(actor: Actor | None, study_id: int) -> int:
    """Submit one run of the study's best configuration with more epochs; returns its id."""
    info = _own_study(actor, study_id)
    best = analysis.best_row(analysis.trial_rows(analysis.load_trials(info)))
    if best is None:
        raise NotFound("This study has no finished trial to train yet.")
    base = info.base_spec
    epochs = min(500, max(FULL_EPOCHS_MIN, base.epochs * FULL_EPOCHS_FACTOR))
    spec = build_spec(base.model_copy(update={"epochs": epochs}), best.params)
    run_id = jobs.submit(spec, info.owner_id, info.lab_id, study_id=info.id)
    records.set_full_run(info.id, run_id)
    return run_id


def _own_study(actor: Actor | None, study_id: int) -> StudyInfo:
    actor = require_actor(actor)
    info = get_study(actor, study_id)
    if info.owner_id != actor.id:
        raise NotFound("No such study.")
    return info
