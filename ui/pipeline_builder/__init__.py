"""The Pipeline Builder lab: sources, uploads and their fixes, stages, stored versions, charts."""
