"""Shared Streamlit pieces. Only pages/ and ui/ import streamlit."""
