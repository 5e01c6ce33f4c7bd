"""Does the job queue keep runs in order, cancel them and hand out their metrics exactly once?"""

from __future__ import annotations

import pytest

from db.models import Metric
from db.session import write_session
from engine import jobs
from engine.spec import RunSpec, SpecError
from tests.conftest import wait_for_end, wait_until

QUICK = RunSpec(model="dense", epochs=1)
LONG = RunSpec(model="dense", epochs=300)


def test_does_submit_queue_runs_with_their_place_in_line() -> None:
    first = jobs.submit(QUICK, owner_id=None, lab_id="first-network")
    second = jobs.submit(QUICK, owner_id=None)
    assert first != second
    a, b = jobs.status(first), jobs.status(second)
    assert (a.status, a.queue_position, a.active) == ("queued", 1, True)
    assert (b.status, b.queue_position, b.active) == ("queued", 2, True)
    assert a.spec == QUICK.model_dump() and a.lab_id == "first-network"
    assert a.result is None and a.finished_at is None


def test_does_cancelling_a_queued_run_end_it_at_once_and_move_the_line() -> None:
    first = jobs.submit(QUICK, owner_id=None)
    second = jobs.submit(QUICK, owner_id=None)
    assert jobs.cancel(first) is True
    state = jobs.status(first)
    assert (state.status, state.queue_position) == ("cancelled", None)
    assert state.reason and state.finished_at is not None
    assert jobs.status(second).queue_position == 1
    assert jobs.cancel(first) is False  # already over: nothing to cancel


def test_is_a_cancelled_queued_run_never_started(worker) -> None:
    cancelled = jobs.submit(QUICK, owner_id=None)
    jobs.cancel(cancelled)
    later = jobs.submit(QUICK, owner_id=None)
    assert wait_for_end(later).status == "done"
    assert jobs.status(cancelled).status == "cancelled"
    assert jobs.metrics_since(cancelled) == []


@pytest.mark.parametrize("run_id", [0, 987_654])
def test_do_unknown_runs_have_no_status_and_cannot_be_cancelled(run_id: int) -> None:
    assert jobs.status(run_id) is None
    assert jobs.cancel(run_id) is False
    assert jobs.metrics_since(run_id) == []


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (RunSpec(batch_size=4000), "batch_size"),
        (RunSpec(mixed_precision="fp16", device="cpu"), "mixed_precision"),
    ],
)
def test_is_a_spec_that_cannot_run_refused_before_it_is_queued(spec: RunSpec, field: str) -> None:
    with pytest.raises(SpecError) as caught:
        jobs.submit(spec, owner_id=None)
    assert field in caught.value.errors
    assert jobs.claim_next(worker_pid=1) is None  # nothing was queued


def test_does_cancelling_a_running_run_end_it_as_cancelled(worker) -> None:
    run_id = jobs.submit(LONG, owner_id=None)
    wait_until(lambda: jobs.status(run_id).status == "running" and jobs.metrics_since(run_id))
    assert jobs.cancel(run_id) is True
    state = wait_for_end(run_id)
    assert state.status == "cancelled"
    assert "Cancelled" in state.reason
    assert state.result is not None and state.result["epochs"] < LONG.epochs
    assert jobs.metrics_since(run_id)  # what it learned so far is kept


def test_does_metrics_since_return_only_newer_rows_in_step_order() -> None:
    run_id = jobs.submit(QUICK, owner_id=None)
    steps = [12, 3, 7, 30, 1]  # written out of order, as batched flushes could
    with write_session() as session:
        session.add_all(
            Metric(run_id=run_id, step=s, epoch=s / 30, values={"batch_loss": 1 / s}) for s in steps
        )
    assert [r.step for r in jobs.metrics_since(run_id)] == [1, 3, 7, 12, 30]
    assert [r.step for r in jobs.metrics_since(run_id, after_step=7)] == [12, 30]
    assert jobs.metrics_since(run_id, after_step=30) == []
    (row,) = jobs.metrics_since(run_id, after_step=12)
    assert (row.epoch, row.values) == (1.0, {"batch_loss": pytest.approx(1 / 30)})


def test_does_polling_a_live_run_see_every_row_exactly_once(worker) -> None:
    run_id = jobs.submit(RunSpec(model="dense", epochs=8), owner_id=None)
    seen: list[int] = []

    def poll() -> bool:
        seen.extend(r.step for r in jobs.metrics_since(run_id, seen[-1] if seen else -1))
        return not jobs.status(run_id).active

    wait_until(poll, timeout=120)
    poll()  # rows flushed just before the end
    assert jobs.status(run_id).status == "done"
    all_steps = [r.step for r in jobs.metrics_since(run_id)]
    assert seen == all_steps
    assert len(set(seen)) == len(seen) and seen == sorted(seen)
    epochs = [r.epoch for r in jobs.metrics_since(run_id) if "val_accuracy" in r.values]
    assert epochs == [float(e) for e in range(1, 9)]


def test_does_a_finished_run_report_its_result_and_full_progress(worker) -> None:
    run_id = jobs.submit(RunSpec(model="cnn", epochs=2, learning_rate=0.003), owner_id=None)
    state = wait_for_end(run_id)
    assert state.status == "done", state.reason
    assert state.progress == 1.0 and state.finished_at is not None
    assert state.result["epochs"] == 2 and state.result["test_accuracy"] > 0.5
    assert len(state.result["confusion_matrix"]) == 10


def test_does_list_runs_show_an_owners_runs_newest_first(make_learner) -> None:
    lin, max_ = make_learner("lin"), make_learner("max")
    older = jobs.submit(QUICK, owner_id=lin.id, lab_id="first-network")
    newer = jobs.submit(QUICK, owner_id=lin.id, lab_id="other-lab")
    jobs.submit(QUICK, owner_id=max_.id, lab_id="first-network")
    assert [r.id for r in jobs.list_runs(lin.id)] == [newer, older]
    assert [r.id for r in jobs.list_runs(lin.id, lab_id="first-network")] == [older]
    assert [r.owner_id for r in jobs.list_runs(max_.id)] == [max_.id]


def test_does_a_run_beyond_the_concurrency_limit_wait_with_its_position_shown(worker) -> None:
    assert worker.worker.max_concurrent == 1
    first = jobs.submit(LONG, owner_id=None)
    second = jobs.submit(QUICK, owner_id=None)
    wait_until(lambda: jobs.status(first).status == "running")
    state = jobs.status(second)
    assert (state.status, state.queue_position) == ("queued", 1)
    jobs.cancel(first)
    assert wait_for_end(first).status == "cancelled"
    assert wait_for_end(second).status == "done"
