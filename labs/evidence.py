"""Turns finished runs and reflections into recorded progress on track steps."""

from __future__ import annotations

from classroom import final_tests, progress, runs
from classroom.access import Actor
from classroom.journals import Entry
from classroom.progress import StepRef
from curriculum.catalog import Step, steps_for_lab
from engine import jobs
from engine.jobs import RunStatus
from labs.objectives import ObjectiveOutcome, RunOutcome, evaluate
from labs.registry import LABS

MIN_REFLECTION_WORDS = 25


def outcome_of(run: RunStatus) -> RunOutcome:
    return {"id": run.id, "status": run.status, "spec": run.spec, "result": run.result or {}}


def other_outcomes(run: RunStatus) -> list[RunOutcome]:
    """The outcomes of the same owner's other finished runs in the same lab, newest first.

    Labs whose objectives compare runs (one setting changed between two runs) read them."""
    if run.owner_id is None or run.lab_id is None:
        return []
    # The caller already holds this run (get_run checked access), so its owner's runs in
    # the lab are theirs to see as well: a teacher looking at a learner's run sees the
    # same comparison as the learner.
    return [
        outcome_of(other)
        for other in jobs.list_runs(run.owner_id, run.lab_id)
        if other.id != run.id and other.status in jobs.FINISHED
    ]


def check_run(actor: Actor, run: RunStatus) -> list[ObjectiveOutcome]:
    """Check a finished run against its lab's objectives and record steps it completes."""
    lab = LABS.get(run.lab_id or "")
    if lab is None or run.active:
        return []
    # "final_test": whether the owner measured this run on the test set (objectives that
    # report a test score ask for it; choosing is done on validation).
    outcome = {
        **outcome_of(run),
        "final_test": final_tests.was_tested(run.owner_id, run.id),
        "others": other_outcomes(run),
    }
    outcomes = evaluate(lab.objectives, outcome)
    if run.owner_id == actor.id:
        passed = {o.objective_id for o in outcomes if o.passed}
        for step in steps_for_lab(lab.id, "lab"):
            if step.objective in passed:
                progress.complete_step(actor, _ref(step), run_id=run.id)
    return outcomes


def catch_up(actor: Actor, checked: set[tuple[int, int]] | None = None) -> None:
    """Record lab steps passed by runs that finished while no page was watching.

    ``checked`` is a page's memory of earlier calls: (run id, finished runs in its lab) pairs
    already checked, skipped while no other run of that lab has finished since (objectives
    that compare runs can pass once another run ends); the pairs checked now are added."""
    checked = set() if checked is None else checked
    done = progress.completed_steps(actor)
    for lab_id, lab in LABS.items():
        if lab.default_spec is None:  # labs without runs record steps as they happen
            continue
        if all(s.id in done for s in steps_for_lab(lab_id, "lab")):
            continue
        lab_runs = runs.my_runs(actor, lab_id)
        finished = sum(run.status in jobs.FINISHED for run in lab_runs)
        for run in lab_runs:
            if run.status == "done" and (run.id, finished) not in checked:
                check_run(actor, run)
                checked.add((run.id, finished))


def record_reflection(actor: Actor, entry: Entry, lab_id: str | None) -> bool:
    """A reflection of enough words about a lab run completes that lab's reflect steps."""
    if lab_id is None or entry.run_id is None:
        return False
    if len(entry.body.split()) < MIN_REFLECTION_WORDS:
        return False
    recorded = False
    for step in steps_for_lab(lab_id, "reflect"):
        recorded |= progress.complete_step(actor, _ref(step), run_id=entry.run_id)
    return recorded


def record_objective(actor: Actor, lab_id: str, outcome: RunOutcome) -> list[ObjectiveOutcome]:
    """Check a lab action (not a run) against the lab's objectives; record steps it meets."""
    lab = LABS[lab_id]
    outcomes = [o for o in evaluate(lab.objectives, outcome) if o.objective_id == outcome["kind"]]
    passed = {o.objective_id for o in outcomes if o.passed}
    for step in steps_for_lab(lab_id, "lab"):
        if step.objective in passed:
            progress.complete_step(actor, _ref(step))
    return outcomes


def record_step_reflection(actor: Actor, entry: Entry, lab_id: str) -> bool:
    """A reflection of enough words written in a lab completes that lab's reflect steps."""
    if len(entry.body.split()) < MIN_REFLECTION_WORDS:
        return False
    recorded = False
    for step in steps_for_lab(lab_id, "reflect"):
        recorded |= progress.complete_step(actor, _ref(step))
    return recorded


def _ref(step: Step) -> StepRef:
    return StepRef(step.track_id, step.id, step.competency)
