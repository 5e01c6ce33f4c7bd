"""Do the data previews show exactly what the engine feeds a model, for built-in and own data?"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image
from scipy.io import wavfile

from engine.data import DataError, load_bundle
from engine.data.audio import features, generate_sounds, standardise
from engine.data.bundle import split_indices
from engine.data.images import load_digits_images
from engine.data.previews import (
    audio_samples,
    augmentation_preview,
    built_in_datasets,
    image_samples,
    spread_over_classes,
    tabular_preview,
    tokenise_sentence,
    vocabulary,
)
from engine.data.text import encode, fit_vocabulary, load_competency_sentences
from engine.data.uploads import read_images_zip, store_csv_upload, store_zip_upload
from engine.spec import RunSpec
from engine.training.augment import augment_images
from tests.engine.helpers import table_csv, text_csv

SENTENCES = RunSpec(dataset="competency-sentences", model="lstm")
SOUNDS = RunSpec(dataset="sounds", model="cnn", audio_features="spectrogram")
PENGUINS = RunSpec(dataset="penguins", model="dense")


# --- small uploads of each kind (also used by the lab and page tests) ----------------------


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def png(seed: int, bright_left: bool) -> bytes:
    """A 12x12 grey picture: noise, with the left or the right half brighter."""
    pixels = np.random.default_rng(seed).integers(0, 100, (12, 12)).astype(np.uint8)
    pixels[:, :6] += 150 if bright_left else 0
    pixels[:, 6:] += 0 if bright_left else 150
    buffer = io.BytesIO()
    Image.fromarray(pixels, "L").save(buffer, "PNG")
    return buffer.getvalue()


def image_zip(per_class: int = 6) -> bytes:
    return zipped(
        {
            f"{side}/{i}.png": png(i + 10 * k, side == "left")
            for k, side in enumerate(("left", "right"))
            for i in range(per_class)
        }
    )


def wav(frequency: float, seconds: float = 0.4, rate: int = 16_000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    buffer = io.BytesIO()
    wavfile.write(buffer, rate, (np.sin(2 * np.pi * frequency * t) * 20_000).astype(np.int16))
    return buffer.getvalue()


def audio_zip(per_class: int = 6) -> bytes:
    return zipped(
        {
            f"{name}/{i}.wav": wav(base * (1 + i / 20))
            for name, base in (("low", 220), ("high", 1760))
            for i in range(per_class)
        }
    )


# --- images --------------------------------------------------------------------------------


def test_each_class_is_taken_in_turn() -> None:
    y = np.array([2, 0, 0, 1, 2, 0])
    assert spread_over_classes(y, 4) == [1, 3, 0, 2]  # first 0, first 1, first 2, second 0
    assert spread_over_classes(y, 50) == [1, 3, 0, 2, 4, 5]  # never more than there are


def test_the_digit_grid_shows_training_images_as_the_model_gets_them() -> None:
    spec = RunSpec(dataset="digits", seed=3)
    samples = image_samples(spec, 10)
    x, y = load_digits_images()
    train, _, _ = split_indices(y, spec.validation_fraction, spec.test_fraction, spec.seed)
    expected = x[train[list(samples.positions)]]
    np.testing.assert_array_equal(samples.images, expected)
    assert samples.labels == tuple(str(d) for d in y[train[list(samples.positions)]])
    assert sorted(samples.labels) == [str(d) for d in range(10)]  # one of each digit


def test_an_uploaded_image_grid_shows_the_resized_uploaded_images() -> None:
    data = image_zip()
    dataset = "upload:" + store_zip_upload(data, "halves.zip", "image")
    samples = image_samples(RunSpec(dataset=dataset), 4)
    x, y, names, _ = read_images_zip(data, 32)
    train, _, _ = split_indices(y, 0.2, 0.2, 0)
    np.testing.assert_array_equal(samples.images, x[train[list(samples.positions)]])
    assert samples.images.shape == (4, 1, 32, 32)
    assert set(samples.labels) == {"left", "right"} and samples.class_names == names


@pytest.mark.parametrize(
    "settings",
    [
        {"augment_flip": True},
        {"augment_shift": 2},
        {"augment_rotate": 30.0},
        {"augment_flip": True, "augment_shift": 1, "augment_rotate": 15.0},
    ],
)
def test_the_augmentation_preview_is_the_engines_augmentation(settings) -> None:
    spec = RunSpec(**settings)
    image = load_digits_images()[0][7]
    preview = augmentation_preview(image, spec, k=6, seed=5)
    direct = augment_images(
        torch.from_numpy(image)[None].repeat(6, 1, 1, 1), spec, torch.Generator().manual_seed(5)
    )
    np.testing.assert_allclose(preview, direct.numpy())
    assert len({v.tobytes() for v in preview}) > 1  # the copies differ from each other


def test_flipping_alone_gives_the_image_or_its_mirror() -> None:
    image = load_digits_images()[0][7]
    preview = augmentation_preview(image, RunSpec(augment_flip=True), k=12)
    mirrored = [np.array_equal(v, image[..., ::-1]) for v in preview]
    unchanged = [np.array_equal(v, image) for v in preview]
    assert all(m or u for m, u in zip(mirrored, unchanged, strict=True))
    assert any(mirrored) and any(unchanged)


def test_with_augmentation_off_every_copy_is_the_original() -> None:
    image = load_digits_images()[0][7]
    preview = augmentation_preview(image, RunSpec(), k=4)
    assert all(np.array_equal(v, image) for v in preview)


# --- text ----------------------------------------------------------------------------------


def sentence_vocabulary(spec: RunSpec) -> list[str]:
    texts, y = load_competency_sentences()
    train, _, _ = split_indices(y, spec.validation_fraction, spec.test_fraction, spec.seed)
    return fit_vocabulary([texts[i] for i in train], spec.vocab_size)


def test_a_sentence_is_tokenised_with_the_vocabulary_a_run_would_learn() -> None:
    sentence = "When my plan failed I tried a completely different approach, xylophonically."
    preview = tokenise_sentence(sentence, SENTENCES)
    vocab = sentence_vocabulary(SENTENCES)
    assert list(preview.ids) == encode(sentence, vocab, SENTENCES.text_max_tokens)
    assert preview.vocab_size == len(vocab) == len(vocabulary(SENTENCES))
    assert "xylophonically" in preview.unknown and "plan" not in preview.unknown
    assert preview.padding == SENTENCES.text_max_tokens - len(preview.tokens)


def test_a_long_sentence_is_cut_and_a_short_one_padded() -> None:
    spec = SENTENCES.model_copy(update={"text_max_tokens": 4})
    long = tokenise_sentence("one two three four five six", spec)
    assert len(long.ids) == 4 and long.cut_off == ("five", "six") and long.padding == 0
    assert [r["status"] for r in long.rows()][-2:] == ["cut off", "cut off"]
    short = tokenise_sentence("plan", spec)
    assert short.ids[1:] == (0, 0, 0) and short.padding == 3
    assert [r["status"] for r in short.rows()] == ["known", "padding", "padding", "padding"]


def test_a_smaller_vocabulary_makes_more_words_unknown() -> None:
    sentence = "I adapted my strategy after the feedback from my team"
    small = tokenise_sentence(sentence, SENTENCES.model_copy(update={"vocab_size": 50}))
    large = tokenise_sentence(sentence, SENTENCES)
    assert small.vocab_size == 50 < large.vocab_size
    assert len(small.unknown) > len(large.unknown)


def test_an_uploaded_text_uses_its_own_vocabulary() -> None:
    dataset = "upload:" + store_csv_upload(text_csv(), "reviews.csv", "label", kind="text")
    spec = RunSpec(dataset=dataset, model="lstm")
    preview = tokenise_sentence("happy day plan", spec)
    bundle = load_bundle(spec)
    assert list(preview.ids) == encode("happy day plan", bundle.info["vocab"], 32)
    assert preview.unknown == ("plan",)  # not a word of the uploaded texts


def test_a_huge_sentence_is_refused_with_a_message() -> None:
    with pytest.raises(DataError, match="under 2,000 characters"):
        tokenise_sentence("word " * 1000, SENTENCES)


# --- audio ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["spectrogram", "mfcc"])
def test_the_sound_previews_are_the_engines_features(kind) -> None:
    spec = SOUNDS.model_copy(update={"audio_features": kind})
    previews = audio_samples(spec, 4)
    waves, y = generate_sounds()
    train, _, _ = split_indices(y, spec.validation_fraction, spec.test_fraction, spec.seed)
    model_input = standardise(features(waves, kind), train)  # as build_sounds computes it
    assert [p.label for p in previews] == ["tone", "chord", "chirp", "noise burst"]
    positions = [int(np.flatnonzero(y[train] == c)[0]) for c in range(4)]
    for preview, position in zip(previews, positions, strict=True):
        wave = waves[train[position]]
        np.testing.assert_array_equal(preview.waveform, wave)
        np.testing.assert_allclose(preview.spectrogram, features(wave[None], "spectrogram")[0, 0])
        np.testing.assert_allclose(preview.mfcc, features(wave[None], "mfcc")[0, 0])
        np.testing.assert_allclose(preview.model_input, model_input[train[position], 0])
        assert preview.spectrogram.shape == (len(preview.frequencies), len(preview.times))
    assert previews[0].frequencies[-1] == 4000  # up to half the sample rate
    assert previews[0].mfcc.shape[0] == 20


def test_an_uploaded_sound_preview_matches_its_training_input() -> None:
    dataset = "upload:" + store_zip_upload(audio_zip(), "clips.zip", "audio")
    spec = RunSpec(dataset=dataset, model="cnn", audio_features="mfcc")
    previews = audio_samples(spec, 2)
    bundle = load_bundle(spec)
    assert {p.label for p in previews} == {"low", "high"}
    first = spread_over_classes(bundle.y_train, 1)[0]
    np.testing.assert_allclose(previews[0].model_input, bundle.x_train[first, 0])
    assert previews[0].waveform.shape == (3200,)  # 0.4 s at 8 kHz


# --- tables --------------------------------------------------------------------------------


def test_penguin_rows_before_and_after_encoding_match_a_direct_fit() -> None:
    from palmerpenguins import load_penguins

    preview = tabular_preview(PENGUINS, n=1000)  # every training row
    raw = load_penguins()
    raw = raw[raw["species"].notna()].reset_index(drop=True)
    assert preview.target == "species" and "island" in preview.categorical
    assert preview.before.isna().any().any() and not preview.after.isna().any().any()
    # Numbers: filled with the training median, then scaled with the training mean and std.
    column = raw.loc[preview.before.index, "bill_length_mm"]
    filled = column.fillna(column.median())
    expected = (filled - filled.mean()) / filled.std(ddof=0)
    np.testing.assert_allclose(preview.after["bill_length_mm"], expected, rtol=1e-5, atol=1e-5)
    # Categories: one column per island, 1 where the penguin lives.
    for island in ("Biscoe", "Dream", "Torgersen"):
        np.testing.assert_array_equal(
            preview.after[f"island_{island}"], (preview.before["island"] == island).astype(float)
        )
    assert preview.groups["island"] == [
        list(preview.after.columns).index(f"island_{i}") for i in ("Biscoe", "Dream", "Torgersen")
    ]


def test_the_encoded_rows_are_the_training_rows_the_model_gets() -> None:
    preview = tabular_preview(PENGUINS, n=5)
    bundle = load_bundle(PENGUINS)
    assert len(preview.positions) == 5
    np.testing.assert_array_equal(preview.after.to_numpy(), bundle.x_train[list(preview.positions)])
    # One shown row has a gap, so the learner sees how it is filled.
    assert preview.before.drop(columns="species").isna().any(axis=1).sum() >= 1
    assert list(preview.after.columns) == bundle.info["feature_names"]
    assert preview.after.index.equals(preview.before.index)


def test_an_uploaded_table_preview_uses_its_label_column() -> None:
    dataset = "upload:" + store_csv_upload(table_csv(), "mine.csv", "species")
    preview = tabular_preview(RunSpec(dataset=dataset, model="dense"), n=3)
    assert preview.target == "species"
    assert list(preview.before.columns) == ["bill", "colour", "species"]
    assert list(preview.after.columns) == ["bill", "colour_blue", "colour_red"]
    assert isinstance(preview.before, pd.DataFrame) and len(preview.after) == 3


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: image_samples(PENGUINS), "holds a table, not images"),
        (lambda: tokenise_sentence("hi", RunSpec(dataset="digits")), "holds images, not texts"),
        (lambda: audio_samples(RunSpec(dataset="digits")), "not sound clips"),
        (lambda: tabular_preview(SOUNDS), "holds sound clips, not a table"),
        (lambda: image_samples(RunSpec(dataset="upload:0123456789abcdef")), "no uploaded"),
    ],
)
def test_a_dataset_of_another_type_is_refused_with_a_message(call, message) -> None:
    with pytest.raises(DataError, match=message):
        call()


def test_every_type_has_built_in_datasets() -> None:
    assert built_in_datasets("image")[0] == "digits"
    assert built_in_datasets("tabular") == ["penguins", "wine", "breast-cancer"]
    assert built_in_datasets("text") == ["competency-sentences"]
    assert built_in_datasets("audio") == ["sounds"]
