"""Does the teacher's matrix show each learner's state on assigned work, and export it safely?"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from classroom import assignments, classes, objective_events, progress
from classroom.accounts import sign_up_learner
from classroom.class_matrix import cell_state, class_matrix, class_progress_csv
from classroom.progress import StepRef
from engine import jobs
from engine.spec import RunSpec
from tests.conftest import PASSWORD

TODAY = date(2026, 3, 10)
LAB_STEP = "dl-clean-pipeline"  # the pipeline lab's "no missing values" objective


def state(**given) -> str:
    base = dict(done=False, passed=False, failed=0, reveals=0, started=False, due=TODAY)
    return cell_state(**{**base, **given}, today=TODAY)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, "not started"),
        ({"started": True}, "in progress"),
        ({"failed": 2}, "in progress"),
        ({"failed": 3}, "stuck"),
        ({"reveals": 1}, "in progress"),
        ({"reveals": 2}, "stuck"),
        ({"reveals": 5, "passed": True}, "in progress"),  # passed once: not stuck
        ({"due": TODAY - timedelta(days=1)}, "overdue"),
        ({"due": TODAY}, "not started"),  # due today is not late yet
        ({"due": TODAY - timedelta(days=1), "failed": 3}, "stuck"),
        ({"due": TODAY - timedelta(days=1), "done": True}, "done"),
        ({"failed": 9, "reveals": 9, "done": True}, "done"),
    ],
)
def test_which_state_does_a_cell_show(given, expected) -> None:
    assert state(**given) == expected


def fail_check(learner, n: int) -> None:
    objective_events.record_event(
        learner, "pipeline-builder", "clean-data", "failed", f"clean-data:{n}", step_id=LAB_STEP
    )


def reveal(learner, event: str, key: str = "clean-data:0") -> None:
    objective_events.record_event(
        learner, "pipeline-builder", "clean-data", event, key, step_id=LAB_STEP
    )


def test_the_matrix_has_a_cell_only_where_work_is_assigned(teacher, klass, make_learner) -> None:
    lin, ola = make_learner("lin"), make_learner("ola")
    due = date.today() + timedelta(days=3)
    assignments.assign(teacher, klass.id, "digital-literacy", due, step_id=LAB_STEP)
    assignments.assign(
        teacher,
        klass.id,
        "critical-thinking",
        due + timedelta(days=1),
        step_id="ct-find-the-leak",
        learner_ids=[ola.id],
    )
    matrix = class_matrix(teacher, klass.id)
    assert [c.step_id for c in matrix.columns] == [LAB_STEP, "ct-find-the-leak"]
    assert matrix.cell(lin.id, "ct-find-the-leak") is None
    assert matrix.cell(ola.id, "ct-find-the-leak").due == due + timedelta(days=1)
    assert matrix.cell(lin.id, LAB_STEP).state == "not started"


def test_failed_checks_and_hints_make_a_learner_stuck_until_they_pass(
    teacher, klass, make_learner
) -> None:
    lin, ola = make_learner("lin"), make_learner("ola")
    assignments.assign(teacher, klass.id, "digital-literacy", date.today(), step_id=LAB_STEP)
    for n in range(3):
        fail_check(lin, n)
    reveal(ola, "hint-1")
    assert class_matrix(teacher, klass.id).cell(ola.id, LAB_STEP).state == "in progress"
    reveal(ola, "hint-2")
    matrix = class_matrix(teacher, klass.id)
    assert matrix.cell(lin.id, LAB_STEP).state == "stuck"
    assert matrix.cell(lin.id, LAB_STEP).failed == 3
    assert matrix.cell(ola.id, LAB_STEP).state == "stuck"
    progress.complete_step(lin, StepRef("digital-literacy", LAB_STEP, "digital-literacy"))
    assert class_matrix(teacher, klass.id).cell(lin.id, LAB_STEP).state == "done"


def test_the_same_failed_outcome_counts_once(teacher, klass, learner) -> None:
    assignments.assign(teacher, klass.id, "digital-literacy", date.today(), step_id=LAB_STEP)
    for _ in range(5):  # one outcome checked on five reruns of the page
        fail_check(learner, 0)
    cell = class_matrix(teacher, klass.id).cell(learner.id, LAB_STEP)
    assert (cell.failed, cell.state) == (1, "in progress")


def test_work_past_its_due_date_is_overdue_and_a_run_in_the_lab_is_in_progress(
    teacher, klass, make_learner
) -> None:
    lin, ola = make_learner("lin"), make_learner("ola")
    due = date.today()
    assignments.assign(teacher, klass.id, "digital-literacy", due, step_id="dl-first-network")
    jobs.submit(RunSpec(epochs=1), owner_id=ola.id, lab_id="first-network")
    now = class_matrix(teacher, klass.id)
    assert now.cell(lin.id, "dl-first-network").state == "not started"
    assert now.cell(ola.id, "dl-first-network").state == "in progress"
    later = class_matrix(teacher, klass.id, today=due + timedelta(days=1))
    assert later.cell(lin.id, "dl-first-network").state == "overdue"
    assert later.cell(ola.id, "dl-first-network").state == "overdue"


def test_a_whole_track_assigns_each_of_its_steps(teacher, klass, learner) -> None:
    assignments.assign(teacher, klass.id, "digital-literacy", date.today())
    matrix = class_matrix(teacher, klass.id)
    from curriculum.catalog import tracks

    assert [c.step_id for c in matrix.columns] == [s.id for s in tracks()["digital-literacy"].steps]


def test_assigning_again_moves_the_due_date_instead_of_adding_a_copy(teacher, klass) -> None:
    first = date.today() + timedelta(days=2)
    assignments.assign(teacher, klass.id, "digital-literacy", first)
    assignments.assign(teacher, klass.id, "digital-literacy", first + timedelta(days=5))
    [only] = assignments.assignments_for_class(teacher, klass.id)
    assert only.due_date == first + timedelta(days=5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"track_id": "no-such-track"}, "Choose one of the tracks"),
        ({"step_id": "ct-find-the-leak"}, "has no such step"),
        ({"due_date": date.today() - timedelta(days=1)}, "in the past"),
        ({"learner_ids": []}, "at least one learner"),
    ],
)
def test_bad_assignments_are_refused_with_a_reason(teacher, klass, kwargs, message) -> None:
    call = {"track_id": "digital-literacy", "due_date": date.today(), **kwargs}
    with pytest.raises(ValueError, match=message):
        assignments.assign(
            teacher,
            klass.id,
            call.pop("track_id"),
            call.pop("due_date"),
            **call,
        )
    assert assignments.assignments_for_class(teacher, klass.id) == []


def test_the_csv_export_escapes_formulas_in_learners_names(teacher, klass) -> None:
    sign_up_learner("mallory", '=HYPERLINK("http://x.example")', PASSWORD, klass.join_code)
    sign_up_learner("plain", "+1 plus", PASSWORD, klass.join_code)
    assignments.assign(teacher, klass.id, "digital-literacy", date.today(), step_id=LAB_STEP)
    lines = class_progress_csv(teacher, klass.id).decode().splitlines()
    assert lines[0] == "learner,username,steps completed (all tracks),6. Clean data with a pipeline"
    rows = sorted(lines[1:], key=lambda r: "plain" in r)
    assert rows[0].startswith('"\'=HYPERLINK(""http://x.example"")",mallory,0,')
    assert rows[1].startswith("'+1 plus,plain,0,")
    assert all(r.endswith(f"not started (due {date.today():%Y-%m-%d})") for r in rows)


def test_a_teacher_with_two_classes_keeps_their_work_apart(teacher, klass, learner) -> None:
    other = classes.create_class(teacher, "Year 12")
    sam = sign_up_learner("sam", "Sam", PASSWORD, other.join_code)
    classes.join_class(learner, other.join_code)  # Lin is in both classes
    due = date.today() + timedelta(days=1)
    assignments.assign(teacher, klass.id, "digital-literacy", due, step_id=LAB_STEP)
    assignments.assign(teacher, other.id, "critical-thinking", due)
    assert [c.name for c in classes.list_classes(teacher)] == ["Year 11", "Year 12"]
    assert [c.step_id for c in class_matrix(teacher, klass.id).columns] == [LAB_STEP]
    assert [m.display_name for m in class_matrix(teacher, other.id).learners] == ["Lin", "Sam"]
    assert {a.track_id for a in assignments.assignments_for_learner(learner)} == {
        "digital-literacy",
        "critical-thinking",
    }
    assert [a.track_id for a in assignments.assignments_for_learner(sam)] == ["critical-thinking"]


def test_a_run_in_the_optimisation_lab_starts_only_the_experiment_it_was_checked_on(
    teacher, klass, learner
) -> None:
    # The lab serves several steps' experiments: pressing Train there starts none by itself.
    step = "dl-data-parallel"
    assignments.assign(teacher, klass.id, "digital-literacy", date.today(), step_id=step)
    jobs.submit(RunSpec(epochs=1), owner_id=learner.id, lab_id="training-optimisation")
    assert class_matrix(teacher, klass.id).cell(learner.id, step).state == "not started"
    objective_events.record_event(
        learner, "training-optimisation", "data-parallel", "failed", "run:x", step_id=step
    )
    assert class_matrix(teacher, klass.id).cell(learner.id, step).state == "in progress"
