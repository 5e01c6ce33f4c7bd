"""How often does the live panel poll, and does it draw the run in few elements?"""

from __future__ import annotations

import pytest

from engine.jobs import RunProgress
from tests.pages.helpers import live_panel_status
from ui.runs.live_run import POLL_SECONDS, QUEUED_POLL_SECONDS, poll_seconds


@pytest.mark.parametrize(
    ("status", "position", "seconds"),
    [
        ("running", None, POLL_SECONDS),
        ("queued", 1, POLL_SECONDS),  # next to start: its first point must show at once
        ("queued", 2, POLL_SECONDS),
        ("queued", 3, QUEUED_POLL_SECONDS),  # further back: nothing to show for a while
        ("queued", 25, QUEUED_POLL_SECONDS),
        ("done", None, None),
        ("diverged", None, None),
    ],
)
def test_does_a_panel_poll_fast_only_while_something_is_about_to_show(
    status: str, position: int | None, seconds: float | None
) -> None:
    assert poll_seconds(RunProgress(1, status, 0.0, position)) == seconds


def test_is_a_queued_run_shown_with_its_place_in_the_queue(open_page, learner) -> None:
    from classroom import runs
    from labs.first_network import LAB

    *_ahead, mine = (runs.submit_run(learner, LAB.default_spec, LAB.id) for _ in range(3))
    at = open_page(learner, "pages/first_network.py")
    assert f"**Run {mine}** · Waiting for a free trainer: number 3 in the queue." in (
        live_panel_status(at)
    )
    assert "Cancel" in [b.label for b in at.button]
    assert len(at.get("plotly_chart")) == 1  # the empty axes, ready for the first point
