"""Tables of the app. Schema changes go through Alembic (db/migrations)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {dict[str, Any]: JSON}


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # "teacher" or "learner"
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuthSession(Base):
    __tablename__ = "auth_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class Classroom(Base):
    __tablename__ = "classes"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Membership(Base):
    __tablename__ = "memberships"
    class_id: Mapped[int] = mapped_column(
        ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Run(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    lab_id: Mapped[str | None] = mapped_column(String(64))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    # queued | running | done | failed | cancelled | interrupted | diverged
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # 0..1
    worker_pid: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A trial of a hyperparameter study (trial_number set), or a study's default or full run.
    # A plain id: a foreign key added to runs would make SQLite rebuild the table (migration 0004).
    study_id: Mapped[int | None] = mapped_column(Integer, index=True)
    trial_number: Mapped[int | None] = mapped_column(Integer)
    # Teamwork (migration 0006), plain ids like study_id: the run it was forked from, whether
    # its owner shares it with their team, and the class challenge it was trained for.
    forked_from: Mapped[int | None] = mapped_column(Integer, index=True)
    team_shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    challenge_id: Mapped[int | None] = mapped_column(Integer, index=True)


class Metric(Base):
    __tablename__ = "metrics"
    __table_args__ = (UniqueConstraint("run_id", "step", name="uq_metrics_run_step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    step: Mapped[int] = mapped_column(Integer)
    epoch: Mapped[float] = mapped_column(Float)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)


class JournalEntry(Base):
    __tablename__ = "journal_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    track_id: Mapped[str | None] = mapped_column(String(64))
    step_id: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text, default="")
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class StepCompletion(Base):
    __tablename__ = "step_completions"
    __table_args__ = (UniqueConstraint("user_id", "step_id", name="uq_completion_user_step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[str] = mapped_column(String(64))
    step_id: Mapped[str] = mapped_column(String(64))
    competency: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Upload(Base):
    """A learner's uploaded dataset. The files are stored once per content hash (engine.data
    .uploads); this row says who uploaded it, so only they can train on it."""

    __tablename__ = "uploads"
    __table_args__ = (UniqueConstraint("owner_id", "upload_id", name="uq_upload_owner"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    upload_id: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PipelineVersion(Base):
    """A stored snapshot of a pipeline's output: the Parquet file is named by content_hash
    (engine.pipeline.versions); version counts 1, 2, ... per owner and pipeline name."""

    __tablename__ = "pipeline_versions"
    __table_args__ = (
        UniqueConstraint("owner_id", "pipeline_name", "version", name="uq_pipeline_version"),
        UniqueConstraint("owner_id", "pipeline_name", "content_hash", name="uq_pipeline_hash"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    pipeline_name: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    columns: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"name", "type"}, ...]
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)  # the PipelineSpec that made it
    dataset: Mapped[str | None] = mapped_column(String(32))  # "upload:<id>" once trainable
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The owner's teammates may see and reuse this version (classroom.team_pipelines).
    team_shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class PipelineDraft(Base):
    """A learner's working pipeline in the builder, saved on each change so that a reload or
    a new sign-in finds it: the sources as chosen, the editor's stages, the version looked at."""

    __tablename__ = "pipeline_drafts"
    __table_args__ = (UniqueConstraint("owner_id", "pipeline_name", name="uq_pipeline_draft"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    pipeline_name: Mapped[str] = mapped_column(String(64))
    # The sources part of a PipelineSpec ({"sources": [...], "join": ...}); None: not read yet.
    sources: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The editor's stages as entered: not yet checked, they may not form a valid spec.
    stages: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    chosen_version: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FinalTest(Base):
    """A learner's final test: the run they chose, on validation, to measure once on the
    test set, and when. Its test accuracy is shown only after this row exists."""

    __tablename__ = "final_tests"
    __table_args__ = (UniqueConstraint("owner_id", "run_id", name="uq_final_test_run"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lab_id: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class TuningStudy(Base):
    """A learner's hyperparameter study. Its trials live in Optuna's own tables (same database),
    under ``optuna_name``; each trial is a run with ``study_id`` set to this row."""

    __tablename__ = "tuning_studies"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lab_id: Mapped[str | None] = mapped_column(String(64))
    optuna_name: Mapped[str] = mapped_column(String(64), unique=True)
    method: Mapped[str] = mapped_column(String(16))  # grid | random | tpe | gp
    budget: Mapped[int] = mapped_column(Integer)  # how many trials in all
    parallel: Mapped[int] = mapped_column(Integer)  # how many trials train at once
    pruner: Mapped[str] = mapped_column(String(16))  # none | median | hyperband
    seed: Mapped[int] = mapped_column(Integer, default=0)
    space: Mapped[dict[str, Any]] = mapped_column(JSON)  # engine.tuning.space.SearchSpace
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)  # engine.tuning.records.StudySettings
    # queued | running | done | cancelled | failed
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    # Plain ids, not foreign keys: runs already point here, and a cycle would block DROP order.
    baseline_run_id: Mapped[int | None] = mapped_column(Integer)  # the default configuration
    best_run_id: Mapped[int | None] = mapped_column(Integer)
    full_run_id: Mapped[int | None] = mapped_column(Integer)  # the best trained in full
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)  # its driver is alive


class JournalFeedback(Base):
    """A teacher's comment and rating (1-5) on an entry a learner shared; one per teacher."""

    __tablename__ = "journal_feedback"
    __table_args__ = (UniqueConstraint("entry_id", "teacher_id", name="uq_feedback_entry_teacher"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="CASCADE"), index=True
    )
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    comment: Mapped[str] = mapped_column(Text)
    rating: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Goal(Base):
    """A learner's own goal: what, for which competency, by when; done when they say so."""

    __tablename__ = "goals"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    competency: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    achieved_at: Mapped[datetime | None] = mapped_column(DateTime)


class Assignment(Base):
    """Work a teacher set: a whole track (step_id None) or one step, for the whole class
    (learner_id None) or one learner, due on a date."""

    __tablename__ = "assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[str] = mapped_column(String(64))
    step_id: Mapped[str | None] = mapped_column(String(64))
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    due_date: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ObjectiveEvent(Base):
    """A check of a lab objective (passed | failed) or a reveal (hint-1 | hint-2 | solution).
    outcome_key names the run or lab action checked: one event of each kind per outcome."""

    __tablename__ = "objective_events"
    __table_args__ = (
        UniqueConstraint(
            "learner_id",
            "lab_id",
            "objective_id",
            "outcome_key",
            "event",
            name="uq_objective_event",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lab_id: Mapped[str] = mapped_column(String(64))
    objective_id: Mapped[str] = mapped_column(String(64))
    step_id: Mapped[str | None] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(16))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    outcome_key: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ClassTeamSettings(Base):
    """How teams form in a class: by the teacher only, or learners may create and join too."""

    __tablename__ = "class_team_settings"
    class_id: Mapped[int] = mapped_column(
        ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True
    )
    learners_form_teams: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Team(Base):
    """A group of learners within one class; learners join with its code where allowed."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("class_id", "name", name="uq_team_class_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class TeamMember(Base):
    """A learner in a team; class_id is repeated so that one team per class is a constraint."""

    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("class_id", "learner_id", name="uq_team_member_class"),)
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Challenge(Base):
    """A class challenge on a lab: runs trained without a held-out share of the dataset are
    ranked by their accuracy on it; a run budget per learner or per team; a deadline."""

    __tablename__ = "challenges"
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    lab_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(120))
    dataset: Mapped[str] = mapped_column(String(32))
    metric: Mapped[str] = mapped_column(String(32), default="test_accuracy")
    budget_per: Mapped[str] = mapped_column(String(8))  # "learner" or "team"
    run_budget: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[datetime] = mapped_column(DateTime)  # UTC, naive
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ChallengeScore(Base):
    """A challenge run's accuracy on the held-out rows, computed once when it has finished."""

    __tablename__ = "challenge_scores"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float | None] = mapped_column(Float)  # None: the run left no model to score
    held_out_rows: Mapped[int] = mapped_column(Integer, default=0)
    scored_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ModelCard(Base):
    """A learner's model card for one of their runs: what the model does, for whom it may
    fail, and the same explanation in plain words. Per-group numbers come from the run."""

    __tablename__ = "model_cards"
    __table_args__ = (UniqueConstraint("owner_id", "run_id", name="uq_model_card_owner_run"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(Text, default="")  # what the model does
    training_data: Mapped[str] = mapped_column(Text, default="")  # the data it learned from
    poorly_served: Mapped[str] = mapped_column(Text, default="")  # who might be poorly served
    group_comment: Mapped[str] = mapped_column(Text, default="")  # on the results per group
    limits: Mapped[str] = mapped_column(Text, default="")
    plain_summary: Mapped[str] = mapped_column(Text, default="")  # for a non-specialist
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | published
    shared_with_team: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PeerReview(Base):
    """A learner's review of a teammate's shared run or model card: three rubric scores
    (1-4) and a comment; one per reviewer and target, editable."""

    __tablename__ = "peer_reviews"
    __table_args__ = (
        UniqueConstraint("reviewer_id", "target_kind", "target_id", name="uq_peer_review_target"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    target_kind: Mapped[str] = mapped_column(String(16))  # "run" | "model_card"
    # A plain id: it points at runs or model_cards depending on target_kind.
    target_id: Mapped[int] = mapped_column(Integer, index=True)
    clarity: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[int] = mapped_column(Integer)
    next_step: Mapped[int] = mapped_column(Integer)  # how useful "what to try next" is
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
