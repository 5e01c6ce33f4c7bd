"""New-user findings that only show in a real browser: text typed just before a reload, a
challenge page that follows its runs by itself, a learner on a teacher's address, and a
display name written as a Markdown link, and a page opened at its own address.

Accounts, the class and the challenge are set up through the services against the server's
own database; every run is trained by the server's worker."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from classroom import accounts, challenges, classes, journals
from db.models import utcnow
from tests.e2e.helpers import set_number, sign_in, using_database, wait_for_app

PASSWORD = "working as a team"
HOSTILE_NAME = "Alice [Your session expired - sign in again](http://evil.example/login)"
LAST_WORDS = " and then the page reloaded"


@pytest.fixture(scope="module")
def people(served, browser):  # type: ignore[no-untyped-def]
    """A teacher, a class, a learner with a hostile display name, and an open challenge."""
    _base, url = served
    with using_database(url):
        teacher = accounts.create_first_teacher("tess", "Tess Teacher", PASSWORD)
        klass = classes.create_class(teacher, "Year 11")
        alice = accounts.sign_up_learner("alice", HOSTILE_NAME, PASSWORD, klass.join_code)
        challenge = challenges.open_challenge(
            teacher,
            klass.id,
            title="Penguin species",
            lab_id="data-types",
            dataset="penguins",
            run_budget=3,
            budget_per="learner",
            deadline=utcnow() + timedelta(days=1),
        )
    return teacher, alice, challenge


def learner_page(browser, base: str) -> Page:  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_in(page, base, "alice", PASSWORD)
    return page


def test_is_text_typed_just_before_a_reload_kept(served, browser, people, in_server_db) -> None:
    base, _url = served
    _teacher, alice, _challenge = people
    page = learner_page(browser, base)
    page.goto(f"{base}/journal")
    wait_for_app(page)
    page.get_by_role("button", name="New entry").click()
    expect(page).to_have_url(re.compile(r"/journal\?entry=\d+$"))
    box = page.get_by_test_id("autosave-textarea")
    box.click()
    box.press_sequentially("First thoughts", delay=5)
    expect(page.get_by_text(re.compile(r"Saved .* · 2 words"))).to_be_visible(timeout=30_000)
    box.press_sequentially(LAST_WORDS, delay=5)
    page.reload()  # within the pause that would have sent it
    wait_for_app(page)
    expect(page.get_by_test_id("autosave-textarea")).to_have_value("First thoughts" + LAST_WORDS)
    expect(page.get_by_text(re.compile(r"Saved .* · 7 words"))).to_be_visible(timeout=30_000)
    assert [e.body for e in journals.list_entries(alice)] == ["First thoughts" + LAST_WORDS]


def test_does_the_challenge_page_follow_a_run_to_the_leaderboard_by_itself(
    served, browser, people, in_server_db
) -> None:
    base, _url = served
    _teacher, alice, challenge = people
    page = learner_page(browser, base)
    page.goto(f"{base}/challenges")
    wait_for_app(page)
    set_number(page, "Epochs", 3)
    page.get_by_role("button", name="Train for the challenge").click()
    expect(page.get_by_text("Your runs in this challenge")).to_be_visible(timeout=30_000)
    [run] = challenges.my_challenge_runs(alice, challenge.id)
    # No reload, no click: the page notices the run finishing and redraws its board.
    expect(page.get_by_text(f"Run {run.id} · done")).to_be_visible(timeout=180_000)
    expect(page.get_by_test_id("stDataFrame")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("No scored runs yet")).to_have_count(0)
    expect(page.get_by_text("updates by itself")).to_have_count(0)  # it stopped asking


def test_does_a_learner_on_a_teachers_address_read_why(served, browser, people) -> None:
    base, _url = served
    page = learner_page(browser, base)
    for address in ("classes", "teams", "learner?id=1"):
        page.goto(f"{base}/{address}")
        wait_for_app(page)
        expect(page.get_by_role("heading", name="This page is for teachers")).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)
        expect(page.get_by_text("Tess Teacher")).to_have_count(0)


def test_is_a_display_name_written_as_a_link_shown_as_text(served, browser, people) -> None:
    base, _url = served
    page = learner_page(browser, base)
    page.goto(base)
    wait_for_app(page)
    expect(page.get_by_role("heading", name=re.compile("Welcome, Alice"))).to_be_visible()
    expect(page.get_by_text("(http", exact=False).first).to_be_visible()  # shown as typed
    # The heading's own "#welcome-..." anchor is fine; a link that leaves the page is not.
    assert page.locator("a[href*='evil']:not([href^='#'])").count() == 0


def test_does_a_page_opened_at_its_own_address_ask_only_for_what_exists(
    served, browser, people
) -> None:
    base, _url = served
    page = learner_page(browser, base)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto(f"{base}/journal")
    wait_for_app(page)
    expect(page.get_by_role("heading", name=re.compile("journal", re.I)).first).to_be_visible()
    page.reload()
    wait_for_app(page)
    assert missing == []
