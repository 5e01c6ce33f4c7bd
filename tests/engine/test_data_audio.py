"""Do the generated sounds match their names, train fairly and learnably? Are WAVs read safely?"""

from __future__ import annotations

import io
import os

import numpy as np
import pytest
from scipy.io import wavfile
from scipy.signal import find_peaks, stft
from sklearn.linear_model import LogisticRegression

from engine.data import DataError, load_bundle
from engine.data.audio import (
    N_FFT,
    SAMPLE_RATE,
    SOUND_CLASSES,
    build_sounds,
    features,
    generate_sounds,
    make_sound,
    mel_filterbank,
    waveform_examples,
)
from engine.data.audio_files import read_wav, resample_to
from engine.data.bundle import split_indices
from engine.spec import RunSpec


def sounds_spec(**changes: object) -> RunSpec:
    return RunSpec(**{"dataset": "sounds", "model": "cnn", **changes})


def test_are_there_150_one_second_clips_of_each_sound() -> None:
    waves, y = generate_sounds()
    assert waves.shape == (600, SAMPLE_RATE) and waves.dtype == np.float32
    assert np.bincount(y).tolist() == [150] * 4
    assert np.abs(waves).max() <= 1.0  # like samples read from a WAV file
    assert len({float(np.abs(w).max()) for w in waves}) > 500  # amplitudes vary


def test_is_the_generated_dataset_the_same_every_time() -> None:
    waves, y = generate_sounds()
    again, again_y = generate_sounds.__wrapped__()  # bypass the cache: generate afresh
    assert np.array_equal(waves, again) and np.array_equal(y, again_y)


def active_spectrum(wave: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies and magnitude frames (F, T) of the frames that hold the sound."""
    freqs, _, z = stft(wave, fs=SAMPLE_RATE, nperseg=N_FFT)
    mag = np.abs(z)
    energy = (mag**2).sum(axis=0)
    return freqs, mag[:, energy > 0.2 * energy.max()]


def is_tone(wave: np.ndarray) -> bool:
    freqs, mag = active_spectrum(wave)
    spectrum = (mag**2).sum(axis=1)
    peak = spectrum.argmax()
    in_range = 160 <= freqs[peak] <= 1040  # 200-1000 Hz, give or take a bin
    return in_range and spectrum[peak - 2 : peak + 3].sum() > 0.8 * spectrum.sum()


def is_major_chord(wave: np.ndarray) -> bool:
    spectrum = np.abs(np.fft.rfft(wave))
    freqs = np.fft.rfftfreq(len(wave), 1 / SAMPLE_RATE)
    peaks, props = find_peaks(spectrum, distance=40, height=0)
    top = np.sort(freqs[peaks[np.argsort(props["peak_heights"])[-3:]]])
    return bool(np.allclose(top / top[0], [1, 5 / 4, 3 / 2], atol=0.03))


def is_sweep(wave: np.ndarray) -> bool:
    freqs, mag = active_spectrum(wave)
    dominant = freqs[mag.argmax(axis=0)]  # the loudest frequency of each frame
    return abs(dominant[-1] - dominant[0]) > 400


def is_bursty(wave: np.ndarray) -> bool:
    energy = (np.abs(stft(wave, fs=SAMPLE_RATE, nperseg=N_FFT)[2]) ** 2).sum(axis=0)
    loud = energy > 0.2 * energy.max()
    return int(np.sum(loud[1:] & ~loud[:-1])) >= 2  # the sound starts at least twice


LOOKS_LIKE = {"tone": is_tone, "chord": is_major_chord, "chirp": is_sweep, "noise burst": is_bursty}


@pytest.mark.parametrize("kind", SOUND_CLASSES)
def test_does_each_kind_of_sound_sound_like_its_name(kind: str) -> None:
    rng = np.random.default_rng(11)
    clips = {k: [make_sound(k, rng) for _ in range(10)] for k in SOUND_CLASSES}
    assert all(w.shape == (SAMPLE_RATE,) and w.dtype == np.float32 for w in clips[kind])
    looks_right = LOOKS_LIKE[kind]
    assert sum(looks_right(w) for w in clips[kind]) >= 9
    others = [w for k, ws in clips.items() if k != kind for w in ws]
    assert sum(looks_right(w) for w in others) <= len(others) // 3


def test_does_the_ui_get_example_waveforms_of_every_class() -> None:
    examples = waveform_examples(3)
    assert list(examples) == list(SOUND_CLASSES)
    assert all(w.shape == (3, SAMPLE_RATE) for w in examples.values())


def test_does_the_mel_filterbank_have_one_rising_then_falling_peak_per_band() -> None:
    bank = mel_filterbank()
    assert bank.shape == (40, N_FFT // 2 + 1)
    assert (bank >= 0).all() and (bank.max(axis=1) > 0.5).all() and bank.max() <= 1
    for row in bank:
        slopes = np.sign(np.diff(row[row > 0]))
        assert np.sum(slopes[1:] < slopes[:-1]) <= 1  # rises, then falls: one peak
    centres = bank.argmax(axis=1)
    assert (np.diff(centres) >= 0).all() and centres[-1] > centres[0]
    # Reference: the HTK mel formula puts the top band's peak near 3,870 Hz.
    top_centre_hz = centres[-1] * SAMPLE_RATE / N_FFT
    mel = 2595 * np.log10(1 + 4000 / 700) * 40 / 41
    assert abs(top_centre_hz - 700 * (10 ** (mel / 2595) - 1)) < SAMPLE_RATE / N_FFT


@pytest.mark.parametrize(("kind", "bands"), [("mfcc", 20), ("spectrogram", 129)])
def test_do_features_have_the_promised_shape(kind: str, bands: int) -> None:
    bundle = build_sounds(sounds_spec(audio_features=kind))
    frames = bundle.info["feature_shape"][1]
    assert bundle.info == {
        "sample_rate": 8000,
        "features": kind,
        "feature_shape": (bands, frames),
        "generation_seed": 2024,
    }
    assert frames > 50  # one frame every 16 ms of a 1-s clip
    for x in (bundle.x_train, bundle.x_val, bundle.x_test):
        assert x.shape[1:] == (1, bands, frames) and x.dtype == np.float32
    assert (len(bundle.x_train), len(bundle.x_val), len(bundle.x_test)) == (360, 120, 120)
    assert features(generate_sounds()[0][:2], kind).shape == (2, 1, bands, frames)


@pytest.mark.parametrize("kind", ["mfcc", "spectrogram"])
def test_are_features_standardised_with_training_statistics_only(kind: str) -> None:
    spec = sounds_spec(audio_features=kind, seed=3)
    bundle = build_sounds(spec)
    assert np.allclose(bundle.x_train.mean(axis=(0, 3)), 0, atol=1e-3)
    assert np.allclose(bundle.x_train.std(axis=(0, 3)), 1, atol=1e-2)
    waves, y = generate_sounds()
    raw = features(waves, kind)
    train, val, _ = split_indices(y, spec.validation_fraction, spec.test_fraction, spec.seed)
    mean = raw[train].mean(axis=(0, 3), keepdims=True)
    std = raw[train].std(axis=(0, 3), keepdims=True)
    assert np.allclose(bundle.x_val, (raw[val] - mean) / std, atol=1e-3)


def test_does_the_same_spec_give_identical_arrays() -> None:
    first, second = build_sounds(sounds_spec(seed=5)), build_sounds(sounds_spec(seed=5))
    for name in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
        assert np.array_equal(getattr(first, name), getattr(second, name))


def test_are_the_sounds_the_same_for_every_seed_while_the_split_changes() -> None:
    one, two = load_bundle(sounds_spec(seed=1)), load_bundle(sounds_spec(seed=2))
    assert one.kind == "audio" and one.class_names == SOUND_CLASSES
    assert one.content_hash == two.content_hash
    assert not np.array_equal(one.x_test, two.x_test)


def test_can_a_linear_model_tell_the_sounds_apart_from_mfccs() -> None:
    bundle = build_sounds(sounds_spec(audio_features="mfcc", seed=0))
    model = LogisticRegression(max_iter=3000)
    model.fit(bundle.x_train.reshape(len(bundle.x_train), -1), bundle.y_train)
    accuracy = model.score(bundle.x_test.reshape(len(bundle.x_test), -1), bundle.y_test)
    assert accuracy > 0.7  # chance is 1 in 4


def wav_bytes(rate: int, samples: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    wavfile.write(buffer, rate, samples)
    return buffer.getvalue()


BAD_WAVS = [
    ("random bytes", os.urandom(2000), "not a WAV file"),
    ("a text file", b"label,path\ndog,bark.wav\n", "not a WAV file"),
    ("header only", wav_bytes(8000, np.zeros(0, np.int16)), "has no sound in it"),
    ("no format chunk", b"RIFF\x04\x00\x00\x00WAVE", "damaged"),
    ("20 seconds", wav_bytes(8000, np.zeros(20 * 8000, np.int16)), "20.0 seconds long"),
]


@pytest.mark.parametrize(("case", "data", "words"), BAD_WAVS, ids=[c[0] for c in BAD_WAVS])
def test_is_a_bad_wav_refused_with_a_clear_message(case: str, data: bytes, words: str) -> None:
    with pytest.raises(DataError, match=words) as caught:
        read_wav(data, name="dog/bark1.wav")
    assert "dog/bark1.wav" in str(caught.value)


CONVERSIONS = [
    ("int16", np.array([-32768, 0, 16384], np.int16), [-1.0, 0.0, 0.5]),
    ("int32", np.array([-(2**31), 0, 2**30], np.int32), [-1.0, 0.0, 0.5]),
    ("uint8", np.array([0, 128, 192], np.uint8), [-1.0, 0.0, 0.5]),
    ("float32", np.array([0.25, -2.0, 0.0], np.float32), [0.25, -1.0, 0.0]),
    ("stereo", np.array([[16384, 0], [-16384, -16384], [0, 8192]], np.int16), [0.25, -0.5, 0.125]),
]


@pytest.mark.parametrize(
    ("case", "stored", "expected"), CONVERSIONS, ids=[c[0] for c in CONVERSIONS]
)
def test_is_a_wav_read_as_mono_samples_between_minus_one_and_one(
    case: str, stored: np.ndarray, expected: list[float]
) -> None:
    samples, rate = read_wav(wav_bytes(16000, stored))
    assert rate == 16000
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert np.allclose(samples, expected)


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100])
def test_does_resampling_keep_the_length_in_seconds_and_the_pitch(rate: int) -> None:
    t = np.arange(rate) / rate  # 1 s
    resampled = resample_to(np.sin(2 * np.pi * 440 * t), rate)
    assert resampled.shape == (8000,) and resampled.dtype == np.float32
    spectrum = np.abs(np.fft.rfft(resampled))
    assert abs(np.fft.rfftfreq(8000, 1 / 8000)[spectrum.argmax()] - 440) <= 1
