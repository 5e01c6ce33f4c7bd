"""Lab: four data types, the models that fit each, and one model tried on two of them."""

import streamlit as st

from labs.data_types import KINDS, LAB
from ui.common.auth import require_signed_in
from ui.data_types.tabs import render_data_type_tab

TAB_LABELS = {"image": "Image", "text": "Text", "audio": "Audio", "tabular": "Tabular"}

actor = require_signed_in()
st.title(LAB.title)
st.write(
    "Pictures, sentences, sounds and tables each reach a network in their own shape. "
    "On each tab, look at what the model will be fed, choose a model that fits, and train it. "
    "Then train the same model on two data types and explain why it did better on one."
)

# Only the open tab runs: four previews and live panels at once would slow every click.
tabs = st.tabs(list(TAB_LABELS.values()), key="dt_tab", on_change="rerun")
for tab, kind in zip(tabs, KINDS, strict=True):
    if tab.open:
        with tab:
            render_data_type_tab(actor, kind)
