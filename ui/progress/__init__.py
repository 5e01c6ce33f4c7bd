"""A learner's progress page: charts, goals and their own data."""
