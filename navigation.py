"""The router: who is signed in decides which pages exist for this run."""

import streamlit as st

from ui.common.auth import resolve_actor
from ui.common.chrome import render_sidebar

st.set_page_config(page_title="Deep Learning Labs", page_icon="🧠", layout="wide")


def page(path: str, title: str, icon: str | None, url: str, hidden: bool = False) -> st.Page:
    return st.Page(
        f"pages/{path}.py",
        title=title,
        icon=f":material/{icon}:" if icon else None,
        url_path=url,
        visibility="hidden" if hidden else "visible",
    )


TEACHER_URLS = ("classes", "teams", "learner")  # keep in step with the "Teach" pages below

actor = resolve_actor()
me = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    page("track", "Track", "route", "track", hidden=True),
    page("progress", "My progress", "insights", "progress"),
    page("journal", "My journal", "edit_note", "journal"),
]
labs = [
    page("first_network", "Train your first network", "science", "first-network"),
    page("pipeline_builder", "Pipeline builder", "account_tree", "pipeline-builder"),
    page("feature_engineering", "Feature engineering", "tune", "feature-engineering"),
    page("data_types", "Data types", "category", "data-types"),
    page("training_optimisation", "Training optimisation", "speed", "training-optimisation"),
    page(
        "hyperparameter_tuning", "Hyperparameter tuning", "manage_search", "hyperparameter-tuning"
    ),
]
together = [
    page("team", "My team", "diversity_3", "team"),
    page("challenges", "Challenges", "emoji_events", "challenges"),
    page("model_card", "Model card", "badge", "model-card"),
    page("reviews", "Peer review", "rate_review", "reviews"),
]
sections = {"Learn": me, "Labs": labs, "Together": together}
if actor is None:
    pages = st.navigation([st.Page("pages/welcome.py", title="Welcome", default=True)])
else:
    if actor.is_teacher:
        sections["Teach"] = [
            page("classes", "My classes", "groups", "classes"),
            page("teams_admin", "Teams", "groups_3", "teams"),
            page("learner", "Learner", None, "learner", hidden=True),
        ]
    else:  # a learner on a teacher's address reads why, instead of "Page not found"
        sections["Learn"] = me + [
            page("teachers_only", "For teachers", None, url, hidden=True) for url in TEACHER_URLS
        ]
    pages = st.navigation(sections, expanded=True)
    render_sidebar(actor)
pages.run()
