"""Does each explanation appear exactly when the run shows it, with the run's own numbers?"""

from __future__ import annotations

import pytest

from engine.spec import RunSpec
from engine.trainer import SilentHooks, train
from labs.run_explanations import explain_run, simulate_early_stopping


def epoch_row(epoch, train_loss, val_loss, val_accuracy=0.9, lr=0.001):
    return (
        float(epoch),
        {
            "train_loss": train_loss,
            "train_accuracy": 0.9,
            "val_loss": val_loss,
            "val_accuracy": val_accuracy,
            "learning_rate": lr,
        },
    )


def topics(explanations) -> list[str]:
    return [e.topic for e in explanations]


def text_of(explanations, topic: str) -> str:
    return next(e.text for e in explanations if e.topic == topic)


def real_run(**settings):
    """Train a tiny real run; returns (status, spec, result, rows) as the page has them."""
    spec = RunSpec(**settings)
    hooks = SilentHooks()
    result = train(spec, hooks)
    rows = [(epoch, values) for _, epoch, values in hooks.rows]
    return result.status, spec.model_dump(), result.as_dict(), rows


# --- constructed runs: one per branch ------------------------------------------------------


def test_a_diverged_run_names_the_epoch_the_rate_and_fixes_not_yet_used() -> None:
    rows = [epoch_row(1, 2.0, 2.1, 0.3, lr=0.8), (1.5, {"batch_loss": 40.0, "learning_rate": 0.8})]
    found = explain_run("diverged", {"learning_rate": 0.8}, {}, rows)
    text = text_of(found, "divergence")
    assert "diverged in epoch 2 with a learning rate of 0.8" in text
    assert "clipping" in text and "schedule" in text and "0.08" in text


def test_divergence_advice_leaves_out_a_fix_the_run_already_used() -> None:
    spec = {"learning_rate": 1.0, "clip_grad_norm": 0.5, "schedule": "cosine"}
    text = text_of(explain_run("diverged", spec, {}, []), "divergence")
    assert "epoch 1" in text and "turn on gradient clipping" not in text
    assert "add a warm-up" not in text and "lower the learning rate to 0.1" in text


def test_a_finished_run_whose_loss_blew_up_and_stayed_at_chance_is_explained() -> None:
    rows = [
        (0.4, {"batch_loss": 2.1, "learning_rate": 1.0}),
        (0.7, {"batch_loss": 9.5, "learning_rate": 1.0}),
        epoch_row(1, 3.0, 2.4, 0.11, lr=1.0),
        epoch_row(2, 2.4, 2.3, 0.12, lr=1.0),
    ]
    result = {"class_names": [str(d) for d in range(10)]}
    text = text_of(explain_run("done", {"learning_rate": 1.0}, result, rows), "divergence")
    assert "jumped to 9.5 in epoch 1 with a learning rate of 1" in text
    assert "12%" in text and "2.30" in text


def test_a_spike_in_a_run_that_still_learned_well_is_not_called_divergence() -> None:
    rows = [(0.5, {"batch_loss": 9.5}), epoch_row(1, 0.5, 0.4, 0.93), epoch_row(2, 0.3, 0.3, 0.95)]
    assert "divergence" not in topics(explain_run("done", {}, {}, rows))


def test_overfitting_names_the_turn_and_what_early_stopping_would_have_kept() -> None:
    vals = [1.0, 0.6, 0.5, 0.55, 0.62, 0.7, 0.8]
    trains = [1.1, 0.7, 0.5, 0.4, 0.3, 0.2, 0.1]
    rows = [epoch_row(i + 1, t, v) for i, (t, v) in enumerate(zip(trains, vals, strict=True))]
    text = text_of(explain_run("done", {"epochs": 7}, {}, rows), "overfitting")
    assert "lowest at epoch 3 (0.500)" in text and "rose from epoch 4 to 0.800 by epoch 7" in text
    assert "0.500 to 0.100" in text
    assert "patience of 3 would have stopped at epoch 6 and kept epoch 3" in text


@pytest.mark.parametrize(
    ("vals", "trains"),
    [
        ([1.0, 0.8, 0.6, 0.5, 0.45], [1.0, 0.8, 0.6, 0.5, 0.4]),  # still improving
        ([1.0, 0.6, 0.5, 0.9, 1.2], [1.0, 0.6, 0.5, 0.7, 0.9]),  # both rise: not memorising
        ([1.0, 0.6, 0.5, 0.6], [1.0, 0.6, 0.5, 0.4]),  # one epoch after the best: too soon
    ],
)
def test_no_overfitting_is_claimed_without_the_pattern(vals, trains) -> None:
    rows = [epoch_row(i + 1, t, v) for i, (t, v) in enumerate(zip(trains, vals, strict=True))]
    assert "overfitting" not in topics(explain_run("done", {}, {}, rows))


def test_simulated_early_stopping_matches_the_trainers_rule() -> None:
    assert simulate_early_stopping([1.0, 0.5, 0.6, 0.7, 0.4], 2) == (4, 2)
    assert simulate_early_stopping([1.0, 0.9, 0.8], 2) is None


@pytest.mark.parametrize(
    ("restore", "phrase"),
    [(True, "restored the weights of epoch 6"), (False, "not those of the best epoch 6")],
)
def test_early_stopping_says_where_it_stopped_and_what_it_kept(restore, phrase) -> None:
    spec = {"early_stopping_patience": 3, "restore_best": restore, "epochs": 40}
    result = {"stopped_early": True, "epochs": 9, "best_epoch": 6, "best_val_accuracy": 0.825}
    text = text_of(explain_run("done", spec, result, []), "early-stopping")
    assert "epoch 9 of 40" in text and "for 3 epochs" in text and phrase in text
    assert "82.5%" in text


def test_early_stopping_that_never_triggered_says_so() -> None:
    spec = {"early_stopping_patience": 5, "epochs": 12}
    result = {"stopped_early": False, "epochs": 12, "best_epoch": 11}
    text = text_of(explain_run("done", spec, result, []), "early-stopping")
    assert "never triggered" in text and "11 of 12" in text


@pytest.mark.parametrize(
    ("spec", "share", "phrases"),
    [
        ({"clip_grad_norm": 0.1}, 1.0, ["norm of 0.1", "cut 100%", "Every step"]),
        ({"clip_grad_norm": 5.0}, 0.0, ["norm of 5", "cut 0%", "changed nothing"]),
        ({"clip_grad_value": 0.5}, 0.25, ["value of 0.5", "cut 25%", "largest steps"]),
    ],
)
def test_clipping_reports_the_share_of_steps_it_cut(spec, share, phrases) -> None:
    text = text_of(explain_run("done", spec, {"clipped_fraction": share}, []), "clipping")
    assert all(p in text for p in phrases)


def test_no_clipping_sentence_without_clipping() -> None:
    assert "clipping" not in topics(explain_run("done", {}, {"clipped_fraction": 0.0}, []))


@pytest.mark.parametrize(
    ("asked", "used", "device", "tone", "phrase"),
    [
        ("bf16", "bfloat16", "cpu", "success", "computed in bfloat16 on the CPU"),
        ("fp16", "float16", "cuda", "success", "computed in float16 on the CUDA"),
        ("fp16", "float32", "cpu", "warning", "fell back to float32 on the CPU"),
    ],
)
def test_mixed_precision_says_whether_it_was_used(asked, used, device, tone, phrase) -> None:
    result = {"precision": used, "device": device}
    [found] = [
        e
        for e in explain_run("done", {"mixed_precision": asked}, result, [])
        if e.topic == "precision"
    ]
    assert found.tone == tone and phrase in found.text


def test_throughput_gives_the_total_and_each_data_parallel_worker() -> None:
    result = {
        "samples_per_second": 5230.0,
        "per_worker_samples_per_second": [2600.0, 2630.0],
        "seconds": 4.25,
        "device": "cpu",
    }
    text = text_of(explain_run("done", {"data_parallel": 2}, result, []), "throughput")
    assert "5,230 examples per second on the CPU" in text
    assert "The 2 data-parallel workers" in text and "2,600, 2,630" in text and "4.2 s" in text


@pytest.mark.parametrize(
    ("spec", "phrases"),
    [
        (
            {"pretrained_from": 7, "freeze_pretrained": True, "train_limit": 50},
            ["run 7", "frozen", "only 50 labelled", "91.0%"],
        ),
        ({"pretrained_from": 7}, ["run 7", "fine-tuned every layer", "full training set"]),
        ({"train_limit": 50}, ["random weights", "only 50 labelled"]),
    ],
)
def test_transfer_and_few_labels_are_described(spec, phrases) -> None:
    result = {"val_accuracy": 0.91, "test_accuracy": 0.62}  # no final test taken yet
    text = text_of(explain_run("done", spec, result, []), "transfer")
    assert all(p in text for p in phrases)
    assert "62" not in text


# --- real tiny runs ------------------------------------------------------------------------


def test_a_real_overfitting_run_is_explained_with_its_own_epochs() -> None:
    status, spec, result, rows = real_run(
        model="dense", hidden_units=256, epochs=30, learning_rate=0.01, train_limit=60
    )
    text = text_of(explain_run(status, spec, result, rows), "overfitting")
    vals = [v["val_loss"] for _, v in rows if "val_loss" in v]
    best = vals.index(min(vals)) + 1
    assert f"lowest at epoch {best} ({min(vals):.3f})" in text
    assert f"kept epoch {best}" in text


def test_a_real_early_stopped_run_names_its_stop_and_best_epochs() -> None:
    status, spec, result, rows = real_run(
        model="dense",
        hidden_units=256,
        epochs=40,
        learning_rate=0.01,
        train_limit=60,
        early_stopping_patience=3,
    )
    found = explain_run(status, spec, result, rows)
    assert result["stopped_early"] and "overfitting" not in topics(found)
    text = text_of(found, "early-stopping")
    assert f"epoch {result['epochs']} of 40" in text
    assert f"epoch {result['best_epoch']}" in text


def test_a_real_run_at_learning_rate_one_with_clipping_and_bf16() -> None:
    status, spec, result, rows = real_run(
        model="dense",
        epochs=2,
        optimizer="sgd",
        learning_rate=1.0,
        clip_grad_norm=0.1,
        mixed_precision="bf16",
    )
    found = explain_run(status, spec, result, rows)
    assert f"cut {result['clipped_fraction']:.0%}" in text_of(found, "clipping")
    assert "bfloat16" in text_of(found, "precision")
    assert f"{result['samples_per_second']:,.0f} examples per second" in text_of(
        found, "throughput"
    )


def test_a_real_run_that_overshoots_at_learning_rate_one_is_explained() -> None:
    status, spec, result, rows = real_run(
        model="dense", epochs=2, optimizer="rmsprop", learning_rate=1.0
    )
    text = text_of(explain_run(status, spec, result, rows), "divergence")
    assert "learning rate of 1" in text and "lower the learning rate to 0.1" in text
