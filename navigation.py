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
        "pages/data_types.py",
        title="Data types",
        icon=":material/category:",
        url_path="data-types",
    ),
    st.Page(
        "pages/training_optimisation.py",
        title="Training optimisation",
        icon=":material/speed:",
        url_path="training-optimisation",
    ),
    st.Page(
        "pages/hyperparameter_tuning.py",
        title="Hyperparameter tuning",
        icon=":material/manage_search:",
        url_path="hyperparameter-tuning",
    ),
    st.Page(
        "pages/model_card.py", title="Model card", icon=":material/badge:", url_path="model-card"
    ),
    st.Page(
        "pages/reviews.py", title="Peer review", icon=":material/rate_review:", url_path="reviews"
    ),
    st.Page("pages/team.py", title="My team", icon=":material/diversity_3:", url_path="team"),
    st.Page(
        "pages/challenges.py",
        title="Challenges",
        icon=":material/emoji_events:",
        url_path="challenges",
    ),
    st.Page(
        "pages/journal.py", title="My journal", icon=":material/edit_note:", url_path="journal"
    ),
    st.Page(
        "pages/progress.py", title="My progress", icon=":material/insights:", url_path="progress"
    ),
]
if actor is None:
    pages = st.navigation([st.Page("pages/welcome.py", title="Welcome", default=True)])
elif actor.is_teacher:
    teach = [
        st.Page(
            "pages/classes.py", title="My classes", icon=":material/groups:", url_path="classes"
        ),
        st.Page("pages/learner.py", title="Learner", url_path="learner", visibility="hidden"),
        st.Page(
            "pages/teams_admin.py", title="Teams", icon=":material/groups_3:", url_path="teams"
        ),
    ]
    pages = st.navigation({"Learn": learn, "Teach": teach})
else:
    pages = st.navigation({"Learn": learn})
if actor is not None:
    render_sidebar(actor)
pages.run()
