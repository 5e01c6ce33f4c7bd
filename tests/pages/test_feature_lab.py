"""The feature engineering lab page: finding the leak, evaluating features, selection."""

from __future__ import annotations

import pytest

from classroom import datasets, progress

PAGE = "pages/feature_engineering.py"


@pytest.fixture
def lab(open_page, learner):
    return open_page(learner, PAGE)


def messages(at) -> list[str]:
    return [e.value for e in (*at.success, *at.warning)]


@pytest.mark.parametrize(
    ("answer", "passed"),
    [
        ("Lab Record Code", True),
        ("lab_record_code", True),
        ("body_mass_g", False),
    ],
)
def test_naming_the_leak_is_checked_and_recorded(lab, learner, answer, passed) -> None:
    lab.text_input(key="fe_leak_answer").input(answer).run()
    assert not lab.exception
    assert any(("Objective met" if passed else "Not yet") in m for m in messages(lab))
    assert ("ct-find-the-leak" in progress.completed_steps(learner)) is passed


def test_the_suspects_table_shows_the_leak_on_top(lab) -> None:
    lab.toggle(key="fe_single_scores").set_value(True).run()
    suspects = next(d.value for d in lab.dataframe if "column alone" in d.value.columns)
    assert suspects.iloc[0]["column alone"] == "lab_record_code"
    assert suspects.iloc[0]["validation accuracy"] == pytest.approx(1.0)


def test_leaving_a_column_out_is_compared_with_the_default_features(lab, learner) -> None:
    lab.multiselect[-1].select("year")  # "Leave out"
    lab.button[0].click().run()  # the form's Evaluate button
    assert not lab.exception
    labels = [m.label for m in lab.metric]
    assert labels == ["Validation accuracy", "Features"]
    assert lab.metric[1].delta == "-1"
    met = "ct-fewer-features" in progress.completed_steps(learner)
    assert any("fewer features" in m.lower() for m in messages(lab))
    assert met is any("Objective met: Use fewer features" in m for m in messages(lab))


def test_comparing_selection_methods_draws_the_curves(lab) -> None:
    [button] = [b for b in lab.button if b.label == "Compare selection methods"]
    button.click().run()
    assert not lab.exception
    assert lab.get("plotly_chart")
    assert any(c.value.startswith("RFECV, which chooses") for c in lab.caption)
    best = next(d.value for d in lab.dataframe if "features kept" in d.value.columns)
    assert set(best["method"]) >= {"rfe", "l1"}


def test_a_learners_own_table_is_offered_and_used(app_as, learner) -> None:
    rows = ["bill,flipper,species"] + [
        f"{35 + i % 7 + (i % 3) * 5},{180 + (i % 3) * 15 + i % 5},{['a', 'b', 'c'][i % 3]}"
        for i in range(45)
    ]
    upload = datasets.add_upload(
        learner, "\n".join(rows).encode(), "mine.csv", "tabular", "species"
    )
    at = app_as(learner)
    at.switch_page(PAGE).run()
    at.selectbox(key="fe_table").select(upload.dataset).run()
    assert not at.exception
    assert any("Predicting **species** from 2 columns" in c.value for c in at.caption)
