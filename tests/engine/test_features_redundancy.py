"""Redundancy and leakage: correlated pairs, a planted leak found, and the learner's answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier

from engine.features.redundancy import (
    check_leak_answer,
    correlation_cells,
    correlation_matrix,
    leak_suspects,
    redundant_pairs,
    single_feature_scores,
)
from engine.features.tables import encode_labels, load_table, split_rows, with_planted_leak

TABLES = ["penguins", "wine", "breast-cancer"]


@pytest.mark.parametrize("name", TABLES)
@pytest.mark.parametrize("seed", [0, 11])
def test_is_the_planted_leak_the_only_and_top_suspect(name: str, seed: int) -> None:
    frame, target = load_table(name)
    leaky, leak = with_planted_leak(frame, target, seed)
    suspects = leak_suspects(leaky, target, seed)
    assert suspects == [(leak, 1.0)]


@pytest.mark.parametrize("name", TABLES)
def test_does_removing_the_leak_lower_the_best_single_feature_accuracy(name: str) -> None:
    frame, target = load_table(name)
    leaky, leak = with_planted_leak(frame, target, seed=3)
    with_leak = single_feature_scores(leaky, target, seed=3)
    without = single_feature_scores(leaky.drop(columns=[leak]), target, seed=3)
    assert with_leak[0] == (leak, 1.0)
    assert without[0][1] < with_leak[0][1]
    assert without == [s for s in with_leak if s[0] != leak]
    assert leak_suspects(leaky.drop(columns=[leak]), target, seed=3) == []


@pytest.mark.parametrize("column", ["flipper_length_mm", "bill_depth_mm"])
def test_is_a_single_feature_score_a_depth_two_tree_on_that_column(column: str) -> None:
    frame, target = load_table("penguins")
    y, _ = encode_labels(frame, target)
    train, val, _ = split_rows(frame, target, seed=0)
    tree = make_pipeline(
        SimpleImputer(strategy="median"), DecisionTreeClassifier(max_depth=2, random_state=0)
    )
    tree.fit(frame[[column]].iloc[train], y[train])
    expected = tree.score(frame[[column]].iloc[val], y[val])
    assert dict(single_feature_scores(frame, target, seed=0))[column] == expected


def test_are_text_yes_no_and_empty_columns_scored_too() -> None:
    frame = pd.DataFrame(
        {
            "colour": ["red", "blue", None] * 10,
            "flag": [True, False] * 15,
            "empty": np.nan,
            "label": list("ab") * 15,
        }
    )
    scores = dict(single_feature_scores(frame, "label", seed=0))
    assert scores["flag"] == 1.0  # flag is the label itself here
    assert set(scores) == {"colour", "flag", "empty"}
    assert all(0.0 <= s <= 1.0 for s in scores.values())


KNOWN_PAIRS = [
    ("mean radius", "mean perimeter"),
    ("worst radius", "worst perimeter"),
    ("mean radius", "mean area"),
]


@pytest.mark.parametrize(("a", "b"), KNOWN_PAIRS)
def test_are_known_breast_cancer_pairs_found_redundant(a: str, b: str) -> None:
    frame, target = load_table("breast-cancer")
    pairs = {(x, y): r for x, y, r in redundant_pairs(frame, threshold=0.9, target=target)}
    assert pairs[(a, b)] == pytest.approx(frame[a].corr(frame[b]), abs=1e-12)
    assert abs(pairs[(a, b)]) > 0.98


def test_are_redundant_pairs_strongest_first_each_once_and_above_the_threshold() -> None:
    frame, target = load_table("breast-cancer")
    pairs = redundant_pairs(frame, threshold=0.9, target=target)
    strengths = [abs(r) for _, _, r in pairs]
    assert strengths == sorted(strengths, reverse=True)
    assert min(strengths) > 0.9
    assert len({frozenset((a, b)) for a, b, _ in pairs}) == len(pairs)
    assert all(a != b for a, b, _ in pairs)
    assert pairs[0][:2] == ("mean radius", "mean perimeter") and pairs[0][2] > 0.99


def test_is_the_correlation_matrix_pandas_corr_on_the_number_columns() -> None:
    frame, target = load_table("penguins")
    matrix = correlation_matrix(frame, target)
    numbers = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"]
    pd.testing.assert_frame_equal(matrix, frame[numbers].corr())
    cells = correlation_cells(matrix)
    assert len(cells) == len(numbers) ** 2
    assert {c["r"] for c in cells if c["x"] == c["y"]} == {1.0}


def test_does_a_constant_column_give_no_pairs_and_a_blank_cell() -> None:
    frame = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0) * 2, "c": 1.0})
    assert redundant_pairs(frame, threshold=0.9) == [("a", "b", 1.0)]
    cells = correlation_cells(correlation_matrix(frame))
    assert {c["r"] for c in cells if "c" in (c["x"], c["y"])} == {None}


@pytest.mark.parametrize(
    ("answer", "accepted"),
    [
        ("Lab Record Code", True),
        ("lab_record_code", True),
        ("  LAB-RECORD-CODE ", True),
        ("LabRecordCode", True),
        ("`lab_record_code`", True),
        ("lab record", False),
        ("record code", False),
        ("body_mass_g", False),
        ("lab_record_code_2", False),
        ("", False),
        ("   ", False),
    ],
)
def test_is_the_learners_leak_answer_checked_ignoring_case_and_spacing(
    answer: str, accepted: bool
) -> None:
    assert check_leak_answer(answer, "lab_record_code") is accepted
