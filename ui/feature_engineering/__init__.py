"""The Feature Engineering lab: its parts and charts."""
