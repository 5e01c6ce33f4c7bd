"""Audio dataset: generated tones, chords, chirps and noise bursts, as spectrogram features."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import signal
from scipy.fft import dct

from engine.data.bundle import DataBundle, content_hash, split_indices
from engine.spec import RunSpec

SAMPLE_RATE = 8000  # Hz
CLIP_SAMPLES = SAMPLE_RATE  # every clip is padded or cropped to 1 s
SOUND_CLASSES = ("tone", "chord", "chirp", "noise burst")
PER_CLASS = 150
GENERATION_SEED = 2024  # fixed, so every run sees the same sounds; the split uses the run seed
N_FFT, HOP = 256, 128  # 32 ms frames every 16 ms
N_MELS, N_MFCC = 40, 20
MAJOR_TRIAD = (1.0, 5 / 4, 3 / 2)  # root, major third, fifth


def _tone(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.sin(2 * np.pi * rng.uniform(200, 1000) * t + rng.uniform(0, 2 * np.pi))


def _chord(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    root = rng.uniform(200, 600)
    waves = (np.sin(2 * np.pi * root * r * t + rng.uniform(0, 2 * np.pi)) for r in MAJOR_TRIAD)
    return sum(waves, np.zeros_like(t))


def _chirp(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    low, high = rng.uniform(200, 500), rng.uniform(1200, 3000)
    start, end = (low, high) if rng.random() < 0.5 else (high, low)  # up or down
    method = str(rng.choice(["linear", "logarithmic"]))
    wave: np.ndarray = signal.chirp(t, f0=start, t1=t[-1], f1=end, method=method)
    return wave


def _noise_bursts(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    low = rng.uniform(300, 1500)
    band = signal.butter(
        4,
        [low, min(low * rng.uniform(1.5, 2.5), 3800)],
        btype="bandpass",
        fs=SAMPLE_RATE,
        output="sos",
    )
    noise: np.ndarray = signal.sosfilt(band, rng.standard_normal(len(t)))
    gate = np.zeros(len(t))
    start = 0
    while start < len(t):  # bursts of 50-150 ms with 50-150 ms of silence between
        length = int(rng.uniform(0.05, 0.15) * SAMPLE_RATE)
        gate[start : start + length] = 1.0
        start += length + int(rng.uniform(0.05, 0.15) * SAMPLE_RATE)
    return noise * gate


_MAKERS = {"tone": _tone, "chord": _chord, "chirp": _chirp, "noise burst": _noise_bursts}


def make_sound(kind: str, rng: np.random.Generator) -> np.ndarray:
    """One 1-s clip (8,000 float32 samples): a 0.5-1 s sound of ``kind`` with background noise."""
    if kind not in _MAKERS:
        raise ValueError(f"unknown sound {kind!r}: use one of {SOUND_CLASSES}")
    length = int(rng.uniform(0.5, 1.0) * SAMPLE_RATE)
    t = np.arange(length) / SAMPLE_RATE
    sound = _MAKERS[kind](t, rng)
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)  # 10 ms fades: no clicks
    sound = sound * fade * rng.uniform(0.2, 0.9) / np.max(np.abs(sound))
    clip = np.zeros(CLIP_SAMPLES)
    offset = int(rng.integers(0, CLIP_SAMPLES - length + 1))
    clip[offset : offset + length] = sound
    snr_db = rng.uniform(5, 30)
    noise_power = np.mean(sound**2) / 10 ** (snr_db / 10)
    clip += rng.normal(0.0, np.sqrt(noise_power), CLIP_SAMPLES)
    clip /= max(1.0, np.max(np.abs(clip)))  # stay in [-1, 1], as a WAV file would
    return clip.astype(np.float32)


@lru_cache(maxsize=1)
def generate_sounds() -> tuple[np.ndarray, np.ndarray]:
    """The whole dataset, always the same: waveforms (600, 8000) float32 and labels (600,)."""
    rng = np.random.default_rng(GENERATION_SEED)
    y = np.repeat(np.arange(len(SOUND_CLASSES), dtype=np.int64), PER_CLASS)
    waves = np.stack([make_sound(SOUND_CLASSES[label], rng) for label in y])
    waves.setflags(write=False)  # cached: shared by every caller
    y.setflags(write=False)
    return waves, y


def waveform_examples(n_per_class: int) -> dict[str, np.ndarray]:
    """The first ``n_per_class`` clips of each class, (n, 8000) each, for drawing."""
    waves, y = generate_sounds()
    return {name: np.array(waves[y == i][:n_per_class]) for i, name in enumerate(SOUND_CLASSES)}


def mel_filterbank(
    n_mels: int = N_MELS, n_fft: int = N_FFT, sample_rate: int = SAMPLE_RATE
) -> np.ndarray:
    """Triangular filters evenly spaced on the mel scale, shape (n_mels, n_fft // 2 + 1).

    Uses the HTK mel formula mel = 2595 * log10(1 + f / 700) (inverse
    f = 700 * (10 ** (mel / 2595) - 1)). Filter i rises linearly from centre i-1 to
    a peak of 1 at centre i and falls back to 0 at centre i+1, where the n_mels + 2
    edges are spaced evenly in mel between 0 Hz and the Nyquist frequency.
    """
    top_mel = 2595 * np.log10(1 + (sample_rate / 2) / 700)
    edges = 700 * (10 ** (np.linspace(0, top_mel, n_mels + 2) / 2595) - 1)  # Hz
    bins = np.linspace(0, sample_rate / 2, n_fft // 2 + 1)  # Hz of each FFT bin
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins - lower) / (centre - lower)
    falling = (upper - bins) / (upper - centre)
    return np.maximum(0.0, np.minimum(rising, falling))


def features(waveforms: np.ndarray, kind: str) -> np.ndarray:
    """(N, samples) waveforms -> (N, 1, F, T) float32: log spectrogram (F=129) or MFCC (F=20)."""
    _, _, stft = signal.stft(waveforms, fs=SAMPLE_RATE, nperseg=N_FFT, noverlap=N_FFT - HOP)
    magnitude = np.abs(stft)  # (N, 129, T)
    if kind == "spectrogram":
        out: np.ndarray = np.log(magnitude + 1e-6)
    elif kind == "mfcc":
        mel = mel_filterbank() @ magnitude**2  # (40, 129) @ (N, 129, T) -> (N, 40, T)
        out = dct(np.log(mel + 1e-10), type=2, norm="ortho", axis=1)[:, :N_MFCC]
    else:
        raise ValueError(f"unknown audio features {kind!r}: use 'spectrogram' or 'mfcc'")
    return out[:, None].astype(np.float32)


@lru_cache(maxsize=2)
def _dataset_features(kind: str) -> np.ndarray:
    out = features(generate_sounds()[0], kind)
    out.setflags(write=False)
    return out


def standardise(x: np.ndarray, train: np.ndarray) -> np.ndarray:
    """Features (N, 1, F, T) scaled by one mean and std per band, from training clips only,
    so nothing about validation or test clips leaks into the inputs."""
    mean = x[train].mean(axis=(0, 3), keepdims=True)  # (1, 1, F, 1)
    std = x[train].std(axis=(0, 3), keepdims=True) + 1e-6
    scaled: np.ndarray = ((x - mean) / std).astype(np.float32)
    return scaled


def build_sounds(spec: RunSpec) -> DataBundle:
    """The generated sounds as features, standardised per band with training statistics."""
    waves, y = generate_sounds()
    x = _dataset_features(spec.audio_features)
    train, val, test = split_indices(y, spec.validation_fraction, spec.test_fraction, spec.seed)
    x = standardise(x, train)
    info = {
        "sample_rate": SAMPLE_RATE,
        "features": spec.audio_features,
        "feature_shape": tuple(x.shape[2:]),
        "generation_seed": GENERATION_SEED,
    }
    return DataBundle.from_split(
        "audio", x, y, (train, val, test), SOUND_CLASSES, content_hash(waves, y), info
    )
