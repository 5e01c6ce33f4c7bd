"""The router: who is signed in decides which pages exist for this run."""

import streamlit as st

from ui.auth import resolve_actor
from ui.chrome import render_sidebar

st.set_page_config(page_title="Deep Learning Labs", page_icon="🧠", layout="wide")

actor = resolve_actor()
home = st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)
learn = [
    home,
    st.Page(
        "pages/track.py",
        title="Track",
        icon=":material/route:",
        url_path="track",
        visibility="hidden",
    ),
    st.Page(
        "pages/first_network.py",
        title="Train your first network",
        icon=":material/science:",
        url_path="first-network",
    ),
    st.Page(
        "pages/feature_engineering.py",
        title="Feature engineering",
        icon=":material/tune:",
        url_path="feature-engineering",
    ),
    st.Page(
        "pages/pipeline_builder.py",
        title="Pipeline builder",
        icon=":material/account_tree:",
        url_path="pipeline-builder",
    ),
    st.Page(
        "pages/journal.py", title="My journal", icon=":material/edit_note:", url_path="journal"
    ),
]
if actor is None:
    pages = st.navigation([st.Page("pages/welcome.py", title="Welcome", default=True)])
elif actor.is_teacher:
    teach = [
        st.Page(
            "pages/classes.py", title="My classes", icon=":material/groups:", url_path="classes"
        )
    ]
    pages = st.navigation({"Learn": learn, "Teach": teach})
else:
    pages = st.navigation({"Learn": learn})
if actor is not None:
    render_sidebar(actor)
pages.run()
