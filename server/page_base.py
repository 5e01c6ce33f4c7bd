"""Tell Streamlit's page where the server's root is, so a page opened at its own address
(``/classes``) does not first look for the server under that address (``/classes/_stcore/
health``, ``/classes/_stcore/host-config``: two 404s on every direct page load)."""

from __future__ import annotations

import json

HEAD = b"<head>"


def base_path(configured: str | None) -> str:
    """The server's root path from ``server.baseUrlPath`` ('' or 'dll' -> '/' or '/dll/')."""
    parts = (configured or "").strip("/")
    return f"/{parts}/" if parts else "/"


def with_backend_base(html: bytes, root: str) -> bytes:
    """The page with ``window.__streamlit.BACKEND_BASE_URL`` set to this origin's ``root``
    before Streamlit's own script runs; a page without a ``<head>`` is left as it is."""
    if HEAD not in html:
        return html
    script = (
        "<script>window.__streamlit=Object.assign(window.__streamlit||{},"
        f"{{BACKEND_BASE_URL:window.location.origin+{json.dumps(root)}}})</script>"
    )
    return html.replace(HEAD, HEAD + script.encode(), 1)
