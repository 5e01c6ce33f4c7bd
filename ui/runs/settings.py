"""The settings form of the first-network lab: widgets in, a spec dict out."""

from __future__ import annotations

from typing import Any

import streamlit as st

from engine.spec import RunSpec
from labs.first_network import BATCH_SIZES, LEARNING_RATES
from labs.run_pairs import validation_accuracy

HIDDEN_UNITS = (16, 32, 64, 128, 256)
HELP = {
    "model": "Dense: every pixel feeds every unit. CNN: small filters slide over the image "
    "and find strokes and corners wherever they are.",
    "optimizer": "How the weights are nudged after each batch. Adam adapts its step per "
    "weight; SGD takes plain steps, helped by momentum.",
    "learning_rate": "How big each step is. Too big and training jumps around or blows up; "
    "too small and it crawls.",
    "batch_size": "How many images the network sees before each update.",
    "epochs": "How many times the network sees the whole training set.",
    "hidden_units": "How many units the hidden layers have: more can learn more, and can "
    "also memorise the training images.",
}


def settings_form(defaults: RunSpec, errors: dict[str, str]) -> dict[str, Any] | None:
    """Draw the form; returns the chosen settings when Train is pressed, else None."""
    with st.form("first_network_settings"):
        values: dict[str, Any] = {
            "model": st.segmented_control(
                "Model",
                ["dense", "cnn"],
                default=defaults.model,
                format_func=lambda m: m.upper() if m == "cnn" else "Dense",
                help=HELP["model"],
            ),
            "optimizer": st.segmented_control(
                "Optimiser",
                ["adam", "sgd"],
                default=defaults.optimizer,
                format_func=str.upper,
                help=HELP["optimizer"],
            ),
            "learning_rate": st.select_slider(
                "Learning rate",
                LEARNING_RATES,
                value=defaults.learning_rate,
                help=HELP["learning_rate"],
            ),
            "batch_size": st.select_slider(
                "Batch size", BATCH_SIZES, value=defaults.batch_size, help=HELP["batch_size"]
            ),
            "epochs": st.slider("Epochs", 1, 100, defaults.epochs, help=HELP["epochs"]),
            "hidden_units": st.select_slider(
                "Hidden units", HIDDEN_UNITS, value=defaults.hidden_units, help=HELP["hidden_units"]
            ),
        }
        for field, message in errors.items():
            st.error(f"{field.replace('_', ' ').capitalize()} {message}.")
        submitted = st.form_submit_button(
            "Train", type="primary", icon=":material/play_arrow:", width="stretch"
        )
    if not submitted:
        return None
    # segmented_control returns None when the learner clicks the chosen option again.
    values["model"] = values["model"] or defaults.model
    values["optimizer"] = values["optimizer"] or defaults.optimizer
    return values


def run_label(run: Any) -> str:
    result = run.result or {}
    score = validation_accuracy(result)  # the test score waits for the final test
    accuracy = f" · validation {score:.1%}" if score else ""
    spec = run.spec
    return (
        f"Run {run.id} · {spec['model']} · {spec['optimizer']} lr {spec['learning_rate']:g}"
        f" · {spec['epochs']} epochs · {run.status}{accuracy}"
    )
