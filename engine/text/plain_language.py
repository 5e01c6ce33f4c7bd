"""The plain-language check: how easy a text is to read, and which jargon it leaves unexplained.

Reading ease is the Flesch reading-ease formula,
    206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words),
and its grade the Flesch-Kincaid grade level,
    0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59.
Syllables are the larger of two counts, pyphen's English hyphenation points and the word's
vowel groups, so the figures are close to, not identical with, a pronouncing dictionary's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pyphen
import yaml

from settings import PROJECT_ROOT

GLOSSARY = PROJECT_ROOT / "content" / "glossary.yaml"
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
VOWELS = re.compile(r"[aeiouy]+")
SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n\s*\n")
# Words that show a term is being explained right after it (within a few words).
EXPLAINS = (
    r"means?|is an?|is the|are the|refers? to|stands? for|in other words|that is|i\.e\.|"
    r"\(|:|—|–| - "
)
PLAIN_ENOUGH = 60.0  # reading ease at or above this reads easily for most adults


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    syllables: int
    reading_ease: float  # higher is easier; 60-70 is plain English
    grade: float  # school years of reading a text needs

    @property
    def verdict(self) -> str:
        if self.words == 0:
            return "Nothing to measure yet."
        if self.reading_ease >= 70:
            return "Easy to read."
        if self.reading_ease >= PLAIN_ENOUGH:
            return "Plain English."
        if self.reading_ease >= 40:
            return "Fairly hard: try shorter sentences and everyday words."
        return "Hard to read: split long sentences and explain technical words."


@dataclass(frozen=True)
class Jargon:
    term: str
    plain: str  # a suggested everyday explanation


@lru_cache(maxsize=1)
def _hyphenator() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US")


def _vowel_groups(word: str) -> int:
    groups = len(VOWELS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and groups > 1:
        groups -= 1  # a silent final e: "make", "cheese"
    elif word.endswith("ed") and not word.endswith(("ted", "ded")) and groups > 1:
        groups -= 1  # "trained", but "wanted" keeps its syllable
    return groups


def syllables(word: str) -> int:
    """The larger of pyphen's hyphenation count and the vowel-group count (at least 1)."""
    word = word.lower()
    return max(1, len(_hyphenator().positions(word)) + 1, _vowel_groups(word))


def sentences_of(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text) if WORD.search(s)]


def readability(text: str) -> Readability:
    """Word, sentence and syllable counts, reading ease and grade of ``text``."""
    words = WORD.findall(text)
    if not words:
        return Readability(0, 0, 0, 0.0, 0.0)
    n_sentences = max(1, len(sentences_of(text)))
    n_syllables = sum(syllables(w) for w in words)
    per_sentence = len(words) / n_sentences
    per_word = n_syllables / len(words)
    return Readability(
        words=len(words),
        sentences=n_sentences,
        syllables=n_syllables,
        reading_ease=round(206.835 - 1.015 * per_sentence - 84.6 * per_word, 1),
        grade=round(0.39 * per_sentence + 11.8 * per_word - 15.59, 1),
    )


@lru_cache(maxsize=1)
def glossary() -> dict[str, tuple[str, tuple[str, ...]]]:
    """term -> (plain explanation, every form that counts as the term)."""
    raw = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    return {term: (entry["plain"], (term, *entry.get("forms", []))) for term, entry in raw.items()}


def _pattern(form: str) -> str:
    return r"(?<![A-Za-z])" + re.escape(form).replace(r"\ ", r"[\s-]+") + r"(?![A-Za-z])"


def _explained(sentence: str, form: str) -> bool:
    """The sentence explains the term: "dropout (switching off ...)", "an epoch means ...",
    or "a method called dropout"."""
    after = _pattern(form) + r"[\s,]*(?:\w+[\s,]+){0,3}?(?:" + EXPLAINS + ")"
    before = r"(?:called|known as|named)\s+(?:an?\s+|the\s+)?" + _pattern(form)
    return bool(re.search(after, sentence, re.I) or re.search(before, sentence, re.I))


def unexplained_jargon(text: str) -> list[Jargon]:
    """Glossary terms the text uses without explaining them anywhere, in order of first use.
    Longer terms win: "batch norm" is one term, not also "batch"."""
    found: list[tuple[int, Jargon]] = []
    covered: list[tuple[int, int]] = []
    sentences = sentences_of(text)
    by_length = sorted(glossary().items(), key=lambda item: -max(len(f) for f in item[1][1]))
    for term, (plain, forms) in by_length:
        spans = [
            (m.start(), m.end(), form)
            for form in forms
            for m in re.finditer(_pattern(form), text, re.I)
            if not any(a <= m.start() and m.end() <= b for a, b in covered)
        ]
        if not spans:
            continue
        covered += [(a, b) for a, b, _ in spans]
        if any(_explained(s, form) for s in sentences for *_, form in spans):
            continue
        found.append((min(a for a, _, _ in spans), Jargon(term, plain)))
    return [j for _, j in sorted(found, key=lambda pair: pair[0])]
