"""The Data Types lab in a real browser: a learner trains a CNN on the Image tab and watches
the live chart grow, then sees the result and this type's objective."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.helpers import (
    chart_points,
    create_class,
    sign_up_learner,
    sign_up_teacher,
    wait_for_app,
    wait_for_points,
)

EPOCHS = 15


def test_a_learner_trains_on_the_image_tab_and_watches_the_live_chart(server, browser) -> None:
    teacher = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    learner = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    sign_up_teacher(teacher, server)
    sign_up_learner(learner, server, create_class(teacher, server))

    learner.goto(f"{server}/data-types")
    wait_for_app(learner)
    for name in ("Image", "Text", "Audio", "Tabular"):
        expect(learner.get_by_role("tab", name=name)).to_be_visible()
    # The Image tab opens first: the sample grid and the augmentation preview are drawn.
    expect(learner.locator(".js-plotly-plot")).to_have_count(2, timeout=30_000)

    epochs = learner.get_by_role("slider", name="Epochs")
    epochs.focus()
    for _ in range(EPOCHS - 5):  # the tab's default is 5 epochs
        learner.keyboard.press("ArrowRight")
    expect(epochs).to_have_attribute("aria-valuetext", str(EPOCHS))
    learner.get_by_role("button", name="Train").click()

    expect(learner.get_by_text(re.compile(rf"Training: epoch \d+ of {EPOCHS}"))).to_be_visible(
        timeout=90_000
    )
    # The live chart (not the preview pictures) grows while the run still trains.
    wait_for_points(learner, chart_points(learner), while_shown="Training: epoch")

    # Runs are compared on validation accuracy; the test score waits for the final test.
    metrics = learner.get_by_test_id("stMetric")
    accuracy = metrics.filter(has_text=re.compile("^Validation accuracy"))
    expect(accuracy).to_be_visible(timeout=240_000)
    expect(accuracy.get_by_test_id("stMetricValue")).to_have_text(re.compile(r"^\d{1,3}\.\d%$"))
    expect(metrics.filter(has_text="Test accuracy")).to_have_count(0)
    expect(learner.get_by_role("button", name="Final test")).to_be_visible()
    # One run cannot show a CNN beating a dense network: the objective says what to do next.
    expect(learner.get_by_text("Not yet: Show a CNN beating a dense network")).to_be_visible()
    learner.get_by_role("button", name="Show a hint").first.click()
    nudge = learner.get_by_text(re.compile(r"Look at the validation accuracy of a CNN and a dense"))
    expect(nudge).to_be_visible(timeout=30_000)
    learner.get_by_role("button", name="A stronger hint").first.click()
    hint = learner.get_by_text(re.compile(r"Train a dense network on the same images for 15"))
    expect(hint).to_be_visible(timeout=30_000)
