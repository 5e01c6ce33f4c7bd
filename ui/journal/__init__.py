"""Reflection journals: writing entries, reading and exporting them, teacher feedback."""
