"""Page tests with AppTest: what each role sees and can reach."""

from __future__ import annotations

import time

import pytest

from classroom import journals, progress, runs
from engine import jobs
from engine.spec import RunSpec
from tests.conftest import wait_for_end
from tests.pages.helpers import live_panel_status

LEARNER_PAGES = [
    "pages/home.py",
    "pages/track.py",
    "pages/first_network.py",
    "pages/feature_engineering.py",
    "pages/pipeline_builder.py",
    "pages/journal.py",
]
TEACHER_PAGES = [*LEARNER_PAGES, "pages/classes.py"]


def titles(at) -> list[str]:
    return [t.value for t in at.title]


def test_an_anonymous_visitor_sees_the_welcome_page_only(app_as) -> None:
    at = app_as(None)
    assert titles(at) == ["Deep Learning Labs"]
    with pytest.raises(ValueError):
        at.switch_page("pages/home.py")


@pytest.mark.parametrize("page", LEARNER_PAGES)
def test_every_learner_page_renders(app_as, learner, page) -> None:
    at = app_as(learner)
    at.switch_page(page).run()
    assert not at.exception
    assert titles(at), f"{page} shows no title"


@pytest.mark.parametrize("page", TEACHER_PAGES)
def test_every_teacher_page_renders(app_as, teacher, page) -> None:
    at = app_as(teacher)
    at.switch_page(page).run()
    assert not at.exception
    assert titles(at)


def test_a_learner_cannot_reach_the_teachers_class_page(app_as, learner) -> None:
    at = app_as(learner)
    with pytest.raises(ValueError):
        at.switch_page("pages/classes.py")


def test_home_shows_six_competencies_each_opening_its_track(app_as, learner) -> None:
    at = app_as(learner)
    links = [e for e in at.get("page_link")]
    assert len(links) == 6
    assert {link.proto.label for link in links} == {"Open track"}  # short: never cut off
    # Each card names its track as the track's page does: one name per track.
    bars = [bar.proto.text for bar in at.get("progress")]
    assert "Track: From data to a trained network · 0 of 12 steps done" in bars


def test_a_track_lists_its_steps_and_mark_as_read_records_progress(app_as, learner) -> None:
    at = app_as(learner)
    at.query_params["id"] = "digital-literacy"
    at.switch_page("pages/track.py").run()
    labels = [e.label for e in at.expander]
    assert labels[:4] == [
        "1. Read: How a neural network learns",
        "2. Read: CPUs, GPUs and faster training",
        "3. Lab: Train your first network",
        "4. Reflect: Reflect on your run",
    ]
    at.button(key="read_dl-how-networks-learn").click().run()
    assert "dl-how-networks-learn" in progress.completed_steps(learner)


def test_a_concept_page_draws_its_diagram(app_as, learner) -> None:
    at = app_as(learner)
    at.query_params["id"] = "digital-literacy"
    at.switch_page("pages/track.py").run()
    assert not at.exception
    [diagram] = at.get("graphviz_chart")  # the training loop of "How a neural network learns"
    assert "optimiser step" in diagram.proto.spec
    assert not any("```dot" in m.value for m in at.markdown)


def test_an_unknown_track_gives_a_clear_message(app_as, learner) -> None:
    at = app_as(learner)
    at.query_params["id"] = "no-such-track"
    at.switch_page("pages/track.py").run()
    assert "That track does not exist." in [e.value for e in at.error]


def test_training_from_the_lab_page_shows_results_objective_and_journal(
    app_as, learner, worker
) -> None:
    """Press Train, let the real worker train, and see accuracy, the objective and a journal."""
    at = app_as(learner)
    at.switch_page("pages/first_network.py").run()
    at.button[0].click().run()  # the form's Train button
    mine = runs.my_runs(learner, "first-network")
    assert len(mine) == 1 and mine[0].spec["model"] == "dense"
    wait_for_end(mine[0].id)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not at.metric:
        at.run()  # run_every never fires in AppTest: poll by hand
    assert at.metric[0].label == "Validation accuracy"
    assert not any("Test accuracy" in m.label for m in at.metric)  # hidden until a final test
    messages = [e.value for e in (*at.success, *at.warning)]
    assert any("95%" in m for m in messages)
    assert "Reflect on this run" in [h.value for h in at.subheader]


def test_a_learner_cannot_open_another_learners_run_by_url(app_as, make_learner) -> None:
    owner, other = make_learner("owner"), make_learner("other")
    run_id = jobs.submit(RunSpec(epochs=1), owner_id=owner.id, lab_id="first-network")
    at = app_as(other)
    at.query_params["run"] = str(run_id)
    at.switch_page("pages/first_network.py").run()
    shown = " ".join([*(m.value for m in at.markdown), live_panel_status(at)])
    assert f"Run {run_id}" not in shown
    assert any(i.value.startswith("Your runs will appear here.") for i in at.info)


def test_the_teacher_creates_a_class_and_sees_its_join_code(app_as, teacher) -> None:
    at = app_as(teacher)
    at.switch_page("pages/classes.py").run()
    at.text_input[0].input("Biology 7B")
    at.button[0].click().run()
    assert any("Its join code is" in s.value for s in at.success)
    assert any("Join code:" in m.value for m in at.markdown)


def test_the_teacher_sees_progress_and_shared_reflections_as_plain_text(
    app_as, teacher, klass, learner
) -> None:
    run_id = jobs.submit(RunSpec(epochs=1), owner_id=learner.id, lab_id="first-network")
    jobs.finish(run_id, "done", result={"test_accuracy": 0.5})
    hostile = "My run ![pixel](http://evil.example/p.png) <script>alert(1)</script>"
    entry = journals.save_draft(learner, hostile, run_id=run_id)
    journals.set_shared(learner, entry.id, True)
    progress.complete_step(
        learner, progress.StepRef("digital-literacy", "dl-how-networks-learn", "digital-literacy")
    )
    at = app_as(teacher)
    at.switch_page("pages/classes.py").run()
    table = at.dataframe[0].value
    assert list(table["Learner"]) == ["Lin"]
    assert table.iloc[0]["1. How a neural network learns"] == "✓"
    assert hostile in [t.value for t in at.text]  # shown as text, never as Markdown/HTML
    assert not any("evil.example" in m.value for m in at.markdown)


def test_unsharing_hides_a_reflection_from_the_teacher_at_the_next_rerun(
    app_as, teacher, klass, learner
) -> None:
    entry = journals.save_draft(learner, "A reflection I will take back.")
    journals.set_shared(learner, entry.id, True)
    at = app_as(teacher)
    at.switch_page("pages/classes.py").run()
    assert "A reflection I will take back." in [t.value for t in at.text]
    journals.set_shared(learner, entry.id, False)
    at.run()
    assert "A reflection I will take back." not in [t.value for t in at.text]


def test_the_journal_page_lists_entries_and_offers_a_markdown_download(app_as, learner) -> None:
    journals.save_draft(learner, "First thoughts about learning rates.")
    at = app_as(learner)
    at.switch_page("pages/journal.py").run()
    assert "First thoughts about learning rates." in [t.value for t in at.text]
    assert at.get("download_button")


def test_the_cancel_button_stops_a_live_run(app_as, learner, worker) -> None:
    run_id = runs.submit_run(learner, RunSpec(model="cnn", epochs=500), "first-network")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not jobs.metrics_since(run_id):
        time.sleep(0.1)
    at = app_as(learner)
    at.query_params["run"] = str(run_id)
    at.switch_page("pages/first_network.py").run()
    at.button(key=f"cancel_{run_id}").click().run()
    assert wait_for_end(run_id).status == "cancelled"
    at.run()
    assert any("You stopped this run" in e.value for e in at.error)


def test_an_interrupted_run_offers_resume_and_the_button_queues_it(app_as, learner) -> None:
    from engine import artifacts
    from engine.training.checkpoint import save_checkpoint

    run_id = runs.submit_run(learner, RunSpec(epochs=5), "first-network")
    jobs.claim_next(worker_pid=1)
    save_checkpoint(artifacts.checkpoint_path(run_id), {"epoch": 2, "step": 60})
    jobs.finish(run_id, "interrupted", "The worker stopped while this run was training.")
    at = app_as(learner)
    at.query_params["run"] = str(run_id)
    at.switch_page("pages/first_network.py").run()
    at.button(key=f"resume_{run_id}").click().run()
    assert jobs.status(run_id).status == "queued"
