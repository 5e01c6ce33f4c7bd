"""A small class through the real protocol (benchmarks/load_test.py): nothing is lost.

Three simulated learners sign in, open the home, track and lab pages, press Train, let the
live panel's auto-rerun timer poll until the results show, and write a reflection, against a
server of the benchmark's own. A short calibration runs first, so its code path is covered.
"""

from __future__ import annotations

from benchmarks import load_test

LEARNERS = 3
SECONDS = 90


def test_a_class_of_three_sees_every_result_and_every_poll_answered() -> None:
    args = load_test.parse_args(
        [
            "--learners",
            str(LEARNERS),
            "--seconds",
            str(SECONDS),
            "--calibration-repeats",
            "2",
            "--ramp",
            "2",
        ]
    )
    summary = load_test.run_benchmark(args)

    assert summary["errors"] == 0, summary["error_samples"]
    assert summary["saw_results"] == LEARNERS
    assert summary["learners_finished"] == LEARNERS
    assert summary["runs_done"] == LEARNERS
    # Every poll was answered, or went unanswered only once its run was over; none timed out.
    assert summary["polls_timed_out"] == 0
    assert summary["polls_pending_at_end"] == 0
    assert summary["polls_answered"] + summary["polls_after_end"] == summary["polls_sent"]
    # No rerun storm: at most two full reruns per panel (one when its run comes near the
    # front of the queue, to poll faster; one when it ends), and polling stopped there.
    assert summary["full_reruns_from_panel"] <= 2 * LEARNERS
    assert summary["polls_after_results"] == 0
    # 7 interactions each: sign-in, home, track, lab, Train, results, reflection.
    assert summary["interactions"] == 7 * LEARNERS
    assert summary["seconds"] <= SECONDS + 5
    assert summary["cpu_ms_home"] is not None, summary["calibration_notes"]
    assert summary["server_rss_mb"] > 0
