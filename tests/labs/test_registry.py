"""The labs as classroom knows them match the labs as the registry defines them."""

from classroom.challenges import CHALLENGE_LABS
from curriculum.catalog import tracks
from labs.registry import LABS


def test_can_a_challenge_be_opened_on_exactly_the_labs_that_train_a_network() -> None:
    assert set(CHALLENGE_LABS) == {i for i, lab in LABS.items() if lab.default_spec is not None}


def test_does_every_lab_a_track_names_exist() -> None:
    named = {s.lab for t in tracks().values() for s in t.steps if s.lab}
    assert named <= set(LABS)
