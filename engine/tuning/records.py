"""Studies as rows of the app's database: settings, creation, status, and the worker's claims."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select, update

from db.models import TuningStudy, utcnow
from db.session import read_session, rows_changed, write_session
from engine import jobs
from engine.data import DataError, load_bundle
from engine.spec import RunSpec
from engine.tuning.space import SearchSpace, SpaceError, build_spec, friendly_message, grid_size
from engine.tuning.study import Method, Pruner, create_optuna_study

ACTIVE = ("queued", "running")
STALE_AFTER = timedelta(seconds=20)  # a running study whose driver is silent this long is lost
TUNING_DATASETS = ("penguins", "wine", "breast-cancer")  # small tables: a trial takes a second
# The engine's default configuration (RunSpec's own defaults): the baseline every study beats.
DEFAULT_PARAMS: dict[str, Any] = {
    name: RunSpec.model_fields[name].default
    for name in ("learning_rate", "batch_size", "dropout", "optimizer", "hidden_units", "depth")
}


class StudySettings(BaseModel):
    """How to search: the method, the budget and what each trial trains on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # On the lab's default space the Gaussian process found better settings in fewer trials
    # than TPE (benchmarks/tuning_efficiency.py), so it is where a learner starts.
    method: Method = "gp"
    budget: Annotated[int, Field(strict=True, ge=1, le=100)] = 12  # trials in all
    parallel: Annotated[int, Field(strict=True, ge=1, le=4)] = 2  # trials training at once
    pruner: Pruner = "median"
    dataset: Literal["penguins", "wine", "breast-cancer"] = "penguins"
    epochs: Annotated[int, Field(strict=True, ge=1, le=50)] = 5  # per trial
    seed: Annotated[int, Field(strict=True, ge=0, le=2**31 - 1)] = 0

    def base_spec(self) -> RunSpec:
        """What every trial trains: a dense network on the chosen table."""
        return RunSpec(dataset=self.dataset, model="dense", epochs=self.epochs, seed=self.seed)


@dataclass(frozen=True)
class StudyInfo:
    id: int
    owner_id: int
    lab_id: str | None
    optuna_name: str
    settings: StudySettings
    space: SearchSpace
    status: str
    reason: str | None
    cancel_requested: bool
    baseline_run_id: int | None
    best_run_id: int | None
    full_run_id: int | None
    created_at: datetime
    finished_at: datetime | None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def base_spec(self) -> RunSpec:
        return self.settings.base_spec()


def parse_settings(data: dict[str, Any]) -> StudySettings:
    try:
        return StudySettings.model_validate(data)
    except ValidationError as exc:
        errors = {
            str(e["loc"][0]) if e["loc"] else "settings": friendly_message(e) for e in exc.errors()
        }
        raise SpaceError(errors) from None


def check_study(settings: StudySettings, space: SearchSpace) -> None:
    """Raise SpaceError naming each choice that cannot work on this data."""
    errors: dict[str, str] = {}
    try:
        train_rows = len(load_bundle(settings.base_spec()).y_train)
    except DataError as exc:
        raise SpaceError({"dataset": str(exc)}) from None
    if space.batch_size_high > train_rows:
        errors["batch_size_high"] = (
            f"is larger than the {train_rows} training rows of {settings.dataset}; "
            f"choose {train_rows} or fewer"
        )
    points = grid_size(space)
    if settings.method == "grid" and settings.budget > points:
        errors["budget"] = (
            f"is more than the {points} points of your grid; choose {points} or fewer "
            "trials, or widen the search space"
        )
    if errors:
        raise SpaceError(errors)


def create_study(
    owner_id: int, lab_id: str | None, settings: StudySettings, space: SearchSpace
) -> int:
    """Check the study, queue it for the worker and queue the default configuration's run."""
    check_study(settings, space)
    name = f"study-{uuid.uuid4().hex}"
    create_optuna_study(name)
    with write_session() as session:
        row = TuningStudy(
            owner_id=owner_id,
            lab_id=lab_id,
            optuna_name=name,
            method=settings.method,
            budget=settings.budget,
            parallel=settings.parallel,
            pruner=settings.pruner,
            seed=settings.seed,
            space=space.model_dump(mode="json"),
            settings=settings.model_dump(mode="json"),
            status="queued",
        )
        session.add(row)
        session.flush()
        study_id = row.id
    baseline = baseline_run(owner_id, lab_id, settings, study_id)
    with write_session() as session:
        session.get_one(TuningStudy, study_id).baseline_run_id = baseline
    return study_id


def baseline_spec(settings: StudySettings) -> RunSpec:
    return build_spec(settings.base_spec(), DEFAULT_PARAMS)


def baseline_run(owner_id: int, lab_id: str | None, settings: StudySettings, study_id: int) -> int:
    """The learner's run of the default configuration on this data (reused when it exists)."""
    spec = baseline_spec(settings)
    wanted = spec.model_dump()
    for run in jobs.list_runs(owner_id, lab_id, limit=200):
        if run.spec == wanted and run.status in ("done", *jobs.ACTIVE):
            return run.id
    return jobs.submit(spec, owner_id, lab_id, study_id=study_id)


def get_study(study_id: int) -> StudyInfo | None:
    with read_session() as session:
        row = session.get(TuningStudy, study_id)
        return _info(row) if row else None


def list_studies(owner_id: int, lab_id: str | None = None, limit: int = 50) -> list[StudyInfo]:
    """An owner's studies, newest first."""
    query = select(TuningStudy).where(TuningStudy.owner_id == owner_id)
    if lab_id:
        query = query.where(TuningStudy.lab_id == lab_id)
    with read_session() as session:
        rows = session.scalars(query.order_by(TuningStudy.id.desc()).limit(limit)).all()
        return [_info(r) for r in rows]


def request_cancel(study_id: int) -> bool:
    """Cancel a queued study at once, or ask its driver to stop. False if already over."""
    with write_session() as session:
        row = session.get(TuningStudy, study_id)
        if row is None or row.status not in ACTIVE:
            return False
        if row.status == "queued":
            row.status, row.reason, row.finished_at = "cancelled", "Cancelled.", utcnow()
        else:
            row.cancel_requested = True
        return True


def set_full_run(study_id: int, run_id: int) -> None:
    with write_session() as session:
        session.get_one(TuningStudy, study_id).full_run_id = run_id


# --- used by the worker and the driver ----------------------------------------------------


def claim_next_study(exclude: set[int] | None = None) -> int | None:
    """Give studies whose driver went silent back to the queue (except ``exclude``: those this
    worker drives), then move the oldest queued study to running; returns its id."""
    with write_session() as session:
        stale = update(TuningStudy).where(
            TuningStudy.status == "running", TuningStudy.heartbeat_at < utcnow() - STALE_AFTER
        )
        if exclude:
            stale = stale.where(TuningStudy.id.not_in(exclude))
        session.execute(stale.values(status="queued"))
        query = select(TuningStudy).where(TuningStudy.status == "queued")
        row = session.scalars(query.order_by(TuningStudy.id).limit(1)).first()
        if row is None:
            return None
        now = utcnow()
        row.status, row.heartbeat_at = "running", now
        row.started_at = row.started_at or now
        return row.id


def heartbeat(study_id: int) -> None:
    with write_session() as session:
        session.execute(
            update(TuningStudy).where(TuningStudy.id == study_id).values(heartbeat_at=utcnow())
        )


def requeue(study_ids: set[int]) -> int:
    """Give running studies back to the queue (their driver stopped); returns how many."""
    if not study_ids:
        return 0
    query = update(TuningStudy).where(
        TuningStudy.status == "running", TuningStudy.id.in_(study_ids)
    )
    with write_session() as session:
        result = session.execute(query.values(status="queued"))
        return rows_changed(result)


def finish_study(
    study_id: int, status: str, reason: str | None = None, best_run_id: int | None = None
) -> None:
    with write_session() as session:
        row = session.get_one(TuningStudy, study_id)
        row.status, row.reason, row.finished_at = status, reason, utcnow()
        row.best_run_id = best_run_id


def _info(row: TuningStudy) -> StudyInfo:
    return StudyInfo(
        id=row.id,
        owner_id=row.owner_id,
        lab_id=row.lab_id,
        optuna_name=row.optuna_name,
        settings=StudySettings.model_validate(row.settings),
        space=SearchSpace.model_validate(row.space),
        status=row.status,
        reason=row.reason,
        cancel_requested=row.cancel_requested,
        baseline_run_id=row.baseline_run_id,
        best_run_id=row.best_run_id,
        full_run_id=row.full_run_id,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )
