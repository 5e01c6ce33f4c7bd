"""The tuning lab in a real browser: a learner starts a small study and watches it live."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.helpers import (
    create_class,
    set_number,
    sign_up_learner,
    sign_up_teacher,
    wait_for_app,
    wait_for_points,
)


def test_a_learner_starts_a_study_and_sees_the_trials_arrive_live(server, browser) -> None:
    teacher = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    learner = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_up_teacher(teacher, server)
    sign_up_learner(learner, server, create_class(teacher, server))

    learner.goto(f"{server}/hyperparameter-tuning")
    wait_for_app(learner)
    expect(learner.get_by_role("heading", name="Hyperparameter tuning")).to_be_visible()
    set_number(learner, "Trial budget", 3)
    set_number(learner, "Parallel trials", 1)
    set_number(learner, "Epochs per trial", 2)
    learner.get_by_role("button", name="Start the study").click()

    # While the study runs, the panel redraws itself: first part of the budget, then all of it.
    expect(
        learner.get_by_text(re.compile(r"(Waiting for the worker|Searching): [0-2] of 3"))
    ).to_be_visible(timeout=60_000)
    expect(learner.get_by_text(re.compile(r"Finished: 3 of 3 trials ended"))).to_be_visible(
        timeout=120_000
    )
    table = learner.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    wait_for_app(learner)
    # At least one finished trial: its dot and a point of the best-so-far line.
    wait_for_points(learner, 1, revision="best-so-far")
    expect(learner.get_by_text(re.compile(r"Beat the default configuration"))).to_be_visible()
    expect(
        learner.get_by_role("button", name="Train the best configuration in full")
    ).to_be_visible()
