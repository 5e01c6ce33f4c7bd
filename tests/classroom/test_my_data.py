"""Can a learner take all of their data with them, and delete their account with all of it,
rows and files, without touching anyone else's?"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select

from classroom import datasets, goals, journals, my_data, pipeline_drafts, sessions
from classroom.account_deletion import delete_account
from classroom.accounts import AccountError, authenticate
from classroom.progress import StepRef, complete_step
from db.models import (
    AuthSession,
    Goal,
    JournalEntry,
    JournalFeedback,
    Membership,
    Metric,
    PipelineDraft,
    PipelineVersion,
    Run,
    StepCompletion,
    Upload,
    User,
    utcnow,
)
from db.session import read_session, write_session
from engine import artifacts, jobs
from engine.pipeline.ingest import read_sources
from engine.pipeline.pipeline_spec import parse_pipeline
from engine.pipeline.stages import run_pipeline
from engine.pipeline.versions import pipeline_folder, save_version
from engine.spec import RunSpec
from settings import data_dir
from tests.classroom.samples import penguin_csv
from tests.conftest import PASSWORD

PIPELINE = {
    "name": "demo results",
    "sources": [{"kind": "sqlite", "database": "demo", "table": "lab_results"}],
    "stages": [],
}


def fill_account(actor, teacher=None, csv: bytes | None = None) -> dict:
    """Give a learner one of everything: a run with metrics and files, a shared entry with
    feedback, progress, a goal, an upload and a pipeline version."""
    run_id = jobs.submit(RunSpec(epochs=1), owner_id=actor.id, lab_id="first-network")
    with write_session() as session:
        session.add(Metric(run_id=run_id, step=0, epoch=1.0, values={"loss": float("nan")}))
        run = session.get_one(Run, run_id)
        run.status, run.result = "done", {"test_accuracy": 0.91}
    artifacts.checkpoint_path(run_id).write_bytes(b"weights")
    entry = journals.save_draft(actor, f"{actor.username} thinks the loss fell", run_id=run_id)
    if teacher is not None:
        journals.set_shared(actor, entry.id, True)
        journals.give_feedback(teacher, entry.id, "Say why it fell.", 3)
    complete_step(actor, StepRef("digital-literacy", "dl-train-first", "digital-literacy"))
    goals.add_goal(actor, f"{actor.username}'s goal", "collaboration", date(2031, 5, 1))
    upload = datasets.add_upload(actor, csv or penguin_csv(), "mine.csv", "tabular", "species")
    spec = parse_pipeline(PIPELINE)
    frame, _ = run_pipeline(spec, read_sources(spec))
    save_version(actor.id, spec, frame)
    pipeline_drafts.save_draft(actor, "demo results", None, [{"kind": "deduplicate"}])
    return {"run_id": run_id, "entry_id": entry.id, "upload": upload.dataset.split(":")[1]}


def rows_of(user_id: int) -> dict[str, int]:
    tables = {
        "runs": (Run, Run.owner_id),
        "journal": (JournalEntry, JournalEntry.owner_id),
        "progress": (StepCompletion, StepCompletion.user_id),
        "goals": (Goal, Goal.owner_id),
        "uploads": (Upload, Upload.owner_id),
        "pipeline versions": (PipelineVersion, PipelineVersion.owner_id),
        "pipeline drafts": (PipelineDraft, PipelineDraft.owner_id),
        "sessions": (AuthSession, AuthSession.user_id),
        "memberships": (Membership, Membership.user_id),
        "users": (User, User.id),
    }
    with read_session() as session:
        return {
            name: session.scalar(select(func.count()).select_from(model).where(col == user_id))
            for name, (model, col) in tables.items()
        }


def test_does_the_export_hold_all_of_my_data_and_nothing_of_anyone_elses(
    teacher, make_learner
) -> None:
    lin, ana = make_learner("lin"), make_learner("ana")
    mine = fill_account(lin, teacher)
    fill_account(ana, teacher, penguin_csv(31))
    data = my_data.export_my_data(lin)
    assert data["account"]["username"] == "lin"
    assert data["account"]["classes"] == ["Year 11"]
    [run] = data["runs"]
    assert run["id"] == mine["run_id"] and run["settings"]["epochs"] == 1
    assert run["results"] == {"test_accuracy": 0.91}
    assert run["metrics"] == [{"step": 0, "epoch": 1.0, "loss": None}]  # NaN as null
    [entry] = data["journal"]
    assert entry["text"] == "lin thinks the loss fell"
    assert entry["feedback"] == [
        {"teacher": "Tess Teacher", "comment": "Say why it fell.", "rating": 3}
    ]
    assert [p["step_id"] for p in data["progress"]] == ["dl-train-first"]
    assert [(g["text"], g["due_on"]) for g in data["goals"]] == [("lin's goal", "2031-05-01")]
    assert [u["name"] for u in data["uploads"]] == ["mine.csv"]
    assert [p["pipeline"] for p in data["pipeline_versions"]] == ["demo results"]
    assert [d["stages"] for d in data["pipeline_drafts"]] == [[{"kind": "deduplicate"}]]
    assert "ana" not in json.dumps(data)


def test_does_the_export_hold_my_model_cards_and_my_hint_requests(learner) -> None:
    from classroom import model_cards, objective_events

    run_id = jobs.submit(RunSpec(dataset="penguins", model="dense", epochs=1), learner.id)
    jobs.finish(run_id, "done", result={"test_accuracy": 0.9})
    card = model_cards.start_card(learner, run_id)
    model_cards.save_section(learner, card.id, "plain_summary", "It guesses the penguin kind.")
    objective_events.record_event(learner, "first-network", "reach-95", "hint-1", "run:1")
    data = my_data.export_my_data(learner)
    [mine] = data["model_cards"]
    assert mine["run_id"] == run_id and mine["plain_summary"] == "It guesses the penguin kind."
    assert [(e["objective"], e["event"]) for e in data["objective_checks_and_hints"]] == [
        ("reach-95", "hint-1")
    ]
    assert data["reviews_written"] == []


def test_is_the_zip_valid_json_and_a_readable_journal(teacher, learner) -> None:
    fill_account(learner, teacher)
    with zipfile.ZipFile(io.BytesIO(my_data.my_data_zip(learner))) as archive:
        assert sorted(archive.namelist()) == ["my-data.json", "my-journal.md"]
        data = json.loads(archive.read("my-data.json"))  # strict JSON: no NaN
        markdown = archive.read("my-journal.md").decode()
    assert data["journal"][0]["text"] == "lin thinks the loss fell"
    assert "lin thinks the loss fell" in markdown
    assert "Feedback from Tess Teacher" in markdown and "(3/5): Say why it fell." in markdown


def test_does_deleting_my_account_remove_every_row_and_file_of_mine_only(
    teacher, make_learner
) -> None:
    lin, ana = make_learner("lin"), make_learner("ana")
    sessions.start_session(lin)
    mine = fill_account(lin, teacher)
    theirs = fill_account(ana, teacher, penguin_csv(31))
    ana_before = rows_of(ana.id)
    lin_files = [
        artifacts.run_dir(mine["run_id"]),
        data_dir() / "uploads" / mine["upload"],
        pipeline_folder(lin.id, "demo results"),
    ]
    assert all(path.exists() for path in lin_files)

    gone = delete_account(lin, " Lin ", PASSWORD)

    assert (gone.runs, gone.journal_entries) == (1, 1)
    assert set(rows_of(lin.id).values()) == {0}
    assert not any(path.exists() for path in lin_files)
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(JournalFeedback)) == 1  # ana's
        assert session.scalar(select(func.count()).select_from(Metric)) == 1  # ana's
    assert rows_of(ana.id) == ana_before
    assert artifacts.checkpoint_path(theirs["run_id"]).exists()
    assert (data_dir() / "uploads" / theirs["upload"]).exists()
    with pytest.raises(AccountError):
        authenticate("lin", PASSWORD)  # signed out for good: the account is gone


def test_does_deleting_keep_an_upload_file_that_another_learner_also_uploaded(
    make_learner,
) -> None:
    lin, ana = make_learner("lin"), make_learner("ana")
    shared = datasets.add_upload(lin, penguin_csv(), "a.csv", "tabular", "species")
    datasets.add_upload(ana, penguin_csv(), "b.csv", "tabular", "species")
    delete_account(lin, "lin", PASSWORD)
    assert (data_dir() / "uploads" / shared.dataset.split(":")[1]).exists()
    datasets.require_dataset_access(ana, shared.dataset)  # still Ana's to train on


@pytest.mark.parametrize(
    ("typed", "password", "message"),
    [
        ("", PASSWORD, "Type your username"),
        ("lin2", PASSWORD, "Type your username"),
        ("lin", "", "password is not right"),
        ("lin", "not my password", "password is not right"),
    ],
)
def test_is_a_wrong_confirmation_refused_and_nothing_deleted(
    learner, typed: str, password: str, message: str
) -> None:
    journals.save_draft(learner, "still here")
    before = rows_of(learner.id)
    with pytest.raises(AccountError, match=message):
        delete_account(learner, typed, password)
    assert rows_of(learner.id) == before


def test_is_a_teacher_account_not_deleted_from_here(teacher, klass) -> None:
    with pytest.raises(AccountError, match="teacher"):
        delete_account(teacher, "teacher", PASSWORD)
    assert rows_of(teacher.id)["users"] == 1


def test_does_a_run_still_training_hold_the_deletion_until_it_has_stopped(learner) -> None:
    """Queued runs are cancelled at once; a running one is asked to stop, and deleting waits."""
    queued = jobs.submit(RunSpec(epochs=1), owner_id=learner.id)
    running = jobs.submit(RunSpec(epochs=1), owner_id=learner.id)
    with write_session() as session:  # as the worker leaves a run it is training
        row = session.get_one(Run, running)
        row.status, row.heartbeat_at = "running", utcnow()
    with pytest.raises(AccountError, match="being stopped"):
        delete_account(learner, "lin", PASSWORD)
    assert jobs.status(queued).status == "cancelled"
    assert jobs.status(running).cancel_requested
    assert rows_of(learner.id)["users"] == 1
    jobs.finish(running, "cancelled", "Stopped.")
    delete_account(learner, "lin", PASSWORD)
    assert rows_of(learner.id)["users"] == 0


def test_does_completions_list_my_steps_newest_first(learner) -> None:
    complete_step(learner, StepRef("t", "first", "collaboration"))
    complete_step(learner, StepRef("t", "second", "collaboration"))
    assert [c.step_id for c in my_data.completions(learner)] == ["second", "first"]
