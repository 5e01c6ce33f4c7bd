"""Check / hint(level) / solution: is help given one step at a time, and is each step recorded?"""

from __future__ import annotations

import pytest

from classroom import objective_events
from labs import feature_engineering, first_network, pipeline_builder
from labs.objectives import (
    Objective,
    ObjectiveOutcome,
    evaluate,
    next_reveal,
    outcome_key,
    revealed_help,
    step_for_objective,
)

TWO_HINTS = Objective(
    "x",
    "Do x",
    lambda o: o.get("ok", False),
    lambda o: ["first", "second", "third"],
    solution=lambda o: "the answer",
)
ONE_HINT = Objective("y", "Do y", lambda o: False, lambda o: ["only"], solution=lambda o: "y!")
NO_SOLUTION = Objective("z", "Do z", lambda o: False, lambda o: ["a", "b"])


def missed(objective: Objective) -> ObjectiveOutcome:
    [result] = evaluate((objective,), {"kind": "try", "value": 1})
    return result


def ladder(outcome: ObjectiveOutcome) -> list[str]:
    """Every reveal offered, asking for each in turn."""
    revealed: set[str] = set()
    while (event := next_reveal(outcome, revealed)) is not None:
        revealed.add(event)
    return [e for e in ("hint-1", "hint-2", "solution") if e in revealed]


@pytest.mark.parametrize(
    ("objective", "expected"),
    [
        (TWO_HINTS, ["hint-1", "hint-2", "solution"]),
        (ONE_HINT, ["hint-1", "solution"]),  # no stronger hint to give: straight to the answer
        (NO_SOLUTION, ["hint-1", "hint-2"]),
    ],
)
def test_which_reveals_does_a_missed_objective_offer_in_order(objective, expected) -> None:
    assert ladder(missed(objective)) == expected


@pytest.mark.parametrize(
    ("revealed", "shown"),
    [
        (set(), []),
        ({"hint-1"}, ["first"]),
        ({"hint-1", "hint-2"}, ["first", "second", "third"]),  # the stronger ones together
        ({"hint-1", "hint-2", "solution"}, ["first", "second", "third", "the answer"]),
        ({"solution"}, []),  # no skipping ahead to the solution
        ({"hint-1", "solution"}, ["first"]),
    ],
)
def test_what_is_shown_after_each_reveal(revealed, shown) -> None:
    assert [text for _, text in revealed_help(missed(TWO_HINTS), revealed)] == shown


def test_a_met_objective_offers_no_help() -> None:
    [met] = evaluate((TWO_HINTS,), {"kind": "try", "ok": True})
    assert met.passed and met.hints == () and met.solution is None
    assert next_reveal(met, set()) is None


def test_outcome_keys_name_the_run_or_the_action() -> None:
    run = {"id": 12, "status": "done", "spec": {}, "result": {}, "others": [{"id": 3}]}
    assert outcome_key(run) == ("run:12", 12)
    same = outcome_key({"kind": "clean-data", "missing": 3, "rows": 10})
    assert same == outcome_key({"rows": 10, "missing": 3, "kind": "clean-data"})
    assert same[0].startswith("clean-data:") and same[1] is None
    assert same != outcome_key({"kind": "clean-data", "missing": 2, "rows": 10})


@pytest.mark.parametrize(
    ("lab", "failing"),
    [
        (first_network.LAB, {"id": 1, "status": "done", "spec": {}, "result": {}}),
        (pipeline_builder.LAB, {"kind": "none", "missing": 4, "missing_columns": ["score"]}),
        (feature_engineering.LAB, {"kind": "none"}),
    ],
)
def test_every_objective_of_the_three_labs_has_hints_and_a_solution(lab, failing) -> None:
    for result in evaluate(lab.objectives, failing):
        assert not result.passed
        assert result.hints and all(h.strip() for h in result.hints)
        assert result.solution and len(result.solution.split()) >= 15


def test_the_pipeline_solution_names_the_columns_with_gaps() -> None:
    [clean] = [
        r
        for r in evaluate(
            pipeline_builder.LAB.objectives,
            {"kind": "clean-data", "missing": 6, "missing_columns": ["score", "minutes"]},
        )
        if r.objective_id == "clean-data"
    ]
    assert "(score, minutes)" in (clean.solution or "")


def test_objectives_know_their_track_step() -> None:
    assert step_for_objective("pipeline-builder", "clean-data") == "dl-clean-pipeline"
    assert step_for_objective("first-network", "reach-95") == "dl-first-network"
    assert step_for_objective("first-network", "no-such-objective") is None


def test_each_reveal_and_check_is_recorded_once_per_outcome(learner) -> None:
    key = "clean-data:abc"
    record = lambda event: objective_events.record_event(  # noqa: E731
        learner, "pipeline-builder", "clean-data", event, key, step_id="dl-clean-pipeline"
    )
    assert record("failed") is True
    assert record("failed") is False  # the page reran: same outcome, no second event
    assert record("hint-1") is True
    assert record("hint-1") is False
    assert record("hint-2") is True
    assert objective_events.revealed(learner, "pipeline-builder", "clean-data", key) == {
        "hint-1",
        "hint-2",
    }
    events = objective_events.events_for_learner(learner)
    assert [(e.event, e.step_id) for e in events] == [
        ("failed", "dl-clean-pipeline"),
        ("hint-1", "dl-clean-pipeline"),
        ("hint-2", "dl-clean-pipeline"),
    ]


@pytest.mark.parametrize(
    ("event", "lab", "message"),
    [
        ("peeked", "pipeline-builder", "Unknown objective event"),
        ("hint-1", "", "lab id"),
        ("hint-1", "x" * 65, "lab id"),
    ],
)
def test_bad_events_are_refused(learner, event, lab, message) -> None:
    with pytest.raises(ValueError, match=message):
        objective_events.record_event(learner, lab, "clean-data", event, "k")
    assert objective_events.events_for_learner(learner) == []
