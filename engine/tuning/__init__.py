"""Hyperparameter tuning with Optuna: search spaces, studies in the app database, the driver."""
