"""The model-card lab: does the Markdown export keep its shape whatever a learner writes, and
do the objectives pass and fail on the right cards, plain texts and reviews?"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any

import pytest

from classroom import model_cards, progress, reviews, team_runs, teams
from classroom.model_cards import SECTION_KEYS, SECTIONS, escape_markdown
from engine import jobs
from engine.spec import RunSpec
from engine.trainer import SilentHooks, train
from labs import evidence
from labs.model_card import (
    LAB,
    card_outcome,
    model_card_hints,
    plain_enough,
    plain_hints,
    plain_outcome,
    review_outcome,
    reviewed_teammate,
    wrote_model_card,
)
from labs.registry import LABS

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
HOSTILE = [
    "# Injected heading",
    "Text\n===",
    "Text\n---",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    "![](http://tracker.example/pixel.png)",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "```\ncode fence\n```",
    "    four spaces make code",
    "1. a list\n- another\n+ and another\n* and more",
    "> a quote",
    "**bold** _em_ ~~strike~~ \\ backslash &amp; entity",
]


def expected_headings(run_id: int) -> list[str]:
    return [f"# Model card: run {run_id}", "## The run"] + [f"## {s.title}" for s in SECTIONS]


@pytest.fixture(scope="session")
def penguins_result() -> dict[str, Any]:
    """One real training on penguins (a couple of seconds), shared by every test here."""
    return train(PENGUINS, SilentHooks()).as_dict()


@pytest.fixture
def owner_run(learner, penguins_result) -> int:
    run_id = jobs.submit(PENGUINS, owner_id=learner.id, lab_id="data-types")
    jobs.finish(run_id, "done", result=penguins_result)
    return run_id


def write_card(learner, run_id: int, texts: dict[str, str]) -> model_cards.Card:
    card = model_cards.start_card(learner, run_id)
    for key, text in texts.items():
        card = model_cards.save_section(learner, card.id, key, text)
    return card


def unescape(markdown: str) -> str:
    """What a Markdown renderer shows for escaped text: backslash escapes and entities undone."""
    return html.unescape(re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown))


# --- the Markdown export -------------------------------------------------------------------


def test_does_the_export_hold_the_run_the_groups_and_both_explanations(
    learner, owner_run, penguins_result
) -> None:
    card = write_card(learner, owner_run, {**EXPERT, "plain_summary": PLAIN})
    text = model_cards.export_markdown(learner, card.id)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == expected_headings(owner_run)
    assert f"Test accuracy: **{penguins_result['test_accuracy']:.1%}**" in text
    for setting in ("| dataset | penguins |", "| model | dense |", "| epochs | 2 |"):
        assert setting in text
    for column, rows in penguins_result["group_results"].items():
        assert f"**By {column}**" in text
        for row in rows:
            assert f"| {row['group']} | {row['rows']} | {row['accuracy']:.1%} |" in text
    assert unescape(escape_markdown(PLAIN)) == PLAIN
    assert unescape(escape_markdown(EXPERT["limits"])) == EXPERT["limits"]
    # The plain version comes last, after the expert one.
    assert text.index("## In plain words") > text.index("## Limits")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_can_a_cards_text_break_the_markdown_or_inject_html(learner, owner_run, hostile) -> None:
    card = write_card(learner, owner_run, dict.fromkeys(SECTION_KEYS, hostile))
    text = model_cards.export_markdown(learner, card.id)
    lines = text.splitlines()
    # Structure: only the export's own headings, tables and no code, HTML, links or images.
    assert [line for line in lines if line.startswith("#")] == expected_headings(owner_run)
    settings_and_groups = sum(1 for line in lines if line.startswith("|"))
    clean = write_card_export_rows(learner, owner_run)
    assert settings_and_groups == clean
    assert "<" not in text and ">" not in text
    assert not re.search(r"(?<!\\)\]\(", text), "a link or image survived"
    assert not re.search(r"(?<!\\)`", text), "a code span or fence survived"
    own_bold = [line for line in lines if line.startswith("**By ")]
    assert len(own_bold) == len(jobs.status(owner_run).result["group_results"])
    block_starts = (" ", "\t", "=", "-", "+", "*", "1.")
    assert not any(line.startswith(block_starts) for line in lines if line not in own_bold)
    # Nothing the learner wrote is lost: rendering gives back their words.
    shown = unescape(text)
    for line in hostile.splitlines():
        assert line.strip() in shown


def write_card_export_rows(learner, run_id: int) -> int:
    """How many table rows the export has when the card says nothing odd."""
    card = model_cards.card_for_run(learner, run_id)
    assert card is not None
    for key in SECTION_KEYS:
        model_cards.save_section(learner, card.id, key, "plain words")
    rows = model_cards.export_markdown(learner, card.id).splitlines()
    return sum(1 for line in rows if line.startswith("|"))


def test_is_a_hostile_group_name_from_an_uploaded_table_escaped(learner, penguins_result) -> None:
    result = {
        **penguins_result,
        "group_results": {"island": [{"group": "<b>x</b>|y", "rows": 3, "accuracy": 0.5}]},
    }
    run_id = jobs.submit(PENGUINS, owner_id=learner.id, lab_id="data-types")
    jobs.finish(run_id, "done", result=result)
    card = model_cards.start_card(learner, run_id)
    text = model_cards.export_markdown(learner, card.id)
    assert "| &lt;b&gt;x&lt;/b&gt;\\|y | 3 | 50.0% |" in text


# --- objectives ----------------------------------------------------------------------------


def card_with(sections: dict[str, str]) -> model_cards.Card:
    now = datetime(2026, 1, 1)
    return model_cards.Card(1, 1, "Lin", 1, sections, "published", False, now, now)


def test_is_the_lab_registered_for_both_competencies() -> None:
    assert LABS["model-card"] is LAB
    assert LAB.competencies == ("cross-cultural-communication", "collaboration")
    assert LAB.default_spec is None
    assert {o.id for o in LAB.objectives} == {
        "write-model-card",
        "plain-explanation",
        "review-a-teammate",
    }


def test_does_a_full_card_that_names_a_group_pass(penguins_result) -> None:
    outcome = card_outcome(card_with({**EXPERT, "plain_summary": PLAIN}), penguins_result)
    assert wrote_model_card(outcome)


def test_does_a_card_that_ignores_the_groups_fail_with_a_hint_naming_them(
    penguins_result,
) -> None:
    sections = {**EXPERT, "plain_summary": PLAIN}
    sections["group_comment"] = "The model does about as well everywhere we looked at it."
    outcome = card_outcome(card_with(sections), penguins_result)
    assert not wrote_model_card(outcome)
    _nudge, hint = model_card_hints(outcome)
    assert "Biscoe" in hint or "Dream" in hint


def test_is_naming_groups_not_asked_of_a_run_without_groups(penguins_result) -> None:
    sections = {**EXPERT, "plain_summary": PLAIN}
    sections["group_comment"] = "Pictures of digits have no groups of people, so none to compare."
    no_groups = {**penguins_result, "group_results": {}}
    assert wrote_model_card(card_outcome(card_with(sections), no_groups))


def test_does_a_short_section_fail_and_get_named(penguins_result) -> None:
    sections = {**EXPERT, "plain_summary": PLAIN, "limits": "Penguins only."}
    outcome = card_outcome(card_with(sections), penguins_result)
    assert not wrote_model_card(outcome)
    assert "Limits" in model_card_hints(outcome)[1]


@pytest.mark.parametrize(
    ("text", "passes", "hint_says"),
    [
        (PLAIN, True, None),
        (PLAIN + " It needs twenty epochs to learn.", False, '"epoch"'),
        (
            PLAIN + " It learns in epochs. An epoch means one full look at every penguin.",
            True,
            None,
        ),
        (
            "The classifier was trained for twenty epochs with dropout and batch normalisation, "
            "achieving considerable generalisation performance on the held-out dataset, "
            "notwithstanding substantial heterogeneity across demographic subpopulations.",
            False,
            "Reading ease",
        ),
        ("It sorts penguins. It is quite good.", False, "at least 40"),
        ("", False, "at least 40"),
    ],
    ids=["plain", "jargon", "jargon-explained", "dense", "too-short", "empty"],
)
def test_is_the_plain_version_judged_by_reading_ease_and_jargon(text, passes, hint_says) -> None:
    outcome = plain_outcome(card_with({"plain_summary": text}))
    assert plain_enough(outcome) is passes
    if hint_says:
        assert any(hint_says in hint for hint in plain_hints(outcome))


def test_do_the_objectives_ignore_outcomes_of_other_kinds(penguins_result) -> None:
    card = card_with({**EXPERT, "plain_summary": PLAIN})
    assert not plain_enough(card_outcome(card, penguins_result))
    assert not wrote_model_card(plain_outcome(card))


def test_does_publishing_a_good_card_complete_both_track_steps(learner, owner_run) -> None:
    card = write_card(learner, owner_run, {**EXPERT, "plain_summary": PLAIN})
    card = model_cards.set_published(learner, card.id, True)
    run = jobs.status(owner_run)
    found = evidence.record_objective(learner, LAB.id, card_outcome(card, run.result))
    found += evidence.record_objective(learner, LAB.id, plain_outcome(card))
    assert [(o.objective_id, o.passed) for o in found] == [
        ("write-model-card", True),
        ("plain-explanation", True),
    ]
    done = progress.completed_steps(learner)
    assert {"ccc-write-model-card", "ccc-plain-explanation"} <= done


def test_does_a_jargon_heavy_card_leave_the_plain_step_open(learner, owner_run) -> None:
    plain = PLAIN + " It was trained with dropout for twenty epochs."
    card = write_card(learner, owner_run, {**EXPERT, "plain_summary": plain})
    found = evidence.record_objective(learner, LAB.id, plain_outcome(card))
    assert [(o.objective_id, o.passed) for o in found] == [("plain-explanation", False)]
    assert any('"dropout"' in hint for hint in found[0].hints)
    assert "ccc-plain-explanation" not in progress.completed_steps(learner)


@pytest.mark.parametrize(
    ("comment", "passes"),
    [
        ("Good.  Try more.  Now.", False),
        (
            "Your island chart backs the claim well. Try more epochs and check whether "
            "Dream improves.",
            True,
        ),
    ],
)
def test_does_a_useful_review_count_as_collaboration(
    learner, make_learner, teacher, klass, owner_run, comment, passes
) -> None:
    mate = make_learner("mate")
    red = teams.create_team(teacher, klass.id, "Red")
    teams.add_member(teacher, red.id, learner.id)
    teams.add_member(teacher, red.id, mate.id)
    team_runs.set_team_shared(learner, owner_run, True)
    scores = {"clarity": 3, "evidence": 3, "next_step": 2}
    review = reviews.save_review(mate, "run", owner_run, scores, comment)
    [found] = evidence.record_objective(mate, LAB.id, review_outcome(review))
    assert (found.objective_id, found.passed) == ("review-a-teammate", passes)
    assert reviewed_teammate(review_outcome(review)) is passes
    assert [r.comment for r in reviews.reviews_of_my_work(learner)] == [comment]
