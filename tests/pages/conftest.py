"""AppTest helpers: run the real router as a given user (AppTest cannot set cookies)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

import ui.common.auth
from classroom import sessions
from classroom.access import Actor
from tests.pages.helpers import ROUTER


@pytest.fixture
def app_as(monkeypatch: pytest.MonkeyPatch) -> Callable[[Actor | None], AppTest]:
    """app_as(actor) -> an AppTest of navigation.py signed in as ``actor`` (None: anonymous)."""

    def make(actor: Actor | None) -> AppTest:
        token = sessions.start_session(actor) if actor else None
        # The seam: the router reads the cookie through this one function.
        monkeypatch.setattr(ui.common.auth, "session_token", lambda: token)
        at = AppTest.from_file(str(ROUTER), default_timeout=60)
        at.run()
        assert not at.exception, at.exception
        return at

    return make


@pytest.fixture
def open_page(app_as: Callable[[Actor | None], AppTest]) -> Callable[[Actor, str], AppTest]:
    """open_page(actor, "pages/x.py") -> that page, run once, with no exception."""

    def open_(actor: Actor, page: str) -> AppTest:
        at = app_as(actor)
        at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    return open_
