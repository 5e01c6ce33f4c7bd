"""Do the confusion matrix and the teacher's matrix say what they show: every class labelled,
and each legend colour the colour of its cells?"""

from __future__ import annotations

import colorsys

import pytest

from ui.runs.figures import confusion_matrix_figure
from ui.teacher.progress_matrix import STATE_COLOURS, legend_text

# What a reader calls each colour: (lowest hue, highest hue) in degrees, None for greys.
HUES = {
    "red": (345, 375),
    "orange": (20, 50),
    "green": (90, 170),
    "blue": (180, 250),
    "grey": None,
    "white": None,
}


def hue_and_saturation(hex_colour: str) -> tuple[float, float]:
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, _lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    return hue * 360, saturation


@pytest.mark.parametrize("state", list(STATE_COLOURS))
def test_the_legend_names_the_colour_each_state_is_drawn_in(state) -> None:
    legend = legend_text()
    named = next(name for name in HUES if f"{name} {state}" in legend)
    hue, saturation = hue_and_saturation(STATE_COLOURS[state])
    if HUES[named] is None:
        assert saturation < 0.1
    else:
        low, high = HUES[named]
        assert low <= hue <= high or low <= hue + 360 <= high, (state, named, hue)


def test_stuck_and_overdue_look_different() -> None:
    (stuck, _), (overdue, _) = (hue_and_saturation(STATE_COLOURS[s]) for s in ("stuck", "overdue"))
    assert abs(stuck - overdue) >= 25


def test_the_confusion_matrix_labels_every_digit_on_both_axes() -> None:
    names = [str(d) for d in range(10)]
    matrix = [[int(i == j) for j in range(10)] for i in range(10)]
    layout = confusion_matrix_figure(matrix, names).to_plotly_json()["layout"]
    for axis in ("xaxis", "yaxis"):
        assert layout[axis]["type"] == "category"
        assert list(layout[axis]["tickvals"]) == names
        assert list(layout[axis]["ticktext"]) == names
