"""Learners' own words (names) inside teacher views: shown as text, never as markup."""

from __future__ import annotations

import html
import re

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """Text that st.markdown shows literally: no links, images, HTML or emphasis."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def chart_escape(text: str) -> str:
    """Text for a plotly label: its tags (<a>, <b>, ...) shown, not followed."""
    return html.escape(text, quote=False)
