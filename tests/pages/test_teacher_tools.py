"""The teacher's tools in the app: assign work, see it on the learner's home, remove a learner,
the matrix and its CSV, a learner's detail page, and hints revealed one step at a time."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from classroom import assignments, classes, final_tests, journals, objective_events, progress
from db.models import Assignment
from db.session import write_session
from engine import jobs
from engine.spec import RunSpec
from tests.classroom.people import add_user
from tests.pages.helpers import add_stage, run_pipeline

CLASSES = "pages/classes.py"


def texts(at) -> list[str]:
    return [e.value for e in (*at.markdown, *at.success, *at.info, *at.warning, *at.caption)]


def matrix_spec(at) -> dict:
    [chart] = [c for c in at.get("plotly_chart") if "heatmap" in c.proto.spec]
    return json.loads(chart.proto.spec)


def test_the_teacher_assigns_a_track_with_a_due_date_and_the_learner_sees_it(
    app_as, teacher, klass, learner
) -> None:
    due = date.today() + timedelta(days=5)
    at = app_as(teacher)
    at.switch_page(CLASSES).run()
    at.selectbox(key="assign_track").select("critical-thinking").run()
    at.date_input(key="assign_due").set_value(due)
    at.button(key="FormSubmitter:assign_work-Assign").click().run()
    assert not at.exception
    assert any(f"due {due:%a} {due.day} {due:%b %Y}" in s.value for s in at.success)
    [work] = assignments.assignments_for_class(teacher, klass.id)
    assert (work.track_id, work.step_id, work.learner_id, work.due_date) == (
        "critical-thinking",
        None,
        None,
        due,
    )
    assert matrix_spec(at)["data"][0]["y"] == ["Lin"]

    home = app_as(learner)
    assert "Assigned to you" in [h.value for h in home.subheader]
    line = next(m for m in texts(home) if "whole track" in m)
    assert f"due {due:%a %d %b}" in line and "0 of" in line


def test_work_for_chosen_learners_is_shown_to_them_only(app_as, teacher, klass, make_learner):
    lin, ola = make_learner("lin"), make_learner("ola")
    at = app_as(teacher)
    at.switch_page(CLASSES).run()
    at.selectbox(key="assign_track").select("digital-literacy").run()
    at.selectbox(key="assign_step").select("dl-first-network")
    at.multiselect(key="assign_learners").select(ola)
    at.button(key="FormSubmitter:assign_work-Assign").click().run()
    assert not at.exception
    assert any("to Ola" in s.value for s in at.success)
    assert "Assigned to you" in [h.value for h in app_as(ola).subheader]
    assert "Assigned to you" not in [h.value for h in app_as(lin).subheader]


def test_withdrawing_an_assignment_removes_it(app_as, teacher, klass, learner) -> None:
    [work] = assignments.assign(teacher, klass.id, "digital-literacy", date.today())
    at = app_as(teacher)
    at.switch_page(CLASSES).run()
    at.button(key=f"unassign_{work.id}").click().run()
    assert assignments.assignments_for_class(teacher, klass.id) != []  # it asks first
    at.button(key=f"unassign_{work.id}_yes").click().run()
    assert not at.exception
    assert assignments.assignments_for_class(teacher, klass.id) == []
    assert any(s.value.startswith("Withdrew") for s in at.success)
    assert any("Nothing is assigned" in c.value for c in at.caption)


def test_removing_a_learner_asks_first_then_takes_them_out(app_as, teacher, klass, learner):
    at = app_as(teacher)
    at.switch_page(CLASSES).run()
    at.button(key=f"remove_{learner.id}").click().run()
    assert any("Remove Lin from Year 11?" in w.value for w in at.warning)
    at.button(key="remove_cancelled").click().run()
    assert [m.id for m in classes.roster(teacher, klass.id)] == [learner.id]
    at.button(key=f"remove_{learner.id}").click().run()
    at.button(key="remove_confirmed").click().run()
    assert not at.exception
    assert classes.roster(teacher, klass.id) == []
    assert any("Removed Lin from the class." in i.value for i in at.info)
    assert classes.list_classes(learner) == []


def test_the_matrix_shows_stuck_and_overdue_learners_and_offers_a_csv(
    app_as, teacher, klass, make_learner
) -> None:
    lin, ola = make_learner("lin"), make_learner("ola")
    assignments.assign(
        teacher, klass.id, "digital-literacy", date.today(), step_id="dl-clean-pipeline"
    )
    with write_session() as session:  # work set last week (assign() refuses past dates)
        session.add(
            Assignment(
                class_id=klass.id,
                track_id="digital-literacy",
                step_id="dl-first-network",
                learner_id=ola.id,
                due_date=date.today() - timedelta(days=7),
                created_by=teacher.id,
            )
        )
    for n in range(3):
        objective_events.record_event(
            lin, "pipeline-builder", "clean-data", "failed", f"k{n}", step_id="dl-clean-pipeline"
        )
    at = app_as(teacher)
    at.switch_page(CLASSES).run()
    heatmap = matrix_spec(at)["data"][0]
    assert heatmap["x"] == ["3. Train your first network", "6. Clean data with a pipeline"]
    cells = dict(zip(heatmap["y"], heatmap["text"], strict=True))
    assert cells == {"Lin": ["not assigned", "stuck"], "Ola": ["overdue", "not started"]}
    assert "3 failed checks" in matrix_spec(at)["data"][0]["customdata"][0][1]
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Download the class's progress (CSV)" in labels


def test_the_learner_detail_page_shows_runs_steps_reflections_and_events(
    app_as, teacher, klass, learner
) -> None:
    run_id = jobs.submit(RunSpec(epochs=1), owner_id=learner.id, lab_id="first-network")
    jobs.finish(run_id, "done", result={"val_accuracy": 0.88, "test_accuracy": 0.9})
    objective_events.record_event(
        learner,
        "first-network",
        "reach-95",
        "failed",
        f"run:{run_id}",
        run_id=run_id,
        step_id="dl-first-network",
    )
    progress.complete_step(
        learner, progress.StepRef("digital-literacy", "dl-how-networks-learn", "digital-literacy")
    )
    entry = journals.save_draft(learner, "I changed the learning rate and it helped.")
    journals.set_shared(learner, entry.id, True)
    at = app_as(teacher)
    at.query_params["id"] = str(learner.id)
    at.switch_page("pages/learner.py").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Lin"]
    runs_table = next(d.value for d in at.dataframe if "status" in d.value.columns)
    assert runs_table["run"].tolist() == [run_id]
    assert runs_table["validation accuracy"].tolist() == [0.88]
    assert runs_table["final test accuracy"].isna().all()  # no final test taken yet
    events = next(d.value for d in at.dataframe if "what happened" in d.value.columns)
    assert events["what happened"].tolist() == ["check failed"]
    assert any("How a neural network learns" in c.value for c in at.caption)
    assert "I changed the learning rate and it helped." in [t.value for t in at.text]
    assert "Send feedback" in [b.label for b in at.button]  # the feedback form of the entry

    final_tests.take_final_test(learner, run_id)  # now the learner reports this run's test score
    at.run()
    runs_table = next(d.value for d in at.dataframe if "status" in d.value.columns)
    assert runs_table["final test accuracy"].tolist() == [0.9]


@pytest.mark.parametrize("who", ["other teacher", "unknown id"])
def test_the_detail_page_shows_nothing_of_learners_outside_ones_classes(
    app_as, learner, who
) -> None:
    other = add_user("otherteacher", "teacher")
    at = app_as(other)
    at.query_params["id"] = str(learner.id if who == "other teacher" else 987654)
    at.switch_page("pages/learner.py").run()
    assert not at.exception
    assert any("No learner in your classes has that id" in e.value for e in at.error)
    assert "Lin" not in [t.value for t in at.title]


def test_a_learner_cannot_open_the_detail_page(app_as, learner) -> None:
    at = app_as(learner)
    with pytest.raises(ValueError):
        at.switch_page("pages/learner.py")


def test_hints_are_revealed_in_order_and_each_step_is_recorded(open_page, learner) -> None:
    lab = open_page(learner, "pages/pipeline_builder.py")
    add_stage(lab, "impute", ["score"], Strategy="median")  # 'minutes' keeps its gaps
    run_pipeline(lab)
    assert any("Not yet: No missing values reach the model" in w.value for w in lab.warning)
    labels = [b.label for b in lab.button]
    assert "Show a hint" in labels and "A stronger hint" not in labels
    assert not any("still missing" in i.value for i in lab.info)  # nothing shown before asking

    next(b for b in lab.button if b.label == "Show a hint").click().run()
    assert not lab.exception
    assert any("Look at the missing values table" in i.value for i in lab.info)  # the nudge
    assert not any("still missing" in i.value for i in lab.info)
    assert "Show the solution" not in [b.label for b in lab.button]

    next(b for b in lab.button if b.label == "A stronger hint").click().run()
    assert any(
        "still missing after your last stage, in minutes" in i.value
        and "Add an 'impute' stage" in i.value
        for i in lab.info
    )
    next(b for b in lab.button if b.label == "Show the solution").click().run()
    assert any(s.value.startswith("Solution: Add one 'impute' stage") for s in lab.success)
    assert not [b for b in lab.button if b.label in ("Show a hint", "Show the solution")]

    events = objective_events.events_for_learner(learner)
    assert [e.event for e in events] == ["failed", "hint-1", "hint-2", "solution"]
    assert {e.step_id for e in events} == {"dl-clean-pipeline"}


def test_hints_already_shown_stay_shown_after_a_reload(open_page, learner) -> None:
    first = open_page(learner, "pages/pipeline_builder.py")
    add_stage(first, "impute", ["score"], Strategy="median")
    run_pipeline(first)
    next(b for b in first.button if b.label == "Show a hint").click().run()

    again = open_page(learner, "pages/pipeline_builder.py")  # a new session, as after a reload
    add_stage(again, "impute", ["score"], Strategy="median")
    run_pipeline(again)  # the same pipeline on the same data: the same outcome
    assert any("Look at the missing values table" in i.value for i in again.info)
    labels = [b.label for b in again.button]
    assert "A stronger hint" in labels and "Show a hint" not in labels
    assert [e.event for e in objective_events.events_for_learner(learner)] == ["failed", "hint-1"]
