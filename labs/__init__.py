"""Lab definitions and course content: steps, objectives, defaults. No streamlit."""
