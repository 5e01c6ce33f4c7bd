"""Do the optimisation lab's experiments pass only when the runs really make the comparison?"""

from __future__ import annotations

import pytest

from classroom import progress, runs
from engine import jobs
from engine.spec import RunSpec
from engine.trainer import SilentHooks, train
from labs import evidence
from labs.registry import LABS
from labs.run_pairs import differing_settings, transfer_mismatch
from labs.training_optimisation import (
    DEFAULT_SPEC,
    LAB,
    LAB_ID,
    batch_norm_compared,
    batch_norm_hints,
    data_parallel_compared,
    data_parallel_hints,
    early_stopping_compared,
    early_stopping_hints,
    mixed_precision_hints,
    mixed_precision_used,
    optimiser_hints,
    optimisers_compared,
    rescue_hints,
    rescued_divergence,
    transfer_compared,
    transfer_hints,
)

_ids = iter(range(1, 10_000))


def run(status="done", result=None, **settings):
    """A constructed outcome: the default spec with some settings changed."""
    return {
        "id": next(_ids),
        "status": status,
        "spec": {**DEFAULT_SPEC.model_dump(), **settings},
        "result": {"val_accuracy": 0.95, "samples_per_second": 1000.0, **(result or {})},
    }


def with_others(this, *others):
    return {**this, "others": list(others)}


def hints_text(hints) -> str:
    return " ".join(hints)


def test_the_lab_is_registered_for_both_competencies() -> None:
    assert LABS[LAB_ID] is LAB
    assert LAB.competencies == ("cognitive-flexibility", "digital-literacy")
    assert LAB.default_spec.dataset == "digits" and LAB.default_spec.epochs <= 10


def test_differing_settings_name_only_what_changed() -> None:
    a = DEFAULT_SPEC.model_dump()
    assert differing_settings(a, {**a, "batch_norm": True, "learning_rate": 0.1}) == [
        "batch_norm",
        "learning_rate",
    ]
    assert differing_settings(a, a) == []


# --- batch norm ----------------------------------------------------------------------------


def test_batch_norm_passes_with_a_partner_that_changes_only_batch_norm() -> None:
    on, off = run(batch_norm=True), run(batch_norm=False, seed=3)  # the seed does not count
    assert batch_norm_compared(with_others(on, off))
    assert batch_norm_compared(with_others(off, on))


@pytest.mark.parametrize(
    ("others", "phrase"),
    [
        ([], "again with batch norm off"),
        ([run(batch_norm=False, learning_rate=0.01)], "also differ in learning rate"),
        ([run("diverged", batch_norm=False)], "again with batch norm off"),
    ],
)
def test_batch_norm_fails_otherwise_and_says_what_to_change(others, phrase) -> None:
    this = with_others(run(batch_norm=True), *others)
    assert not batch_norm_compared(this)
    assert phrase in hints_text(batch_norm_hints(this))


def test_an_unfinished_run_cannot_make_a_comparison() -> None:
    this = with_others(run("cancelled", batch_norm=True), run(batch_norm=False))
    assert not batch_norm_compared(this)
    assert "ended as cancelled" in hints_text(batch_norm_hints(this))


# --- optimisers ----------------------------------------------------------------------------


def test_three_optimisers_on_the_same_network_pass() -> None:
    adam = run(optimizer="adam", learning_rate=0.001)
    sgd = run(optimizer="sgd", learning_rate=0.05, momentum=0.9)
    rms = run(optimizer="rmsprop", learning_rate=0.001)
    assert optimisers_compared(with_others(adam, sgd, rms))
    assert optimisers_compared(with_others(rms, adam, sgd))


def test_optimiser_hints_name_what_is_missing_and_why_a_run_does_not_count() -> None:
    adam = run(optimizer="adam")
    plain_sgd = run(optimizer="sgd", learning_rate=0.05, momentum=0.0)
    wide_rms = run(optimizer="rmsprop", hidden_units=256)
    this = with_others(adam, plain_sgd, wide_rms)
    assert not optimisers_compared(this)
    text = hints_text(optimiser_hints(this))
    assert "SGD with momentum, RMSprop" in text
    assert "momentum 0" in text and "also differs in hidden units" in text


# --- rescue a diverging run ----------------------------------------------------------------


def test_a_clipped_run_at_rate_one_rescues_a_failed_one() -> None:
    failed = run("diverged", result={"val_accuracy": None}, optimizer="sgd", learning_rate=1.0)
    stuck = run(result={"val_accuracy": 0.10}, optimizer="sgd", learning_rate=1.0)
    rescued = run(
        result={"val_accuracy": 0.93}, optimizer="sgd", learning_rate=1.0, clip_grad_norm=0.1
    )
    assert rescued_divergence(with_others(rescued, failed))
    assert rescued_divergence(with_others(rescued, stuck))
    assert not rescued_divergence(with_others(failed, rescued))  # the failure itself is no rescue


@pytest.mark.parametrize(
    ("this", "others", "phrase"),
    [
        (
            run(
                result={"val_accuracy": 0.93},
                optimizer="sgd",
                learning_rate=1.0,
                clip_grad_norm=0.1,
            ),
            [],
            "First watch a run fail",
        ),
        (
            run(
                result={"val_accuracy": 0.96},
                optimizer="sgd",
                learning_rate=0.1,
                schedule="cosine",
            ),
            [run("diverged", optimizer="sgd", learning_rate=1.0)],
            "Keep it at 1",
        ),
        (
            run(result={"val_accuracy": 0.10}, optimizer="sgd", learning_rate=1.0),
            [],
            "Turn on gradient clipping",
        ),
        (
            run(
                result={"val_accuracy": 0.62, "clipped_fraction": 0.4},
                optimizer="sgd",
                learning_rate=1.0,
                clip_grad_norm=1.0,
            ),
            [run("diverged", optimizer="sgd", learning_rate=1.0)],
            "reached 62.0% validation accuracy, short of 90%. Clipping cut 40%",
        ),
        (
            run(
                result={"val_accuracy": 0.93},
                optimizer="sgd",
                learning_rate=1.0,
                clip_grad_norm=0.1,
            ),
            [run("diverged", optimizer="adam", learning_rate=1.0)],
            "same optimiser",
        ),
    ],
)
def test_rescue_hints_follow_the_runs(this, others, phrase) -> None:
    outcome = with_others(this, *others)
    assert not rescued_divergence(outcome)
    assert phrase in hints_text(rescue_hints(outcome))


def test_the_suggested_rescue_really_works_at_learning_rate_one() -> None:
    """SGD at 1.0 stays near chance; the same run with clipping at norm 0.1 learns."""
    settings = {"model": "dense", "optimizer": "sgd", "learning_rate": 1.0, "epochs": 6}
    failed = train(RunSpec(**settings), SilentHooks())
    rescued = train(RunSpec(**settings, clip_grad_norm=0.1), SilentHooks())
    outcome = with_others(
        {
            "id": 2,
            "status": rescued.status,
            "spec": {**settings, "clip_grad_norm": 0.1},
            "result": rescued.as_dict(),
        },
        {"id": 1, "status": failed.status, "spec": settings, "result": failed.as_dict()},
    )
    assert rescued_divergence(outcome), (failed.test_accuracy, rescued.test_accuracy)


# --- early stopping ------------------------------------------------------------------------


def test_early_stopping_against_an_overfitted_fixed_run_passes() -> None:
    early = run(
        result={"stopped_early": True, "epochs": 9, "best_epoch": 6},
        early_stopping_patience=3,
        epochs=60,
    )
    fixed = run(result={"stopped_early": False, "epochs": 60, "best_epoch": 6}, epochs=60)
    assert early_stopping_compared(with_others(early, fixed))
    assert early_stopping_compared(with_others(fixed, early))


def test_a_fixed_run_that_never_overfitted_does_not_count() -> None:
    early = run(
        result={"stopped_early": True, "epochs": 9, "best_epoch": 6},
        early_stopping_patience=3,
        epochs=60,
    )
    fixed = run(result={"stopped_early": False, "epochs": 60, "best_epoch": 60}, epochs=60)
    outcome = with_others(early, fixed)
    assert not early_stopping_compared(outcome)
    assert "best epoch was 60 of 60" in hints_text(early_stopping_hints(outcome))


def test_early_stopping_that_never_triggered_gets_advice() -> None:
    early = run(
        result={"stopped_early": False, "epochs": 10, "best_epoch": 10}, early_stopping_patience=3
    )
    assert "never triggered in 10 epochs" in hints_text(early_stopping_hints(with_others(early)))


def test_real_runs_make_the_early_stopping_experiment() -> None:
    base = {
        "model": "dense",
        "hidden_units": 256,
        "epochs": 40,
        "learning_rate": 0.01,
        "train_limit": 60,
    }
    fixed = train(RunSpec(**base), SilentHooks())
    early = train(RunSpec(**base, early_stopping_patience=3), SilentHooks())
    outcome = with_others(
        {
            "id": 2,
            "status": early.status,
            "spec": {**base, "early_stopping_patience": 3},
            "result": early.as_dict(),
        },
        {"id": 1, "status": fixed.status, "spec": base, "result": fixed.as_dict()},
    )
    assert early_stopping_compared(outcome)


# --- mixed precision -----------------------------------------------------------------------


def test_a_real_bf16_run_meets_the_mixed_precision_objective() -> None:
    spec = RunSpec(model="dense", epochs=1, mixed_precision="bf16")
    result = train(spec, SilentHooks())
    assert mixed_precision_used(
        {"status": result.status, "spec": spec.model_dump(), "result": result.as_dict()}
    )


@pytest.mark.parametrize(
    ("outcome", "phrase"),
    [
        (run(mixed_precision="off", result={"precision": "float32"}), "choose bf16"),
        (run(mixed_precision="fp16", result={"precision": "float32"}), "used float32"),
        (run("failed", mixed_precision="bf16"), "ended as failed"),
    ],
)
def test_mixed_precision_fails_with_a_reason(outcome, phrase) -> None:
    assert not mixed_precision_used(outcome)
    assert phrase in hints_text(mixed_precision_hints(outcome))


# --- transfer learning ---------------------------------------------------------------------


def test_transfer_against_scratch_with_few_labels_passes() -> None:
    transfer = run(dataset="digits-5-9", train_limit=50, pretrained_from=4, freeze_pretrained=True)
    scratch = run(dataset="digits-5-9", train_limit=50)
    assert transfer_compared(with_others(transfer, scratch))
    assert transfer_compared(with_others(scratch, transfer))


@pytest.mark.parametrize(
    ("this", "others", "phrase"),
    [
        (run(dataset="digits"), [], "source network on digits-0-4"),
        (run(dataset="digits-5-9", pretrained_from=4), [], "200 or fewer"),
        (run(dataset="digits-5-9", train_limit=50, pretrained_from=4), [], "from scratch"),
        (
            run(dataset="digits-5-9", train_limit=50, pretrained_from=4),
            [run(dataset="digits-5-9", train_limit=100)],
            "also differ in training examples",
        ),
    ],
)
def test_transfer_hints_follow_the_runs(this, others, phrase) -> None:
    outcome = with_others(this, *others)
    assert not transfer_compared(outcome)
    assert phrase in hints_text(transfer_hints(outcome))


def test_a_transfer_source_must_have_the_same_network_shape() -> None:
    source = {"model": "cnn", "hidden_units": 64, "depth": 2, "batch_norm": False}
    assert transfer_mismatch(dict(source), source) is None
    message = transfer_mismatch({**source, "model": "dense", "hidden_units": 32}, source)
    assert "model cnn" in message and "hidden units 64" in message


# --- data parallel -------------------------------------------------------------------------


def test_one_and_two_workers_with_throughput_pass() -> None:
    one, two = run(data_parallel=1), run(data_parallel=2)
    assert data_parallel_compared(with_others(two, one))
    assert not data_parallel_compared(with_others(two, run(data_parallel=2)))
    hints = data_parallel_hints(with_others(two, run(data_parallel=1, batch_size=64)))
    assert "also differ in batch size" in hints_text(hints)


# --- evidence: the outcome passed to checks holds the learner's other runs ------------------------


def finished(actor, spec: RunSpec, status="done", **result) -> int:
    run_id = runs.submit_run(actor, spec, LAB_ID)
    jobs.finish(run_id, status, result={"val_accuracy": 0.9, "samples_per_second": 900.0, **result})
    return run_id


def test_check_run_sees_the_owners_other_runs_and_records_the_step(learner) -> None:
    finished(learner, DEFAULT_SPEC.model_copy(update={"data_parallel": 1}))
    two = finished(learner, DEFAULT_SPEC.model_copy(update={"data_parallel": 2}))
    outcomes = {o.objective_id: o for o in evidence.check_run(learner, runs.get_run(learner, two))}
    assert outcomes["data-parallel"].passed
    assert not outcomes["batch-norm"].passed and outcomes["batch-norm"].hints
    assert "dl-data-parallel" in progress.completed_steps(learner)


def test_other_learners_runs_never_count(make_learner) -> None:
    lin, sam = make_learner("lin"), make_learner("sam")
    finished(sam, DEFAULT_SPEC.model_copy(update={"data_parallel": 1}))
    mine = finished(lin, DEFAULT_SPEC.model_copy(update={"data_parallel": 2}))
    run_state = runs.get_run(lin, mine)
    assert evidence.other_outcomes(run_state) == []
    outcomes = {o.objective_id: o for o in evidence.check_run(lin, run_state)}
    assert not outcomes["data-parallel"].passed


def test_a_teacher_sees_the_same_comparison_but_records_nothing(teacher, learner) -> None:
    finished(learner, DEFAULT_SPEC.model_copy(update={"batch_norm": True}))
    other = finished(learner, DEFAULT_SPEC)
    outcomes = evidence.check_run(teacher, runs.get_run(teacher, other))
    assert {o.objective_id: o.passed for o in outcomes}["batch-norm"] is True
    assert "dl-data-parallel" not in progress.completed_steps(learner)
