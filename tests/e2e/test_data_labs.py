"""The data labs in a real browser: a messy file cleaned, stored, trained on and watched for
drift in the pipeline builder; a leak found in the feature engineering lab."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from classroom import accounts
from engine.features import tables
from labs.feature_engineering import LEAK_SEED
from tests.e2e.helpers import (
    LEARNER_PASSWORD,
    add_stage,
    messy_csv,
    sign_in,
    sign_up_teacher,
    upload,
    wait_for_app,
    wait_for_journal_entry,
)

REFLECTION = (
    "The minutes column held a sentence instead of a number, so I fixed its type before "
    "filling the gaps with the median. The later file had much higher scores, and the "
    "drift table showed it at once, so a model trained on the first version would be wrong."
)


def test_a_messy_file_is_cleaned_stored_trained_on_and_drifts(
    server, browser, in_server_db, tmp_path
) -> None:
    first, later = tmp_path / "marks.csv", tmp_path / "marks-later.csv"
    first.write_bytes(messy_csv(40))
    later.write_bytes(messy_csv(70))
    page = browser.new_page()
    sign_up_teacher(page, server)
    page.goto(f"{server}/pipeline-builder")
    wait_for_app(page)

    page.get_by_text("My file", exact=True).click()
    wait_for_app(page)
    upload(page, "Your file", first)
    expect(page.get_by_text("120 rows, 4 columns, 13 missing")).to_be_visible()

    add_stage(
        page,
        "fix types",
        Columns="minutes",
        Type="float",
        **{"A value that won't convert": "missing"},
    )
    add_stage(page, "impute missing values", Columns=["score", "minutes"])
    add_stage(page, "target", **{"Column to predict": "passed"})
    page.get_by_role("button", name="Run the pipeline").click()
    wait_for_app(page)
    expect(page.get_by_text("Objective met: No missing values reach the model")).to_be_visible()

    page.get_by_role("tab", name="Versions").click()
    page.get_by_role("button", name="Store as a new version").click()
    wait_for_app(page)
    expect(page.get_by_text("Objective met: Store a version of your cleaned data")).to_be_visible()

    page.get_by_role("tab", name="Runs on this version").click()
    page.get_by_role("button", name="Train a dense network on it").click()
    expect(page.get_by_text(re.compile(r"Run \d+ · "))).to_be_visible(timeout=30_000)
    finished = page.get_by_text(re.compile(r"Run \d+ · Finished"))
    expect(finished.first).to_be_visible(timeout=120_000)
    wait_for_app(page)
    expect(finished).to_have_count(1)  # the page redrawn once the run ended: one panel
    history = page.get_by_test_id("stDataFrame").filter(has_text="validation accuracy")
    expect(history).to_be_visible()

    page.get_by_text("Re-run the saved pipeline on a new file").click()
    upload(page, "New file", later)
    page.get_by_role("button", name="Re-run the saved pipeline on this file").click()
    wait_for_app(page)
    expect(page.get_by_text("Stored version 2 (120 rows) from marks-later.csv")).to_be_visible()
    page.get_by_role("tab", name="Monitor").click()
    expect(page.get_by_text("Version 1 → version 2")).to_be_visible()
    expect(page.get_by_text("Objective met: Find drift between two versions")).to_be_visible()

    expect(page.get_by_text("these columns drifted: score")).to_be_visible()  # own results
    box = page.get_by_test_id("autosave-textarea")
    box.click()
    box.fill(REFLECTION)
    box.blur()  # the box saves after a pause in typing, or when it loses focus
    wait_for_journal_entry(REFLECTION)
    page.goto(f"{server}/track?id=digital-literacy")
    wait_for_app(page)
    expect(page.get_by_text("4 of 12 steps done")).to_be_visible()  # clean, store, drift, reflect
    page.goto(f"{server}/pipeline-builder")
    wait_for_app(page)
    expect(page.get_by_test_id("autosave-textarea")).to_have_value(REFLECTION)


def test_the_leaking_column_is_found_in_the_feature_engineering_lab(
    server, browser, in_server_db
) -> None:
    frame, target = tables.load_table("penguins")
    _, leak = tables.with_planted_leak(frame, target, LEAK_SEED)
    accounts.sign_up_learner("fay", "Fay Finder", LEARNER_PASSWORD)
    page = browser.new_page()
    sign_in(page, server, "fay", LEARNER_PASSWORD)
    page.goto(f"{server}/feature-engineering")
    wait_for_app(page)

    page.get_by_role("tab", name="Redundancy and leaks").click()
    expect(page.locator("[data-testid=stVegaLiteChart]:visible").first).to_be_visible()  # heatmap
    page.get_by_text("Score each column on its own").click()
    wait_for_app(page)
    expect(page.get_by_text("A real measurement rarely predicts the label")).to_be_visible()

    answer = page.get_by_label("Which column leaks the answer?")
    answer.fill(target)  # a wrong guess: the label itself
    answer.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text("Not yet: Name the column that leaks the answer")).to_be_visible()
    answer.fill(leak)
    answer.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text("Objective met: Name the column that leaks the answer")).to_be_visible()
