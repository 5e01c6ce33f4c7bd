"""The whole path in a real browser: a teacher, a class, a learner who trains and reflects."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from classroom import accounts
from labs.first_network import DEFAULT_SPEC
from tests.e2e.helpers import (
    LEARNER_PASSWORD,
    chart_points,
    create_class,
    sign_in,
    sign_up_learner,
    sign_up_teacher,
    wait_for_app,
    wait_for_points,
)

REFLECTION = (
    "I chose a CNN with Adam and forty epochs because a CNN looks at neighbouring pixels. "
    "Both curves kept falling together and the validation accuracy levelled off near the end, "
    "so next time I will try fewer epochs to see whether the accuracy stays the same."
)


def train_and_watch(page: Page, base: str) -> None:
    page.goto(f"{base}/first-network")
    wait_for_app(page)
    page.get_by_role("radio", name="CNN").click()
    epochs = page.get_by_role("slider", name="Epochs")
    epochs.focus()
    for _ in range(40 - DEFAULT_SPEC.epochs):  # up to 40 epochs, long enough to watch it grow
        page.keyboard.press("ArrowRight")
    expect(epochs).to_have_attribute("aria-valuetext", "40")
    # A fresh browser context: the empty axes are drawn before the first run, so the charting
    # code is loaded by the time the first point arrives (not seconds after it).
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_attached()
    assert page.evaluate(
        "() => document.querySelector('.js-plotly-plot').data.every(t => !t.x || !t.x.length)"
    )  # empty: no run yet
    page.get_by_role("button", name="Train").click()
    expect(page.get_by_text(re.compile(r"Training: epoch \d+ of 40"))).to_be_visible(timeout=60_000)
    # The chart grows while the status still says "Training" (not only at the end).
    wait_for_points(page, chart_points(page), while_shown="Training: epoch", timeout=60_000)
    # The run is scored on validation; its test score waits for the learner's final test.
    accuracy = page.get_by_test_id("stMetric").filter(has_text="Validation accuracy").first
    expect(accuracy).to_be_visible(timeout=120_000)
    expect(accuracy.get_by_test_id("stMetricValue")).to_have_text(re.compile(r"^\d{2,3}\.\d%$"))
    tested = page.get_by_test_id("stMetric").filter(has_text="Test accuracy (final test)")
    expect(tested).to_have_count(0)
    expect(page.get_by_text("Not yet: Reach at least 95% accuracy on the valid")).to_be_visible()
    page.get_by_role("button", name="Final test").click()
    expect(tested.get_by_test_id("stMetricValue")).to_have_text(re.compile(r"^\d{2,3}\.\d%$"))
    expect(page.get_by_text("Objective met: Reach at least 95% accuracy")).to_be_visible()


def write_and_share_reflection(page: Page) -> None:
    box = page.get_by_test_id("autosave-textarea")
    box.click()
    box.fill(REFLECTION)
    expect(page.get_by_text(re.compile(r"Saved .* words"))).to_be_visible(timeout=30_000)
    page.get_by_text("Share with my teacher").click()
    wait_for_app(page)


def test_teacher_class_learner_training_reflection_and_teacher_view(server, browser) -> None:
    teacher = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    learner = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()

    sign_up_teacher(teacher, server)
    code = create_class(teacher, server)
    sign_up_learner(learner, server, code)
    train_and_watch(learner, server)
    write_and_share_reflection(learner)

    learner.reload()
    wait_for_app(learner)
    expect(learner).not_to_have_url(re.compile(r"/auth/"))  # still signed in after a reload
    expect(learner.get_by_test_id("autosave-textarea")).to_have_value(REFLECTION)

    teacher.goto(f"{server}/classes")
    wait_for_app(teacher)
    expect(teacher.get_by_text(REFLECTION)).to_be_visible()
    grid = teacher.get_by_test_id("stDataFrame")
    expect(grid).to_contain_text("Lin Learner")
    # steps 1-2 (readings) not done, 3 (the lab objective) and 4 (the reflection) done:
    # 2 of the track's 12 steps
    expect(grid).to_contain_text(re.compile(r"Lin Learner\s*0\.16\d*\s*·\s*·\s*✓\s*✓"))


def test_signing_out_ends_the_session_and_pages_need_sign_in_again(
    server, browser, in_server_db
) -> None:
    accounts.sign_up_learner("sam", "Sam Leaver", LEARNER_PASSWORD)
    page = browser.new_context().new_page()
    sign_in(page, server, "sam", LEARNER_PASSWORD)
    page.get_by_test_id("sign-out").click()
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    page.goto(f"{server}/classes")
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))
