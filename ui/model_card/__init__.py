"""The Model Card lab: the run it explains, writing it, the plain-language check, publishing,
reading.
"""
