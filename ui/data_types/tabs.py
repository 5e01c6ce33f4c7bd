"""One tab of the Data Types lab: data source, preview, a model that fits, training and results."""

from __future__ import annotations

from typing import Any

import streamlit as st

from classroom import datasets, runs
from classroom.access import Actor, NotFound
from engine.data import DataError
from engine.spec import MODELS_FOR_KIND, RunSpec, SpecError, parse_spec
from labs.data_types import DEFAULT_SPECS, LAB, run_kind
from ui.data_types.previews import data_settings, render_preview
from ui.data_types.results import render_run_area
from ui.data_types.source import pick_dataset

LEARNING_RATES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
HIDDEN_UNITS = (16, 32, 64, 128, 256)
BATCH_SIZES = (16, 32, 64, 128)
MODEL_NAMES = {"dense": "Dense", "cnn": "CNN", "lstm": "LSTM", "transformer": "Transformer"}
MODEL_FIELDS = ("model", "hidden_units", "depth")  # what "Use my last model" copies
INTRO = {
    "image": "Pictures are grids of pixels, and neighbouring pixels belong together.",
    "text": "Sentences are sequences of words: the model reads token ids, one per word.",
    "audio": "Sounds are waves; as a spectrogram they become a picture of pitch over time.",
    "tabular": "Tables are rows of separate columns: numbers and categories, in no order.",
}
# What each model family can do with this kind of data (the seed's pairings are strong
# starting points, not rules); which of them this app offers comes from MODELS_FOR_KIND.
WHY_THESE_MODELS = {
    "image": "A CNN slides small filters over the picture, so it finds the same stroke "
    "wherever it appears; a dense network treats each pixel on its own. Transformers can "
    "read pictures too, cut into small patches, but they need far more images than these.",
    "text": "LSTM and transformer models read the words in order; a dense model averages "
    "them and loses the order. A 1-D CNN can read texts as well, sliding its filters along "
    "the words to spot short phrases.",
    "audio": "A CNN reads the spectrogram as a picture of pitch over time, or as a 1-D CNN "
    "slides along time; a dense network sees one long list of numbers. LSTM and attention "
    "models (like transformers) can also read a sound moment by moment.",
    "tabular": "A table row has no neighbouring pixels and no word order, so a dense network "
    "that links every column to every unit is the usual start. Other designs, even "
    "transformers that treat each column as a token, work on tables too, but on small "
    "tables they rarely beat a well-prepared dense network.",
}
KIND_WORDS = {"image": "pictures", "text": "texts", "audio": "sounds", "tabular": "tables"}


def offered_text(kind: str) -> str:
    """Which models this app offers for a data type, as a plain sentence."""
    names = [MODEL_NAMES[m] for m in MODELS_FOR_KIND[kind]]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"For {KIND_WORDS[kind]} this app offers {listed}."


def render_data_type_tab(actor: Actor, kind: str) -> None:
    st.caption(INTRO[kind])
    dataset = pick_dataset(actor, kind)
    if dataset is None:
        return
    try:
        datasets.require_dataset_access(actor, dataset)
    except NotFound:
        st.error("That dataset is not yours, or it no longer exists.")
        return
    head = st.container()  # the image grid goes above the augmentation sliders
    data = data_settings(kind)
    try:
        spec = parse_spec({**DEFAULT_SPECS[kind].model_dump(), "dataset": dataset, **data})
        render_preview(actor.id, kind, spec, head)
    except (DataError, SpecError) as exc:
        st.error(f"This data cannot be shown or trained on: {exc}")
        return
    st.divider()
    settings_col, run_col = st.columns([1, 2], gap="large")
    with settings_col:
        values = settings_form(actor, kind)
    if values is not None:
        _submit(actor, kind, {**spec.model_dump(), **values})
    with run_col:
        run_id = st.session_state.get(f"dt_{kind}_run")
        render_run_area(actor, kind, run_id)


def settings_form(actor: Actor, kind: str) -> dict[str, Any] | None:
    """The model and training settings; the chosen values when Train is pressed."""
    _initial_settings(kind)
    fitting = MODELS_FOR_KIND[kind]
    st.button(
        "Use my last model",
        key=f"dt_{kind}_copy",
        icon=":material/content_copy:",
        help="Copy the model, units and depth of your latest run in this lab, from any tab.",
        on_click=_copy_last_model,
        args=(actor, kind),
    )
    notice = st.session_state.pop(f"dt_{kind}_notice", None)
    if notice:
        st.warning(notice)
    with st.form(f"dt_{kind}_settings"):
        values: dict[str, Any] = {
            "model": st.segmented_control(
                "Model",
                fitting,
                format_func=MODEL_NAMES.__getitem__,
                key=f"dt_{kind}_model",
                persist_state="page",
            ),
            "hidden_units": st.select_slider(
                "Units per layer", HIDDEN_UNITS, key=f"dt_{kind}_hidden_units", persist_state="page"
            ),
            "depth": st.slider(
                "Layers (depth)", 1, 4, key=f"dt_{kind}_depth", persist_state="page"
            ),
            "learning_rate": st.select_slider(
                "Learning rate",
                LEARNING_RATES,
                key=f"dt_{kind}_learning_rate",
                persist_state="page",
            ),
            "batch_size": st.select_slider(
                "Batch size", BATCH_SIZES, key=f"dt_{kind}_batch_size", persist_state="page"
            ),
            "epochs": st.slider("Epochs", 1, 60, key=f"dt_{kind}_epochs", persist_state="page"),
        }
        st.caption(f"{WHY_THESE_MODELS[kind]} {offered_text(kind)}")
        for field, message in st.session_state.pop(f"dt_{kind}_errors", {}).items():
            st.error(f"{field.replace('_', ' ').capitalize()}: {message}.")
        pressed = st.form_submit_button(
            "Train", type="primary", icon=":material/play_arrow:", width="stretch"
        )
    return values if pressed else None


def _initial_settings(kind: str) -> None:
    """Each widget's starting value, set once, so a button can change them later."""
    spec = DEFAULT_SPECS[kind]
    for field in ("model", "hidden_units", "depth", "learning_rate", "batch_size", "epochs"):
        st.session_state.setdefault(f"dt_{kind}_{field}", getattr(spec, field))


def _copy_last_model(actor: Actor, kind: str) -> None:
    history = runs.my_runs(actor, LAB.id)
    if not history:
        st.session_state[f"dt_{kind}_notice"] = "You have no runs in this lab yet."
        return
    last = history[0].spec
    model = str(last.get("model"))
    if model not in MODELS_FOR_KIND[kind]:
        fitting = " or ".join(MODEL_NAMES[m] for m in MODELS_FOR_KIND[kind])
        st.session_state[f"dt_{kind}_notice"] = (
            f"Your last run used a {MODEL_NAMES.get(model, model)} model, which this app "
            f"does not offer for {kind} data. Choose {fitting} here, or train your last "
            "model on another tab."
        )
        return
    for field in MODEL_FIELDS:
        st.session_state[f"dt_{kind}_{field}"] = last.get(field)


def _submit(actor: Actor, kind: str, values: dict[str, Any]) -> None:
    """Validate and queue a run; errors are shown next to the form after the rerun."""
    model = values.get("model")
    if model not in MODELS_FOR_KIND[kind]:
        fitting = ", ".join(MODEL_NAMES[m] for m in MODELS_FOR_KIND[kind])
        st.session_state[f"dt_{kind}_errors"] = {
            "model": f"choose one that fits {kind} data: {fitting}"
        }
        st.rerun()
    try:
        spec: RunSpec = parse_spec(values)
        if run_kind({"spec": values}) != kind:
            raise SpecError({"dataset": f"this dataset does not hold {kind} data"})
        st.session_state[f"dt_{kind}_run"] = runs.submit_run(actor, spec, LAB.id)
    except SpecError as exc:
        st.session_state[f"dt_{kind}_errors"] = exc.errors
    except NotFound:
        st.session_state[f"dt_{kind}_errors"] = {"dataset": "that dataset is not yours"}
    st.rerun()
