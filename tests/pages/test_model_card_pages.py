"""The model card and peer review pages with AppTest: writing with the live plain-language
check, publishing, sharing, reviewing a teammate and reading the reviews one received."""

from __future__ import annotations

import re
from typing import Any

import pytest

from classroom import model_cards, progress, reviews, team_runs, teams
from classroom.model_cards import SECTION_KEYS
from engine import jobs
from engine.spec import RunSpec
from engine.trainer import SilentHooks, train

PENGUINS = RunSpec(dataset="penguins", model="dense", epochs=2, batch_size=32)
PLAIN = (
    "This computer program looks at a penguin and guesses which of three kinds it is. It "
    "learned from about three hundred penguins that scientists measured on three islands. "
    "It gets most guesses right. It is wrong more often for penguins from one island, "
    "because it saw fewer of them. Do not use it for birds it has never seen."
)
EXPERT = {
    "purpose": "A dense network that predicts a penguin's species from its body measurements.",
    "training_data": "The Palmer penguins table: 344 birds from three islands, 2007 to 2009.",
    "poorly_served": "Penguins from Torgersen are few, so the model has seen little of them.",
    "group_comment": "Accuracy is lowest for Dream, where Adelie and Chinstrap birds overlap.",
    "limits": "Only these three species and islands; not tested on birds measured elsewhere.",
}
COMMENT = "Your island chart backs the claim well. Try more epochs and see if Dream improves."


@pytest.fixture(scope="session")
def penguins_result() -> dict[str, Any]:
    """One real training on penguins (a couple of seconds), shared by every test here."""
    return train(PENGUINS, SilentHooks()).as_dict()


@pytest.fixture
def run_id(learner, penguins_result) -> int:
    run = jobs.submit(PENGUINS, owner_id=learner.id, lab_id="data-types")
    jobs.finish(run, "done", result=penguins_result)
    return run


@pytest.fixture
def mate(learner, make_learner, teacher, klass):
    """A teammate of ``learner`` in the team Red."""
    other = make_learner("mate")
    red = teams.create_team(teacher, klass.id, "Red")
    teams.add_member(teacher, red.id, learner.id)
    teams.add_member(teacher, red.id, other.id)
    return other


def write(learner, run: int, texts: dict[str, str]) -> model_cards.Card:
    card = model_cards.start_card(learner, run)
    for key, text in texts.items():
        card = model_cards.save_section(learner, card.id, key, text)
    return card


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def visibility(at, card_id: int):
    """The one choice of who reads the card: "me", "team" or "published"."""
    return at.radio(key=f"mc_visibility_{card_id}")


def visible(markdown: str) -> str:
    """What a reader sees of escaped Markdown: no backslashes, no zero-width joiners."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u200d", "")


def test_does_a_learner_without_a_finished_run_get_sent_to_train_one(open_page, learner) -> None:
    at = open_page(learner, "pages/model_card.py")
    assert any("Train a model first" in i.value for i in at.info)


def test_does_the_page_show_the_runs_accuracy_settings_and_groups(
    open_page, learner, run_id, penguins_result
) -> None:
    at = open_page(learner, "pages/model_card.py")
    assert at.metric[0].value == f"{penguins_result['test_accuracy']:.1%}"
    charts = at.get("plotly_chart")
    assert any("island" in c.proto.spec for c in charts), "no per-group chart"
    boxes = at.get("bidi_component")  # the autosaving text boxes
    assert len(boxes) == len(SECTION_KEYS) + 1  # one per section, and the reflection
    assert any("Start writing any section" in i.value for i in at.info)
    assert model_cards.card_for_run(learner, run_id) is None  # looking saves nothing


def test_does_the_check_flag_jargon_and_suggest_the_glossarys_words(
    open_page, learner, run_id
) -> None:
    write(learner, run_id, {"plain_summary": PLAIN + " It trains for ten epochs with dropout."})
    at = open_page(learner, "pages/model_card.py")
    text = markdown(at)
    assert "**Jargon to explain (2)**" in text
    assert "- **epoch**: try *one full pass through all the training examples*" in text
    assert any("Reading ease" in c.value and "years of school" in c.value for c in at.caption)
    gauges = [c for c in at.get("plotly_chart") if '"indicator"' in c.proto.spec]
    assert len(gauges) == 1  # the full gauge beside the plain section only


def test_is_publishing_an_unfinished_card_refused_with_the_empty_sections_named(
    open_page, learner, run_id
) -> None:
    card = write(learner, run_id, {"purpose": EXPERT["purpose"]})
    at = open_page(learner, "pages/model_card.py")
    visibility(at, card.id).set_value("published").run()
    assert not at.exception
    assert any("Still empty" in e.value and "Limits" in e.value for e in at.error)
    assert visibility(at, card.id).value == "me"
    assert not model_cards.get_card(learner, card.id).published


def test_does_publishing_a_good_card_meet_both_objectives(open_page, learner, run_id) -> None:
    card = write(learner, run_id, {**EXPERT, "plain_summary": PLAIN})
    at = open_page(learner, "pages/model_card.py")
    visibility(at, card.id).set_value("published").run()
    assert not at.exception
    met = [s.value for s in at.success if s.value.startswith("Objective met")]
    assert len(met) == 2
    assert {"ccc-write-model-card", "ccc-plain-explanation"} <= progress.completed_steps(learner)
    assert at.get("download_button"), "no Markdown download"


def test_does_sharing_let_the_teammate_review_and_the_author_read_it(
    open_page, learner, mate, run_id
) -> None:
    card = write(learner, run_id, {**EXPERT, "plain_summary": "<script>alert(1)</script>"})
    at = open_page(learner, "pages/model_card.py")
    visibility(at, card.id).set_value("team").run()
    assert model_cards.get_card(mate, card.id).shared_with_team

    review_page = open_page(mate, "pages/reviews.py")
    shown = markdown(review_page)
    assert "\\<script\\>alert\\(1\\)\\</script\\>" in shown  # shown as text, not run
    key = f"rv_model_card_{card.id}"
    for criterion, score in (("clarity", 3), ("evidence", 2), ("next_step", 4)):
        review_page.radio(key=f"{key}_{criterion}").set_value(score)
    review_page.text_area(key=f"{key}_comment").input(COMMENT)
    next(b for b in review_page.button if b.label == "Send my review").click().run()
    assert not review_page.exception
    assert any("Review saved" in s.value for s in review_page.success)
    assert any("Objective met" in s.value for s in review_page.success)

    author = open_page(learner, "pages/model_card.py")
    assert COMMENT in visible(markdown(author))
    assert any(
        c.value == "Clarity 3/4 · Evidence 2/4 · What to try next 4/4" for c in author.caption
    )


def test_does_a_review_without_scores_say_which_are_missing(
    open_page, learner, mate, run_id
) -> None:
    team_runs.set_team_shared(learner, run_id, True)
    at = open_page(mate, "pages/reviews.py")
    at.text_area(key=f"rv_run_{run_id}_comment").input(COMMENT)
    next(b for b in at.button if b.label == "Send my review").click().run()
    assert any(
        e.value == "Choose a score for: Clarity, Evidence, What to try next." for e in at.error
    )
    assert reviews.reviews_of(learner, "run", run_id) == []


def test_does_a_learner_outside_any_team_have_nothing_to_review(
    open_page, make_learner, learner, run_id
) -> None:
    team_runs.set_team_shared(learner, run_id, True)
    loner = make_learner("loner")
    at = open_page(loner, "pages/reviews.py")
    assert any("Nothing to review yet" in i.value for i in at.info)


def test_does_the_teacher_read_shared_cards_of_their_class(
    open_page, teacher, learner, run_id
) -> None:
    card = write(learner, run_id, {**EXPERT, "plain_summary": PLAIN})
    at = open_page(teacher, "pages/model_card.py")
    assert any("None of your learners" in i.value for i in at.info)
    model_cards.set_shared(learner, card.id, True)
    at.run()
    assert at.selectbox(key="mc_teacher_card").options == [f"Lin · run {run_id} · draft"]
    assert "predicts a penguin" in markdown(at)
