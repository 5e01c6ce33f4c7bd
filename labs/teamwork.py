"""Lab: work as a team. Share a run, fork a teammate's run and improve it, enter a challenge,
share a stored pipeline version that teammates can reuse.

The lab trains no network of its own: its actions happen on the team, challenge and pipeline
builder pages, which build the outcomes below and record them with labs.evidence.record_objective.
"""

from __future__ import annotations

from typing import Any

from labs.hints import ladder
from labs.objectives import Objective
from labs.registry_types import Lab

LAB_ID = "teamwork"


def share_outcome(run_id: int, status: str) -> dict[str, Any]:
    return {"kind": "share-a-run", "run": run_id, "status": status}


def fork_outcome(
    fork_id: int, status: str, fork_accuracy: float | None, origin_accuracy: float | None
) -> dict[str, Any]:
    return {
        "kind": "fork-and-improve",
        "run": fork_id,
        "status": status,
        "fork_accuracy": fork_accuracy,
        "origin_accuracy": origin_accuracy,
    }


def share_pipeline_outcome(version: int, stages: int) -> dict[str, Any]:
    return {"kind": "share-a-pipeline", "version": version, "stages": stages}


def challenge_outcome(run_id: int, score: float | None) -> dict[str, Any]:
    return {"kind": "enter-the-challenge", "run": run_id, "score": score}


def shared_a_run(outcome: dict[str, Any]) -> bool:
    """{"kind": "share-a-run", "status": the shared run's status}: a finished, working run."""
    return outcome.get("kind") == "share-a-run" and outcome.get("status") == "done"


def fork_improved(outcome: dict[str, Any]) -> bool:
    """{"kind": "fork-and-improve", ...}: the fork finished with a higher validation accuracy."""
    fork, origin = outcome.get("fork_accuracy"), outcome.get("origin_accuracy")
    return (
        outcome.get("kind") == "fork-and-improve"
        and outcome.get("status") == "done"
        and fork is not None
        and origin is not None
        and fork > origin
    )


def shared_a_pipeline(outcome: dict[str, Any]) -> bool:
    """{"kind": "share-a-pipeline", "stages": how many}: a version with stages to reuse."""
    return outcome.get("kind") == "share-a-pipeline" and (outcome.get("stages") or 0) >= 1


def entered_challenge(outcome: dict[str, Any]) -> bool:
    """{"kind": "enter-the-challenge", "score": held-out accuracy}: a run on the leaderboard."""
    return outcome.get("kind") == "enter-the-challenge" and outcome.get("score") is not None


def _share_hints(outcome: dict[str, Any]) -> list[str]:
    nudge = (
        "Look at the Team page: a run you share shows your teammates its settings and "
        "results, so they can learn from it or fork it."
    )
    if outcome.get("kind") == "share-a-run" and outcome.get("status") != "done":
        specific = (
            f"Run {outcome.get('run')} ended as {outcome.get('status')}, so it has no results "
            "to share. Switch on 'Share with my team' next to a run whose status is 'done'."
        )
    else:
        specific = (
            "You have not shared a finished run yet. On the Team page, switch on 'Share with "
            "my team' next to one of your runs whose status is 'done'."
        )
    return ladder(nudge, [specific])


def _fork_hints(outcome: dict[str, Any]) -> list[str]:
    nudge = (
        "Fork a teammate's shared run, change one setting, and compare the two runs' "
        "validation accuracy: with one change you know what made the difference."
    )
    fork, origin = outcome.get("fork_accuracy"), outcome.get("origin_accuracy")
    if outcome.get("kind") != "fork-and-improve":
        specific = (
            "You have not forked a run yet. On the Team page, open a teammate's shared run "
            "and press Fork: its settings are copied for you to change one."
        )
    elif fork is None or origin is None or outcome.get("status") != "done":
        specific = (
            f"Your fork (run {outcome.get('run')}) is {outcome.get('status')}: wait until it "
            "has finished, then open the Team page again to see both scores."
        )
    else:
        specific = (
            f"Your fork reached {fork:.1%}; the run it came from reached "
            f"{origin:.1%}. Keep its settings and change one thing that usually helps: more "
            "epochs, a CNN on images, or a smaller learning rate if its curves jump around."
        )
    return ladder(nudge, [specific])


def _challenge_hints(outcome: dict[str, Any]) -> list[str]:
    nudge = (
        "Look at the Challenges page: each open challenge has a deadline and a leaderboard "
        "that scores runs on rows kept back from training."
    )
    if outcome.get("kind") == "enter-the-challenge":
        specific = (
            f"Run {outcome.get('run')} has no score on the held-out rows yet: only runs that "
            "finish with status 'done' before the deadline get one. Wait for it to finish, "
            "or train again if it failed."
        )
    else:
        specific = (
            "You have not entered a challenge yet. Open Challenges, choose an open challenge "
            "and press 'Train for the challenge' before its deadline."
        )
    return ladder(nudge, [specific])


def _share_pipeline_hints(outcome: dict[str, Any]) -> list[str]:
    nudge = (
        "A shared pipeline version lets teammates preview its table and copy its stages. Look "
        "at the Versions tab of the Pipeline builder."
    )
    if outcome.get("kind") == "share-a-pipeline" and not outcome.get("stages"):
        specific = (
            f"Version {outcome.get('version')} has no stages, so there is nothing to reuse. "
            "Add a cleaning stage, run the pipeline, store it again and share that version."
        )
    else:
        specific = (
            "You have not shared a version yet. In the Pipeline builder, store a version, "
            "choose it on the Versions tab and switch on 'Share with my team'."
        )
    return ladder(nudge, [specific])


SOLUTIONS = {
    "share-a-run": (
        "Open My team, find a finished run in your list of runs and switch its toggle on: "
        "your teammates now see its settings and results, and can fork it."
    ),
    "enter-the-challenge": (
        "Open Challenges, choose an open challenge and press 'Train for the challenge'. The "
        "run trains on the challenge's data without the held-out rows and, once it finishes, "
        "appears on the leaderboard with its held-out score."
    ),
    "share-a-pipeline": (
        "Open the Pipeline builder, add a stage or two (say, impute missing scores and remove "
        "duplicates), run the pipeline and store it as a version. On the Versions tab choose "
        "that version and switch on 'Share with my team': your teammates can now preview its "
        "table, download it and copy its stages into their own pipeline builder."
    ),
}


LAB = Lab(
    id=LAB_ID,
    title="Teamwork",
    competencies=("collaboration",),
    default_spec=None,
    objectives=(
        Objective(
            "share-a-run",
            "Share a finished run with your team",
            shared_a_run,
            _share_hints,
            solution=lambda _outcome: SOLUTIONS["share-a-run"],
        ),
        Objective(
            "fork-and-improve",
            "Fork a teammate's run and beat it",
            fork_improved,
            _fork_hints,
            solution=lambda _o: (
                "Fork the run, keep its settings, and change one thing that usually helps: more "
                "epochs, a CNN instead of a dense model on images, or a smaller learning rate "
                "if the curves jump around."
            ),
        ),
        Objective(
            "enter-the-challenge",
            "Get a run onto a class challenge's leaderboard",
            entered_challenge,
            _challenge_hints,
            solution=lambda _outcome: SOLUTIONS["enter-the-challenge"],
        ),
        Objective(
            "share-a-pipeline",
            "Share a stored pipeline version your team can reuse",
            shared_a_pipeline,
            _share_pipeline_hints,
            solution=lambda _outcome: SOLUTIONS["share-a-pipeline"],
        ),
    ),
)
