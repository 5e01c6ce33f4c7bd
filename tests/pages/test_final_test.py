"""The first-network page: runs are scored on validation, the test score stays hidden until the
learner presses "Final test", and runs finished after that are flagged."""

from __future__ import annotations

from classroom import final_tests, progress, runs
from engine import jobs
from engine.spec import RunSpec

PAGE = "pages/first_network.py"


def result(val: float, test: float) -> dict:
    return {
        "val_accuracy": val,
        "best_val_accuracy": val,
        "best_epoch": 10,
        "test_accuracy": test,
        "seconds": 1.5,
        "device": "cpu",
        "samples_per_second": 5000.0,
        "confusion_matrix": [[5, 0], [1, 4]],
        "class_names": ["0", "1"],
    }


def finished_run(learner, val: float, test: float) -> int:
    run_id = runs.submit_run(learner, RunSpec(epochs=1), "first-network")
    jobs.finish(run_id, "done", result=result(val, test))
    return run_id


def open_run(open_page, actor, run_id: int):
    at = open_page(actor, PAGE)
    at.query_params["run"] = str(run_id)
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_the_test_score_stays_hidden_until_the_final_test_then_survives_a_reload(
    open_page, learner
) -> None:
    run_id = finished_run(learner, val=0.97, test=0.955)
    at = open_run(open_page, learner, run_id)
    shown = metrics(at)
    assert shown["Validation accuracy"] == "97.0%"
    assert "95.5%" not in " ".join(shown.values())  # the test score is not on the page
    assert "take the final test once, on the run you pick" in captions(at)
    assert any(w.value.startswith("Not yet: Reach at least 95%") for w in at.warning)
    assert "dl-first-network" not in progress.completed_steps(learner)

    at.button(key=f"final_test_{run_id}").click().run()
    assert metrics(at)["Test accuracy (final test)"] == "95.5%"
    assert any("Objective met" in s.value for s in at.success)
    assert "dl-first-network" in progress.completed_steps(learner)

    reloaded = open_run(open_page, learner, run_id)  # a new session: read from the database
    assert metrics(reloaded)["Test accuracy (final test)"] == "95.5%"
    assert "Final test taken on" in captions(reloaded)
    assert not [b for b in reloaded.button if b.key == f"final_test_{run_id}"]
    assert [t.run_id for t in final_tests.final_tests(learner, run_id)] == [run_id]


def test_a_run_finished_after_the_final_test_is_flagged_and_keeps_its_test_hidden(
    open_page, learner
) -> None:
    chosen = finished_run(learner, val=0.96, test=0.95)
    final_tests.take_final_test(learner, chosen)
    later = finished_run(learner, val=0.98, test=0.975)
    at = open_run(open_page, learner, later)
    assert any(f"finished after your final test on run {chosen}" in w.value for w in at.warning)
    assert "97.5%" not in " ".join(metrics(at).values())
    assert f"You already took the final test on run {chosen}" in captions(at)
    # The run chosen before it carries no such warning.
    at = open_run(open_page, learner, chosen)
    assert not any("finished after your final test" in w.value for w in at.warning)


def test_a_teacher_sees_the_final_test_but_cannot_take_one(open_page, learner, teacher) -> None:
    run_id = finished_run(learner, val=0.97, test=0.955)
    at = open_run(open_page, teacher, run_id)
    assert not [b for b in at.button if b.key == f"final_test_{run_id}"]
    assert "has not taken the final test" in captions(at)
    final_tests.take_final_test(learner, run_id)
    at = open_run(open_page, teacher, run_id)
    assert metrics(at)["Test accuracy (final test)"] == "95.5%"
