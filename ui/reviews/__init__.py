"""Reviews of teammates' work: the rubric form and the reviews received."""
