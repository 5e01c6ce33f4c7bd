"""Fixtures for the classroom tests: the people and classes the access matrices share."""

from __future__ import annotations

import pytest

from tests.classroom.people import Cast, TeamCast, make_cast, make_team_cast


@pytest.fixture
def cast() -> Cast:
    """Two teachers' classes: the owner, a classmate and a stranger (see people.Cast)."""
    return make_cast()


@pytest.fixture
def team_cast() -> TeamCast:
    """A class with teams Alpha and Beta, and another teacher (see people.TeamCast)."""
    return make_team_cast()
