"""Learners' own words (names) inside teacher views: shown as text, never as markup.

The escaping lives in ui.markdown_text; these names stay for the modules that import them here.
"""

from __future__ import annotations

from ui.markdown_text import chart_escape, md_escape

__all__ = ["chart_escape", "md_escape"]
