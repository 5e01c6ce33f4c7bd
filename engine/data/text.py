"""Text dataset: learner sentences labelled with the competency they show, as token ids."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

from engine.data.bundle import DataBundle, DataError, content_hash, split_indices
from engine.spec import RunSpec

SENTENCES_CSV = (
    Path(__file__).resolve().parents[2] / "content" / "datasets" / "competency-sentences.csv"
)
COMPETENCY_LABELS = (
    "cognitive-flexibility",
    "cross-cultural-communication",
    "digital-literacy",
    "collaboration",
    "critical-thinking",
    "self-directed-learning",
)
TOKEN_PATTERN = r"[a-z0-9']+"  # words, numbers and contractions such as "didn't"
PAD_ID, UNKNOWN_ID = 0, 1
SPECIAL_TOKENS = ("<pad>", "<unk>")


def tokenize(text: str) -> list[str]:
    """Lower-case words of a sentence: "I didn't stop!" -> ["i", "didn't", "stop"]."""
    return re.findall(TOKEN_PATTERN, text.lower())


def encode(text: str, vocab: Sequence[str] | Mapping[str, int], max_tokens: int) -> list[int]:
    """Token ids of a sentence, cut to ``max_tokens`` or padded with 0 at the end.

    ``vocab`` is the list of words by id (as in a bundle's info) or a word -> id mapping;
    a word not in it becomes 1 (unknown).
    """
    index = vocab if isinstance(vocab, Mapping) else {word: i for i, word in enumerate(vocab)}
    ids = [index.get(token, UNKNOWN_ID) for token in tokenize(text)[:max_tokens]]
    return ids + [PAD_ID] * (max_tokens - len(ids))


def fit_vocabulary(texts: Sequence[str], vocab_size: int) -> list[str]:
    """Words by id: padding, unknown, then the most frequent ``vocab_size - 2`` words.

    Ties in frequency are broken alphabetically, so the vocabulary never depends on
    how a sort happens to order equal counts.
    """
    counter = CountVectorizer(token_pattern=TOKEN_PATTERN, lowercase=True)
    counts = np.asarray(counter.fit_transform(texts).sum(axis=0)).ravel()
    words = counter.get_feature_names_out()  # alphabetical
    order = np.argsort(-counts, kind="stable")[: max(vocab_size - len(SPECIAL_TOKENS), 0)]
    return [*SPECIAL_TOKENS, *(str(words[i]) for i in order)]


@lru_cache(maxsize=1)
def load_competency_sentences() -> tuple[tuple[str, ...], np.ndarray]:
    """The bundled sentences and their label ids (index into COMPETENCY_LABELS)."""
    frame = pd.read_csv(SENTENCES_CSV, dtype=str, keep_default_na=False)
    unknown = sorted(set(frame["label"]) - set(COMPETENCY_LABELS))
    if unknown:
        raise DataError(f"{SENTENCES_CSV.name} has labels that are not competencies: {unknown}")
    lookup = {label: i for i, label in enumerate(COMPETENCY_LABELS)}
    y = np.array([lookup[label] for label in frame["label"]], dtype=np.int64)
    y.setflags(write=False)  # cached: shared by every caller
    return tuple(frame["text"]), y


def encode_split(
    texts: Sequence[str], train: np.ndarray, spec: RunSpec
) -> tuple[np.ndarray, dict[str, Any]]:
    """Token ids (N, max_tokens) for every text, with a vocabulary fitted on the training
    texts only, and the info a lab shows (vocabulary, one sentence's tokenisation)."""
    vocab = fit_vocabulary([texts[i] for i in train], spec.vocab_size)
    index = {word: i for i, word in enumerate(vocab)}
    x = np.array([encode(t, index, spec.text_max_tokens) for t in texts], dtype=np.int64)
    example = texts[train[0]]
    info = {
        "vocab_size": len(vocab),
        "max_tokens": spec.text_max_tokens,
        "vocab": vocab,
        "example_tokens": {
            "text": example,
            "tokens": tokenize(example),
            "ids": encode(example, index, spec.text_max_tokens),
        },
    }
    return x, info


def build_competency_sentences(spec: RunSpec) -> DataBundle:
    """The sentences as padded token ids, with a vocabulary learned from training rows only."""
    texts, y = load_competency_sentences()
    train, val, test = split_indices(y, spec.validation_fraction, spec.test_fraction, spec.seed)
    # Fitting on training rows only: validation and test words the model never saw
    # become "unknown", just as they would for a new learner's sentence.
    x, info = encode_split(texts, train, spec)
    y = np.array(y)  # (N,) a writable copy for the bundle
    return DataBundle.from_split(
        "text", x, y, (train, val, test), COMPETENCY_LABELS, content_hash("\n".join(texts), y), info
    )
