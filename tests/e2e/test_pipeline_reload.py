"""Pipeline builder in a real browser: a learner's work survives pressing reload (F5). The
upload also shows that a signed-in browser still gets through Streamlit's upload endpoint,
which refuses requests without the app's sign-in cookie."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.helpers import add_stage, messy_csv, sign_up_teacher, upload, wait_for_app

STAGES = (
    "1. Turn minutes into decimal numbers (a value that won't convert becomes missing)",
    "2. Fill missing values in score and minutes with the median",
)


def test_source_stages_and_version_are_still_there_after_a_reload(
    server, browser, tmp_path
) -> None:
    marks = tmp_path / "marks.csv"
    marks.write_bytes(messy_csv(40))
    page = browser.new_page()
    sign_up_teacher(page, server)
    page.goto(f"{server}/pipeline-builder")
    wait_for_app(page)
    page.get_by_text("My file", exact=True).click()
    wait_for_app(page)
    upload(page, "Your file", marks)
    caption = page.get_by_text("From your file marks.csv: 120 rows, 4 columns, 13 missing")
    expect(caption).to_be_visible()  # read; its chip's "Remove file" button is drawn too
    add_stage(
        page,
        "fix types",
        Columns="minutes",
        Type="float",
        **{"A value that won't convert": "missing"},
    )
    add_stage(page, "impute missing values", Columns=["score", "minutes"])
    page.get_by_role("button", name="Run the pipeline").click()
    wait_for_app(page)
    page.get_by_role("tab", name="Versions").click()
    page.get_by_role("button", name="Store as a new version").click()
    wait_for_app(page)
    expect(page.get_by_text("Version 1: 120 rows")).to_be_visible()

    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("radio", name="My file")).to_be_checked()
    expect(caption).to_be_visible()
    for sentence in STAGES:
        expect(page.get_by_text(sentence, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Remove", exact=True)).to_have_count(2)
    page.get_by_role("tab", name="Versions").click()
    expect(page.get_by_text("Version 1: 120 rows")).to_be_visible()  # the chosen version
    page.get_by_role("tab", name="Build and run").click()
    page.get_by_role("button", name="Run the pipeline").click()  # it still runs as before
    wait_for_app(page)
    expect(page.get_by_text("Objective met: No missing values reach the model")).to_be_visible()
