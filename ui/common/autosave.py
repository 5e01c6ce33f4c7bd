"""A text box that sends its text after each pause in typing, so drafts reach the database."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui.common.auth import current_actor

_JS = """
export default function(component) {
  const { parentElement, data, setStateValue } = component;
  // What was typed but not yet confirmed by the server waits in this tab's sessionStorage,
  // so a reload within the pause before sending (when the page's connection is already
  // closing) loses nothing: the reloaded box takes it back and sends it.
  const storeKey = 'dll-autosave:' + (data.scope || '');
  const read = () => {
    try { return JSON.parse(sessionStorage.getItem(storeKey) || 'null'); }
    catch (e) { return null; }
  };
  const forget = () => { try { sessionStorage.removeItem(storeKey); } catch (e) {} };
  const serverText = data.text || '';
  let box = parentElement.querySelector('textarea');
  if (box) {  // a redraw: the server's text is now this one
    box.dataset.base = serverText;
    const waiting = read();
    if (waiting && waiting.text === serverText) { forget(); }
    return;
  }
  box = document.createElement('textarea');
  box.value = serverText;
  box.dataset.base = serverText;
  box.placeholder = data.placeholder || '';
  box.setAttribute('aria-label', data.label || 'Text');
  box.setAttribute('data-testid', 'autosave-textarea');
  box.rows = data.rows || 8;
  parentElement.appendChild(box);
  let timer = null;
  const send = () => {
    clearTimeout(timer);
    if (!box.isConnected) { return; }  // a box taken off the page sends nothing more
    setStateValue('text', box.value);
  };
  const keep = () => {
    try {
      sessionStorage.setItem(storeKey, JSON.stringify({ text: box.value, base: box.dataset.base }));
    } catch (e) {}
  };
  box.addEventListener('input', () => {
    keep();
    clearTimeout(timer);
    timer = setTimeout(send, 600);
  });
  box.addEventListener('blur', send);
  // Leaving or hiding the page sends what is still waiting for its pause.
  window.addEventListener('pagehide', send);
  document.addEventListener('visibilitychange', () => { if (document.hidden) send(); });
  const waiting = read();
  if (waiting && waiting.base === serverText && waiting.text !== serverText) {
    box.value = waiting.text;  // typed on top of what the server still has: send it now
    send();
  } else {
    forget();  // sent already, or the server's text changed since (another tab saved)
  }
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
    actor = current_actor()
    scope = f"{actor.id if actor else 0}:{key}"  # one tab's waiting text, per person and box
    _autosave_box(
        key=key,
        data={
            "text": text,
            "placeholder": placeholder,
            "label": label,
            "rows": rows,
            "scope": scope,
        },
        default={"text": text},
        on_text_change=_changed,
    )
