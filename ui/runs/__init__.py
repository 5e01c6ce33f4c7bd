"""A training run on a page: its settings, the live panel, results, comparisons and figures."""
