"""Can only the learner who uploaded a dataset train on it?"""

from __future__ import annotations

import pytest

from classroom import datasets, runs
from classroom.access import NotFound
from engine.data import DataError
from engine.spec import RunSpec
from tests.classroom.samples import penguin_csv


def test_does_an_upload_belong_to_its_learner_alone(make_learner, teacher) -> None:
    owner, other = make_learner("owner"), make_learner("other")
    info = datasets.add_upload(owner, penguin_csv(), "my penguins.csv", "tabular", "species")
    assert info.dataset.startswith("upload:") and info.name == "my penguins.csv"
    spec = RunSpec(dataset=info.dataset, model="dense", epochs=1, batch_size=8)
    assert runs.submit_run(owner, spec, "first-network") > 0
    with pytest.raises(NotFound, match="No such dataset"):
        runs.submit_run(other, spec, "first-network")
    assert datasets.uploads_of(owner) == [info]
    assert datasets.uploads_of(teacher, owner.id) == [info]  # their teacher may look
    with pytest.raises(NotFound):
        datasets.uploads_of(other, owner.id)


def test_does_the_same_file_uploaded_by_two_learners_stay_private_to_each(make_learner) -> None:
    first, second = make_learner("first"), make_learner("second")
    a = datasets.add_upload(first, penguin_csv(), "a.csv", "tabular", "species")
    b = datasets.add_upload(second, penguin_csv(), "b.csv", "tabular", "species")
    assert a.dataset == b.dataset  # stored once
    assert [u.name for u in datasets.uploads_of(second)] == ["b.csv"]


def test_is_a_bad_upload_refused_with_its_reason_and_nothing_recorded(learner) -> None:
    with pytest.raises(DataError, match="has a header row but no data rows"):
        datasets.add_upload(learner, b"bill,flipper,species\n", "empty.csv", "tabular", "species")
    assert datasets.uploads_of(learner) == []


def test_can_a_learner_start_transfer_learning_only_from_a_run_they_may_see(make_learner):
    owner, other = make_learner("owner"), make_learner("other")
    source = runs.submit_run(owner, RunSpec(epochs=1), "first-network")
    with pytest.raises(NotFound):
        runs.submit_run(other, RunSpec(pretrained_from=source), "first-network")
