"""Does the Data Types lab judge runs by their data type, compare runs fairly, and give hints
drawn from the learner's own runs?"""

from __future__ import annotations

import pytest

from classroom import progress, runs
from classroom.journals import save_draft
from engine import jobs
from engine.data.uploads import store_csv_upload
from engine.spec import MODELS_FOR_KIND, RunSpec
from engine.trainer import SilentHooks, train
from labs import data_types, evidence
from labs.data_types import (
    AUDIO_TARGET,
    DEFAULT_SPECS,
    LAB,
    TABULAR_TARGET,
    TEXT_TARGET,
    audio_cnn,
    audio_hints,
    cnn_beats_dense,
    comparison_rows,
    cross_type_hints,
    image_hints,
    run_kind,
    same_model_two_types,
    tabular_dense,
    tabular_hints,
    text_hints,
    text_sequence_model,
)
from labs.registry import LABS
from tests.engine.helpers import table_csv


def run(dataset="digits", model="cnn", accuracy=0.9, status="done", others=(), **spec):
    """An outcome as labs.evidence builds it: this run and the learner's other runs."""
    return {
        "status": status,
        "spec": RunSpec(dataset=dataset, model=model, **spec).model_dump(),
        # Objectives read the validation score; the test score differs so that a check
        # reading test by mistake would be caught.
        "result": {
            "val_accuracy": accuracy,
            "test_accuracy": round(accuracy - 0.02, 4),
            "parameters": 1000,
            "seconds": 2.0,
        },
        "others": list(others),
    }


def test_the_lab_is_registered_with_an_objective_per_type_and_one_across_types() -> None:
    assert LABS["data-types"] is LAB
    assert LAB.competencies == ("cognitive-flexibility",)
    assert [o.id for o in LAB.objectives] == [
        "image-cnn-beats-dense",
        "text-sequence-model",
        "audio-cnn",
        "tabular-dense",
        "same-model-two-types",
    ]
    assert LAB.default_spec.epochs <= 6  # quick on a CPU


@pytest.mark.parametrize("kind", data_types.KINDS)
def test_each_default_spec_fits_its_type(kind) -> None:
    spec = DEFAULT_SPECS[kind]
    assert run_kind({"spec": spec.model_dump()}) == kind
    assert spec.model in MODELS_FOR_KIND[kind]


# --- image: compare runs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("this", "other", "passed"),
    [
        (
            run(model="cnn", accuracy=0.97, epochs=5),
            run(model="dense", accuracy=0.95, epochs=5),
            True,
        ),
        (
            run(model="dense", accuracy=0.95, epochs=5),
            run(model="cnn", accuracy=0.97, epochs=5),
            True,
        ),
        (
            run(model="cnn", accuracy=0.94, epochs=5),
            run(model="dense", accuracy=0.95, epochs=5),
            False,
        ),
        # not a fair comparison: other epochs, other images
        (
            run(model="cnn", accuracy=0.97, epochs=8),
            run(model="dense", accuracy=0.95, epochs=5),
            False,
        ),
        (
            run(model="cnn", accuracy=0.97, epochs=5),
            run("digits-0-4", model="dense", accuracy=0.95, epochs=5),
            False,
        ),
        # two CNNs are no comparison, nor a dense run that failed
        (
            run(model="cnn", accuracy=0.97, epochs=5),
            run(model="cnn", accuracy=0.95, epochs=5),
            False,
        ),
        (
            run(model="cnn", accuracy=0.97, epochs=5),
            run(model="dense", accuracy=0.1, epochs=5, status="diverged"),
            False,
        ),
    ],
    ids=["cnn now", "dense now", "cnn lost", "other epochs", "other images", "two cnns", "failed"],
)
def test_a_cnn_must_beat_a_dense_network_on_the_same_images(this, other, passed) -> None:
    this["others"] = [other]
    assert cnn_beats_dense(this) is passed


def test_a_single_run_cannot_show_a_comparison_and_the_hint_names_the_missing_run() -> None:
    alone = run(model="cnn", accuracy=0.97, epochs=5)
    assert not cnn_beats_dense(alone)
    hint = " ".join(image_hints(alone))
    assert "Train a dense network on the same images for 5 epochs" in hint
    assert "97.0%" in hint


def test_when_dense_won_the_hint_quotes_both_results() -> None:
    cnn = run(model="cnn", accuracy=0.94, epochs=2)
    cnn["others"] = [run(model="dense", accuracy=0.95, epochs=2)]
    hint = " ".join(image_hints(cnn))
    assert "95.0%" in hint and "94.0%" in hint and "same for both" in hint


# --- text, audio, tables: targets ----------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "passed"),
    [
        (run("competency-sentences", "lstm", TEXT_TARGET), True),
        (run("competency-sentences", "transformer", 0.9), True),
        (run("competency-sentences", "lstm", TEXT_TARGET - 0.001), False),
        (run("competency-sentences", "dense", 0.95), False),  # not a sequence model
        (run("competency-sentences", "lstm", 0.95, status="cancelled"), False),
    ],
)
def test_text_needs_a_sequence_model_at_the_target(outcome, passed) -> None:
    assert text_sequence_model(outcome) is passed


@pytest.mark.parametrize(
    ("outcome", "passed"),
    [
        (run("sounds", "cnn", AUDIO_TARGET, audio_features="mfcc"), True),
        (run("sounds", "cnn", 0.93, audio_features="spectrogram"), True),
        (run("sounds", "cnn", AUDIO_TARGET - 0.01), False),
        (run("sounds", "dense", 0.99), False),
        (run("digits", "cnn", 0.99), False),  # the right model on the wrong data type
    ],
)
def test_audio_needs_a_cnn_at_the_target(outcome, passed) -> None:
    assert audio_cnn(outcome) is passed


@pytest.mark.parametrize(
    ("outcome", "passed"),
    [
        (run("penguins", "dense", TABULAR_TARGET), True),
        (run("wine", "dense", 0.99), True),
        (run("penguins", "dense", 0.9), False),
        (run("digits", "dense", 0.99), False),
    ],
)
def test_tables_need_a_dense_network_at_the_target(outcome, passed) -> None:
    assert tabular_dense(outcome) is passed


def test_an_uploaded_table_counts_as_a_table() -> None:
    dataset = "upload:" + store_csv_upload(table_csv(), "mine.csv", "species")
    outcome = run(dataset, "dense", 0.97)
    assert run_kind(outcome) == "tabular" and tabular_dense(outcome)
    assert "own table" in " ".join(tabular_hints(run(dataset, "dense", 0.6)))


@pytest.mark.parametrize(
    ("hints", "outcome", "phrase"),
    [
        (text_hints, run("competency-sentences", "dense", 0.8), "forgets the order"),
        (text_hints, run("competency-sentences", "transformer", 0.72), "Try LSTM"),
        (text_hints, run("competency-sentences", "lstm", 0.8, text_max_tokens=8), "cut off"),
        (audio_hints, run("sounds", "dense", 0.74), "Choose CNN"),
        (audio_hints, run("sounds", "cnn", 0.7, audio_features="spectrogram"), "MFCC"),
        (tabular_hints, run("penguins", "dense", 0.8, epochs=3), "trained for 3 epochs"),
    ],
)
def test_hints_come_from_the_learners_runs(hints, outcome, phrase) -> None:
    assert phrase in " ".join(hints(outcome))


def test_the_best_earlier_run_is_quoted_in_a_hint() -> None:
    latest = run("digits", "cnn", 0.97)  # a run of another type
    latest["others"] = [
        run("competency-sentences", "lstm", 0.62, epochs=2),
        run("competency-sentences", "lstm", 0.81, epochs=4),
    ]
    text = " ".join(text_hints(latest))
    assert "best lstm run reached 81.0% validation accuracy after 4 epochs" in text


# --- across types --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("this", "other", "passed"),
    [
        (run("digits", "dense", 0.95), run("penguins", "dense", 0.97), True),
        (run("digits", "cnn", 0.97), run("sounds", "cnn", 0.9), True),
        (run("digits", "dense", 0.95), run("digits-0-4", "dense", 0.97), False),  # same type
        (run("digits", "dense", 0.95), run("penguins", "dense", 0.97, hidden_units=32), False),
        (run("digits", "dense", 0.95, depth=3), run("penguins", "dense", 0.97), False),
        # training settings may differ: only the model's shape must match
        (run("digits", "dense", 0.95, epochs=5), run("penguins", "dense", 0.97, epochs=20), True),
        (run("digits", "dense", 0.95), run("penguins", "dense", 0.2, status="failed"), False),
    ],
)
def test_the_same_model_must_run_on_two_data_types(this, other, passed) -> None:
    this["others"] = [other]
    assert same_model_two_types(this) is passed


def test_the_cross_type_hint_names_the_tabs_that_fit_the_model() -> None:
    cnn = " ".join(cross_type_hints(run("digits", "cnn", 0.97)))
    assert "CNN, 64 units, depth 2 on images only" in cnn and "the Audio tab" in cnn
    assert "Tabular" not in cnn  # a CNN does not fit a table
    lstm = " ".join(cross_type_hints(run("competency-sentences", "lstm", 0.9)))
    assert "An LSTM reads only texts" in lstm
    both = run("sounds", "cnn", 0.5, status="failed")  # this run failed; earlier ones count
    both["others"] = [run("digits", "cnn", 0.97), run("sounds", "cnn", 0.95)]
    assert "on images and sounds already show it" in " ".join(cross_type_hints(both))


def test_the_comparison_table_shows_both_runs_side_by_side() -> None:
    rows = comparison_rows([run("digits", "dense", 0.95), run("penguins", "dense", 0.97)])
    assert [r["data type"] for r in rows] == ["image", "tabular"]
    assert rows[1]["validation accuracy"] == 0.97 and rows[0]["model"] == "dense, 64 units, depth 2"
    # The test score waits for the learner's final test: the table compares on validation.
    assert all("test accuracy" not in row for row in rows)


# --- real runs -----------------------------------------------------------------------------


def trained(spec: RunSpec) -> dict:
    result = train(spec, SilentHooks())
    return {"status": result.status, "spec": spec.model_dump(), "result": result.as_dict()}


def test_real_tiny_runs_meet_the_image_tabular_and_cross_type_objectives() -> None:
    # The lab's defaults, on the CPU (measured there: CNN 0.97, dense 0.95, penguins 0.99).
    cnn = trained(DEFAULT_SPECS["image"].model_copy(update={"device": "cpu"}))
    dense = trained(DEFAULT_SPECS["image"].model_copy(update={"device": "cpu", "model": "dense"}))
    table = trained(DEFAULT_SPECS["tabular"].model_copy(update={"device": "cpu"}))
    assert cnn_beats_dense({**cnn, "others": [dense]})
    assert tabular_dense(table)  # the default settings reach the target
    # The default tabular run is a dense network of the same shape as the dense image run.
    assert same_model_two_types({**table, "others": [dense, cnn]})
    assert not same_model_two_types({**cnn, "others": [table]})


def test_evidence_records_steps_from_runs_compared_in_the_database(learner) -> None:
    image = runs.submit_run(learner, RunSpec(dataset="digits", model="dense", epochs=1), LAB.id)
    jobs.finish(image, "done", result={"val_accuracy": 0.93, "test_accuracy": 0.92})
    table = runs.submit_run(learner, RunSpec(dataset="penguins", model="dense", epochs=1), LAB.id)
    jobs.finish(table, "done", result={"val_accuracy": 0.97, "test_accuracy": 0.96})
    outcomes = {
        o.objective_id: o for o in evidence.check_run(learner, runs.get_run(learner, table))
    }
    assert outcomes["same-model-two-types"].passed and outcomes["tabular-dense"].passed
    assert not outcomes["image-cnn-beats-dense"].passed and outcomes["image-cnn-beats-dense"].hints
    done = progress.completed_steps(learner)
    assert "cf-same-model-two-types" in done
    assert "cf-image-cnn-beats-dense" not in done

    words = " ".join(["word"] * evidence.MIN_REFLECTION_WORDS)
    assert evidence.record_reflection(learner, save_draft(learner, words, run_id=table), LAB.id)
    assert "cf-reflect-data-types" in progress.completed_steps(learner)


@pytest.mark.parametrize("objective", LAB.objectives, ids=lambda o: o.id)
def test_every_objective_ends_its_help_with_a_worked_solution(objective) -> None:
    text = objective.solution(run("digits", "cnn", 0.5))
    assert " tab " in text  # it says where to go
    assert "In our runs" in text or "Use my last model" in text  # and what to expect or press
