"""Where a page is told the server's root is."""

from server.page_base import base_path, with_backend_base

PAGE = b'<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8" /></head><body></body></html>'


def test_is_the_root_the_configured_base_path() -> None:
    assert base_path("") == "/"
    assert base_path(None) == "/"
    assert base_path("/dll/") == "/dll/"
    assert base_path("dll") == "/dll/"


def test_is_the_root_set_before_any_other_script() -> None:
    html = with_backend_base(PAGE, "/dll/")
    head = html.split(b"<head>", 1)[1]
    assert head.startswith(b"<script>window.__streamlit=")
    assert b'window.location.origin+"/dll/"' in head
    assert html.count(b"<script>") == 1


def test_is_a_page_without_a_head_left_alone() -> None:
    assert with_backend_base(b"not a page", "/") == b"not a page"
