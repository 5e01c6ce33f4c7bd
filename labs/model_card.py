"""Lab: explain a model on a model card, in expert and plain words, and review a teammate.

The lab trains nothing. Its objectives are checked against lab actions (a published card,
a saved review), each an outcome dict with a "kind" that names the objective it is for:
    {"kind": "write-model-card", "sections": {key: text}, "groups": {column: [group, ...]}}
    {"kind": "plain-explanation", "text": "..."}
    {"kind": "review-a-teammate", "scores": {criterion: 1..4}, "comment": "..."}
"""

from __future__ import annotations

import re
from typing import Any

from classroom.model_cards import PLAIN_SECTION, SECTIONS, Card
from classroom.reviews import RUBRIC, Review
from engine.text.plain_language import PLAIN_ENOUGH, readability, unexplained_jargon
from labs.hints import ladder
from labs.objectives import Objective, RunOutcome
from labs.registry_types import Lab

LAB_ID = "model-card"
MIN_SECTION_WORDS = 8  # a sentence or two: enough to say something real
MIN_PLAIN_WORDS = 40  # a short paragraph; reading ease means little on a handful of words
MIN_REVIEW_WORDS = 12  # one thing that works and one thing to try


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text or ""))


# --- outcomes from lab actions -------------------------------------------------------------


def card_outcome(card: Card, run_result: dict[str, Any] | None) -> RunOutcome:
    groups = (run_result or {}).get("group_results") or {}
    return {
        "kind": "write-model-card",
        "card_id": card.id,
        "sections": dict(card.sections),
        "groups": {column: [str(r["group"]) for r in rows] for column, rows in groups.items()},
    }


def plain_outcome(card: Card) -> RunOutcome:
    return {"kind": "plain-explanation", "card_id": card.id, "text": card.sections[PLAIN_SECTION]}


def review_outcome(review: Review) -> RunOutcome:
    return {
        "kind": "review-a-teammate",
        "target": f"{review.target.kind}:{review.target.id}",
        "scores": review.scores,
        "comment": review.comment,
    }


# --- write-model-card ----------------------------------------------------------------------


def short_sections(outcome: RunOutcome) -> list[str]:
    """Titles of the sections with fewer than MIN_SECTION_WORDS words."""
    texts = outcome.get("sections") or {}
    return [s.title for s in SECTIONS if _words(texts.get(s.key, "")) < MIN_SECTION_WORDS]


def groups_named(outcome: RunOutcome) -> bool:
    """The per-group section names a grouping column or one of its groups (when the run has
    groups at all)."""
    groups: dict[str, list[str]] = outcome.get("groups") or {}
    if not groups:
        return True
    comment = ((outcome.get("sections") or {}).get("group_comment") or "").lower()
    names = [*groups, *(g for values in groups.values() for g in values)]
    return any(re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", comment) for n in names if n)


def wrote_model_card(outcome: RunOutcome) -> bool:
    return (
        outcome.get("kind") == "write-model-card"
        and not short_sections(outcome)
        and groups_named(outcome)
    )


def model_card_hints(outcome: RunOutcome) -> list[str]:
    return ladder(
        "Read the card as someone who never saw your run: they should learn what the model "
        "predicts, from which data, who it may serve poorly and where it stops working.",
        _model_card_specific(outcome),
    )


def _model_card_specific(outcome: RunOutcome) -> list[str]:
    hints = []
    texts = outcome.get("sections") or {}
    short = [
        f"{s.title} ({_words(texts.get(s.key, ''))} words)"
        for s in SECTIONS
        if _words(texts.get(s.key, "")) < MIN_SECTION_WORDS
    ]
    if short:
        hints.append(
            f"These sections have fewer than {MIN_SECTION_WORDS} words: "
            + ", ".join(short)
            + ". Give each a sentence or two about your own run."
        )
    if not groups_named(outcome):
        groups = outcome.get("groups") or {}
        example: tuple[str, list[str]] = next(iter(groups.items()), ("group", []))
        named = ", ".join(example[1][:3]) or example[0]
        hints.append(
            f"Results per group: name the groups you compare (for example {named}) and say "
            "which one the model serves worst."
        )
    return hints or ["Publish the card once every section is written."]


# --- plain-explanation ---------------------------------------------------------------------


def plain_enough(outcome: RunOutcome) -> bool:
    text = str(outcome.get("text") or "")
    return (
        outcome.get("kind") == "plain-explanation"
        and _words(text) >= MIN_PLAIN_WORDS
        and readability(text).reading_ease >= PLAIN_ENOUGH
        and not unexplained_jargon(text)
    )


def plain_hints(outcome: RunOutcome) -> list[str]:
    return ladder(
        "Read the plain version aloud as if to a friend who has never trained a model: each "
        "sentence should make sense to them without a dictionary.",
        _plain_specific(outcome),
    )


def _plain_specific(outcome: RunOutcome) -> list[str]:
    text = str(outcome.get("text") or "")
    hints = []
    if _words(text) < MIN_PLAIN_WORDS:
        hints.append(
            f"The plain version has {_words(text)} words; write at least {MIN_PLAIN_WORDS} "
            "so a reader learns what the model does and where it goes wrong."
        )
    score = readability(text)
    if score.words and score.reading_ease < PLAIN_ENOUGH:
        hints.append(
            f"Reading ease is {score.reading_ease:.0f} (aim for {PLAIN_ENOUGH:.0f} or more): "
            "split long sentences and swap long words for short everyday ones."
        )
    for jargon in unexplained_jargon(text):
        hints.append(f'Explain "{jargon.term}" or leave it out, e.g. "{jargon.plain}".')
    return hints or ["Publish the card to check its plain version."]


# --- review-a-teammate ---------------------------------------------------------------------


def reviewed_teammate(outcome: RunOutcome) -> bool:
    scores = outcome.get("scores") or {}
    return (
        outcome.get("kind") == "review-a-teammate"
        and all(scores.get(c.key) in (1, 2, 3, 4) for c in RUBRIC)
        and _words(str(outcome.get("comment") or "")) >= MIN_REVIEW_WORDS
    )


def review_hints(outcome: RunOutcome) -> list[str]:
    return ladder(
        "A useful review names one thing that works well, backed by what you saw in the "
        "results, and one change to try next with what you expect it to show.",
        _review_specific(outcome),
    )


def _review_specific(outcome: RunOutcome) -> list[str]:
    scores = outcome.get("scores") or {}
    words = _words(str(outcome.get("comment") or ""))
    hints = []
    unscored = [c.title for c in RUBRIC if scores.get(c.key) not in (1, 2, 3, 4)]
    if unscored:
        hints.append(f"Give a score from 1 to 4 for: {', '.join(unscored)}.")
    if words < MIN_REVIEW_WORDS:
        hints.append(
            f"Your comment has {words} words; write at least {MIN_REVIEW_WORDS}: what works "
            "(quote a number from the run), then one setting to try next and why."
        )
    return hints or ["Save the review once every score and the comment are filled in."]


SOLUTIONS = {
    "write-model-card": (
        "Give every section a few sentences: what the model predicts and from which inputs, "
        "the dataset and how it was split, who could be served poorly (name the group with "
        "the lowest accuracy in the group chart and how many test rows it had), and the "
        "limits, such as a small test set or data from one place and time."
    ),
    "plain-explanation": (
        "Write for a friend who has never trained a model: short sentences, everyday words "
        "and one example. Replace each word the check lists with its suggested meaning, or "
        "explain it the first time you use it, for example 'accuracy (the share of answers it "
        "got right)'."
    ),
    "review-a-teammate": (
        "Open Peer review, choose a teammate's shared run or model card, score clarity, "
        "evidence and what to try next, and write two or three sentences: one thing that is "
        "clear, one claim that needs more evidence, and one setting to try next."
    ),
}


LAB = Lab(
    id=LAB_ID,
    title="Model card and peer review",
    competencies=("cross-cultural-communication", "collaboration"),
    default_spec=None,
    objectives=(
        Objective(
            "write-model-card",
            "Every section of the model card written, with the groups discussed",
            wrote_model_card,
            model_card_hints,
            solution=lambda _outcome: SOLUTIONS["write-model-card"],
        ),
        Objective(
            "plain-explanation",
            f"A plain version with reading ease of {PLAIN_ENOUGH:.0f} or more and no "
            "unexplained jargon",
            plain_enough,
            plain_hints,
            solution=lambda _outcome: SOLUTIONS["plain-explanation"],
        ),
        Objective(
            "review-a-teammate",
            "A useful review of a teammate's run or model card",
            reviewed_teammate,
            review_hints,
            solution=lambda _outcome: SOLUTIONS["review-a-teammate"],
        ),
    ),
)
