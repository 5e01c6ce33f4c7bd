"""People's words in Markdown: shown as typed, never as a link, image, heading or HTML; and the
places that showed a name as a live link (card byline, review and feedback messages)."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from classroom import accounts, journals, model_cards, teams
from classroom.model_cards import SECTION_KEYS
from engine import jobs
from engine.spec import RunSpec
from tests.conftest import PASSWORD
from ui.common.markdown_text import ZERO_WIDTH_JOINER, md_escape

HOSTILE = "Alice [Your session expired - sign in again](http://evil.example/login)"
# A Markdown special character with no backslash before it would be markup.
BARE_SPECIAL = re.compile(r"(?<!\\)[\[\]()<>!#*_`~|$:&=+-]")
# Bare addresses are linked even when escaped: only a break inside them stops that.
AUTOLINK = re.compile(r"https?:|www\.|\w@\w")


def visible(markdown: str) -> str:
    """What a reader sees: backslash escapes and zero-width joiners gone."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(ZERO_WIDTH_JOINER, "")


@pytest.mark.parametrize(
    "text",
    [
        HOSTILE,
        "see http://evil.example and https://evil.example/x",
        "www.evil.example",
        "write to me: alice@evil.example",
        "![pixel](http://evil.example/p.png)",
        "<img src=x onerror=alert(1)> <script>x</script>",
        "[x](javascript:alert(1))",
        "# Heading\n> quote\n- item\n1. first\n    code",
        ":red[shout] :material/home: $x^2$ **bold** _it_ ~~gone~~",
        "Tom & Jerry &amp; friends\nTitle\n===",
    ],
)
def test_is_hostile_text_shown_as_typed_and_never_as_markup(text: str) -> None:
    escaped = md_escape(text)
    assert not BARE_SPECIAL.search(escaped.replace("\\\\", ""))
    assert not AUTOLINK.search(escaped.replace("\\", ""))
    lines = [line.strip() for line in text.split("\n")]
    assert visible(escaped).split("  \n") == lines  # the reader sees every character


def test_is_a_plain_name_left_readable() -> None:
    assert md_escape("Lin Learner") == "Lin Learner"


def pair(teacher, klass):
    alice = accounts.sign_up_learner("alice", HOSTILE, PASSWORD, klass.join_code)
    ben = accounts.sign_up_learner("ben", "Ben", PASSWORD, klass.join_code)
    team = teams.create_team(teacher, klass.id, "Red")
    teams.add_member(teacher, team.id, alice.id)
    teams.add_member(teacher, team.id, ben.id)
    return alice, ben


def shared_card(owner) -> model_cards.Card:
    run_id = jobs.submit(
        RunSpec(dataset="penguins", model="dense", epochs=1), owner.id, "data-types"
    )
    jobs.finish(run_id, "done", result={"test_accuracy": 0.9})
    card = model_cards.start_card(owner, run_id)
    for key in SECTION_KEYS:
        card = model_cards.save_section(owner, card.id, key, "See http://evil.example now.")
    return model_cards.set_shared(owner, card.id, True)


def all_markdown(at: AppTest) -> str:
    parts = [m.value for m in (*at.markdown, *at.caption, *at.success, *at.title)]
    return "\n".join(parts)


def test_is_the_card_byline_and_text_free_of_links(open_page, teacher, klass) -> None:
    alice, ben = pair(teacher, klass)
    shared_card(alice)
    for reader in (teacher, ben):
        at = open_page(reader, "pages/model_card.py" if reader is teacher else "pages/reviews.py")
        text = all_markdown(at)
        assert "By Alice" in visible(text) or reader is ben
        assert "](" not in text and not AUTOLINK.search(text.replace("\\", ""))


def test_is_the_review_saved_message_free_of_links(open_page, teacher, klass) -> None:
    alice, ben = pair(teacher, klass)
    card = shared_card(alice)
    at = open_page(ben, "pages/reviews.py")
    key = f"rv_model_card_{card.id}"
    for criterion in ("clarity", "evidence", "next_step"):
        at.radio(key=f"{key}_{criterion}").set_value(3)
    at.text_area(key=f"{key}_comment").input("Clear, and the chart backs it up. Try more epochs.")
    next(b for b in at.button if b.label == "Send my review").click().run()
    [saved] = [s.value for s in at.success if s.value.startswith("Review saved")]
    assert "](" not in saved and not AUTOLINK.search(saved.replace("\\", ""))
    assert visible(saved) == f"Review saved. {HOSTILE} can read it now."


def test_is_the_feedback_saved_message_free_of_links(teacher, klass) -> None:
    alice = accounts.sign_up_learner("alice", HOSTILE, PASSWORD, klass.join_code)
    entry = journals.save_draft(alice, "What I learned.")
    journals.set_shared(alice, entry.id, True)
    [shared] = journals.shared_entries_for_class(teacher, klass.id)

    def script(teacher, entry) -> None:
        from ui.journal.feedback import render_feedback_form

        render_feedback_form(teacher, entry)

    at = AppTest.from_function(script, args=(teacher, shared), default_timeout=30)
    at.run()
    at.text_area(key=f"feedback_comment_{entry.id}").input("Good thinking.")
    next(b for b in at.button if b.label == "Send feedback").click().run()
    [saved] = [s.value for s in at.success]
    assert "](" not in saved and not AUTOLINK.search(saved.replace("\\", ""))
    assert visible(saved) == f"Feedback saved; {HOSTILE} can see it now."
