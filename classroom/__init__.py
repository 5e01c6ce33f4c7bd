"""People and learning records. Every function takes the acting user and checks access itself."""
