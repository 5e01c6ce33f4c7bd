"""A learner's own data: their step history, and everything of theirs as a download
(deleting it all: classroom.account_deletion)."""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from classroom import journals
from classroom.access import Actor, NotFound, require_actor, viewed_learner
from db.models import (
    Base,
    Classroom,
    FinalTest,
    Goal,
    Membership,
    Metric,
    ModelCard,
    ObjectiveEvent,
    PeerReview,
    PipelineDraft,
    PipelineVersion,
    Run,
    StepCompletion,
    TuningStudy,
    Upload,
    User,
    utcnow,
)
from db.session import read_session

_Row = TypeVar("_Row", bound=Base)


@dataclass(frozen=True)
class Completion:
    track_id: str
    step_id: str
    competency: str
    completed_at: datetime
    run_id: int | None


def completions(actor: Actor | None, learner_id: int | None = None) -> list[Completion]:
    """The steps a learner completed and when, newest first (their own, or as their teacher)."""
    actor = require_actor(actor)
    with read_session() as session:
        learner_id = viewed_learner(session, actor, learner_id)
        rows = session.scalars(
            select(StepCompletion)
            .where(StepCompletion.user_id == learner_id)
            .order_by(StepCompletion.completed_at.desc(), StepCompletion.id.desc())
        )
        return [
            Completion(r.track_id, r.step_id, r.competency, r.completed_at, r.run_id) for r in rows
        ]


# --- export ---------------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    """JSON-safe: dates as ISO text, NaN and infinities (a diverged run's loss) as null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def _journal(actor: Actor) -> list[dict[str, Any]]:
    feedback = journals.my_feedback(actor)
    return [
        {
            "id": e.id,
            "text": e.body,
            "shared_with_teacher": e.shared,
            "run_id": e.run_id,
            "track_id": e.track_id,
            "step_id": e.step_id,
            "created_at": e.created_at,
            "updated_at": e.updated_at,
            "feedback": [
                {"teacher": f.teacher_name, "comment": f.comment, "rating": f.rating}
                for f in feedback.get(e.id, [])
            ],
        }
        for e in journals.list_entries(actor)
    ]


def _runs(session: Session, owner_id: int) -> list[dict[str, Any]]:
    runs = session.scalars(select(Run).where(Run.owner_id == owner_id).order_by(Run.id)).all()
    metrics: dict[int, list[dict[str, Any]]] = {r.id: [] for r in runs}
    rows = session.scalars(
        select(Metric).where(Metric.run_id.in_(list(metrics))).order_by(Metric.run_id, Metric.step)
    )
    for m in rows:
        metrics[m.run_id].append({"step": m.step, "epoch": m.epoch, **dict(m.values)})
    return [
        {
            "id": r.id,
            "lab": r.lab_id,
            "status": r.status,
            "reason": r.reason,
            "settings": r.spec,
            "results": r.result,
            "created_at": r.created_at,
            "finished_at": r.finished_at,
            "study_id": r.study_id,
            "metrics": metrics[r.id],
        }
        for r in runs
    ]


def _owned_rows(session: Session, owner_id: int) -> dict[str, Any]:
    def rows(
        model: type[_Row], owner: InstrumentedAttribute[int], order: InstrumentedAttribute[Any]
    ) -> Sequence[_Row]:
        """The model's rows whose ``owner`` column is this user, in ``order``."""
        return session.scalars(select(model).where(owner == owner_id).order_by(order)).all()

    return {
        "progress": [
            {"track_id": c.track_id, "step_id": c.step_id, "competency": c.competency,
             "completed_at": c.completed_at, "run_id": c.run_id}
            for c in rows(StepCompletion, StepCompletion.user_id, StepCompletion.completed_at)
        ],
        "goals": [
            {"text": g.text, "competency": g.competency, "due_on": g.due_on, "done": g.done,
             "created_at": g.created_at, "achieved_at": g.achieved_at}
            for g in rows(Goal, Goal.owner_id, Goal.id)
        ],
        "uploads": [
            {"name": u.name, "kind": u.kind, "id": u.upload_id, "created_at": u.created_at}
            for u in rows(Upload, Upload.owner_id, Upload.id)
        ],
        "pipeline_versions": [
            {"pipeline": p.pipeline_name, "version": p.version, "rows": p.rows,
             "columns": p.columns, "spec": p.spec, "created_at": p.created_at,
             "shared_with_team": p.team_shared}
            for p in rows(PipelineVersion, PipelineVersion.owner_id, PipelineVersion.id)
        ],
        "pipeline_drafts": [
            {"pipeline": d.pipeline_name, "sources": d.sources, "stages": d.stages,
             "chosen_version": d.chosen_version, "updated_at": d.updated_at}
            for d in rows(PipelineDraft, PipelineDraft.owner_id, PipelineDraft.id)
        ],
        "tuning_studies": [
            {"id": s.id, "lab": s.lab_id, "method": s.method, "budget": s.budget,
             "status": s.status, "space": s.space, "settings": s.settings,
             "best_run_id": s.best_run_id, "created_at": s.created_at}
            for s in rows(TuningStudy, TuningStudy.owner_id, TuningStudy.id)
        ],
        "model_cards": [
            {"run_id": c.run_id, "purpose": c.purpose, "training_data": c.training_data,
             "poorly_served": c.poorly_served, "group_comment": c.group_comment,
             "limits": c.limits, "plain_summary": c.plain_summary, "status": c.status,
             "shared_with_team": c.shared_with_team, "updated_at": c.updated_at}
            for c in rows(ModelCard, ModelCard.owner_id, ModelCard.id)
        ],
        "reviews_written": [
            {"target": f"{r.target_kind} {r.target_id}", "clarity": r.clarity,
             "evidence": r.evidence, "next_step": r.next_step, "comment": r.comment,
             "updated_at": r.updated_at}
            for r in rows(PeerReview, PeerReview.reviewer_id, PeerReview.id)
        ],
        "final_tests": [
            {"run_id": t.run_id, "lab": t.lab_id, "taken_at": t.taken_at}
            for t in rows(FinalTest, FinalTest.owner_id, FinalTest.id)
        ],
        "objective_checks_and_hints": [
            {"lab": e.lab_id, "objective": e.objective_id, "event": e.event, "at": e.at}
            for e in rows(ObjectiveEvent, ObjectiveEvent.learner_id, ObjectiveEvent.id)
        ],
    }  # fmt: skip


def export_my_data(actor: Actor | None) -> dict[str, Any]:
    """Everything stored about the actor, and nothing about anyone else, as plain JSON data."""
    actor = require_actor(actor)
    with read_session() as session:
        user = session.get(User, actor.id)
        if user is None:
            raise NotFound("No such account.")
        class_names = session.scalars(
            select(Classroom.name)
            .join(Membership, Membership.class_id == Classroom.id)
            .where(Membership.user_id == actor.id)
        ).all()
        data = {
            "exported_at": utcnow(),
            "account": {
                "username": user.username,
                "display_name": user.display_name,
                "role": user.role,
                "created_at": user.created_at,
                "classes": list(class_names),
            },
            "runs": _runs(session, actor.id),
            **_owned_rows(session, actor.id),
        }
    data["journal"] = _journal(actor)
    return {key: _clean(value) for key, value in data.items()}


def my_data_zip(actor: Actor | None) -> bytes:
    """A zip of my-data.json (everything) and my-journal.md (the journal, readable)."""
    actor = require_actor(actor)
    data = export_my_data(actor)
    entries = [e for e in journals.list_entries(actor) if e.body.strip()]
    markdown = journals.entries_markdown(entries, journals.my_feedback(actor))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("my-data.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("my-journal.md", markdown)
    return buffer.getvalue()
