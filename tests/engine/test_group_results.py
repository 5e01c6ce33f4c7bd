"""Accuracy per group of test rows: are the groups the test rows' own, and do they add up?"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engine.data.bundle import split_indices
from engine.data.tabular import label_strings, load_penguins_frame
from engine.group_results import MISSING, group_columns, group_results, widest_gap
from engine.spec import RunSpec
from engine.trainer import SilentHooks, train


def test_only_text_columns_with_a_few_values_are_groupings() -> None:
    frame = pd.DataFrame(
        {
            "island": ["a", "b", "a", None],
            "name": ["p", "q", "r", "s"],  # as many values as rows: still 4 <= 12, kept
            "mass": [1.0, 2.0, 3.0, 4.0],  # numbers are never groups
            "same": ["x", "x", "x", "x"],  # one value: nothing to compare
        }
    )
    found = group_columns(frame, np.array([3, 0]))
    assert found == {"island": [MISSING, "a"], "name": ["s", "p"]}


def test_each_group_counts_its_rows_and_its_right_answers() -> None:
    labels = np.array([0, 1, 1, 0, 1])
    predictions = np.array([0, 1, 0, 0, 0])
    out = group_results(labels, predictions, {"island": ["a", "a", "b", "b", "b"]})
    assert out == {
        "island": [
            {"group": "b", "rows": 3, "accuracy": pytest.approx(1 / 3)},
            {"group": "a", "rows": 2, "accuracy": 1.0},
        ]
    }
    gap = widest_gap(out, min_rows=2)
    assert gap["column"] == "island" and gap["gap"] == pytest.approx(2 / 3)
    assert widest_gap(out, min_rows=3) is None  # only one group is big enough


def test_a_penguins_run_reports_accuracy_by_island_and_by_sex() -> None:
    spec = RunSpec(dataset="penguins", model="dense", epochs=3, batch_size=32)
    result = train(spec, SilentHooks())
    groups = result.group_results
    assert set(groups) == {"island", "sex"}
    frame = load_penguins_frame()
    frame = frame[frame["species"].notna()]
    y = label_strings(frame["species"]).to_numpy()
    _, _, test = split_indices(y, spec.validation_fraction, spec.test_fraction, spec.seed)
    islands = frame["island"].iloc[test].value_counts().to_dict()
    assert {r["group"]: r["rows"] for r in groups["island"]} == islands
    for rows in groups.values():  # the groups' right answers add up to the test accuracy
        right = sum(r["rows"] * r["accuracy"] for r in rows)
        assert right / sum(r["rows"] for r in rows) == pytest.approx(result.test_accuracy)
