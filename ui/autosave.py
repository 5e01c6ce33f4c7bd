"""A text box that sends its text after each pause in typing, so drafts reach the database."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

_JS = """
export default function(component) {
  const { parentElement, data, setStateValue } = component;
  let box = parentElement.querySelector('textarea');
  if (box) { return; }
  box = document.createElement('textarea');
  box.value = data.text || '';
  box.placeholder = data.placeholder || '';
  box.setAttribute('aria-label', data.label || 'Text');
  box.setAttribute('data-testid', 'autosave-textarea');
  box.rows = data.rows || 8;
  parentElement.appendChild(box);
  let timer = null;
  const send = () => { clearTimeout(timer); setStateValue('text', box.value); };
  box.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(send, 600); });
  box.addEventListener('blur', send);
  // Leaving or hiding the page sends what is still waiting for its pause.
  window.addEventListener('pagehide', send);
  document.addEventListener('visibilitychange', () => { if (document.hidden) send(); });
}
"""
_CSS = """
textarea { width: 100%; box-sizing: border-box; font: inherit; font-size: 1rem;
  padding: .6rem .75rem; border-radius: .5rem; border: 1px solid rgba(49,51,63,.25);
  background: var(--st-secondary-background-color); color: var(--st-text-color);
  resize: vertical; }
textarea:focus { outline: 2px solid var(--st-primary-color); }
"""
_autosave_box = st.components.v2.component("dll_autosave_textarea", js=_JS, css=_CSS)


def autosave_text_area(
    label: str,
    text: str,
    key: str,
    on_save: Callable[[str], None],
    placeholder: str = "",
    rows: int = 8,
) -> None:
    """Show ``text`` for editing; ``on_save(new_text)`` runs after each pause in typing."""

    def _changed() -> None:
        value = st.session_state[key].get("text")
        if isinstance(value, str):
            on_save(value)

    st.markdown(f"**{label}**")
    _autosave_box(
        key=key,
        data={"text": text, "placeholder": placeholder, "label": label, "rows": rows},
        default={"text": text},
        on_text_change=_changed,
    )
