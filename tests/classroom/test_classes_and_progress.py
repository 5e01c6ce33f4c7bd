"""Can teachers run classes and see progress, and do learners' records add up?"""

from __future__ import annotations

import pytest

from classroom import classes, progress
from classroom.access import NotAllowed, NotFound
from classroom.classes import CODE_ALPHABET, CODE_LENGTH
from classroom.progress import StepRef
from engine import jobs
from engine.spec import RunSpec

STEP_A = StepRef("foundations", "a-first-run", "reasoning")
STEP_B = StepRef("foundations", "b-learning-rate", "experimentation")


def test_are_join_codes_six_unambiguous_characters_and_unique(teacher) -> None:
    made = [classes.create_class(teacher, f"Group {i}") for i in range(40)]
    codes = [c.join_code for c in made]
    assert all(len(code) == CODE_LENGTH == 6 for code in codes)
    assert all(set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("".join(codes)) & set("0O1IL")
    assert len(set(codes)) == len(codes)


def test_is_the_code_alphabet_free_of_easily_misread_characters() -> None:
    assert not set(CODE_ALPHABET) & set("0O1IL")
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) >= 30


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Year 11", "Year 11"),
        ("  Year\t\n 11  ", "Year 11"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ("x" * 80, "x" * 80),
    ],
)
def test_is_a_class_name_tidied_but_otherwise_kept_as_typed(teacher, typed, stored) -> None:
    made = classes.create_class(teacher, typed)
    assert made.name == stored
    assert classes.get_class(teacher, made.id).name == stored


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_is_an_empty_or_overlong_class_name_refused(teacher, name: str) -> None:
    with pytest.raises(ValueError, match="1 to 80 characters"):
        classes.create_class(teacher, name)
    assert classes.list_classes(teacher) == []


@pytest.mark.parametrize("who", ["learner", "anonymous"])
def test_can_only_a_teacher_create_a_class(learner, who: str) -> None:
    actor = learner if who == "learner" else None
    with pytest.raises(NotAllowed, match="Only teachers"):
        classes.create_class(actor, "My own class")


def test_can_a_teacher_not_join_a_class(teacher, klass) -> None:
    with pytest.raises(NotAllowed, match="learners join"):
        classes.join_class(teacher, klass.join_code)
    assert classes.roster(teacher, klass.id) == []


def test_is_joining_twice_harmless(teacher, klass, make_learner) -> None:
    lin = make_learner("lin", join=False)
    first = classes.join_class(lin, klass.join_code)
    second = classes.join_class(lin, f"  {klass.join_code.lower()} ")
    assert first == second == klass
    assert [m.id for m in classes.roster(teacher, klass.id)] == [lin.id]
    assert classes.list_classes(lin) == [klass]


@pytest.mark.parametrize("code", ["", "ZZZZZZ", "%", "' OR '1'='1"])
def test_does_a_wrong_join_code_join_nothing(teacher, klass, make_learner, code: str) -> None:
    lin = make_learner("lin", join=False)
    with pytest.raises(NotFound, match="No class has that join code"):
        classes.join_class(lin, code)
    assert classes.list_classes(lin) == []


def test_does_each_person_list_only_their_own_classes(teacher, klass, make_learner) -> None:
    other = classes.create_class(teacher, "Year 12")
    lin = make_learner("lin")
    assert classes.list_classes(teacher) == [klass, other]
    assert classes.list_classes(lin) == [klass]


def test_is_the_roster_sorted_by_name_and_shows_only_members(teacher, klass, make_learner) -> None:
    make_learner("zoe")
    make_learner("abe")
    make_learner("solo", join=False)
    assert [m.display_name for m in classes.roster(teacher, klass.id)] == ["Abe", "Zoe"]


@pytest.mark.parametrize("with_run", [False, True])
def test_is_completing_a_step_recorded_once(learner, with_run: bool) -> None:
    run_id = jobs.submit(RunSpec(epochs=1), owner_id=learner.id) if with_run else None
    assert progress.complete_step(learner, STEP_A, run_id) is True
    assert progress.complete_step(learner, STEP_A, run_id) is False
    assert progress.complete_step(learner, STEP_A) is False
    assert progress.completed_steps(learner) == {STEP_A.step_id}


def test_are_completions_kept_apart_per_learner(make_learner) -> None:
    ana, ben = make_learner("ana"), make_learner("ben")
    progress.complete_step(ana, STEP_A)
    progress.complete_step(ben, STEP_B)
    assert progress.completed_steps(ana) == {STEP_A.step_id}
    assert progress.completed_steps(ben) == {STEP_B.step_id}


def test_does_class_progress_map_each_learner_to_their_completed_steps(
    teacher, klass, make_learner
) -> None:
    ana, ben, cai = make_learner("ana"), make_learner("ben"), make_learner("cai")
    outsider = make_learner("outsider", join=False)
    for actor, step in [(ana, STEP_A), (ana, STEP_B), (ben, STEP_B), (outsider, STEP_A)]:
        progress.complete_step(actor, step)
    assert progress.class_progress(teacher, klass.id) == {
        ana.id: {STEP_A.step_id, STEP_B.step_id},
        ben.id: {STEP_B.step_id},
        cai.id: set(),
    }
    assert progress.completed_steps(teacher, user_id=ana.id) == {STEP_A.step_id, STEP_B.step_id}
    with pytest.raises(NotFound):
        progress.completed_steps(teacher, user_id=outsider.id)


def test_is_the_progress_of_an_empty_class_empty(teacher, klass) -> None:
    assert progress.class_progress(teacher, klass.id) == {}
