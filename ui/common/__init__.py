"""Pieces every page uses: who is signed in, the sidebar, cards, autosaving boxes, safe
Markdown, confirmations.
"""
