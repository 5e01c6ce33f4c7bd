"""Two learners of one team in two browser contexts: one trains for the class challenge and
shares the run, the other forks it with more epochs, both land on the leaderboard; then the
first writes a model card with the live plain-language check and shares it, the second
reviews it, and the author reads the review.

The accounts, the team and the challenge are set up through the services against the server's
own database (their pages have tests of their own); every run is trained by the server's
worker."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from classroom import accounts, challenges, classes, model_cards, teams
from classroom.access import Actor
from db.models import utcnow
from engine import jobs
from tests.e2e.helpers import choose, poll, set_number, sign_in, wait_for_app

PASSWORD = "working as a team"
SECTIONS = {
    "What the model does": "A small network that guesses a penguin's species from its size.",
    "The data it learned from": "The Palmer penguins table: 344 birds from three islands.",
    "Who might be poorly served": "Birds from Torgersen are few, so the model knows them less.",
    "Results per group": "It does worst on Dream, where two species look much alike.",
    "Limits": "Only three species and three islands; never tested on other penguins.",
}
PLAIN = (
    "This program looks at a penguin and guesses which of three kinds it is. It learned "
    "from about three hundred birds that scientists measured on three islands. It gets most "
    "guesses right. It is wrong more often on one island, where it saw fewer birds. Do not "
    "use it for birds it has never seen."
)
REVIEW = "The island chart backs up your claim. Try more epochs and see if Dream does better."


def write_card(page: Page, author: Actor, run_id: int) -> None:
    """Type every section into its autosaving box; each saves when the box loses focus."""
    boxes = page.get_by_test_id("autosave-textarea")
    expect(boxes.first).to_be_visible(timeout=30_000)
    for label, text in [*SECTIONS.items(), ("In plain words", PLAIN)]:
        box = page.locator(f"textarea[aria-label^='{label}']")
        box.click()
        box.fill(text)
        box.blur()
        poll(lambda text=text: card_holds(author, run_id, text), f"{label!r} saved", 30)
        wait_for_app(page)


def card_holds(author: Actor, run_id: int, text: str) -> bool:
    card = model_cards.card_for_run(author, run_id)
    return card is not None and text in card.sections.values()


def finished(run_id: int) -> bool:
    state = jobs.status(run_id)
    return state is not None and state.status == "done"


def test_a_team_shares_forks_ranks_and_reviews(server, browser, in_server_db) -> None:
    base = server
    # The people, the team and the challenge: through the services, in the server's database.
    teacher = accounts.create_first_teacher("tess", "Tess Teacher", PASSWORD)
    klass = classes.create_class(teacher, "Year 11")
    ana = accounts.sign_up_learner("ana", "Ana", PASSWORD, klass.join_code)
    ben = accounts.sign_up_learner("ben", "Ben", PASSWORD, klass.join_code)
    team = teams.create_team(teacher, klass.id, "Penguin pals")
    teams.add_member(teacher, team.id, ana.id)
    teams.add_member(teacher, team.id, ben.id)
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

    # Ana trains for the challenge and shares her run with the team.
    author = browser.new_context().new_page()
    sign_in(author, base, "ana", PASSWORD)
    author.goto(f"{base}/challenges")
    wait_for_app(author)
    set_number(author, "Epochs", 3)
    author.get_by_role("button", name="Train for the challenge").click()
    expect(author.get_by_text("Your runs in this challenge")).to_be_visible(timeout=30_000)
    [first] = challenges.my_challenge_runs(ana, challenge.id)
    poll(lambda: finished(first.id), "Ana's run finishing")
    author.goto(f"{base}/team")
    wait_for_app(author)
    author.get_by_role("tab", name="My runs").click()
    author.get_by_text(f"Run {first.id} · done", exact=False).click()
    wait_for_app(author)

    # Ben forks it with more epochs and counts the fork in the challenge.
    reviewer = browser.new_context().new_page()
    sign_in(reviewer, base, "ben", PASSWORD)
    reviewer.goto(f"{base}/team")
    wait_for_app(reviewer)
    reviewer.get_by_role("button", name="Fork").click()
    wait_for_app(reviewer)
    set_number(reviewer, "Epochs", 12)
    choose(reviewer, "Count it in a challenge", "Penguin species")
    reviewer.get_by_role("button", name="Train my fork").click()
    wait_for_app(reviewer)
    expect(reviewer.get_by_text("Your fork, run")).to_be_visible()
    [fork] = challenges.my_challenge_runs(ben, challenge.id)
    assert fork.spec["epochs"] == 12 and fork.spec["dataset"] == "penguins"
    poll(lambda: finished(fork.id), "Ben's fork finishing")

    author.goto(f"{base}/challenges")
    wait_for_app(author)
    board = author.get_by_test_id("stDataFrame")
    expect(board).to_be_visible()
    names = {row.owner_name for row in challenges.leaderboard(ana, challenge.id)}
    assert names == {"Ana", "Ben"}

    # Ana writes a model card for her run and shares it; Ben reviews it; Ana reads the review.
    author.goto(f"{base}/model-card?run={first.id}")
    wait_for_app(author)
    expect(author.get_by_text("Accuracy by group of test rows")).to_be_visible()
    write_card(author, ana, first.id)
    author.reload()  # what was typed reached the database
    wait_for_app(author)
    expect(author.locator("textarea[aria-label^='Limits']")).to_have_value(SECTIONS["Limits"])
    expect(author.get_by_text("No unexplained jargon.").last).to_be_visible()
    author.get_by_text("My team and my teacher, published as finished", exact=True).click()
    wait_for_app(author)
    expect(
        author.get_by_text("Objective met: A plain version with reading ease of 60")
    ).to_be_visible()

    reviewer.goto(f"{base}/reviews")
    wait_for_app(reviewer)
    choose(reviewer, "What would you like to review?", f"Ana: Model card for run {first.id}")
    wait_for_app(reviewer)
    expect(reviewer.get_by_text(SECTIONS["Limits"])).to_be_visible()
    for choice in ("3: Mostly clear", "4: Every claim backed", "3: One clear change"):
        reviewer.get_by_text(choice).click()
    reviewer.get_by_label("Comment").fill(REVIEW)
    reviewer.get_by_role("button", name="Send my review").click()
    wait_for_app(reviewer)
    expect(reviewer.get_by_text("Review saved. Ana can read it now.")).to_be_visible()
    expect(reviewer.get_by_text("Objective met: A useful review")).to_be_visible()

    author.reload()
    wait_for_app(author)
    expect(author.get_by_text(REVIEW)).to_be_visible()
    expect(author.get_by_text("Clarity 3/4 · Evidence 4/4 · What to try next 3/4")).to_be_visible()
