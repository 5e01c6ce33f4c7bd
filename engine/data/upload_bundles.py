"""Turning a stored upload's bytes into a DataBundle, one function per kind of data."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.data.audio import features, standardise
from engine.data.bundle import DataBundle, content_hash
from engine.data.csv_checks import check_csv
from engine.data.tabular import label_strings, sorted_labels, split_or_explain, tabular_bundle
from engine.data.text import encode_split
from engine.data.zip_checks import read_audio_zip, read_images_zip
from engine.spec import RunSpec

AUDIO_SAMPLE_RATE = 8000  # Hz, as the built-in sounds
MAX_CLIP_SECONDS = 5.0  # longer clips are cut; shorter ones padded with silence


def tabular_upload_bundle(data: bytes, meta: dict[str, Any], spec: RunSpec) -> DataBundle:
    frame, _ = check_csv(data)
    return tabular_bundle(frame, meta["target"], spec, meta["original_name"])


def text_upload_bundle(data: bytes, meta: dict[str, Any], spec: RunSpec) -> DataBundle:
    """Texts as padded token ids; the vocabulary is learned from training rows only."""
    frame, _ = check_csv(data)
    frame = frame[frame[meta["target"]].notna()]
    texts = frame[meta["text_column"]].fillna("").astype(str).tolist()
    labels = label_strings(frame[meta["target"]])
    class_names = sorted_labels(labels)
    y = labels.map({name: i for i, name in enumerate(class_names)}).to_numpy(np.int64)
    train, val, test = split_or_explain(y, spec)
    x, info = encode_split(texts, train, spec)
    return DataBundle.from_split(
        "text", x, y, (train, val, test), tuple(class_names), content_hash(data), info
    )


def image_upload_bundle(data: bytes, meta: dict[str, Any], spec: RunSpec) -> DataBundle:
    x, y, class_names, _ = read_images_zip(data, meta.get("image_size", 32))
    train, val, test = split_or_explain(y, spec)
    return DataBundle.from_split(
        "image",
        x,
        y,
        (train, val, test),
        class_names,
        content_hash(data),
        {"name": meta["original_name"]},
    )


def fixed_length(clips: list[np.ndarray]) -> np.ndarray:
    """(N, samples) float32: every clip padded with silence or cut to one length."""
    longest = max(len(clip) for clip in clips)
    length = min(longest, int(MAX_CLIP_SECONDS * AUDIO_SAMPLE_RATE))
    out = np.zeros((len(clips), length), dtype=np.float32)
    for row, clip in enumerate(clips):
        out[row, : min(len(clip), length)] = clip[:length]
    return out


def audio_upload_bundle(data: bytes, meta: dict[str, Any], spec: RunSpec) -> DataBundle:
    """WAV clips as spectrogram or MFCC features, standardised with training statistics."""
    clips, y, class_names, _ = read_audio_zip(data, AUDIO_SAMPLE_RATE)
    x = features(fixed_length(clips), spec.audio_features)  # (N, 1, F, T)
    train, val, test = split_or_explain(y, spec)
    x = standardise(x, train)
    info = {
        "name": meta["original_name"],
        "sample_rate": AUDIO_SAMPLE_RATE,
        "features": spec.audio_features,
        "feature_shape": tuple(x.shape[2:]),
    }
    return DataBundle.from_split(
        "audio", x, y, (train, val, test), class_names, content_hash(data), info
    )


BUNDLE_MAKERS = {
    "tabular": tabular_upload_bundle,
    "text": text_upload_bundle,
    "image": image_upload_bundle,
    "audio": audio_upload_bundle,
}
