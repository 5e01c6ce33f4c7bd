"""Is the course content whole: every id resolves, nothing empty, every lab step checkable?"""

from __future__ import annotations

import re

import pytest

from curriculum.catalog import CONTENT, competencies, concept_parts, concept_words, tracks
from labs.registry import LABS

EXPECTED_COMPETENCIES = [
    "cognitive-flexibility",
    "cross-cultural-communication",
    "digital-literacy",
    "collaboration",
    "critical-thinking",
    "self-directed-learning",
]
ALL_STEPS = [step for track in tracks().values() for step in track.steps]


def test_there_are_six_competencies_each_with_a_track() -> None:
    assert [c.id for c in competencies()] == EXPECTED_COMPETENCIES
    assert list(tracks()) == EXPECTED_COMPETENCIES


def test_step_ids_are_unique_across_tracks() -> None:
    ids = [s.id for s in ALL_STEPS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("step", ALL_STEPS, ids=lambda s: s.id)
def test_every_step_has_what_its_kind_needs(step) -> None:
    assert step.title.strip()
    if step.kind == "concept":
        assert len(step.body.split()) >= 150, "a concept page should teach something"
    elif step.kind == "lab":
        assert step.lab in LABS, f"lab {step.lab!r} does not exist"
        objective_ids = {o.id for o in LABS[step.lab].objectives}
        assert step.objective in objective_ids, f"objective {step.objective!r} has no check"
        assert step.summary
    else:
        assert step.kind == "reflect"
        assert step.lab in LABS and step.prompt


@pytest.mark.parametrize("track", list(tracks().values()), ids=lambda t: t.id)
def test_each_track_has_four_to_fourteen_steps_with_something_to_do(track) -> None:
    assert 4 <= len(track.steps) <= 14
    assert {"concept", "lab"} <= {s.kind for s in track.steps}
    assert track.introduction.strip()


@pytest.mark.parametrize("step", [s for s in ALL_STEPS if s.kind == "concept"], ids=lambda s: s.id)
def test_each_concept_page_is_300_to_700_words(step) -> None:
    assert 300 <= concept_words(step.body) <= 700


def test_concept_pages_draw_diagrams_where_their_text_has_them() -> None:
    body = "Intro.\n\n```dot\ndigraph { a -> b }\n```\n\nAfter."
    assert concept_parts(body) == [
        ("markdown", "Intro.\n\n"),
        ("diagram", "digraph { a -> b }"),
        ("markdown", "\n\nAfter."),
    ]
    with_diagrams = [s for s in ALL_STEPS if s.kind == "concept" and "```dot" in s.body]
    assert len(with_diagrams) >= 6
    for step in with_diagrams:
        for kind, text in concept_parts(step.body):
            assert kind == "markdown" or text.startswith("digraph"), step.id


OBJECTIVES = [(lab, o) for lab in LABS.values() for o in lab.objectives]


@pytest.mark.parametrize("lab_objective", OBJECTIVES, ids=lambda p: f"{p[0].id}:{p[1].id}")
def test_every_objective_has_a_check_hints_and_a_solution(lab_objective) -> None:
    _lab, objective = lab_objective
    assert objective.text.strip()
    assert objective.check({}) is False  # nothing done yet passes nothing
    assert all(h.strip() for h in objective.hints({})) and objective.hints({})
    assert objective.solution is not None and objective.solution({}).strip()


def test_steps_that_count_twice_name_other_real_competencies() -> None:
    twice = [s for s in ALL_STEPS if s.also_counts_for]
    assert twice, "some steps are evidence of more than one competency"
    for step in twice:
        assert set(step.also_counts_for) <= set(EXPECTED_COMPETENCIES)
        assert step.competency not in step.also_counts_for


def test_the_digital_literacy_track_has_a_lab_and_a_reflection() -> None:
    kinds = [s.kind for s in tracks()["digital-literacy"].steps]
    assert "lab" in kinds and "reflect" in kinds


TEXT_FILES = [
    p for p in sorted(CONTENT.rglob("*.*")) if p.suffix in {".md", ".yaml", ".txt", ".csv"}
]


@pytest.mark.parametrize("path", TEXT_FILES, ids=lambda p: p.name)
def test_no_placeholder_text_in_content(path) -> None:
    text = path.read_text(encoding="utf-8").lower()
    assert not re.search(r"coming soon|lorem ipsum|\btodo\b|fixme", text)


def test_every_concept_file_is_used_by_a_step() -> None:
    used = {s.body for s in ALL_STEPS if s.kind == "concept"}
    for path in (CONTENT / "concepts").glob("*.md"):
        assert path.read_text(encoding="utf-8") in used, f"{path.name} is not in any track"
