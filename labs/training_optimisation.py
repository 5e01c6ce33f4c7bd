"""Lab: training optimisation. Guided experiments that compare the learner's own runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.spec import RunSpec
from labs.hints import ladder
from labs.objectives import Objective, RunOutcome
from labs.registry_types import Lab
from labs.run_pairs import (
    accuracy_of,
    changed_from_comparison,
    comparison_spec,
    extra_differences,
    finished,
    label,
    pair_hints,
    partner,
    result_of,
    run_name,
    spec_of,
)

LAB_ID = "training-optimisation"
DEFAULT_SPEC = RunSpec(
    model="dense", hidden_units=64, optimizer="adam", learning_rate=0.001, batch_size=32, epochs=10
)
RESCUE_RATE = 1.0  # the diverging run starts here
RESCUE_TARGET = 0.9  # a rescued run reaches this validation accuracy
FEW_LABELS = 200  # at most this many training examples counts as "few labels"
# --- batch norm --------------------------------------------------------------------------


def _bn_differs(a: RunOutcome, b: RunOutcome) -> bool:
    return bool(spec_of(a)["batch_norm"]) != bool(spec_of(b)["batch_norm"])


def batch_norm_compared(outcome: RunOutcome) -> bool:
    return partner(outcome, {"batch_norm"}, _bn_differs) is not None


def batch_norm_hints(outcome: RunOutcome) -> list[str]:
    state = "off" if spec_of(outcome)["batch_norm"] else "on"
    return ladder(
        "Open Compare runs with a run that has batch norm on and one that has it off: only "
        "batch norm should be highlighted as different, so the loss curves show what it did.",
        pair_hints(outcome, {"batch_norm"}, _bn_differs, f"batch norm {state}"),
    )


# --- optimisers --------------------------------------------------------------------------

OPTIMISER_FIELDS = {"optimizer", "learning_rate", "momentum", "nesterov"}
OPTIMISER_FAMILIES = {"adam": "Adam", "sgd-momentum": "SGD with momentum", "rmsprop": "RMSprop"}


def _family(outcome: RunOutcome) -> str:
    spec = spec_of(outcome)
    if spec["optimizer"] == "sgd":
        return "sgd-momentum" if spec["momentum"] > 0 else "sgd"
    return str(spec["optimizer"])


def _comparable_families(outcome: RunOutcome) -> set[str]:
    found = {_family(outcome)} if finished(outcome) else set()
    for other in outcome.get("others", []):
        if (
            finished(outcome)
            and finished(other)
            and not extra_differences(outcome, other, OPTIMISER_FIELDS)
        ):
            found.add(_family(other))
    return found


def optimisers_compared(outcome: RunOutcome) -> bool:
    return set(OPTIMISER_FAMILIES) <= _comparable_families(outcome)


def optimiser_hints(outcome: RunOutcome) -> list[str]:
    return ladder(
        "An optimiser decides how each step uses the gradient. Look at the loss curves of "
        "Adam, SGD with momentum and RMSprop on the same network: in Compare runs only the "
        "optimiser and its learning rate should differ.",
        _optimiser_specific(outcome),
    )


def _optimiser_specific(outcome: RunOutcome) -> list[str]:
    if not finished(outcome):
        return pair_hints(outcome, OPTIMISER_FIELDS, lambda _a, _b: False, "another optimiser")
    found = _comparable_families(outcome)
    missing = [name for key, name in OPTIMISER_FAMILIES.items() if key not in found]
    hints = [
        f"Still to train with this run's other settings: {', '.join(missing)}. Change only "
        "the optimiser and its learning rate (SGD usually needs 0.03 to 0.1, Adam and "
        "RMSprop about 0.001)."
    ]
    if "sgd" in found:
        hints.append("One of your SGD runs has momentum 0: set momentum to 0.9.")
    others = [o for o in outcome.get("others", []) if finished(o)]
    differing = [o for o in others if extra_differences(outcome, o, OPTIMISER_FIELDS)]
    if differing:
        extra = ", ".join(
            label(f) for f in extra_differences(outcome, differing[0], OPTIMISER_FIELDS)
        )
        hints.append(
            f"{run_name(differing[0]).capitalize()} also differs in {extra}, so it does not count."
        )
    return hints


# --- rescue a diverging run --------------------------------------------------------------


def _uses_fix(spec: dict[str, Any]) -> bool:
    clipped = spec["clip_grad_norm"] is not None or spec["clip_grad_value"] is not None
    return clipped or spec["schedule"] != "none" or spec["warmup_epochs"] > 0


def _failed_at_rescue_rate(outcome: RunOutcome) -> bool:
    spec = spec_of(outcome)
    failed = outcome.get("status") == "diverged" or (
        finished(outcome) and accuracy_of(outcome) < 0.5
    )
    return failed and spec["learning_rate"] >= RESCUE_RATE


def _rescue_partner(outcome: RunOutcome) -> RunOutcome | None:
    spec = spec_of(outcome)
    if not (finished(outcome) and spec["learning_rate"] >= RESCUE_RATE and _uses_fix(spec)):
        return None
    if accuracy_of(outcome) < RESCUE_TARGET:
        return None
    others: list[RunOutcome] = outcome.get("others", [])
    for other in others:
        if _failed_at_rescue_rate(other) and spec_of(other)["optimizer"] == spec["optimizer"]:
            return other
    return None


def rescued_divergence(outcome: RunOutcome) -> bool:
    return _rescue_partner(outcome) is not None


def rescue_hints(outcome: RunOutcome) -> list[str]:
    return ladder(
        f"Look at the loss curve of a run at learning rate {RESCUE_RATE:g}: it jumps or shoots "
        "up because each step is too big. Clipping caps the size of every step, and a "
        "schedule with a warm-up starts with small steps: either can tame that rate.",
        _rescue_specific(outcome),
    )


def _no_run_yet(outcome: RunOutcome) -> bool:
    """Help asked for before any run of the learner's was checked."""
    return outcome.get("status") is None and not outcome.get("others")


def _rescue_specific(outcome: RunOutcome) -> list[str]:
    spec = spec_of(outcome)
    if _no_run_yet(outcome):
        return [
            f"You have no run at learning rate {RESCUE_RATE:g} yet. Train one with SGD, "
            "momentum 0.9, no schedule and no clipping, and watch it fail; then train the "
            "same settings again with clipping switched on."
        ]
    failures = [o for o in outcome.get("others", []) if _failed_at_rescue_rate(o)]
    if _failed_at_rescue_rate(outcome):
        failures.append(outcome)
    hints = []
    if not failures:
        hints.append(
            f"First watch a run fail: learning rate {RESCUE_RATE:g}, SGD with momentum 0.9, "
            "no schedule and no clipping."
        )
    if spec["learning_rate"] < RESCUE_RATE:
        hints.append(
            f"This run used a learning rate of {spec['learning_rate']:g}. Keep it at "
            f"{RESCUE_RATE:g}: the task is to tame that rate, not to lower it."
        )
    elif not _uses_fix(spec):
        hints.append(
            "Turn on gradient clipping (try a norm of 0.1) or a schedule with a warm-up, "
            "and keep everything else the same."
        )
    elif finished(outcome) and accuracy_of(outcome) < RESCUE_TARGET:
        share = float(result_of(outcome).get("clipped_fraction") or 0)
        hints.append(
            f"This run reached {accuracy_of(outcome):.1%} validation accuracy, short of "
            f"{RESCUE_TARGET:.0%}. "
            f"Clipping cut {share:.0%} of its steps: a smaller clipping norm (0.1) caps "
            "every step more firmly."
        )
    if failures and finished(outcome) and failures[0]["spec"].get("optimizer") != spec["optimizer"]:
        hints.append(
            f"Your failed run used {failures[0]['spec'].get('optimizer')}; rescue it with the "
            "same optimiser."
        )
    return hints or ["Both runs must finish: the failed one and its rescue."]


# --- early stopping against a fixed long run ---------------------------------------------

EARLY_FIELDS = {"early_stopping_patience", "restore_best", "epochs"}


def _overfitted(outcome: RunOutcome) -> bool:
    """A fixed run whose best validation epoch came well before its last epoch."""
    result = result_of(outcome)
    best, epochs = result.get("best_epoch"), result.get("epochs")
    return best is not None and epochs is not None and best <= epochs - 2


def _early_pair(a: RunOutcome, b: RunOutcome) -> bool:
    for early, fixed in ((a, b), (b, a)):
        stopped = spec_of(early)["early_stopping_patience"] > 0 and result_of(early).get(
            "stopped_early"
        )
        longer = (result_of(fixed).get("epochs") or 0) >= (result_of(early).get("epochs") or 0)
        no_stop = spec_of(fixed)["early_stopping_patience"] == 0
        if stopped and no_stop and longer and _overfitted(fixed):
            return True
    return False


def early_stopping_compared(outcome: RunOutcome) -> bool:
    return partner(outcome, EARLY_FIELDS, _early_pair) is not None


def early_stopping_hints(outcome: RunOutcome) -> list[str]:
    return ladder(
        "Look at a long run's validation loss: when it starts to climb while the training "
        "loss keeps falling, the network has begun to memorise its examples. Early stopping "
        "ends a run near the lowest point of that curve.",
        _early_stopping_specific(outcome),
    )


def _early_stopping_specific(outcome: RunOutcome) -> list[str]:
    spec, result = spec_of(outcome), result_of(outcome)
    if _no_run_yet(outcome):
        return [
            "You have no finished run for this experiment yet. Train a long run (60 epochs, "
            "a limit of 60 training examples, no early stopping), then the same settings "
            "with an early-stopping patience of 5."
        ]
    fixed = [
        o
        for o in [*outcome.get("others", []), outcome]
        if finished(o) and spec_of(o)["early_stopping_patience"] == 0
    ]
    if spec["early_stopping_patience"] and finished(outcome) and not result.get("stopped_early"):
        return [
            f"Early stopping never triggered in {result.get('epochs')} epochs. Give it room "
            "to overfit: more epochs (60) and fewer training examples (a limit of 60 to 100)."
        ]
    if fixed and not any(_overfitted(o) for o in fixed):
        best = result_of(fixed[0])
        when = (
            f"Your fixed run's best epoch was {best.get('best_epoch')} of {best.get('epochs')}: "
            if best.get("best_epoch") is not None
            else "Your fixed run ended without a best epoch: "
        )
        return [
            when + "it did not overfit. Train longer (60 epochs) on few examples (a limit "
            "of 60) with a wide network (256 units)."
        ]
    return pair_hints(outcome, EARLY_FIELDS, _early_pair, "early stopping switched the other way")


# --- mixed precision -------------------------------------------------------------------

PRECISION_NAMES = {"bf16": "bfloat16", "fp16": "float16"}


def mixed_precision_used(outcome: RunOutcome) -> bool:
    asked = spec_of(outcome)["mixed_precision"]
    return (
        finished(outcome)
        and asked in PRECISION_NAMES
        and result_of(outcome).get("precision") == PRECISION_NAMES[asked]
    )


def mixed_precision_hints(outcome: RunOutcome) -> list[str]:
    return ladder(
        "Look at the explanation under a finished run: it names the number format the run "
        "really used. Mixed precision stores numbers in 16 bits instead of 32 where that is "
        "safe, so a run needs less memory and often less time.",
        [_mixed_precision_specific(outcome)],
    )


def _mixed_precision_specific(outcome: RunOutcome) -> str:
    asked, used = spec_of(outcome)["mixed_precision"], result_of(outcome).get("precision")
    if _no_run_yet(outcome):
        return (
            "You have not trained a run with mixed precision yet. Under Hardware choose bf16 "
            "(it runs on CPUs and recent GPUs) or fp16 (GPUs only), and train the default "
            "network."
        )
    if asked == "off":
        return (
            "This run used full 32-bit precision (mixed precision off). Under Hardware choose "
            "bf16 (it runs on CPUs and recent GPUs) or fp16 (GPUs only), and train again."
        )
    if not finished(outcome):
        status = outcome.get("status")
        return f"This run asked for {asked} but ended as {status}: train it to the end."
    return f"You asked for {asked}, but the run used {used}. On a CPU choose bf16."


# --- transfer learning against training from scratch ---------------------------------------

TRANSFER_FIELDS = {"pretrained_from", "freeze_pretrained"}


def _few_labels_target(outcome: RunOutcome) -> bool:
    spec = spec_of(outcome)
    limit = spec["train_limit"]
    return spec["dataset"] == "digits-5-9" and limit is not None and limit <= FEW_LABELS


def _transfer_pair(a: RunOutcome, b: RunOutcome) -> bool:
    both = _few_labels_target(a) and _few_labels_target(b)
    return both and (spec_of(a)["pretrained_from"] is None) != (
        spec_of(b)["pretrained_from"] is None
    )


def transfer_compared(outcome: RunOutcome) -> bool:
    return partner(outcome, TRANSFER_FIELDS, _transfer_pair) is not None


def transfer_hints(outcome: RunOutcome) -> list[str]:
    return ladder(
        "Transfer learning starts from a network that already learned something similar. "
        "Look at how much a network trained on the digits 0 to 4 helps with the digits 5 to 9 "
        "when only few labelled examples are there to learn from.",
        _transfer_specific(outcome),
    )


def _transfer_specific(outcome: RunOutcome) -> list[str]:
    spec = spec_of(outcome)
    if _no_run_yet(outcome):
        return [
            "You have no run for this experiment yet. Start with a source network: train on "
            "digits-0-4 and let it finish."
        ]
    if spec["dataset"] == "digits-0-4":
        return [
            "This run can be your source network. Now train on digits-5-9 twice with the same "
            f"few labels (at most {FEW_LABELS}): once starting from this run, once from scratch."
        ]
    if spec["dataset"] != "digits-5-9":
        return [
            f"This run trained on {spec['dataset']}. Train a source network on digits-0-4 "
            "first. Then train on digits-5-9 twice with the same few labels (at most "
            f"{FEW_LABELS}): once from the source, once from scratch."
        ]
    if not _few_labels_target(outcome):
        used = spec["train_limit"] or "all"
        return [
            f"This run learned from {used} training examples. Set the training examples to "
            f"{FEW_LABELS} or fewer: transfer shines with few labels."
        ]
    other = "from scratch" if spec["pretrained_from"] is not None else "from your digits-0-4 run"
    return pair_hints(outcome, TRANSFER_FIELDS, _transfer_pair, f"the network starting {other}")


# --- data parallelism ------------------------------------------------------------------


# How the workers share a batch only matters with two or more of them, so a one-worker run
# may differ from its partner in it.
PARALLEL_FIELDS = {"data_parallel", "parallel_batch"}


def _own_batches(outcome: RunOutcome) -> bool:
    """Workers that each took a whole batch: the effective batch grew with the workers."""
    spec = spec_of(outcome)
    return bool(spec["data_parallel"] > 1 and spec["parallel_batch"] == "per_worker")


def _workers_differ(a: RunOutcome, b: RunOutcome) -> bool:
    counts = sorted((spec_of(a)["data_parallel"], spec_of(b)["data_parallel"]))
    fast = all(float(result_of(o).get("samples_per_second") or 0) > 0 for o in (a, b))
    same_batch = not (_own_batches(a) or _own_batches(b))
    return counts[0] == 1 and counts[1] >= 2 and fast and same_batch


def data_parallel_compared(outcome: RunOutcome) -> bool:
    return partner(outcome, PARALLEL_FIELDS, _workers_differ) is not None


def _own_batches_hint(outcome: RunOutcome) -> str | None:
    apart = [o for o in [outcome, *outcome.get("others", [])] if finished(o) and _own_batches(o)]
    if not apart:
        return None
    spec = spec_of(apart[0])
    workers, size = spec["data_parallel"], spec["batch_size"]
    return (
        f"In {run_name(apart[0])} each of the {workers} workers took its own batch of {size}, "
        f"so every step used {workers * size} examples and an epoch had fewer steps: that "
        "changes the batch as well as the workers. Under Hardware choose 'Split each batch "
        "between the workers' and train it again."
    )


def data_parallel_hints(outcome: RunOutcome) -> list[str]:
    workers = spec_of(outcome)["data_parallel"]
    what = "1 worker" if workers > 1 else "2 data-parallel workers sharing each batch"
    own = _own_batches_hint(outcome)
    return ladder(
        "Look at the samples per second in each run's explanation: data parallelism shares "
        "the work of every batch between workers, so throughput is what to compare.",
        [
            *([own] if own else []),
            *pair_hints(outcome, PARALLEL_FIELDS, _workers_differ, what),
        ],
    )


# --- which experiments a run tried -----------------------------------------------------------
# A run tries an experiment when it changes the setting under test from the run it is compared
# with (the learner's previous run, or the lab's defaults for a first run), or uses a setting
# that only that experiment needs. Only those get a verdict, and only those can count as a
# failed check for the teacher.


def _changed(*fields: str) -> Callable[[RunOutcome], bool]:
    return lambda outcome: changed_from_comparison(outcome, DEFAULT_SPEC.model_dump(), set(fields))


def tried_optimisers(outcome: RunOutcome) -> bool:
    before = {"spec": comparison_spec(outcome, DEFAULT_SPEC.model_dump())}
    return _family(before) != _family(outcome)


def tried_rescue(outcome: RunOutcome) -> bool:
    at_rate = spec_of(outcome)["learning_rate"] >= RESCUE_RATE
    return at_rate or _changed("clip_grad_norm", "clip_grad_value")(outcome)


def tried_early_stopping(outcome: RunOutcome) -> bool:
    patience = spec_of(outcome)["early_stopping_patience"] > 0
    return patience or _changed("early_stopping_patience")(outcome)


def tried_mixed_precision(outcome: RunOutcome) -> bool:
    precision: str = spec_of(outcome)["mixed_precision"]
    return precision != "off"


def tried_transfer(outcome: RunOutcome) -> bool:
    spec = spec_of(outcome)
    return spec["dataset"] != "digits" or spec["pretrained_from"] is not None


def tried_data_parallel(outcome: RunOutcome) -> bool:
    return spec_of(outcome)["data_parallel"] > 1 or _changed(*PARALLEL_FIELDS)(outcome)


SOLUTIONS = {
    "batch-norm": (
        "Train the default CNN once with batch normalisation off and once with it on, keeping "
        "the learning rate, optimiser, epochs, batch size and seed the same. In Compare runs "
        "the only highlighted difference is then batch norm, and the two curves show which "
        "run learned faster."
    ),
    "optimisers": (
        "Train three runs that differ only in the optimiser: Adam at learning rate 0.001, SGD "
        "with momentum 0.9 at 0.05, and RMSprop at 0.001. Keep the model, epochs, batch size "
        "and seed the same, then compare the three curves side by side."
    ),
    "rescue-divergence": (
        "Keep the learning rate at 1.0, choose SGD with momentum 0.9 and clip the gradient "
        "norm at 0.1. On this lab's digits that run reached about 95% validation accuracy. A "
        "schedule that lowers the rate quickly (step or cosine with a short warm-up) is the "
        "other way out."
    ),
    "early-stopping": (
        "First train a long run, for example 60 epochs without early stopping, and watch the "
        "validation loss climb while the training loss keeps falling. Then train the same "
        "settings with early-stopping patience 5 and 'keep the best epoch' on: it ends close "
        "to the lowest validation loss."
    ),
    "mixed-precision": (
        "Choose mixed precision bf16 on a CPU (fp16 on a GPU) and train the default network. "
        "The explanation under the finished run names the number format the run really used."
    ),
    "transfer": (
        "Train a source run on the digits 0 to 4 and let it finish. Then train two runs on "
        "the digits 5 to 9 with few labels (for example 50 training examples): one from "
        "scratch, one starting from your source run. Compare their validation accuracy."
    ),
    "data-parallel": (
        "Train the same settings twice, once with one data-parallel worker and once with two "
        "that split each batch between them (the default under Hardware). The batch size, "
        "learning rate, epochs and seed stay the same, so both runs take the same batches and "
        "the same number of optimiser steps per epoch, and their curves nearly match: only "
        "the number of workers changed. Compare the samples per second in each run's "
        "explanation. On a small CPU the second worker may not speed things up; saying why "
        "is part of the result."
    ),
}


OBJECTIVES = (
    Objective(
        "batch-norm",
        "Compare batch normalisation on and off, changing nothing else",
        batch_norm_compared,
        batch_norm_hints,
        solution=lambda _outcome: SOLUTIONS["batch-norm"],
        attempted=_changed("batch_norm"),
    ),
    Objective(
        "optimisers",
        "Compare Adam, SGD with momentum and RMSprop on the same network",
        optimisers_compared,
        optimiser_hints,
        solution=lambda _outcome: SOLUTIONS["optimisers"],
        attempted=tried_optimisers,
    ),
    Objective(
        "rescue-divergence",
        f"Rescue a run that fails at learning rate {RESCUE_RATE:g} with a schedule or "
        f"clipping, reaching {RESCUE_TARGET:.0%} validation accuracy",
        rescued_divergence,
        rescue_hints,
        solution=lambda _outcome: SOLUTIONS["rescue-divergence"],
        attempted=tried_rescue,
    ),
    Objective(
        "early-stopping",
        "Let early stopping end a run that a fixed long run overfits",
        early_stopping_compared,
        early_stopping_hints,
        solution=lambda _outcome: SOLUTIONS["early-stopping"],
        attempted=tried_early_stopping,
    ),
    Objective(
        "mixed-precision",
        "Complete a run with mixed precision",
        mixed_precision_used,
        mixed_precision_hints,
        solution=lambda _outcome: SOLUTIONS["mixed-precision"],
        attempted=tried_mixed_precision,
    ),
    Objective(
        "transfer",
        "Compare transfer learning with training from scratch on few labels",
        transfer_compared,
        transfer_hints,
        solution=lambda _outcome: SOLUTIONS["transfer"],
        attempted=tried_transfer,
    ),
    Objective(
        "data-parallel",
        "Compare one and two data-parallel workers on the same batches, and their throughput",
        data_parallel_compared,
        data_parallel_hints,
        solution=lambda _outcome: SOLUTIONS["data-parallel"],
        attempted=tried_data_parallel,
    ),
)

LAB = Lab(
    id=LAB_ID,
    title="Training optimisation",
    competencies=("cognitive-flexibility", "digital-literacy"),
    default_spec=DEFAULT_SPEC,
    objectives=OBJECTIVES,
)


def experiments_met(outcomes: list[RunOutcome]) -> dict[str, int]:
    """Objective id -> the id of a finished run that met it, over all of a learner's runs."""
    met: dict[str, int] = {}
    for outcome in outcomes:
        full = {**outcome, "others": [o for o in outcomes if o is not outcome]}
        for objective in OBJECTIVES:
            if objective.id not in met and objective.check(full):
                met[objective.id] = int(outcome["id"])
    return met
