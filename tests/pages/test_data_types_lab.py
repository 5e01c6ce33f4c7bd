"""The Data Types lab page: four tabs, each previewing its data, offering only models that fit,
and training through the shared run path."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from classroom import datasets, final_tests, runs
from engine import jobs
from engine.data.previews import vocabulary
from engine.spec import RunSpec
from labs.data_types import LAB
from tests.engine.helpers import table_csv, text_csv
from tests.pages.helpers import DATA_TYPES_PAGE as PAGE
from tests.pages.helpers import live_panel_status, open_tab


def figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def values(encoded) -> np.ndarray:
    """A plotly array from a chart's JSON: a plain list, or numpy's typed-array encoding."""
    if isinstance(encoded, dict):
        flat = np.frombuffer(base64.b64decode(encoded["bdata"]), dtype=encoded["dtype"])
        shape = [int(n) for n in str(encoded.get("shape", len(flat))).split(",")]
        return flat.reshape(shape).astype(float)
    return np.array(encoded, dtype=float)


def press(at, label: str):
    [button] = [b for b in at.button if b.label == label]
    button.click().run()
    assert not at.exception, at.exception
    return at


def lab_runs(actor) -> list[jobs.RunStatus]:
    return runs.my_runs(actor, LAB.id)


def test_the_page_opens_with_four_tabs_and_the_image_tab_first(open_page, learner) -> None:
    at = open_page(learner, PAGE)
    assert [t.label for t in at.tabs] == ["Image", "Text", "Audio", "Tabular"]
    grid, augmented = figures(at)[:2]
    assert len(grid["data"]) == 12  # twelve training images, each class in turn
    titles = [a["text"] for a in grid["layout"]["annotations"]]
    assert titles[:10] == [str(d) for d in range(10)]
    assert augmented["layout"]["annotations"][0]["text"] == "original"
    assert any("Augmentation is off" in c.value for c in at.caption)


def test_turning_augmentation_on_changes_the_preview(open_page, learner) -> None:
    at = open_page(learner, PAGE)
    at.toggle(key="dt_image_flip").set_value(True)
    at.slider(key="dt_image_rotate").set_value(30).run()
    assert not at.exception
    augmented = figures(at)[1]
    original = values(augmented["data"][0]["z"])
    variants = [values(t["z"]) for t in augmented["data"][1:]]
    assert any(not np.allclose(v, original) for v in variants)
    assert not any("Augmentation is off" in c.value for c in at.caption)


def test_the_text_tab_shows_the_tokens_and_the_vocabulary_size(open_page, learner) -> None:
    at = open_tab(open_page, learner, "Text")
    at.text_input(key="dt_text_sentence").input("I adapted my plan quickly zorblax").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["token"][:6]) == ["i", "adapted", "my", "plan", "quickly", "zorblax"]
    assert table["status"][5] == "unknown" and set(table["status"][6:]) == {"padding"}
    metrics = {m.label: m.value for m in at.metric}
    expected = len(vocabulary(RunSpec(dataset="competency-sentences", model="lstm")))
    assert metrics["Vocabulary size"] == f"{expected:,}"
    assert metrics["Unknown words"] == "1" and metrics["Tokens read"] == "6 of 32"
    assert any(":orange-badge[zorblax · unknown]" in m.value for m in at.markdown)


def test_a_shorter_token_limit_cuts_the_sentence(open_page, learner) -> None:
    at = open_tab(open_page, learner, "Text")
    at.slider(key="dt_text_tokens").set_value(4)
    at.text_input(key="dt_text_sentence").input("one two three four five six").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Cut off"] == "2" and metrics["Tokens read"] == "4 of 4"


def test_the_audio_tab_draws_waveform_spectrogram_mfcc_and_model_input(open_page, learner) -> None:
    at = open_tab(open_page, learner, "Audio")
    wave, spectrogram, mfcc, model_input = figures(at)
    assert wave["layout"]["xaxis"]["title"]["text"] == "time (s)"
    assert len(values(spectrogram["data"][0]["z"])) == 129  # frequency rows
    assert len(values(mfcc["data"][0]["z"])) == 20
    assert len(values(model_input["data"][0]["z"])) == 20  # MFCC is the default input
    at.segmented_control(key="dt_audio_features").set_value("spectrogram").run()
    assert len(values(figures(at)[3]["data"][0]["z"])) == 129
    assert at.get("audio")  # the clip can be played


def test_the_tabular_tab_shows_rows_before_and_after_encoding(open_page, learner) -> None:
    at = open_tab(open_page, learner, "Tabular")
    before, after, encoding = (d.value for d in at.dataframe[:3])
    assert "island" in before.columns and "species" in before.columns
    assert {"island_Biscoe", "island_Dream", "sex_male"} <= set(after.columns)
    assert list(before.index) == list(after.index)
    assert not after.isna().any().any()
    assert "island_Biscoe" in encoding.set_index("column").loc["island", "model columns"]


@pytest.mark.parametrize(
    ("tab", "offered"),
    [
        ("Image", ["Dense", "CNN"]),
        ("Text", ["Dense", "LSTM", "Transformer"]),
        ("Audio", ["Dense", "CNN"]),
        ("Tabular", ["Dense"]),
    ],
)
def test_only_models_that_fit_the_type_can_be_chosen(open_page, learner, tab, offered) -> None:
    at = open_tab(open_page, learner, tab)
    kind = {"Image": "image", "Text": "text", "Audio": "audio", "Tabular": "tabular"}[tab]
    assert at.segmented_control(key=f"dt_{kind}_model").options == offered


def test_training_submits_a_run_for_the_chosen_type(open_page, learner) -> None:
    at = open_tab(open_page, learner, "Text")
    at.slider(key="dt_text_tokens").set_value(16)
    at.segmented_control(key="dt_text_model").set_value("transformer")
    at.slider(key="dt_text_epochs").set_value(3)
    press(at, "Train")
    [run] = lab_runs(learner)
    assert run.spec["dataset"] == "competency-sentences"
    assert (run.spec["model"], run.spec["epochs"], run.spec["text_max_tokens"]) == (
        "transformer",
        3,
        16,
    )
    assert run.status == "queued"
    assert f"**Run {run.id}** · Waiting" in live_panel_status(at)


def test_no_model_chosen_gives_a_clear_message_and_no_run(open_page, learner) -> None:
    at = open_tab(open_page, learner, "Tabular")
    at.segmented_control(key="dt_tabular_model").set_value(None)
    press(at, "Train")
    assert lab_runs(learner) == []
    assert any("choose one that fits tabular data: Dense" in e.value for e in at.error)


def test_copying_a_model_that_does_not_fit_explains_why(open_page, learner) -> None:
    runs.submit_run(learner, RunSpec(dataset="competency-sentences", model="lstm"), LAB.id)
    at = open_tab(open_page, learner, "Tabular")
    press(at, "Use my last model")
    assert any(
        "LSTM model, which this app does not offer for tabular data" in w.value for w in at.warning
    )
    assert at.segmented_control(key="dt_tabular_model").value == "dense"


def test_copying_a_fitting_model_sets_its_shape(open_page, learner) -> None:
    spec = RunSpec(dataset="penguins", model="dense", hidden_units=128, depth=3)
    runs.submit_run(learner, spec, LAB.id)
    at = open_tab(open_page, learner, "Image")
    press(at, "Use my last model")
    assert at.segmented_control(key="dt_image_model").value == "dense"
    assert at.select_slider(key="dt_image_hidden_units").value == 128
    assert at.slider(key="dt_image_depth").value == 3


def test_a_learners_own_table_is_previewed_and_trained(open_page, learner) -> None:
    upload = datasets.add_upload(learner, table_csv(), "mine.csv", "tabular", "species")
    at = open_tab(open_page, learner, "Tabular")
    at.segmented_control(key="dt_tabular_source").set_value("My own").run()
    assert not at.exception
    assert at.selectbox(key="dt_tabular_upload").value == upload.dataset
    assert list(at.dataframe[1].value.columns) == ["bill", "colour_blue", "colour_red"]
    press(at, "Train")  # 32 per batch is more than this small table's 27 training rows
    assert any("larger than the 27 training examples" in e.value for e in at.error)
    assert lab_runs(learner) == []
    at.select_slider(key="dt_tabular_batch_size").set_value(16)
    press(at, "Train")
    [run] = lab_runs(learner)
    assert run.spec["dataset"] == upload.dataset and run.spec["model"] == "dense"


def test_a_text_file_uploaded_in_the_tab_becomes_the_chosen_dataset(open_page, learner) -> None:
    at = open_tab(open_page, learner, "Text")
    at.segmented_control(key="dt_text_source").set_value("My own").run()
    assert any("no text datasets yet" in i.value for i in at.info)
    at.file_uploader(key="dt_text_file").upload("reviews.csv", text_csv(), "text/csv")
    at.text_input(key="dt_text_target").input("label")
    press(at, "Add dataset")
    [upload] = datasets.uploads_of(learner)
    assert upload.kind == "text" and at.selectbox(key="dt_text_upload").value == upload.dataset
    assert any("was added" in s.value for s in at.success)


def test_a_bad_upload_is_refused_with_the_engines_message(open_page, learner) -> None:
    at = open_tab(open_page, learner, "Tabular")
    at.segmented_control(key="dt_tabular_source").set_value("My own").run()
    at.file_uploader(key="dt_tabular_file").upload("empty.csv", b"", "text/csv")
    at.text_input(key="dt_tabular_target").input("species")
    press(at, "Add dataset")
    assert any("empty" in e.value for e in at.error)
    assert datasets.uploads_of(learner) == []


def test_a_finished_run_shows_results_objectives_and_the_cross_type_table(
    open_page, learner
) -> None:
    image = runs.submit_run(learner, RunSpec(dataset="digits", model="dense", epochs=1), LAB.id)
    jobs.finish(
        image, "done", result={"val_accuracy": 0.92, "test_accuracy": 0.91, "parameters": 8906}
    )
    table = runs.submit_run(learner, RunSpec(dataset="penguins", model="dense", epochs=1), LAB.id)
    result = {
        "test_accuracy": 0.97,
        "val_accuracy": 0.98,
        "best_val_accuracy": 0.99,
        "parameters": 5059,
        "seconds": 1.2,
        "confusion_matrix": [[30, 0, 0], [1, 13, 0], [0, 0, 25]],
        "class_names": ["Adelie", "Chinstrap", "Gentoo"],
    }
    jobs.finish(table, "done", result=result)
    at = open_tab(open_page, learner, "Tabular")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Validation accuracy"] == "98.0%" and metrics["Weights"] == "5,059"
    passed = [s.value for s in at.success]
    assert any("95% validation accuracy on a table" in s for s in passed)
    assert any("same model settings on two different data types" in s for s in passed)
    comparison = at.dataframe[-1].value
    assert list(comparison["data type"]) == ["tabular", "image"]
    assert list(comparison["weights"]) == [5059, 8906]
    assert list(comparison["validation accuracy"]) == [0.98, 0.92]
    assert "test accuracy" not in comparison.columns
    assert at.get("plotly_chart")  # the live chart of the finished run


def test_a_tab_hides_the_test_score_until_the_learner_takes_the_final_test(
    open_page, learner
) -> None:
    spec = RunSpec(dataset="penguins", model="dense", epochs=1)
    older = runs.submit_run(learner, spec, LAB.id)
    jobs.finish(older, "done", result={"val_accuracy": 0.9, "test_accuracy": 0.915})
    result = {"val_accuracy": 0.96, "best_val_accuracy": 0.97, "test_accuracy": 0.935}
    table = runs.submit_run(learner, spec, LAB.id)
    jobs.finish(table, "done", result={**result, "parameters": 5059, "seconds": 1.0})
    at = open_tab(open_page, learner, "Tabular")
    shown = {m.label: m.value for m in at.metric}
    assert shown["Validation accuracy"] == "96.0%"
    options = next(s.options for s in at.selectbox if s.label == "Your tabular runs")
    assert any(o.endswith("96.0% validation") for o in options)
    page_text = " ".join([*shown.values(), *options])
    assert "93.5%" not in page_text and "91.5%" not in page_text  # no test score before it
    assert "take the final test once, on the run you pick" in " ".join(c.value for c in at.caption)

    at.button(key=f"final_test_{table}").click().run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Test accuracy (final test)"] == "93.5%"
    assert final_tests.was_tested(learner.id, table)


def test_the_cognitive_flexibility_track_links_each_step_to_the_lab(app_as, learner) -> None:
    at = app_as(learner)
    at.query_params["id"] = "cognitive-flexibility"
    at.switch_page("pages/track.py").run()
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert "7. Lab: One model, two data types" in labels
    assert labels[-1] == "14. Reflect: Why the same model did differently"
    links = [link.proto.page for link in at.get("page_link")]
    # five data-types steps, four training steps (optimisers, rescue, early stopping,
    # transfer), the reflection
    assert links == ["data_types"] * 5 + ["training_optimisation"] * 4 + ["data_types"]


# --- figure builders (plain data in, plotly figure out) -------------------------------------


def test_grey_images_are_heatmaps_and_colour_images_pictures() -> None:
    from ui.data_types.figures import image_grid_figure

    grey = image_grid_figure(np.zeros((3, 1, 8, 8), np.float32), ["a", "b", "c"])
    colour = image_grid_figure(np.ones((2, 3, 4, 4), np.float32), ["a", "b"])
    assert [t.type for t in grey.data] == ["heatmap"] * 3
    assert [t.type for t in colour.data] == ["image"] * 2
    assert np.asarray(colour.data[0].z).max() == 255


def test_learner_folder_names_in_titles_are_escaped() -> None:
    from ui.data_types.figures import image_grid_figure

    fig = image_grid_figure(np.zeros((1, 1, 4, 4), np.float32), ['<a href="x">cat</a>'])
    assert fig.layout.annotations[0].text == "&lt;a href=&quot;x&quot;&gt;cat&lt;/a&gt;"


def test_a_long_waveform_is_thinned_for_drawing() -> None:
    from ui.data_types.figures import MAX_WAVE_POINTS, waveform_figure

    fig = waveform_figure(np.sin(np.arange(40_000) / 10), 8000)
    assert len(fig.data[0].x) <= MAX_WAVE_POINTS
    assert fig.data[0].x[-1] == pytest.approx(5.0, abs=0.01)  # still reaches the end
