"""Lab: work as a team. Share a run, fork a teammate's run and improve it, enter a challenge,
share a stored pipeline version that teammates can reuse.

The lab trains no network of its own: its actions happen on the team, challenge and pipeline
builder pages, which build the outcomes below and record them with labs.evidence.record_objective.
"""

from __future__ import annotations

from typing import Any

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
    """{"kind": "fork-and-improve", ...}: the fork finished with a higher test accuracy."""
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


def _share_hints(_outcome: dict[str, Any]) -> list[str]:
    return [
        "Share a run that finished (status 'done'), so your team sees its results.",
        "On the Team page, switch on 'Share with my team' next to one of your finished runs.",
    ]


def _fork_hints(outcome: dict[str, Any]) -> list[str]:
    fork, origin = outcome.get("fork_accuracy"), outcome.get("origin_accuracy")
    hints = ["Fork a teammate's shared run, change one setting, and compare test accuracy."]
    if fork is not None and origin is not None:
        hints.insert(0, f"Your fork reached {fork:.1%}; the run it came from reached {origin:.1%}.")
    else:
        hints.append("Wait until your fork has finished, then open the Team page again.")
    return hints


def _challenge_hints(_outcome: dict[str, Any]) -> list[str]:
    return [
        "Submit a run from the Challenges page before the deadline.",
        "Only runs that finish with status 'done' get a score on the held-out rows.",
    ]


def _share_pipeline_hints(outcome: dict[str, Any]) -> list[str]:
    hints = [
        "In the Pipeline builder, store a version, choose it on the Versions tab and switch on "
        "'Share with my team'.",
    ]
    if outcome.get("kind") == "share-a-pipeline" and not outcome.get("stages"):
        hints.insert(0, "That version has no stages: add a cleaning stage, run and store again.")
    return hints


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
