"""The plain-language check: reading ease by the documented formula, and unexplained jargon."""

from __future__ import annotations

import pytest

from engine.text.plain_language import glossary, readability, syllables, unexplained_jargon


@pytest.mark.parametrize(
    ("word", "count"),
    [("the", 1), ("make", 1), ("trained", 1), ("wanted", 2), ("island", 2), ("accuracy", 4)],
)
def test_syllables_are_counted_close_to_a_dictionary(word: str, count: int) -> None:
    assert syllables(word) == count


def test_reading_ease_follows_the_flesch_formula() -> None:
    text = "The cat sat on the mat. It was warm."  # 9 words, 2 sentences, 9 syllables
    found = readability(text)
    assert (found.words, found.sentences, found.syllables) == (9, 2, 9)
    assert found.reading_ease == pytest.approx(206.835 - 1.015 * 4.5 - 84.6 * 1.0, abs=0.05)
    assert found.grade == pytest.approx(0.39 * 4.5 + 11.8 - 15.59, abs=0.05)
    assert found.verdict == "Easy to read."


def test_long_technical_sentences_read_as_hard() -> None:
    text = (
        "Regularisation methodologies substantially ameliorate generalisation performance "
        "characteristics, particularly considering heterogeneous distributional "
        "representations originating from insufficiently representative observational "
        "populations."
    )
    found = readability(text)
    assert found.reading_ease < 30 and found.verdict.startswith("Hard to read")


def test_an_empty_text_has_nothing_to_measure() -> None:
    assert readability("  ").verdict == "Nothing to measure yet."


def test_terms_used_without_explanation_are_listed_in_order_of_use() -> None:
    text = "We used dropout and trained for ten epochs. The accuracy rose."
    assert [j.term for j in unexplained_jargon(text)] == ["dropout", "epoch", "accuracy"]


@pytest.mark.parametrize(
    "text",
    [
        "Dropout (switching off random units while training) helped.",
        "An epoch means one pass over every training example.",
        "We used a trick called dropout, which switches units off.",
        "Dropout: the network switches units off at random.",
    ],
)
def test_an_explained_term_is_not_listed(text: str) -> None:
    assert unexplained_jargon(text) == []


def test_a_longer_term_is_one_term_not_two() -> None:
    found = [j.term for j in unexplained_jargon("Batch norm kept training steady.")]
    assert found == ["batch normalisation"]


def test_every_glossary_term_has_a_plain_explanation() -> None:
    for term, (plain, forms) in glossary().items():
        assert plain.strip() and term in forms
        assert term not in [j.term for j in unexplained_jargon(plain)]  # not circular
