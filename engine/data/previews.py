"""What a lab shows of each data type: the very arrays and tables the engine feeds a model.

Every preview is built by the engine's own code (the dataset builders, augmentation,
tokeniser, audio features and table encoder), never by a copy of it, so what a learner
sees is what the network gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from engine.data.audio import HOP, N_FFT, SAMPLE_RATE, SOUND_CLASSES, features, generate_sounds
from engine.data.bundle import DataBundle, DataError, split_indices
from engine.data.csv_checks import check_csv
from engine.data.registry import build_bundle, dataset_kind
from engine.data.tabular import label_strings, load_penguins_frame, load_sklearn_frame
from engine.data.text import PAD_ID, UNKNOWN_ID, encode, tokenize
from engine.data.upload_bundles import AUDIO_SAMPLE_RATE, fixed_length
from engine.data.uploads import load_upload, uploads_dir
from engine.data.zip_checks import read_audio_zip
from engine.spec import DATASET_KINDS, RunSpec
from engine.training.augment import augment_images

KIND_WORDS = {"image": "images", "text": "texts", "audio": "sound clips", "tabular": "a table"}
BUILT_IN_TABLE_TARGETS = {"penguins": "species", "wine": "target", "breast-cancer": "target"}
MAX_SENTENCE_CHARS = 2000  # a preview box, not a document


def built_in_datasets(kind: str) -> list[str]:
    """The built-in datasets of one data type, in the engine's order."""
    return [name for name, found in DATASET_KINDS.items() if found == kind]


def training_bundle(spec: RunSpec, kind: str) -> DataBundle:
    """The split, encoded data of ``spec.dataset``, refused if it is not of ``kind``."""
    found = dataset_kind(spec.dataset)
    if found != kind:
        raise DataError(
            f"This dataset holds {KIND_WORDS.get(found, found)}, not {KIND_WORDS[kind]}."
        )
    return build_bundle(spec)


def spread_over_classes(y: np.ndarray, n: int) -> list[int]:
    """Up to ``n`` row positions taking each class in turn (first of each, then second...)."""
    by_class = [np.flatnonzero(y == label).tolist() for label in np.unique(y)]
    picked: list[int] = []
    depth = 0
    while len(picked) < n and any(depth < len(rows) for rows in by_class):
        picked += [rows[depth] for rows in by_class if depth < len(rows)]
        depth += 1
    return picked[:n]


# --- images ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageSamples:
    images: np.ndarray  # (n, C, H, W) float32 in [0, 1]: exactly the model's input
    labels: tuple[str, ...]
    positions: tuple[int, ...]  # rows of the training part they come from
    class_names: tuple[str, ...]
    training_images: int


def image_samples(spec: RunSpec, n: int = 12) -> ImageSamples:
    """``n`` training images, each class in turn, with their labels."""
    bundle = training_bundle(spec, "image")
    positions = spread_over_classes(bundle.y_train, n)
    return ImageSamples(
        images=bundle.x_train[positions],
        labels=tuple(bundle.class_names[bundle.y_train[i]] for i in positions),
        positions=tuple(positions),
        class_names=bundle.class_names,
        training_images=len(bundle.y_train),
    )


def augmentation_preview(image: np.ndarray, spec: RunSpec, k: int = 8, seed: int = 0) -> np.ndarray:
    """(k, C, H, W): one (C, H, W) image through the engine's augmentation k times, as
    training would change it in k different epochs (unchanged when augmentation is off)."""
    batch = torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32))[None]
    batch = batch.repeat(k, 1, 1, 1)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        return augment_images(batch, spec, generator).numpy()


# --- text --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextPreview:
    sentence: str
    tokens: tuple[str, ...]  # every word the tokeniser finds
    ids: tuple[int, ...]  # the model's input: max_tokens ids, 0 = padding, 1 = unknown
    max_tokens: int
    vocab_size: int

    @property
    def kept(self) -> int:
        return min(len(self.tokens), self.max_tokens)

    @property
    def unknown(self) -> tuple[str, ...]:
        """Kept words the vocabulary does not hold: the model sees them all as one id."""
        return tuple(t for t, i in zip(self.tokens, self.ids, strict=False) if i == UNKNOWN_ID)

    @property
    def cut_off(self) -> tuple[str, ...]:
        """Words past max_tokens: the model never sees them."""
        return self.tokens[self.max_tokens :]

    @property
    def padding(self) -> int:
        return self.max_tokens - self.kept

    def rows(self) -> list[dict[str, Any]]:
        """One row per position the model reads, then the words cut off."""
        table = []
        for position, token_id in enumerate(self.ids):
            if token_id == PAD_ID:
                word, status = "", "padding"
            else:
                word = self.tokens[position]
                status = "unknown" if token_id == UNKNOWN_ID else "known"
            table.append({"position": position, "token": word, "id": token_id, "status": status})
        for offset, word in enumerate(self.cut_off):
            table.append(
                {
                    "position": self.max_tokens + offset,
                    "token": word,
                    "id": None,
                    "status": "cut off",
                }
            )
        return table


def vocabulary(spec: RunSpec) -> tuple[str, ...]:
    """Words by id, learned from the training texts as a run with this spec learns them."""
    return tuple(training_bundle(spec, "text").info["vocab"])


def tokenise_sentence(
    sentence: str, spec: RunSpec, vocab: tuple[str, ...] | None = None
) -> TextPreview:
    """A sentence as the model would read it with this spec's vocabulary and length."""
    if len(sentence) > MAX_SENTENCE_CHARS:
        raise DataError(f"Keep the sentence under {MAX_SENTENCE_CHARS:,} characters.")
    vocab = vocab if vocab is not None else vocabulary(spec)
    return TextPreview(
        sentence=sentence,
        tokens=tuple(tokenize(sentence)),
        ids=tuple(encode(sentence, vocab, spec.text_max_tokens)),
        max_tokens=spec.text_max_tokens,
        vocab_size=len(vocab),
    )


# --- audio -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AudioPreview:
    label: str
    sample_rate: int
    waveform: np.ndarray  # (samples,) in [-1, 1]
    spectrogram: np.ndarray  # (129, T) log magnitude, rows = frequencies
    mfcc: np.ndarray  # (20, T) mel-frequency cepstral coefficients
    model_input: np.ndarray  # (F, T): spec.audio_features standardised with training statistics
    frequencies: np.ndarray  # (129,) Hz of each spectrogram row
    times: np.ndarray  # (T,) seconds of each frame


def audio_waveforms(spec: RunSpec) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """(N, samples) waveforms at 8 kHz, labels and class names, before any features."""
    if spec.dataset == "sounds":
        waves, y = generate_sounds()
        return waves, y, SOUND_CLASSES
    clips, y, class_names, _ = read_audio_zip(upload_bytes(spec.dataset), AUDIO_SAMPLE_RATE)
    return fixed_length(clips), y, class_names


def audio_samples(spec: RunSpec, n: int = 4) -> list[AudioPreview]:
    """``n`` training clips (each class in turn) with the features the model gets."""
    bundle = training_bundle(spec, "audio")
    waves, y, class_names = audio_waveforms(spec)
    train, _, _ = split_indices(y, spec.validation_fraction, spec.test_fraction, spec.seed)
    frequencies = np.fft.rfftfreq(N_FFT, 1 / SAMPLE_RATE)
    previews = []
    for position in spread_over_classes(bundle.y_train, n):
        wave = np.asarray(waves[train[position]])
        spectrogram = features(wave[None], "spectrogram")[0, 0]
        previews.append(
            AudioPreview(
                label=class_names[y[train[position]]],
                sample_rate=SAMPLE_RATE,
                waveform=wave,
                spectrogram=spectrogram,
                mfcc=features(wave[None], "mfcc")[0, 0],
                model_input=bundle.x_train[position, 0],
                frequencies=frequencies,
                times=np.arange(spectrogram.shape[1]) * HOP / SAMPLE_RATE,
            )
        )
    return previews


# --- tables ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TabularPreview:
    before: pd.DataFrame  # raw training rows as in the file, label column included
    after: pd.DataFrame  # the same rows as the model gets them, one column per feature
    target: str
    numeric: tuple[str, ...]  # median-filled, then scaled to mean 0 and std 1
    categorical: tuple[str, ...]  # mode-filled, then one column per category (one-hot)
    groups: dict[str, list[int]]  # raw column -> positions of its encoded columns
    positions: tuple[int, ...]  # rows of the training part shown


def raw_table(dataset: str) -> tuple[pd.DataFrame, str]:
    """The table before any encoding, and the name of its label column."""
    if dataset == "penguins":
        return load_penguins_frame(), "species"
    if dataset in BUILT_IN_TABLE_TARGETS:
        return load_sklearn_frame(dataset), "target"
    meta = load_upload(dataset)
    frame, _ = check_csv(upload_bytes(dataset))
    return frame, str(meta["target"])


def tabular_preview(spec: RunSpec, n: int = 5) -> TabularPreview:
    """``n`` training rows before and after the engine's encoding: the first ones, with a
    row that has a gap among them when the training rows have any, so filling it shows."""
    bundle = training_bundle(spec, "tabular")
    frame, target = raw_table(spec.dataset)
    frame = frame[frame[target].notna()]  # as the engine drops unlabelled rows
    train, _, _ = split_indices(
        bundle_labels(bundle, frame, target),
        spec.validation_fraction,
        spec.test_fraction,
        spec.seed,
    )
    positions = list(range(min(n, len(train))))
    gaps = np.flatnonzero(frame.iloc[train].drop(columns=[target]).isna().any(axis=1).to_numpy())
    if positions and len(gaps) and not set(gaps) & set(positions):
        positions[-1] = int(gaps[0])
    before = frame.iloc[train[positions]]
    after = pd.DataFrame(
        bundle.x_train[positions], columns=bundle.info["feature_names"], index=before.index
    )
    return TabularPreview(
        before=before,
        after=after,
        target=target,
        numeric=tuple(bundle.info["numeric"]),
        categorical=tuple(bundle.info["categorical"]),
        groups=dict(bundle.info["groups"]),
        positions=tuple(positions),
    )


def bundle_labels(bundle: DataBundle, frame: pd.DataFrame, target: str) -> np.ndarray:
    """Every row's class id, numbered as the bundle numbers its classes."""
    lookup = {name: i for i, name in enumerate(bundle.class_names)}
    return label_strings(frame[target]).map(lookup).to_numpy(np.int64)


# --- uploads -----------------------------------------------------------------------------


def upload_bytes(dataset: str) -> bytes:
    """The stored file of an upload ("upload:<id>"); load_upload checks the id first."""
    meta = load_upload(dataset)
    return (uploads_dir() / str(meta["id"]) / str(meta["file"])).read_bytes()
