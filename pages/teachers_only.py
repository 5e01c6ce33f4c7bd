"""What a learner sees on a teacher's address (/classes, /teams, /learner): a plain sentence,
not Streamlit's "Page not found". No teacher code runs here."""

import streamlit as st

st.title("This page is for teachers")
st.info(
    "You are signed in as a learner, and this page is only for teachers. "
    "Your own work is on the Home page and in the labs.",
    icon=":material/lock:",
)
st.page_link("pages/home.py", label="Go to Home", icon=":material/home:")
