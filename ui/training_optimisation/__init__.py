"""The Training Optimisation lab: its settings and guided experiments."""
