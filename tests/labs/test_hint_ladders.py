"""Does every objective of every lab offer a real hint ladder?

A learner who misses an objective can ask for help one step at a time: hint 1 is a nudge that
names what to look at, hint 2 is built from their own runs (their numbers, their settings) and
the worked solution comes last. This walks EVERY objective in labs.registry.LABS with a few
realistic outcomes (no run yet, a failed run, a run that nearly passed) and fails if any of
them gives fewer than two distinct hints, a hint 2 that only repeats hint 1, or no solution.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine.spec import MODELS_FOR_KIND
from labs.objectives import evaluate, reveal_ladder, revealed_help
from labs.registry import LABS
from ui.data_types.tabs import KIND_WORDS, MODEL_NAMES, WHY_THESE_MODELS, offered_text

_ids = iter(range(1, 10_000))


def score(value: float, **extra: Any) -> dict[str, Any]:
    """A finished run's result with the same validation and test accuracy."""
    return {
        "val_accuracy": value,
        "best_val_accuracy": value,
        "test_accuracy": value,
        "samples_per_second": 500.0,
        **extra,
    }


def run(status: str = "done", result: dict[str, Any] | None = None, **spec: Any) -> dict:
    """A run outcome: its status, the settings that differ from the defaults, its result."""
    return {"id": next(_ids), "status": status, "spec": spec, "result": result or {}}


def with_others(outcome: dict[str, Any], *others: dict[str, Any]) -> dict[str, Any]:
    return {**outcome, "others": list(others)}


DENSE = {"model": "dense"}  # with the default 64 units, Adam and batches of 32
SECTIONS_SHORT = {
    "purpose": "It sorts penguins into three species from body measurements here.",
    "data": "Palmer penguins, split into training, validation and test rows by chance.",
    "group_comment": "Too short.",
    "limits": "Only three islands, measured in a few years by one research team.",
}

# objective id -> {case name: (outcome, a fragment hint 2 must quote from that outcome)}.
# The fragment shows that hint 2 is computed from the learner's own outcome, not fixed text.
CASES: dict[str, dict[str, tuple[dict[str, Any], str]]] = {
    "reach-95": {
        "no run": ({}, ""),
        "diverged": (
            run("diverged", None, **{**DENSE, "optimizer": "sgd"}, learning_rate=1.0),
            "1 ",
        ),
        "nearly": (run("done", score(0.94), **DENSE, learning_rate=0.001, epochs=10), "10"),
    },
    "name-the-leak": {
        "no answer": ({"kind": "name-the-leak", "correct": False}, ""),
        "wrong answer": (
            {"kind": "name-the-leak", "correct": False, "answer": "bill_length_mm"},
            "bill_length_mm",
        ),
    },
    "fewer-features": {
        "no run": ({}, ""),
        "same count": (
            {
                "kind": "fewer-features",
                "before": {"accuracy": 0.985, "n_features": 7},
                "after": {"accuracy": 0.985, "n_features": 7},
                "accuracy_change": 0.0,
                "feature_change": 0,
                "extraction_used": False,
            },
            "7 features",
        ),
        "nearly": (
            {
                "kind": "fewer-features",
                "before": {"accuracy": 0.985, "n_features": 7},
                "after": {"accuracy": 0.97, "n_features": 6},
                "accuracy_change": -0.015,
                "feature_change": -1,
                "extraction_used": False,
            },
            "97.0%",
        ),
    },
    "new-feature-helps": {
        "no run": ({}, ""),
        "no new feature": (
            {
                "kind": "new-feature-helps",
                "before": {"accuracy": 0.95, "n_features": 30},
                "after": {"accuracy": 0.947, "n_features": 29},
                "accuracy_change": -0.003,
                "feature_change": -1,
                "extraction_used": False,
            },
            "94.7%",
        ),
        "nearly": (
            {
                "kind": "new-feature-helps",
                "before": {"accuracy": 0.956, "n_features": 30},
                "after": {"accuracy": 0.956, "n_features": 31},
                "accuracy_change": 0.0,
                "feature_change": 1,
                "extraction_used": True,
            },
            "95.6%",
        ),
    },
    "clean-data": {
        "no run": ({}, ""),
        "no rows": ({"kind": "clean-data", "missing": 0, "rows": 0}, "no rows"),
        "nearly": (
            {"kind": "clean-data", "missing": 3, "rows": 290, "missing_columns": ["minutes"]},
            "minutes",
        ),
    },
    "stored-version": {
        "no run": ({}, ""),
        "no hash": ({"kind": "stored-version", "version": 2, "hash": ""}, "Version 2"),
    },
    "found-drift": {
        "no run": ({}, ""),
        "nothing drifted": ({"kind": "found-drift", "drifted": []}, "PSI"),
    },
    "batch-norm": {
        "no run": ({}, ""),
        "failed": (run("failed", None, **DENSE, batch_norm=True), "failed"),
        "nearly": (
            with_others(
                run("done", score(0.95), **DENSE, batch_norm=True, learning_rate=0.001),
                run("done", score(0.93), **DENSE, batch_norm=False, learning_rate=0.01),
            ),
            "0.001 here, 0.01 there",
        ),
    },
    "optimisers": {
        "no run": ({}, ""),
        "failed": (run("failed", None, **DENSE), "failed"),
        "nearly": (
            with_others(
                run("done", score(0.95), **DENSE),
                run("done", score(0.93), **{**DENSE, "optimizer": "sgd", "learning_rate": 0.05}),
            ),
            "RMSprop",
        ),
    },
    "rescue-divergence": {
        "no run": ({}, ""),
        "lowered the rate": (run("done", score(0.95), **DENSE, learning_rate=0.01), "0.01"),
        "nearly": (
            with_others(
                run(
                    "done",
                    score(0.85, clipped_fraction=0.4),
                    **{**DENSE, "optimizer": "sgd"},
                    learning_rate=1.0,
                    clip_grad_norm=0.5,
                ),
                run("diverged", None, **{**DENSE, "optimizer": "sgd"}, learning_rate=1.0),
            ),
            "85.0%",
        ),
    },
    "early-stopping": {
        "no run": ({}, ""),
        "never stopped": (
            run(
                "done",
                score(0.95, epochs=20, best_epoch=19, stopped_early=False),
                **DENSE,
                early_stopping_patience=5,
                epochs=20,
            ),
            "20 epochs",
        ),
    },
    "mixed-precision": {
        "no run": ({}, ""),
        "wrong format": (
            run("done", score(0.95, precision="float32"), **DENSE, mixed_precision="fp16"),
            "float32",
        ),
        "crashed": (run("failed", None, **DENSE, mixed_precision="bf16"), "bf16"),
    },
    "transfer": {
        "no run": ({}, ""),
        "wrong digits": (run("done", score(0.95), **DENSE, dataset="digits"), "digits"),
        "all labels": (
            run("done", score(0.95), **DENSE, dataset="digits-5-9"),
            "all training examples",
        ),
    },
    "data-parallel": {
        "no run": ({}, ""),
        "failed": (run("failed", None, **DENSE, data_parallel=2), "failed"),
        "nearly": (
            with_others(
                run("done", score(0.95), **DENSE, data_parallel=2, batch_size=64),
                run("done", score(0.95), **DENSE, data_parallel=1, batch_size=32),
            ),
            "64 here, 32 there",
        ),
    },
    "beat-default": {
        "default not run": (
            {"kind": "beat-default", "baseline": None, "baseline_status": "queued"},
            "queued",
        ),
        "nearly": (
            {
                "kind": "beat-default",
                "baseline": 0.9,
                "best": 0.91,
                "finished": 10,
                "stopped": 1,
                "trials": 10,
                "method": "random",
                "best_params": {"learning_rate": 0.003},
            },
            "91.0%",
        ),
    },
    "name-the-key-setting": {
        "no chart": ({"kind": "name-the-key-setting", "choice": "dropout", "importances": {}}, ""),
        "nearly": (
            {
                "kind": "name-the-key-setting",
                "choice": "batch_size",
                "importances": {"learning_rate": 0.6, "batch_size": 0.2, "dropout": 0.2},
            },
            "60%",
        ),
    },
    "image-cnn-beats-dense": {
        "no run": ({}, ""),
        "nearly": (
            with_others(
                run("done", score(0.95), dataset="digits", model="cnn", epochs=5),
                run("done", score(0.96), dataset="digits", model="dense", epochs=5),
            ),
            "96.0%",
        ),
    },
    "text-sequence-model": {
        "no run": ({}, ""),
        "dense": (run("done", score(0.8), dataset="competency-sentences", model="dense"), "80.0%"),
        "nearly": (
            run("done", score(0.83), dataset="competency-sentences", model="lstm", epochs=4),
            "83.0%",
        ),
    },
    "audio-cnn": {
        "no run": ({}, ""),
        "nearly": (
            run("done", score(0.85), dataset="sounds", model="cnn", audio_features="spectrogram"),
            "85.0%",
        ),
    },
    "tabular-dense": {
        "no run": ({}, ""),
        "nearly": (run("done", score(0.9), dataset="penguins", model="dense"), "90.0%"),
    },
    "same-model-two-types": {
        "no run": ({}, ""),
        "one type": (
            run("done", score(0.95), dataset="digits", model="dense", hidden_units=128),
            "128 units",
        ),
    },
    "write-model-card": {
        "empty card": ({"kind": "write-model-card", "sections": {}, "groups": {}}, "0 words"),
        "nearly": (
            {"kind": "write-model-card", "sections": SECTIONS_SHORT, "groups": {}},
            "(2 words)",
        ),
    },
    "plain-explanation": {
        "empty": ({"kind": "plain-explanation", "text": ""}, "0 words"),
        "nearly": (
            {
                "kind": "plain-explanation",
                "text": "The model looks at penguins and guesses their kind from how big they "
                "are. It gets most of them right.",
            },
            "20 words",
        ),
    },
    "review-a-teammate": {
        "empty": ({"kind": "review-a-teammate", "scores": {}, "comment": ""}, "0 words"),
        "nearly": (
            {
                "kind": "review-a-teammate",
                "scores": {"clarity": 3, "evidence": 2, "next_step": 3},
                "comment": "Nice curves, well done.",
            },
            "4 words",
        ),
    },
    "share-a-run": {
        "no run": ({}, ""),
        "failed run": ({"kind": "share-a-run", "run": 9, "status": "failed"}, "Run 9"),
    },
    "fork-and-improve": {
        "no run": ({}, ""),
        "running": (
            {
                "kind": "fork-and-improve",
                "run": 12,
                "status": "running",
                "fork_accuracy": None,
                "origin_accuracy": 0.92,
            },
            "run 12",
        ),
        "nearly": (
            {
                "kind": "fork-and-improve",
                "run": 12,
                "status": "done",
                "fork_accuracy": 0.9,
                "origin_accuracy": 0.92,
            },
            "90.0%",
        ),
    },
    "enter-the-challenge": {
        "no run": ({}, ""),
        "no score": ({"kind": "enter-the-challenge", "run": 5, "score": None}, "Run 5"),
    },
    "share-a-pipeline": {
        "no run": ({}, ""),
        "no stages": ({"kind": "share-a-pipeline", "version": 3, "stages": 0}, "Version 3"),
    },
}

OBJECTIVES = [(lab.id, o) for lab in LABS.values() for o in lab.objectives]
WALK = [
    pytest.param(lab_id, objective, case, outcome, fragment, id=f"{objective.id}:{case}")
    for lab_id, objective in OBJECTIVES
    for case, (outcome, fragment) in CASES.get(objective.id, {}).items()
]


def _plain(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


def test_every_objective_of_every_lab_is_walked() -> None:
    ids = {objective.id for _lab, objective in OBJECTIVES}
    missing = sorted(ids - set(CASES))
    assert not missing, f"objectives without realistic outcomes to walk: {missing}"
    assert sorted(set(CASES) - ids) == [], "cases for objectives that no longer exist"
    assert all(len(cases) >= 2 for cases in CASES.values())


@pytest.mark.parametrize(("lab_id", "objective", "case", "outcome", "fragment"), WALK)
def test_a_missed_objective_offers_a_nudge_a_specific_hint_and_a_solution(
    lab_id: str, objective: Any, case: str, outcome: dict[str, Any], fragment: str
) -> None:
    [checked] = evaluate((objective,), outcome)
    assert not checked.passed, f"{case} should not pass {objective.id}"
    hints = list(checked.hints)
    assert len(hints) >= 2, f"{objective.id} ({case}) offers only {hints}"
    first, rest = _plain(hints[0]), [_plain(h) for h in hints[1:]]
    assert len(set(rest)) == len(rest), "hint 2 repeats itself"
    for later in rest:
        assert later and later != first, "hint 2 repeats hint 1"
        assert later not in first and first not in later, "hint 2 only repeats hint 1"
    second = " ".join(hints[1:])
    assert fragment in second, f"hint 2 does not quote the learner's own {fragment!r}"
    assert checked.solution and len(checked.solution.split()) >= 15
    assert _plain(checked.solution) not in rest
    # The learner sees them one step at a time: nudge, then the specific hint, then the solution.
    assert reveal_ladder(checked) == ["hint-1", "hint-2", "solution"]
    shown = revealed_help(checked, {"hint-1"})
    assert shown == [("hint-1", hints[0])]
    assert [e for e, _ in revealed_help(checked, {"hint-1", "hint-2", "solution"})][-1] == (
        "solution"
    )


@pytest.mark.parametrize(("lab_id", "objective"), OBJECTIVES, ids=lambda v: getattr(v, "id", v))
def test_hint_two_is_computed_from_the_learners_own_outcome(lab_id: str, objective: Any) -> None:
    """Two different situations get two different specific hints (never one fixed text)."""
    seconds = {
        case: tuple(evaluate((objective,), outcome)[0].hints[1:])
        for case, (outcome, _fragment) in CASES[objective.id].items()
    }
    assert len(set(seconds.values())) == len(seconds), seconds


@pytest.mark.parametrize("kind", sorted(MODELS_FOR_KIND))
def test_data_type_tabs_say_what_each_model_can_do_and_what_this_app_offers(kind: str) -> None:
    why, offered = WHY_THESE_MODELS[kind], offered_text(kind)
    # No family is called impossible for a kind of data: only what this app offers is limited.
    for false_claim in ("not offered", "needs a grid", "only reads", "cannot"):
        assert false_claim not in why
    for model in MODELS_FOR_KIND[kind]:
        assert MODEL_NAMES[model] in offered
    assert offered.startswith(f"For {KIND_WORDS[kind]} this app offers")


def test_texts_and_sounds_name_the_models_the_concept_page_pairs_with_them() -> None:
    # cf-one-model-does-not-fit-all.md: audio suits 1-D or 2-D CNNs, often with attention;
    # CNNs are applied to text too.
    assert "1-D CNN" in WHY_THESE_MODELS["audio"] and "attention" in WHY_THESE_MODELS["audio"]
    assert "CNN" in WHY_THESE_MODELS["text"]
