"""The teacher's tools in a real browser: a track assigned with a due date, a learner who sees
it, fails a lab check, asks for hints and then passes, reflects and shares, the teacher's
feedback reaching the learner, and the matrix and CSV following along."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    LEARNER_PASSWORD,
    add_stage,
    choose,
    create_class,
    fill_account_form,
    sign_up_teacher,
    wait_for_app,
    wait_for_journal_entry,
)

TRACK = "From data to a trained network"
REFLECTION = (
    "Filling the scores alone was not enough, because the minutes column still had gaps. "
    "The second hint told me every column with gaps needs its own stage, so I dropped the "
    "few rows without minutes and the check passed."
)
LEARNER_NAME = "=Lin Learner"  # looks like a spreadsheet formula: the CSV must escape it


def matrix(page: Page):  # type: ignore[no-untyped-def]
    page.goto(page.url)
    wait_for_app(page)
    chart = page.locator(".js-plotly-plot").first
    expect(chart).to_contain_text(LEARNER_NAME)
    return chart


def test_an_assignment_a_hint_and_the_matrix_following_the_learner(
    server, browser, in_server_db
) -> None:
    teacher = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    learner = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_up_teacher(teacher, server)
    code = create_class(teacher, server)
    learner.goto(f"{server}/auth/signup?code={code}")
    fill_account_form(learner, LEARNER_NAME, "lin", LEARNER_PASSWORD)
    expect(learner.get_by_text("Class: Year 11 Computing")).to_be_visible()

    # The teacher assigns the whole Digital Literacy track, due in a week (the default).
    teacher.goto(f"{server}/classes")
    wait_for_app(teacher)
    teacher.get_by_text("Assign a track or a step", exact=True).click()
    choose(teacher, "Track to assign", TRACK)
    wait_for_app(teacher)
    teacher.get_by_role("button", name="Assign").click()
    due = date.today() + timedelta(days=7)
    expect(teacher.get_by_text(f"whole class, due {due:%a} {due.day} {due:%b %Y}.")).to_be_visible()
    chart = matrix(teacher)
    expect(chart).to_contain_text("not started")
    expect(chart).not_to_contain_text("stuck")

    # The learner sees it on the home page with its due date.
    learner.goto(server)
    wait_for_app(learner)
    expect(learner.get_by_role("heading", name="Assigned to you")).to_be_visible()
    expect(learner.get_by_text(f"{TRACK} (whole track)")).to_be_visible()
    expect(learner.get_by_text(f"due {due:%a %d %b}")).to_be_visible()

    # A pipeline that fills only one column's gaps fails the check; hints come one at a time.
    learner.goto(f"{server}/pipeline-builder")
    wait_for_app(learner)
    add_stage(learner, "impute missing values", Columns="score")
    learner.get_by_role("button", name="Run the pipeline").click()
    wait_for_app(learner)
    expect(learner.get_by_text("Not yet: No missing values reach the model")).to_be_visible()
    expect(learner.get_by_text(re.compile("Look at the missing values table"))).to_have_count(0)
    learner.get_by_role("button", name="Show a hint").click()
    wait_for_app(learner)
    expect(learner.get_by_text(re.compile("Look at the missing values table"))).to_be_visible()
    expect(learner.get_by_role("button", name="A stronger hint")).to_be_visible()

    expect(matrix(teacher)).to_contain_text("in progress")

    learner.get_by_role("button", name="A stronger hint").click()
    wait_for_app(learner)
    expect(learner.get_by_text(re.compile("still missing after your last stage"))).to_be_visible()
    expect(matrix(teacher)).to_contain_text("stuck")  # one failed check, two hints, no pass

    # The stronger hint was enough: the learner drops the rows still missing a value.
    add_stage(learner, "impute missing values", Columns="minutes", Strategy="drop")
    learner.get_by_role("button", name="Run the pipeline").click()
    wait_for_app(learner)
    expect(learner.get_by_text("Objective met: No missing values reach the model")).to_be_visible()
    expect(matrix(teacher)).to_contain_text("done")

    # The learner reflects on the pipeline, shares the entry, and reads the teacher's feedback.
    box = learner.get_by_test_id("autosave-textarea")
    box.click()
    box.fill(REFLECTION)
    box.blur()  # it saves when it loses focus
    wait_for_journal_entry(REFLECTION)
    learner.goto(f"{server}/journal")
    wait_for_app(learner)
    learner.get_by_text("Shared with my teacher").first.click()
    wait_for_app(learner)
    teacher.goto(f"{server}/classes")
    wait_for_app(teacher)
    expect(teacher.get_by_text(REFLECTION)).to_be_visible()
    teacher.get_by_label("Your feedback").fill("Good: you named the stage that fixed it.")
    teacher.get_by_role("button", name="Send feedback").click()
    wait_for_app(teacher)
    learner.reload()
    wait_for_app(learner)
    expect(learner.get_by_text("Good: you named the stage that fixed it.")).to_be_visible()

    # A fresh page: a click during the rerun after "Send feedback" can miss the file.
    teacher.reload()
    wait_for_app(teacher)
    csv_button = teacher.get_by_role("button", name="Download the class's progress (CSV)")
    expect(csv_button).to_be_enabled()
    with teacher.expect_download(timeout=60_000) as download:
        csv_button.click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("'=Lin Learner,lin,")
    assert lines[1].count("done (due") == 2  # the pipeline step and the reflection
