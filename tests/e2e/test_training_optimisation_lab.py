"""In a real browser: preview the schedule, start a run in the optimisation lab, watch it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    chart_points,
    create_class,
    sign_up_learner,
    sign_up_teacher,
    wait_for_app,
    wait_for_points,
)

FIRST_RATE = (
    "() => { const d = Array.from(document.querySelectorAll('.js-plotly-plot'))"
    ".find(p => p.layout && p.layout.uirevision === 'schedule-preview');"
    " return d ? Array.from(d.data[1].y)[0] : null; }"
)


def first_epoch_rate(page: Page) -> float:
    """The preview's learning rate at the end of epoch 1."""
    return page.evaluate(FIRST_RATE)


def test_a_learner_previews_a_schedule_trains_and_sees_the_live_chart_grow(server, browser) -> None:
    teacher = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_up_teacher(teacher, server)
    code = create_class(teacher, server)
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_up_learner(page, server, code)

    page.goto(f"{server}/training-optimisation")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Training optimisation")).to_be_visible()
    wait_for_points(page, 0, "schedule-preview")  # the preview is drawn before any training
    assert first_epoch_rate(page) == 0.001
    page.get_by_role("spinbutton", name="Warm-up epochs").fill("3")
    page.keyboard.press("Enter")
    wait_for_app(page)
    page.wait_for_function(f"({FIRST_RATE})() < 0.001", timeout=30_000)  # warm-up starts low

    epochs = page.get_by_role("slider", name="Epochs")
    epochs.focus()
    for _ in range(30):  # 10 -> 40 epochs, long enough to watch the chart grow
        page.keyboard.press("ArrowRight")
    expect(epochs).to_have_attribute("aria-valuetext", "40")
    wait_for_app(page)
    page.get_by_role("button", name="Train").click()
    expect(page.get_by_text(re.compile(r"Training: epoch \d+ of 40"))).to_be_visible(timeout=60_000)
    # The live chart grows while the run still trains.
    wait_for_points(page, chart_points(page), while_shown="Training: epoch")
    expect(page.get_by_role("heading", name="What this run shows")).to_be_visible(timeout=120_000)
    expect(page.get_by_text(re.compile(r"examples per second on the CPU"))).to_be_visible()
