"""Lab: search for good hyperparameters with grid, random and Bayesian search."""

from __future__ import annotations

from typing import Any

from classroom.tuning import StudyView
from engine.spec import OPTIMIZER_NAMES
from engine.tuning.analysis import best_row
from engine.tuning.study import STARTUP_TRIALS
from labs.hints import ladder
from labs.objectives import Objective
from labs.registry_types import Lab

MARGIN = 0.02  # beat the default configuration by two percentage points of accuracy
WITHIN = 20  # ... within this many trials
CLOSE_CALL = 0.05  # importances this close to the top one count as a tie
PARAM_LABELS = {
    "learning_rate": "learning rate",
    "batch_size": "batch size",
    "dropout": "dropout",
    "optimizer": "optimiser",
    "hidden_units": "width (units per layer)",
    "depth": "depth (hidden layers)",
}


def beat_default_outcome(view: StudyView) -> dict[str, Any]:
    """What the first objective is checked against, from a study as its page shows it."""
    counted = [t for t in view.trials if t.number < WITHIN]
    values = [t.value for t in counted if t.state == "complete" and t.value is not None]
    return {
        "kind": "beat-default",
        "baseline": view.baseline_value,
        "baseline_status": view.baseline_status,
        "best": max(values) if values else None,
        "finished": len(values),
        "stopped": sum(t.state in ("pruned", "failed") for t in counted),
        "trials": len(counted),
        "method": view.info.settings.method,
        "budget": view.info.settings.budget,
        "best_params": _best_params(view),
        "optimizers": list(view.info.space.optimizers),
        # what the sampler chose once its random start-up trials were over
        "guided_optimizers": sorted(
            {
                t.params["optimizer"]
                for t in counted
                if t.number >= STARTUP_TRIALS and "optimizer" in t.params
            }
        ),
    }


def key_setting_outcome(view: StudyView, choice: str) -> dict[str, Any]:
    return {"kind": "name-the-key-setting", "choice": choice, "importances": view.importances}


def _best_params(view: StudyView) -> dict[str, Any]:
    """The settings of the trial the page calls best (ties broken by validation loss)."""
    best = best_row(view.trials)
    return best.params if best else {}


def beat_the_default(outcome: dict[str, Any]) -> bool:
    baseline, best = outcome.get("baseline"), outcome.get("best")
    return (
        outcome.get("kind") == "beat-default"
        and baseline is not None
        and best is not None
        and best >= baseline + MARGIN - 1e-9
    )


def beat_default_hints(outcome: dict[str, Any]) -> list[str]:
    return ladder(
        "Look at the default configuration's validation accuracy at the top of the trials "
        "table: that is the bar. Then look at what the best trials share: a range that "
        "centres on their values gives the search a better chance.",
        _beat_default_specific(outcome),
    )


def _beat_default_specific(outcome: dict[str, Any]) -> list[str]:
    baseline, best = outcome.get("baseline"), outcome.get("best")
    if baseline is None:
        status = outcome.get("baseline_status") or "not started"
        return [
            f"The default configuration's run is {status}: its validation accuracy is the bar "
            "to beat, so wait for it to finish (or start a study if none is running)."
        ]
    if baseline + MARGIN > 1.0:
        return [
            f"The default configuration already reaches {baseline:.0%} here, so there is no "
            "room to beat it. Choose the penguins table or fewer epochs per trial."
        ]
    if best is None:
        return ["No trial has finished yet. Wait for the first ones, or start a study."]
    hints = [
        f"Your best trial reached {best:.1%} validation accuracy; the default reaches "
        f"{baseline:.1%}, so you need "
        f"{baseline + MARGIN:.1%} within the first {WITHIN} trials."
    ]
    if outcome.get("stopped", 0) * 2 > outcome.get("trials", 0):
        hints.append(
            f"{outcome['stopped']} of {outcome['trials']} trials were stopped early or failed. "
            "Narrow the ranges away from the values those trials used."
        )
    lr = outcome.get("best_params", {}).get("learning_rate")
    if lr:
        hints.append(
            f"Your best trial used a learning rate of {lr:.2g}. Centre the learning-rate range "
            f"on it (say {lr / 3:.2g} to {min(lr * 3, 10):.2g}) and search again."
        )
    hints += _one_optimizer_hint(outcome)
    if outcome.get("method") in ("grid", "random"):
        hints.append(
            "Grid and random search ignore what earlier trials found. TPE and the Gaussian "
            "process spend later trials near the best ones: try one of them."
        )
    return hints


def _one_optimizer_hint(outcome: dict[str, Any]) -> list[str]:
    """A Bayesian study that, after its start-up, only ever tried one of several optimisers."""
    guided, allowed = outcome.get("guided_optimizers") or [], outcome.get("optimizers") or []
    if outcome.get("method") not in ("tpe", "gp") or len(guided) != 1 or len(allowed) < 2:
        return []
    if outcome.get("trials", 0) < STARTUP_TRIALS + 4:
        return []
    others = " or ".join(OPTIMIZER_NAMES.get(o, o) for o in allowed if o != guided[0])
    return [
        f"After its first {STARTUP_TRIALS} random trials your study only tried "
        f"{OPTIMIZER_NAMES.get(guided[0], guided[0])}. The sampler searches near its best "
        "trials so far, so an optimiser that did badly early (perhaps only because of the "
        f"learning rate it drew) may never be tried again. Run a study with {others} alone, or "
        "another seed, to give it a fair chance."
    ]


def named_key_setting(outcome: dict[str, Any]) -> bool:
    scores: dict[str, float] = outcome.get("importances") or {}
    choice = outcome.get("choice")
    if outcome.get("kind") != "name-the-key-setting" or choice not in scores:
        return False
    return scores[choice] >= max(scores.values()) - CLOSE_CALL


def key_setting_hints(outcome: dict[str, Any]) -> list[str]:
    nudge = (
        "Open the importance chart: each bar shows how much of the differences in validation "
        "accuracy between trials one setting explains."
    )
    scores = outcome.get("importances")
    if not scores:
        return ladder(
            nudge,
            [
                "Your study has no importance chart yet: it appears once five trials have "
                "finished and at least one setting varies. Let the study run, then look again."
            ],
        )
    choice = outcome.get("choice")
    share = scores.get(choice, 0.0) if choice else 0.0
    label = PARAM_LABELS.get(choice or "", "that setting")
    return ladder(
        nudge,
        [
            (
                f"You chose {label}, which explains about {share:.0%} of the differences in "
                "validation accuracy in this study; the longest bar"
                if choice
                else "In this study the longest bar"
            )
            + f" explains about {max(scores.values()):.0%}. Name the setting with that bar.",
            "In the parallel coordinates chart, follow the lines of the best trials: on the "
            "axis that matters they bunch together, on the others they spread out.",
        ],
    )


SOLUTIONS = {
    "beat-default": (
        "Keep the learning rate on a log range from 0.0001 to 0.1, allow Adam, and run the "
        "Gaussian-process sampler (or TPE) with a budget of about 15 trials. After a few "
        "exploring trials these samplers concentrate near the best settings found so far, which "
        "usually beats the default within the budget."
    ),
    "name-the-key-setting": (
        "Once at least five trials have finished, open the importance chart: the setting with "
        "the longest bar explains most of the change in validation accuracy. Name it, then "
        "check on the parallel-coordinates chart that the good trials really share some "
        "values of it."
    ),
}


BEAT_DEFAULT = Objective(
    id="beat-default",
    text=f"Beat the default configuration's validation accuracy by {MARGIN * 100:.0f} "
    f"percentage points within {WITHIN} trials",
    check=beat_the_default,
    hints=beat_default_hints,
    solution=lambda _outcome: SOLUTIONS["beat-default"],
)
NAME_KEY_SETTING = Objective(
    id="name-the-key-setting",
    text="Name the hyperparameter that mattered most in your study",
    check=named_key_setting,
    hints=key_setting_hints,
    solution=lambda _outcome: SOLUTIONS["name-the-key-setting"],
)

LAB = Lab(
    id="hyperparameter-tuning",
    title="Hyperparameter tuning",
    competencies=("self-directed-learning",),
    # None: progress is recorded from the study as the page shows it (labs.evidence), not by
    # checking each trial's run on its own.
    default_spec=None,
    objectives=(BEAT_DEFAULT, NAME_KEY_SETTING),
)
