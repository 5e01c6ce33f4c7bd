"""The data labs in a real browser: a messy file cleaned, stored, trained on and watched for
drift in the pipeline builder; a leak found in the feature engineering lab."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from engine.features import tables
from labs.feature_engineering import LEAK_SEED
from tests.e2e.conftest import wait_for_app
from tests.e2e.test_walking_skeleton import TEACHER_PASSWORD, sign_up_teacher

REFLECTION = (
    "The minutes column held a sentence instead of a number, so I fixed its type before "
    "filling the gaps with the median. The later file had much higher scores, and the "
    "drift table showed it at once, so a model trained on the first version would be wrong."
)


def messy_csv(shift: int, rows: int = 120) -> bytes:
    """Scores with gaps and a text value in a number column; ``shift`` moves every score."""
    lines = ["name,score,minutes,passed"]
    for i in range(rows):
        score = "" if i % 9 == 4 else str(shift + (i * 7) % 30)
        minutes = "about 30" if i == 5 else str(20 + (i * 3) % 40)
        passed = "yes" if (i * 7) % 30 >= 15 else "no"
        lines.append(f"student {i},{score},{minutes},{passed}")
    return ("\n".join(lines) + "\n").encode()


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the select box or multiselect labelled ``label``."""
    box = page.get_by_role("combobox", name=label, exact=True).last
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()


KIND_FIELD = {
    "impute missing values": "Strategy",
    "fix types": "Type",
    "target": "Column to predict",
    "outliers": "Action",
}


def add_stage(page: Page, kind: str, **fields: str | list[str]) -> None:
    """Add one stage through the editor's form, and wait until the list shows it."""
    before = page.get_by_role("button", name="Remove").count()
    if page.get_by_role("combobox", name="Stage to add").input_value() != kind:
        choose(page, "Stage to add", kind)
        wait_for_app(page)
    # A field only this kind's form has: once it shows, the rerun has drawn the new form.
    expect(page.get_by_role("combobox", name=KIND_FIELD[kind], exact=True)).to_be_visible()
    wait_for_app(page)
    for label, value in fields.items():
        for option in [value] if isinstance(value, str) else value:
            choose(page, label, option)
        page.keyboard.press("Escape")
    page.get_by_role("button", name="Add stage").click()
    expect(page.get_by_role("button", name="Remove")).to_have_count(before + 1)
    wait_for_app(page)


def upload(page: Page, label: str, path: Path) -> None:
    page.get_by_test_id("stFileUploader").filter(has_text=label).locator(
        "input[type=file]"
    ).set_input_files(str(path))
    wait_for_app(page)


def test_a_messy_file_is_cleaned_stored_trained_on_and_drifts(server, browser, tmp_path) -> None:
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
    history = page.get_by_test_id("stDataFrame").filter(has_text="test accuracy")
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
    page.wait_for_timeout(1500)
    page.goto(f"{server}/track?id=digital-literacy")
    wait_for_app(page)
    expect(page.get_by_text("3 of 8 steps done")).to_be_visible()  # clean, drift, reflect
    page.goto(f"{server}/pipeline-builder")
    wait_for_app(page)
    expect(page.get_by_test_id("autosave-textarea")).to_have_value(REFLECTION)


def test_the_leaking_column_is_found_in_the_feature_engineering_lab(server, browser) -> None:
    frame, target = tables.load_table("penguins")
    _, leak = tables.with_planted_leak(frame, target, LEAK_SEED)
    page = browser.new_page()
    page.goto(f"{server}/auth/login")
    page.fill("#username", "tess")
    page.fill("#password", TEACHER_PASSWORD)
    page.click("button[type=submit]")
    wait_for_app(page)
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
