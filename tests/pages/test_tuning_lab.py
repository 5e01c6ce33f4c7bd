"""The hyperparameter tuning page: opening it, bad ranges, starting and reading a study."""

from __future__ import annotations

import pytest

from classroom import progress, tuning
from engine.tuning import records
from engine.tuning.analysis import TrialRow
from engine.tuning.space import SearchSpace
from tests.conftest import WorkerThread, wait_until
from ui.hyperparameter_tuning.figures import parallel_coordinates_figure

PAGE = "pages/hyperparameter_tuning.py"
LAB = "hyperparameter-tuning"


@pytest.fixture
def lab(open_page, learner):
    return open_page(learner, PAGE)


def start_button(at):
    return next(b for b in at.button if b.label == "Start the study")


def test_the_page_opens_with_the_search_space_and_no_study(lab) -> None:
    assert lab.title[0].value == "Hyperparameter tuning"
    assert lab.number_input(key="hp_learning_rate_low").value == pytest.approx(1e-4)
    assert lab.number_input(key="hp_learning_rate_high").value == pytest.approx(0.1)
    assert lab.number_input(key="hp_batch_size_low").value == 16
    assert any("Your studies will appear here" in i.value for i in lab.info)


def test_a_bad_search_space_shows_a_message_per_field_and_starts_nothing(lab, learner) -> None:
    lab.number_input(key="hp_learning_rate_low").set_value(0.0)
    lab.number_input(key="hp_depth_low").set_value(4)
    lab.number_input(key="hp_depth_high").set_value(2)
    start_button(lab).click().run()
    assert not lab.exception
    messages = [e.value for e in lab.error]
    assert any(m.startswith("Learning rate, lowest: must be above 0") for m in messages)
    assert any(m.startswith("Depth, most layers: must not be below") for m in messages)
    assert tuning.my_studies(learner, LAB) == []


def test_a_valid_start_queues_a_study_and_shows_it(lab, learner) -> None:
    lab.number_input(key="hp_budget").set_value(3)
    start_button(lab).click().run()
    assert not lab.exception
    [study] = tuning.my_studies(learner, LAB)
    assert (study.status, study.settings.budget) == ("queued", 3)
    assert study.settings.method == "gp"  # the method that found good settings soonest
    assert any(f"**Study {study.id}**" in m.value for m in lab.markdown)
    assert lab.query_params["study"] == str(study.id)


def test_a_finished_study_shows_its_trials_charts_and_objectives(open_page, learner) -> None:
    settings = records.StudySettings(method="random", budget=3, parallel=1, epochs=2)
    study_id = records.create_study(learner.id, LAB, settings, SearchSpace())
    worker = WorkerThread(max_concurrent=2).start()
    try:
        wait_until(lambda: not records.get_study(study_id).active, 120)
    finally:
        worker.stop()
    at = open_page(learner, PAGE)
    table = at.dataframe[0].value
    assert list(table["trial"]) == [0, 1, 2]
    assert set(table["state"]) == {"Finished"}
    assert table["validation accuracy"].between(0, 1).all()
    assert len(at.get("plotly_chart")) >= 2  # best so far and parallel coordinates
    texts = [m.value for m in (*at.success, *at.warning)]
    assert any("Beat the default configuration" in t for t in texts)
    met = "sdl-beat-the-default" in progress.completed_steps(learner)
    assert met is any("Objective met: Beat the default" in t for t in texts)
    assert any(b.label == "Train the best configuration in full" for b in at.button)


def test_a_classmate_cannot_open_someone_elses_study_by_its_url(open_page, learner, make_learner):
    settings = records.StudySettings(budget=2, epochs=2)
    study_id = records.create_study(learner.id, LAB, settings, SearchSpace())
    classmate = make_learner("sam")
    at = open_page(classmate, PAGE)
    at.query_params["study"] = str(study_id)
    at.run()
    assert not at.exception
    assert not any(f"Study {study_id}" in m.value for m in at.markdown)
    assert any("Your studies will appear here" in i.value for i in at.info)


def test_parallel_coordinates_label_log_axes_from_end_to_end_in_plain_numbers() -> None:
    rows = [
        TrialRow(n, "complete", {"batch_size": b, "optimizer": o}, 0.5 + n / 10, None, 1)
        for n, (b, o) in enumerate([(16, "adam"), (23, "sgd"), (31, "adam"), (128, "sgd")])
    ]
    batch, optimiser, accuracy = parallel_coordinates_figure(rows, ["batch_size", "optimizer"])[
        "data"
    ][0]["dimensions"]
    assert batch["label"] == "batch size<br>(log scale)"
    assert list(batch["ticktext"]) == ["16", "27", "45", "76", "128"]  # evenly spread, no 1e+02
    assert list(optimiser["ticktext"]) == ["Adam", "SGD"]
    assert list(accuracy["values"]) == [0.5, 0.6, 0.7, 0.8]
