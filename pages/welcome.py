"""For visitors who are not signed in (the server normally sends them to /auth/login)."""

import streamlit as st

from curriculum.catalog import competencies

st.title("Deep Learning Labs")
st.write("Train real neural networks in your browser and grow six competencies along the way.")
st.html(
    '<p><a href="/auth/login" target="_self">Sign in</a> or '
    '<a href="/auth/signup" target="_self">create a learner account</a>.</p>'
)
cols = st.columns(3)
for i, comp in enumerate(competencies()):
    with cols[i % 3].container(border=True):
        st.markdown(f"**{comp.icon} {comp.name}**")
        st.caption(comp.summary)
