"""Is a built-in data set's preview computed once for the whole class, and kept when only the
model or training settings change? (The sounds take seconds of the server's CPU.)"""

from __future__ import annotations

import pytest

from engine.data import previews
from engine.spec import RunSpec
from tests.pages.helpers import open_tab
from ui.data_types.previews import _audio_samples, preview_key


@pytest.fixture
def sound_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every time the sounds preview is really computed, the data set it was for."""
    built: list[str] = []
    real = previews.audio_samples

    def counted(spec: RunSpec, count: int) -> list[previews.AudioPreview]:
        built.append(spec.dataset)
        return real(spec, count)

    monkeypatch.setattr(previews, "audio_samples", counted)
    _audio_samples.clear()  # what other tests computed does not count here
    return built


def test_is_the_sounds_preview_computed_once_for_two_learners_and_a_model_change(
    open_page, make_learner, sound_builds: list[str]
) -> None:
    first = open_tab(open_page, make_learner("ana"), "Audio")
    open_tab(open_page, make_learner("ben"), "Audio")
    first.segmented_control(key="dt_audio_model").set_value("dense").run()
    assert not first.exception, first.exception
    assert len(first.get("audio")) == 1  # the clip is still there to play
    assert sound_builds == ["sounds"]
    first.segmented_control(key="dt_audio_features").set_value("spectrogram").run()
    assert sound_builds == ["sounds", "sounds"]  # new data settings: a new preview


def test_does_an_upload_keep_its_own_preview_and_a_built_in_set_share_one() -> None:
    sounds, other = RunSpec(dataset="sounds", model="cnn"), RunSpec(dataset="sounds", model="dense")
    assert preview_key(1, sounds) == preview_key(2, other)  # learners and models share it
    upload = RunSpec(dataset="upload:0123456789abcdef", model="dense")
    assert preview_key(1, upload) != preview_key(2, upload)  # an upload is its owner's alone
    assert preview_key(1, sounds) != preview_key(1, sounds.model_copy(update={"seed": 3}))
