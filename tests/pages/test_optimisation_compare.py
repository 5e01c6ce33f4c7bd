"""Does the optimisation lab's run comparison follow new runs, and its schedule preview show
the rates on a readable scale?"""

from __future__ import annotations

import json

from tests.pages.helpers import OPTIMISATION_PAGE as PAGE
from tests.pages.helpers import finished_optimisation_run as finished_run


def compared(at) -> list[int]:
    return list(at.multiselect(key="compare_runs").value)


def preview_axis(at) -> dict:
    chart = next(c for c in at.get("plotly_chart") if "opt_schedule_preview" in c.proto.id)
    return json.loads(chart.proto.spec)["layout"]["yaxis"]


def test_the_comparison_follows_each_new_run(open_page, learner) -> None:
    first = finished_run(learner)
    second = finished_run(learner, batch_norm=True)
    at = open_page(learner, PAGE)
    assert compared(at) == [second, first]
    for rate in (0.01, 0.003):  # each new run (as Train does) moves the pair along
        newest = finished_run(learner, learning_rate=rate)
        at.run()
        assert not at.exception
        assert compared(at)[0] == newest and len(compared(at)) == 2
        assert compared(at)[1] < newest
    sentence = f"Run {compared(at)[0]} and run {compared(at)[1]} differ in: learning rate"
    assert any(m.value.startswith(sentence) for m in at.markdown)


def test_runs_the_learner_chose_stay_chosen_after_a_new_run(open_page, learner) -> None:
    first = finished_run(learner)
    finished_run(learner, batch_norm=True)
    third = finished_run(learner, learning_rate=0.01)
    at = open_page(learner, PAGE)
    at.multiselect(key="compare_runs").set_value([first, third]).run()
    finished_run(learner, learning_rate=0.003)
    at.run()
    assert sorted(compared(at)) == [first, third]


def test_a_constant_rate_is_drawn_on_an_axis_fitted_to_it(open_page, learner) -> None:
    at = open_page(learner, PAGE)
    axis = preview_axis(at)
    low, high = axis["range"]
    assert low == 0 and 0.001 < high < 0.002  # 0.001 sits near the top, not flat at 0 of -1..1
    titles = [c.proto.spec for c in at.get("plotly_chart") if "opt_schedule_preview" in c.proto.id]
    assert "Constant at 0.001" in titles[0]
