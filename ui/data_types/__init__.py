"""The Data Types lab: one tab per kind of data, with its source, preview, model and results."""
