"""The journal and progress pages in a real browser: a free entry whose draft survives a
reload, and a goal that shows on the progress page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.helpers import create_class, sign_up_learner, sign_up_teacher, wait_for_app

FIRST_PART = "Today I compared two learning rates and the smaller one"
SECOND_PART = " gave a smoother validation curve."
GOAL = "Explain to my group why a smaller learning rate helped"


def test_a_free_entry_survives_a_reload_and_a_goal_reaches_the_progress_page(
    server, browser
) -> None:
    teacher = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    learner = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_up_teacher(teacher, server)
    sign_up_learner(learner, server, create_class(teacher, server))

    learner.goto(f"{server}/journal")
    wait_for_app(learner)
    learner.get_by_role("button", name="New entry").click()
    expect(learner).to_have_url(re.compile(r"/journal\?entry=\d+$"))
    box = learner.get_by_test_id("autosave-textarea")
    box.click()
    box.press_sequentially(FIRST_PART, delay=5)
    expect(learner.get_by_text(re.compile(r"Saved .* · 10 words"))).to_be_visible(timeout=30_000)
    box.press_sequentially(SECOND_PART, delay=5)  # still typing ...
    expect(learner.get_by_text(re.compile(r"Saved .* · 15 words"))).to_be_visible(timeout=30_000)

    learner.reload()  # ... and the page reloads (a dropped connection, a closed laptop lid)
    wait_for_app(learner)
    expect(learner.get_by_test_id("autosave-textarea")).to_have_value(FIRST_PART + SECOND_PART)
    learner.get_by_role("button", name="Close the editor").click()
    wait_for_app(learner)
    expect(learner.get_by_text(FIRST_PART + SECOND_PART)).to_be_visible()

    learner.goto(f"{server}/progress")
    wait_for_app(learner)
    expect(learner.get_by_role("heading", name="My progress")).to_be_visible()
    learner.get_by_role("textbox", name="My goal", exact=True).fill(GOAL)
    learner.get_by_role("button", name="Add goal").click()
    wait_for_app(learner)
    expect(learner.get_by_text(GOAL, exact=True)).to_be_visible()
    expect(learner.get_by_text("Wrote in the journal: Today I compared")).to_be_visible()

    learner.reload()  # the goal is stored, not just shown
    wait_for_app(learner)
    expect(learner.get_by_text(GOAL, exact=True)).to_be_visible()
