"""Text measures that need no model: reading ease, grade and jargon of a learner's writing."""
