"""Can a teacher assign every objective, and does every concept page reach learners?

Every objective of every lab belongs to a track step (teachers assign steps, so an objective
without one cannot be assigned); every concept step's page exists; the concept pages written
for the seed's gaps sit in a track before the steps of the lab they explain, and the numbers
they quote are the ones the app really uses."""

from __future__ import annotations

import pytest
import yaml

from curriculum.catalog import CONTENT, concept_words, tracks
from engine.pipeline import monitoring
from engine.tuning import study
from labs import training_optimisation
from labs.registry import LABS

ALL_STEPS = [step for track in tracks().values() for step in track.steps]
RAW_STEPS = [
    raw
    for path in sorted((CONTENT / "tracks").glob("*.yaml"))
    for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["steps"]
]
# The concept pages the seed asked for, and the lab whose steps each one prepares.
NEW_CONCEPT_PAGES = {
    "concepts/cf-transfer-learning.md": "training-optimisation",
    "concepts/cf-momentum-and-schedules.md": "training-optimisation",
    "concepts/dl-number-formats-and-loss-scaling.md": "training-optimisation",
    "concepts/dl-drift-psi-and-ks.md": "pipeline-builder",
    "concepts/sdl-tpe-and-gaussian-processes.md": "hyperparameter-tuning",
}
OBJECTIVES = [(lab.id, objective.id) for lab in LABS.values() for objective in lab.objectives]


@pytest.mark.parametrize("lab_objective", OBJECTIVES, ids=lambda p: f"{p[0]}:{p[1]}")
def test_every_objective_is_a_step_a_teacher_can_assign(lab_objective) -> None:
    lab_id, objective_id = lab_objective
    steps = [s for s in ALL_STEPS if s.kind == "lab" and s.lab == lab_id]
    assert objective_id in {s.objective for s in steps}, (
        f"{lab_id}:{objective_id} is in no track, so no teacher can assign it"
    )


def test_no_objective_is_two_steps() -> None:
    """One step per objective: meeting it once must not tick two places in one track list."""
    pairs = [(s.lab, s.objective) for s in ALL_STEPS if s.kind == "lab"]
    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize(
    "raw", [r for r in RAW_STEPS if r["kind"] == "concept"], ids=lambda r: r["id"]
)
def test_every_concept_step_names_a_page_that_exists(raw) -> None:
    assert (CONTENT / raw["body"]).is_file(), f"{raw['id']}: {raw['body']} does not exist"


@pytest.mark.parametrize("body", list(NEW_CONCEPT_PAGES), ids=lambda b: b.split("/")[-1])
def test_each_new_concept_page_is_250_to_500_words(body) -> None:
    words = concept_words((CONTENT / body).read_text(encoding="utf-8"))
    assert 250 <= words <= 500, f"{body} has {words} words"


@pytest.mark.parametrize("body", list(NEW_CONCEPT_PAGES), ids=lambda b: b.split("/")[-1])
def test_each_new_concept_page_is_read_before_the_lab_it_explains(body) -> None:
    lab_id = NEW_CONCEPT_PAGES[body]
    homes = [
        (track, position)
        for track in tracks().values()
        for position, raw in enumerate(_raw_steps(track.id))
        if raw.get("body") == body
    ]
    assert len(homes) == 1, f"{body} should be a step of exactly one track"
    track, position = homes[0]
    lab_positions = [i for i, s in enumerate(track.steps) if s.kind == "lab" and s.lab == lab_id]
    assert lab_positions, f"{track.id} has no step of {lab_id} for {body} to prepare"
    assert position < min(lab_positions), f"{body} comes after {lab_id}'s steps in {track.id}"


def _raw_steps(track_id: str) -> list[dict]:
    raw = yaml.safe_load((CONTENT / "tracks" / f"{track_id}.yaml").read_text(encoding="utf-8"))
    return list(raw["steps"])


@pytest.mark.parametrize("track", list(tracks().values()), ids=lambda t: t.id)
def test_every_track_asks_for_a_reflection_in_one_of_its_labs(track) -> None:
    reflections = [s for s in track.steps if s.kind == "reflect"]
    assert reflections, f"{track.id} has no reflection"
    labs_of_track = {s.lab for s in track.steps if s.kind == "lab"}
    for step in reflections:
        assert step.lab in labs_of_track and step.prompt.strip()


def test_each_lab_has_at_most_one_reflection() -> None:
    """A lab page shows one reflection box, and a reflection written there completes every
    reflect step of that lab: a second one would be ticked by an answer to the first prompt."""
    labs = [s.lab for s in ALL_STEPS if s.kind == "reflect"]
    assert len(labs) == len(set(labs))


def test_a_teacher_assigns_a_new_step_and_the_learners_lab_work_ticks_it(
    teacher, klass, learner
) -> None:
    """stored-version had no step: now a teacher can set it, and storing a version is seen."""
    from datetime import date, timedelta

    from classroom import assignments
    from classroom.class_matrix import class_matrix
    from labs import evidence

    due = date.today() + timedelta(days=7)
    assignments.assign(teacher, klass.id, "digital-literacy", due, step_id="dl-store-a-version")
    assert class_matrix(teacher, klass.id).cell(learner.id, "dl-store-a-version").state == (
        "not started"
    )
    stored = {"kind": "stored-version", "version": 1, "hash": "9f2c4a"}
    [outcome] = evidence.record_objective(learner, "pipeline-builder", stored)
    assert outcome.passed
    assert class_matrix(teacher, klass.id).cell(learner.id, "dl-store-a-version").state == "done"


def _page(name: str) -> str:
    return (CONTENT / "concepts" / name).read_text(encoding="utf-8")


def test_the_drift_page_quotes_the_apps_own_psi_rules() -> None:
    text = _page("dl-drift-psi-and-ks.md")
    assert f"above {monitoring.PSI_DRIFT:g}" in text  # where the app marks a column drifted
    assert f"treated as {monitoring.PSI_FLOOR:.4f}" in text  # the floor of an empty bin
    assert f"into {monitoring.BINS} bins" in text
    assert "Kolmogorov-Smirnov" in text and "p-value" in text


def test_the_search_page_quotes_the_apps_random_start() -> None:
    words = {3: "three", 4: "four", 5: "five", 6: "six", 8: "eight", 10: "ten"}
    assert f"({words[study.STARTUP_TRIALS]} in this app)" in _page(
        "sdl-tpe-and-gaussian-processes.md"
    )


def test_the_transfer_page_quotes_the_labs_few_labels() -> None:
    assert f"({training_optimisation.FEW_LABELS} or fewer)" in _page("cf-transfer-learning.md")


def test_the_number_formats_page_says_where_each_format_runs() -> None:
    import torch

    from engine.spec import RunSpec
    from engine.training.precision import make_precision

    cpu = torch.device("cpu")
    bf16 = make_precision(RunSpec(mixed_precision="bf16"), cpu)
    fp16 = make_precision(RunSpec(mixed_precision="fp16"), cpu)
    assert (bf16.name, bf16.scaler) == ("bfloat16", None)  # no loss scaling needed
    assert fp16.name == "float32"  # fp16 asked for on a CPU falls back
    text = _page("dl-number-formats-and-loss-scaling.md")
    assert "**bf16** runs on a CPU or a GPU, with no scaler" in text
    assert "**fp16** runs only on a GPU, always with a loss scaler" in text
    assert "falls back to float32" in text
