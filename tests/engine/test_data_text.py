"""Is the competency-sentences dataset well formed, tokenised fairly, and learnable?"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from engine.data import load_bundle
from engine.data.bundle import split_indices
from engine.data.text import (
    COMPETENCY_LABELS,
    SENTENCES_CSV,
    UNKNOWN_ID,
    build_competency_sentences,
    encode,
    load_competency_sentences,
    tokenize,
)
from engine.spec import RunSpec


def sentences_spec(**changes: object) -> RunSpec:
    return RunSpec(**{"dataset": "competency-sentences", "model": "lstm", **changes})


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return pd.read_csv(SENTENCES_CSV, dtype=str, keep_default_na=False)


def test_does_the_csv_have_enough_sentences_for_every_competency(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == ["text", "label"]
    assert len(frame) >= 1200
    counts = frame["label"].value_counts()
    assert set(counts.index) == set(COMPETENCY_LABELS)
    assert counts.min() >= 180
    assert counts.max() - counts.min() <= 0.2 * counts.max()  # roughly balanced


def test_is_every_sentence_unique_non_empty_and_journal_length(frame: pd.DataFrame) -> None:
    texts = frame["text"].str.strip()
    assert (texts != "").all()
    assert not texts.str.lower().duplicated().any()
    words = texts.str.split().str.len()
    assert words.between(8, 25).all()
    assert all(text.isascii() for text in texts)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("I didn't stop!", ["i", "didn't", "stop"]),
        ("Accuracy hit 97.5% on GPU-2", ["accuracy", "hit", "97", "5", "on", "gpu", "2"]),
        ("Our TEAM shared the run.", ["our", "team", "shared", "the", "run"]),
        ("   ", []),
    ],
)
def test_does_tokenize_split_a_sentence_into_lower_case_words(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


VOCAB = ["<pad>", "<unk>", "the", "model", "learns"]


@pytest.mark.parametrize(
    ("text", "max_tokens", "ids"),
    [
        ("the model learns", 5, [2, 3, 4, 0, 0]),  # padded with 0 at the end
        ("the model learns fast", 2, [2, 3]),  # truncated to the first tokens
        ("The zebra learns", 4, [2, 1, 4, 0]),  # an unseen word is 1 (unknown)
        ("", 3, [0, 0, 0]),
    ],
)
def test_does_encode_pad_truncate_and_mark_unknown_words(
    text: str, max_tokens: int, ids: list[int]
) -> None:
    assert encode(text, VOCAB, max_tokens) == ids
    assert encode(text, {w: i for i, w in enumerate(VOCAB)}, max_tokens) == ids


def test_is_the_vocabulary_learned_from_training_sentences_only() -> None:
    texts, y = load_competency_sentences()
    for seed in range(20):  # find a split where some word occurs only in test sentences
        spec = sentences_spec(seed=seed, vocab_size=50_000, text_max_tokens=64)
        bundle = build_competency_sentences(spec)
        train, _, test = split_indices(y, spec.validation_fraction, spec.test_fraction, seed)
        train_words = {w for i in train for w in tokenize(texts[i])}
        assert set(bundle.info["vocab"][2:]) == train_words
        for k, row in enumerate(test):
            tokens = tokenize(texts[row])
            unseen = [p for p, token in enumerate(tokens) if token not in train_words]
            if unseen:
                assert bundle.x_test[k, unseen[0]] == UNKNOWN_ID
                return
    pytest.fail("no split put a word only in the test sentences")


def test_does_a_small_vocabulary_keep_the_most_frequent_training_words() -> None:
    spec = sentences_spec(vocab_size=50)
    bundle = build_competency_sentences(spec)
    texts, y = load_competency_sentences()
    train, _, _ = split_indices(y, spec.validation_fraction, spec.test_fraction, spec.seed)
    counts = Counter(w for i in train for w in tokenize(texts[i]))
    vocab = bundle.info["vocab"]
    assert bundle.info["vocab_size"] == len(vocab) == 50
    assert vocab[:2] == ["<pad>", "<unk>"]
    kept = [counts[w] for w in vocab[2:]]
    assert kept == sorted(kept, reverse=True)
    assert min(kept) >= max(c for w, c in counts.items() if w not in vocab)
    for x in (bundle.x_train, bundle.x_val, bundle.x_test):
        assert x.max() < 50


@pytest.mark.parametrize("max_tokens", [4, 16, 64])
def test_are_sentences_padded_or_cut_to_max_tokens(max_tokens: int) -> None:
    bundle = build_competency_sentences(sentences_spec(text_max_tokens=max_tokens))
    assert bundle.x_train.shape[1:] == (max_tokens,)
    assert bundle.x_train.dtype == np.int64
    lengths = (bundle.x_train != 0).sum(axis=1)
    assert lengths.max() <= max_tokens
    if max_tokens >= 64:  # every sentence fits: the rest of each row is padding
        assert (bundle.x_train[:, -1] == 0).all()
    if max_tokens == 4:  # every sentence is longer: no row has padding
        assert (lengths == 4).all()


def test_does_the_same_spec_give_identical_arrays() -> None:
    first = build_competency_sentences(sentences_spec(seed=7))
    second = build_competency_sentences(sentences_spec(seed=7))
    for name in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
        assert np.array_equal(getattr(first, name), getattr(second, name))
    assert first.info["vocab"] == second.info["vocab"]
    assert first.content_hash == second.content_hash


def test_does_the_split_change_with_the_seed_but_not_the_data() -> None:
    one = build_competency_sentences(sentences_spec(seed=1))
    two = build_competency_sentences(sentences_spec(seed=2))
    assert one.content_hash == two.content_hash
    assert not np.array_equal(one.x_test, two.x_test)


def test_does_the_engine_hand_out_the_sentences_as_text() -> None:
    bundle = load_bundle(sentences_spec())
    assert bundle.kind == "text"
    assert bundle.class_names == COMPETENCY_LABELS
    assert bundle.info["max_tokens"] == 32
    assert len(bundle.y_train) + len(bundle.y_val) + len(bundle.y_test) >= 1200
    example = bundle.info["example_tokens"]
    assert example["ids"] == encode(example["text"], bundle.info["vocab"], 32)


def bag_of_words(ids: np.ndarray, vocab_size: int) -> np.ndarray:
    """(N, L) token ids -> (N, vocab_size) counts, padding dropped."""
    counts = np.zeros((len(ids), vocab_size))
    rows = np.repeat(np.arange(len(ids)), ids.shape[1])
    np.add.at(counts, (rows, ids.ravel()), 1)
    return counts[:, 1:]


def test_can_a_bag_of_words_model_tell_the_competencies_apart() -> None:
    bundle = build_competency_sentences(sentences_spec(seed=0))
    size = bundle.info["vocab_size"]
    model = LogisticRegression(max_iter=2000)
    model.fit(bag_of_words(bundle.x_train, size), bundle.y_train)
    accuracy = model.score(bag_of_words(bundle.x_test, size), bundle.y_test)
    assert accuracy > 0.6  # chance is 1 in 6
