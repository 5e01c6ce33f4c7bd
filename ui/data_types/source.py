"""Which data a Data Types tab uses: a built-in dataset, or the learner's own upload."""

from __future__ import annotations

import streamlit as st

from classroom import datasets
from classroom.access import Actor
from engine.data import DataError
from engine.data.previews import built_in_datasets

BUILT_IN_NAMES = {
    "digits": "Handwritten digits (8x8 pixels)",
    "digits-0-4": "Handwritten digits 0 to 4",
    "digits-5-9": "Handwritten digits 5 to 9",
    "competency-sentences": "Competency sentences (1,800 sentences, 6 labels)",
    "sounds": "Sounds: tones, chords, chirps and noise bursts",
    "penguins": "Palmer penguins (species)",
    "wine": "Wine (grape variety)",
    "breast-cancer": "Breast cancer biopsies (benign or malignant)",
}
UPLOAD_FORMATS = {
    "image": (
        ["zip"],
        "A zip with one folder per class, for example cat/1.png and dog/7.jpg. "
        "Every picture is resized to 32x32 pixels.",
    ),
    "audio": (
        ["zip"],
        "A zip with one folder per class of WAV clips, for example clap/1.wav and "
        "whistle/2.wav. Clips are resampled to 8 kHz.",
    ),
    "text": (
        ["csv"],
        "A CSV file with a column named 'text' and a column holding each text's label.",
    ),
    "tabular": (["csv"], "A CSV file with one row per example and a column holding the label."),
}


def pick_dataset(actor: Actor, kind: str) -> str | None:
    """The dataset this tab trains on ("upload:<id>" for the learner's own), or None."""
    source = st.segmented_control(
        "Data",
        ["Built-in", "My own"],
        default="Built-in",
        required=True,
        key=f"dt_{kind}_source",
        persist_state="page",
    )
    if source != "My own":
        names = built_in_datasets(kind)
        return str(
            st.selectbox(
                "Dataset",
                names,
                format_func=lambda name: BUILT_IN_NAMES.get(name, name),
                key=f"dt_{kind}_dataset",
                persist_state="page",
            )
        )
    with st.expander("Add a dataset of your own", expanded=False):
        _upload_form(actor, kind)
    own = {u.dataset: u.name for u in datasets.uploads_of(actor) if u.kind == kind}
    if not own:
        st.info(f"You have no {kind} datasets yet. Add one above. {UPLOAD_FORMATS[kind][1]}")
        return None
    if st.session_state.get(f"dt_{kind}_upload") not in own:
        st.session_state.pop(f"dt_{kind}_upload", None)
    return str(
        st.selectbox(
            "Your dataset",
            list(own),
            format_func=own.__getitem__,
            key=f"dt_{kind}_upload",
            persist_state="page",
        )
    )


def _upload_form(actor: Actor, kind: str) -> None:
    types, description = UPLOAD_FORMATS[kind]
    with st.form(f"dt_{kind}_upload_form", clear_on_submit=True):
        st.caption(description)
        file = st.file_uploader("File", type=types, key=f"dt_{kind}_file")
        target = (
            st.text_input("Label column", max_chars=200, key=f"dt_{kind}_target")
            if types == ["csv"]
            else None
        )
        added = st.form_submit_button("Add dataset", icon=":material/upload:")
    if not added:
        return
    if file is None:
        st.error("Choose a file first.")
        return
    if target is not None and not target.strip():
        st.error("Type the name of the column that holds the labels.")
        return
    try:
        info = datasets.add_upload(actor, file.getvalue(), file.name, kind, target)
    except DataError as exc:
        st.error(str(exc))
        return
    st.session_state[f"dt_{kind}_upload"] = info.dataset
    st.success("Your dataset was added and is now chosen below.")
