"""The few run settings a fork or a challenge entry changes, prefilled from a spec dict."""

from __future__ import annotations

from typing import Any

import streamlit as st

from engine.spec import DATASET_KINDS, MODELS_FOR_KIND, RunSpec
from labs.first_network import BATCH_SIZES, LEARNING_RATES
from labs.registry import LABS

OPTIMISERS = ("adam", "adamw", "sgd", "rmsprop")
MODEL_NAMES = {"dense": "Dense", "cnn": "CNN", "lstm": "LSTM", "transformer": "Transformer"}


def models_for(dataset: str) -> tuple[str, ...]:
    kind = DATASET_KINDS.get(dataset)
    return MODELS_FOR_KIND[kind] if kind else ("dense",)


def lab_defaults(lab_id: str, dataset: str) -> dict[str, Any]:
    """A lab's default settings moved to ``dataset``, with a model that fits its data."""
    lab = LABS.get(lab_id)
    spec = lab.default_spec if lab and lab.default_spec else RunSpec()
    settings = spec.model_dump()
    settings["dataset"] = dataset
    if settings["model"] not in models_for(dataset):
        settings["model"] = models_for(dataset)[0]
    return settings


def _nearest(options: tuple[Any, ...], value: Any) -> Any:
    return min(options, key=lambda o: abs(float(o) - float(value)))


def settings_fields(key: str, defaults: dict[str, Any]) -> dict[str, Any]:
    """Draw the fields (inside the caller's form); returns the chosen values."""
    models = models_for(defaults.get("dataset", "digits"))
    model = defaults.get("model", models[0])
    left, right = st.columns(2)
    with left:
        chosen_model = st.selectbox(
            "Model",
            models,
            index=models.index(model) if model in models else 0,
            format_func=lambda m: MODEL_NAMES.get(m, m),
            key=f"{key}_model",
        )
        optimiser = st.selectbox(
            "Optimiser",
            OPTIMISERS,
            index=OPTIMISERS.index(defaults.get("optimizer", "adam")),
            format_func=str.upper,
            key=f"{key}_optimizer",
        )
        learning_rate = st.select_slider(
            "Learning rate",
            LEARNING_RATES,
            value=_nearest(LEARNING_RATES, defaults.get("learning_rate", 1e-3)),
            key=f"{key}_lr",
        )
    with right:
        epochs = st.number_input(
            "Epochs", 1, 100, int(min(100, defaults.get("epochs", 10))), key=f"{key}_epochs"
        )
        batch_size = st.select_slider(
            "Batch size",
            BATCH_SIZES,
            value=_nearest(BATCH_SIZES, defaults.get("batch_size", 32)),
            key=f"{key}_batch",
        )
        hidden_units = st.number_input(
            "Hidden units", 4, 1024, int(defaults.get("hidden_units", 64)), key=f"{key}_hidden"
        )
    return {
        "model": chosen_model,
        "optimizer": optimiser,
        "learning_rate": learning_rate,
        "epochs": int(epochs),
        "batch_size": batch_size,
        "hidden_units": int(hidden_units),
    }


def show_errors(errors: dict[str, str]) -> None:
    for field, message in errors.items():
        st.error(f"{field.replace('_', ' ').capitalize()}: {message}.")


def settings_summary(spec: dict[str, Any]) -> str:
    """One line a teammate can read: the settings that matter most."""
    return (
        f"{MODEL_NAMES.get(spec.get('model', ''), spec.get('model'))} on {spec.get('dataset')}"
        f" · {str(spec.get('optimizer', '')).upper()} lr {spec.get('learning_rate', 0):g}"
        f" · batch {spec.get('batch_size')} · {spec.get('epochs')} epochs"
        f" · {spec.get('hidden_units')} hidden units"
    )
