"""People's own words (names, titles, comments) inside Markdown: shown as text, never as markup.

Every st.markdown / st.success / st.caption / st.title ... that shows something a person typed
goes through ``md_escape``. Backslash escapes stop emphasis, headings, lists, links, images,
HTML and Streamlit's :icon: and :colour[...] directives; but the Markdown renderer still turns
bare addresses (``http://...``, ``www....``, ``name@host.org``) into live links, so a zero-width
joiner goes before every ``:`` and ``@`` and the dot of ``www.``: the text looks the same and
links nowhere (full stops elsewhere stay as they are, so searching the page still finds them).
"""

from __future__ import annotations

import html
import re

ZERO_WIDTH_JOINER = "\u200d"
_AUTOLINK_PARTS = re.compile(r"([:@]|(?<=www)\.)", re.IGNORECASE)  # http://, www., a@b
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=])")


def _escape_line(line: str) -> str:
    line = line.strip()  # a leading indent would make a code block
    line = _AUTOLINK_PARTS.sub(ZERO_WIDTH_JOINER + r"\1", line)
    return _MARKDOWN_SPECIALS.sub(r"\\\1", line)


def md_escape(text: object) -> str:
    """Text that Markdown shows literally: no link, image, HTML, heading or emphasis.

    Line breaks are kept as breaks (blank lines as paragraphs)."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return "  \n".join(_escape_line(line) for line in text.split("\n"))


def chart_escape(text: str) -> str:
    """Text for a plotly label: its tags (<a>, <b>, ...) shown, not followed."""
    return html.escape(text, quote=False)
