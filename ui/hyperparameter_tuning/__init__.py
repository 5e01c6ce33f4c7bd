"""The Hyperparameter Tuning lab: the study form, the live study and its results."""
