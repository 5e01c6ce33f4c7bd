"""The shared ML engine: specs, datasets, models, trainer and the job system. No streamlit."""
