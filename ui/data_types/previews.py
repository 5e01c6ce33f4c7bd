"""The preview of each data type: what the engine will feed the model, drawn for the learner.

The data settings that change a preview (augmentation, token limit, vocabulary, audio
features) are chosen here and returned, so the run trains on exactly what was shown."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from engine.data import previews
from engine.spec import RunSpec
from ui.data_types.figures import feature_map_figure, image_grid_figure, waveform_figure

VOCAB_SIZES = (50, 100, 250, 500, 1000, 2000, 5000)
AUDIO_FEATURES = {"mfcc": "MFCC (20 mel bands)", "spectrogram": "Full spectrogram"}
NO_TOOLBAR: dict[str, Any] = {"displayModeBar": False}  # plotly config: no toolbar over charts


# The fields a preview depends on. The model and training settings never change the data the
# model is fed, so changing them must not recompute a preview (seconds for the sounds): the
# cached functions below hash only the owner and these (Streamlit skips "_" arguments).
DATA_FIELDS = (
    "dataset",
    "validation_fraction",
    "test_fraction",
    "train_limit",
    "augment_flip",
    "augment_shift",
    "augment_rotate",
    "audio_features",
    "text_max_tokens",
    "vocab_size",
    "seed",
    "holdout_seed",
)


def preview_key(owner_id: int, spec: RunSpec) -> tuple[int, str]:
    """The cache key of a preview: the data settings as JSON, and the owner only for an
    upload (it is theirs alone); the built-in sets are computed once for the whole class."""
    owner = owner_id if spec.dataset.startswith("upload:") else 0
    return owner, spec.model_dump_json(include=set(DATA_FIELDS))


@st.cache_data(max_entries=32, show_spinner="Loading the images…")
def _image_samples(owner_id: int, data_json: str, _spec: RunSpec) -> previews.ImageSamples:
    return previews.image_samples(_spec, 12)


@st.cache_data(max_entries=32, show_spinner="Learning the vocabulary…")
def _vocabulary(owner_id: int, data_json: str, _spec: RunSpec) -> tuple[str, ...]:
    return previews.vocabulary(_spec)


@st.cache_data(max_entries=16, show_spinner="Computing spectrograms…")
def _audio_samples(owner_id: int, data_json: str, _spec: RunSpec) -> list[previews.AudioPreview]:
    return previews.audio_samples(_spec, 4)


@st.cache_data(max_entries=32, show_spinner="Encoding the table…")
def _tabular(owner_id: int, data_json: str, _spec: RunSpec) -> previews.TabularPreview:
    return previews.tabular_preview(_spec, 5)


def data_settings(kind: str) -> dict[str, Any]:
    """The widgets for the data settings of this type; their values go into the spec."""
    if kind == "image":
        left, middle, right = st.columns(3)
        return {
            "augment_flip": left.toggle(
                "Mirror left-right", key="dt_image_flip", persist_state="page"
            ),
            "augment_shift": middle.slider(
                "Shift (pixels)", 0, 4, 0, key="dt_image_shift", persist_state="page"
            ),
            "augment_rotate": float(
                right.slider(
                    "Rotate (degrees)",
                    0,
                    45,
                    0,
                    step=5,
                    key="dt_image_rotate",
                    persist_state="page",
                )
            ),
        }
    if kind == "text":
        left, right = st.columns(2)
        return {
            "text_max_tokens": left.slider(
                "Tokens per text", 4, 128, 32, key="dt_text_tokens", persist_state="page"
            ),
            "vocab_size": right.select_slider(
                "Vocabulary size",
                VOCAB_SIZES,
                value=2000,
                key="dt_text_vocab",
                persist_state="page",
            ),
        }
    if kind == "audio":
        features = st.segmented_control(
            "Features the model reads",
            list(AUDIO_FEATURES),
            default="mfcc",
            required=True,
            format_func=AUDIO_FEATURES.__getitem__,
            key="dt_audio_features",
            persist_state="page",
        )
        return {"audio_features": features or "mfcc"}
    return {}


def render_preview(owner_id: int, kind: str, spec: RunSpec, head: Any) -> None:
    """Draw this type's preview; ``head`` is a container above the data settings."""
    if kind == "image":
        _render_images(owner_id, spec, head)
    else:
        {"text": _render_text, "audio": _render_audio, "tabular": _render_table}[kind](
            owner_id, spec
        )


def _render_images(owner_id: int, spec: RunSpec, head: Any) -> None:
    samples = _image_samples(*preview_key(owner_id, spec), spec)
    channels, height, width = samples.images.shape[1:]
    with head:  # the grid, then the augmentation sliders, then their preview
        st.caption(
            f"{samples.training_images:,} training images of {height}x{width} pixels, "
            f"{'colour' if channels == 3 else 'grey'}; classes: {', '.join(samples.class_names)}. "
            "A dense network gets these pixels as one long list; a CNN slides small filters "
            "over them."
        )
        st.plotly_chart(
            image_grid_figure(samples.images, samples.labels),
            key="dt_image_grid",
            config=NO_TOOLBAR,
        )
        st.markdown(
            "**Augmentation**: training changes each image at random, a little differently "
            "each epoch, so the network learns the digit rather than the exact pixels."
        )
    options = list(range(len(samples.labels)))
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    pick = left.selectbox(
        "Image to augment",
        options,
        format_func=lambda i: f"Image {i + 1} ({samples.labels[i]})",
        key="dt_aug_pick",
        persist_state="page",
    )
    if right.button("Draw again", icon=":material/casino:", key="dt_aug_redraw"):
        st.session_state["dt_aug_seed"] = st.session_state.get("dt_aug_seed", 0) + 1
    variants = previews.augmentation_preview(
        samples.images[pick], spec, k=5, seed=st.session_state.get("dt_aug_seed", 0)
    )
    shown = np.concatenate([samples.images[pick][None], variants])
    titles = ["original", *(f"epoch {i}" for i in range(1, len(variants) + 1))]
    st.plotly_chart(image_grid_figure(shown, titles), key="dt_aug_grid", config=NO_TOOLBAR)
    if not (spec.augment_flip or spec.augment_shift or spec.augment_rotate):
        st.caption("Augmentation is off: every epoch sees the same picture.")
    elif spec.augment_flip and spec.dataset.startswith("digits"):
        st.caption(
            "Careful: a mirrored 3 or 7 is no longer a digit anyone writes. Mirroring suits "
            "photos of things that look the same both ways; compare the accuracy with it off."
        )


def _render_text(owner_id: int, spec: RunSpec) -> None:
    vocab = _vocabulary(*preview_key(owner_id, spec), spec)
    sentence = st.text_input(
        "Type a sentence to see how the model reads it",
        value="When my first plan failed, I tried a completely different approach.",
        max_chars=previews.MAX_SENTENCE_CHARS,
        key="dt_text_sentence",
        persist_state="page",
    )
    preview = previews.tokenise_sentence(sentence, spec, vocab)
    st.markdown(_token_chips(preview) or "_No words found: type some letters or numbers._")
    cols = st.columns(4)
    cols[0].metric(
        "Vocabulary size",
        f"{preview.vocab_size:,}",
        help="Words the model knows, learned from the training texts, plus <pad> and <unk>. "
        "It is at most the size you chose: the training texts may hold fewer different words.",
    )
    cols[1].metric("Tokens read", f"{preview.kept} of {preview.max_tokens}")
    cols[2].metric("Unknown words", len(preview.unknown))
    cols[3].metric("Cut off", len(preview.cut_off))
    st.dataframe(pd.DataFrame(preview.rows()), hide_index=True, width="stretch", height=240)


def _token_chips(preview: previews.TextPreview) -> str:
    """Tokens as coloured badges; tokens hold only [a-z0-9'], so they are safe in Markdown."""
    chips = []
    for row in preview.rows():
        if row["status"] == "known":
            chips.append(f":blue-badge[{row['token']} · {row['id']}]")
        elif row["status"] == "unknown":
            chips.append(f":orange-badge[{row['token']} · unknown]")
        elif row["status"] == "cut off":
            chips.append(f":gray-badge[~~{row['token']}~~ cut off]")
    if preview.padding:
        chips.append(f":gray-badge[+ {preview.padding} × padding]")
    return " ".join(chips)


def _render_audio(owner_id: int, spec: RunSpec) -> None:
    samples = _audio_samples(*preview_key(owner_id, spec), spec)
    labels = [s.label for s in samples]
    pick = st.selectbox(
        "Clip",
        list(range(len(samples))),
        format_func=lambda i: labels[i],
        key="dt_audio_pick",
        persist_state="page",
    )
    clip = samples[pick]
    st.audio(clip.waveform, sample_rate=clip.sample_rate)
    st.plotly_chart(
        waveform_figure(clip.waveform, clip.sample_rate), key="dt_wave", config=NO_TOOLBAR
    )
    left, right = st.columns(2)
    left.plotly_chart(
        feature_map_figure(
            clip.spectrogram,
            clip.times,
            clip.frequencies,
            "Spectrogram",
            "frequency (Hz)",
            "log loudness",
        ),
        key="dt_spectrogram",
        config=NO_TOOLBAR,
    )
    right.plotly_chart(
        feature_map_figure(
            clip.mfcc, clip.times, np.arange(len(clip.mfcc)), "MFCC", "coefficient", "value"
        ),
        key="dt_mfcc",
        config=NO_TOOLBAR,
    )
    rows = clip.frequencies if spec.audio_features == "spectrogram" else np.arange(len(clip.mfcc))
    st.plotly_chart(
        feature_map_figure(
            clip.model_input,
            clip.times,
            rows,
            f"What the model gets: {spec.audio_features}, scaled per band with training statistics",
            "frequency (Hz)" if spec.audio_features == "spectrogram" else "coefficient",
            "scaled",
        ),
        key="dt_model_input",
        config=NO_TOOLBAR,
    )


def _render_table(owner_id: int, spec: RunSpec) -> None:
    preview = _tabular(*preview_key(owner_id, spec), spec)
    st.markdown("**Before**: training rows as they are in the file")
    st.text(f"The label to predict: {preview.target}")  # the learner's own column name: as text
    st.dataframe(preview.before, width="stretch")
    st.markdown("**After**: the same rows as the model gets them")
    st.dataframe(preview.after.round(3), width="stretch")
    st.caption(
        "Number columns: gaps filled with the training median, then scaled to mean 0 and "
        "standard deviation 1. Category columns: gaps filled with the most common value, then "
        "one 0/1 column per category (one-hot). Every setting is learned from training rows only."
    )
    st.dataframe(encoding_table(preview), hide_index=True, width="stretch")


def encoding_table(preview: previews.TabularPreview) -> pd.DataFrame:
    """Each raw column, how it is encoded and the model columns it becomes."""
    names = list(preview.after.columns)
    rows = [
        {
            "column": column,
            "kind": "number" if column in preview.numeric else "category",
            "model columns": ", ".join(names[i] for i in positions),
        }
        for column, positions in preview.groups.items()
    ]
    return pd.DataFrame(rows, columns=["column", "kind", "model columns"])
