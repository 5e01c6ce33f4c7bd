"""Plain HTML pages for signing in and up (served outside Streamlit so they can set cookies)."""

from __future__ import annotations

from html import escape

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f6fb;margin:0;
color:#1f2937}
main{max-width:420px;margin:6vh auto;background:#fff;border-radius:14px;padding:2rem 2.2rem;
box-shadow:0 6px 24px rgba(31,41,55,.08)}
h1{font-size:1.45rem;margin:.2rem 0 .3rem}p.lead{color:#4b5563;margin:0 0 1.2rem}
label{display:block;font-weight:600;margin:.9rem 0 .3rem;font-size:.95rem}
small{color:#6b7280;font-weight:400}
input{width:100%;box-sizing:border-box;padding:.6rem .7rem;border:1px solid #cbd5e1;
border-radius:8px;font-size:1rem}
button{margin-top:1.3rem;width:100%;padding:.7rem;border:0;border-radius:8px;
background:#4f46e5;color:#fff;font-size:1rem;font-weight:600;cursor:pointer}
.error{background:#fef2f2;color:#991b1b;border:1px solid #fecaca;padding:.6rem .8rem;
border-radius:8px;margin:.6rem 0}
.links{margin-top:1.2rem;font-size:.95rem;color:#4b5563}.brand{color:#4f46e5;font-weight:700}
"""


def field(
    name: str,
    label: str,
    kind: str = "text",
    value: str = "",
    hint: str = "",
    required: bool = True,
    autocomplete: str = "off",
) -> str:
    req = " required" if required else ""
    hint_html = f" <small>{escape(hint)}</small>" if hint else ""
    return (
        f'<label for="{name}">{escape(label)}{hint_html}</label>'
        f'<input id="{name}" name="{name}" type="{kind}" value="{escape(value)}"'
        f' autocomplete="{autocomplete}"{req}>'
    )


def page(
    title: str,
    lead: str,
    action: str,
    fields: list[str],
    button: str,
    error: str | None = None,
    links: str = "",
) -> str:
    error_html = f'<div class="error" role="alert">{escape(error)}</div>' if error else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · Deep Learning Labs</title><style>{STYLE}</style></head>
<body><main><div class="brand">Deep Learning Labs</div><h1>{escape(title)}</h1>
<p class="lead">{escape(lead)}</p>{error_html}
<form method="post" action="{escape(action)}">{"".join(fields)}
<button type="submit">{escape(button)}</button></form>
<div class="links">{links}</div></main></body></html>"""
