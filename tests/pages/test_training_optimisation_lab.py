"""The training optimisation page with AppTest: controls, refusals, runs and comparisons."""

from __future__ import annotations

import json
import time

import pytest

from classroom import runs
from labs.run_pairs import gpu_count
from labs.training_optimisation import DEFAULT_SPEC, LAB_ID
from tests.conftest import wait_for_end
from tests.pages.helpers import OPTIMISATION_PAGE as PAGE
from tests.pages.helpers import finished_optimisation_run as finished_run
from tests.pages.helpers import live_panel_status


def train_button(at):
    return next(b for b in at.button if b.label == "Train")


def preview_rates(at) -> list[float]:
    chart = next(c for c in at.get("plotly_chart") if "opt_schedule_preview" in c.proto.id)
    figure = json.loads(chart.proto.spec)
    return figure["data"][1]["y"]  # the end-of-epoch dots


def test_the_page_opens_with_every_group_and_a_schedule_preview(open_page, learner) -> None:
    at = open_page(learner, PAGE)
    assert [t.value for t in at.title] == ["Training optimisation"]
    labels = [e.label for e in at.expander]
    for group in ("Network", "Optimiser", "Learning-rate schedule", "Hardware"):
        assert group in labels
    assert preview_rates(at) == pytest.approx([0.001] * DEFAULT_SPEC.epochs)
    assert any(i.value.startswith("Your runs will appear here.") for i in at.info)


def test_the_preview_follows_the_schedule_before_any_training(open_page, learner) -> None:
    at = open_page(learner, PAGE)
    at.selectbox(key="opt_schedule").set_value("step").run()
    at.number_input(key="opt_step").set_value(2).run()
    assert not at.exception
    assert preview_rates(at)[:4] == pytest.approx([0.001, 0.0005, 0.0005, 0.00025])
    assert runs.my_runs(learner, LAB_ID) == []


BAD_SETTINGS = [
    ("opt_warmup", "number_input", 20, "warm-up must be shorter than the run"),
    ("opt_limit", "number_input", 5, "greater than or equal to 10"),
]
if gpu_count() == 0:
    BAD_SETTINGS.append(("opt_device", "radio", "cuda", "no GPU is available on this server"))
    BAD_SETTINGS.append(("opt_precision", "radio", "fp16", "float16 training needs a GPU"))


@pytest.mark.parametrize(("key", "kind", "value", "message"), BAD_SETTINGS)
def test_bad_settings_show_a_message_and_queue_nothing(
    open_page, learner, key, kind, value, message
) -> None:
    at = open_page(learner, PAGE)
    getattr(at, kind)(key=key).set_value(value).run()
    train_button(at).click().run()
    assert not at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert runs.my_runs(learner, LAB_ID) == []


def test_a_transfer_run_from_a_different_network_is_refused(open_page, learner) -> None:
    source = finished_run(learner, dataset="digits-0-4")
    at = open_page(learner, PAGE)
    at.select_slider(key="opt_units").set_value(128).run()
    at.selectbox(key="opt_source").set_value(source).run()
    train_button(at).click().run()
    assert any("hidden units 64" in e.value for e in at.error)
    assert [r.id for r in runs.my_runs(learner, LAB_ID)] == [source]


def test_a_submitted_run_appears_trains_and_is_explained(open_page, learner, worker) -> None:
    at = open_page(learner, PAGE)
    at.toggle(key="opt_bn").set_value(True).run()
    train_button(at).click().run()
    [mine] = runs.my_runs(learner, LAB_ID)
    assert mine.spec["batch_norm"] is True
    assert f"**Run {mine.id}** · " in live_panel_status(at)
    wait_for_end(mine.id)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not at.metric:
        at.run()  # run_every never fires in AppTest: poll by hand
    assert at.metric[0].label == "Validation accuracy"  # the test score waits for a final test
    assert "Test accuracy (final test)" not in [m.label for m in at.metric]
    assert "What this run shows" in [h.value for h in at.subheader]
    assert any("examples per second" in i.value for i in at.info)
    # Hints wait behind "Show a hint" (check / hint(level) / solution): ask for the first.
    at.button(key=f"reveal_{LAB_ID}_batch-norm_run:{mine.id}_hint-1").click().run()
    assert any("Open Compare runs" in i.value for i in at.info)  # first a nudge
    assert not any("again with batch norm off" in i.value for i in at.info)
    at.button(key=f"reveal_{LAB_ID}_batch-norm_run:{mine.id}_hint-2").click().run()
    assert any("again with batch norm off" in i.value for i in at.info)


def test_comparing_two_finished_runs_marks_the_settings_that_differ(open_page, learner) -> None:
    first = finished_run(learner)
    second = finished_run(learner, learning_rate=0.01, batch_norm=True)
    at = open_page(learner, PAGE)
    table = at.dataframe[0].value
    marked = set(table.loc[table["Differs"] == "◆", "Setting or result"])
    assert marked == {"Learning rate", "Batch norm"}
    row = table.set_index("Setting or result").loc["Learning rate"]
    assert (row[f"Run {second}"], row[f"Run {first}"]) == ("0.01", "0.001")
    sentence = f"Run {second} and run {first} differ in: batch norm (True vs False)"
    assert any(m.value.startswith(sentence) for m in at.markdown)
    # The pair changed two settings at once: the batch-norm experiment says so.
    assert any("batch normalisation on and off" in w.value for w in at.warning)
    at.button(key=f"reveal_{LAB_ID}_batch-norm_run:{second}_hint-1").click().run()
    at.button(key=f"reveal_{LAB_ID}_batch-norm_run:{second}_hint-2").click().run()
    assert any("also differ in learning rate (0.01 here, 0.001 there)" in i.value for i in at.info)


def test_an_experiment_met_by_earlier_runs_stays_met_when_a_new_run_is_open(
    open_page, learner
) -> None:
    finished_run(learner)
    on = finished_run(learner, batch_norm=True)
    finished_run(learner, optimizer="sgd", learning_rate=0.03)  # the newest run, opened
    at = open_page(learner, PAGE)
    met = [s.value for s in at.success if "batch normalisation on and off" in s.value]
    assert len(met) == 1 and f"(with run {on})" in met[0]  # the newer of the pair
