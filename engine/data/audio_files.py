"""Reading uploaded WAV files: mono float32 samples in [-1, 1], with messages for the learner."""

from __future__ import annotations

import io
import struct
import warnings
from math import gcd

import numpy as np
from scipy.io import wavfile
from scipy.signal import resample_poly

from engine.data.bundle import DataError

WAV_MAGIC = (b"RIFF", b"RIFX", b"RF64")  # bytes 0-3; bytes 8-11 say "WAVE"
# Resampling from a rate like 4,294,967,295 Hz would build a filter of billions of taps.
MAX_SAMPLE_RATE = 384_000
# scipy fails on damaged headers in many ways: a missing format chunk gives
# UnboundLocalError, 0 bits per sample ZeroDivisionError, odd sizes struct or index errors.
WAV_ERRORS = (
    ValueError,
    EOFError,
    struct.error,
    UnboundLocalError,
    ArithmeticError,
    IndexError,
    TypeError,
    KeyError,
)


def read_wav(
    data: bytes, max_seconds: float = 10.0, name: str = "This file"
) -> tuple[np.ndarray, int]:
    """Mono float32 samples in [-1, 1] and the sample rate; DataError says what is wrong."""
    if data[:4] not in WAV_MAGIC or data[8:12] != b"WAVE":
        raise DataError(f"{name} is not a WAV file: save the recording as .wav and try again.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", wavfile.WavFileWarning)  # a cut-short file reads
            rate, samples = wavfile.read(io.BytesIO(data))
    except WAV_ERRORS:  # each becomes the same message
        raise DataError(
            f"{name} is a damaged or unsupported WAV file; export it again as plain 16-bit PCM."
        ) from None
    if rate <= 0:
        raise DataError(f"{name} says its sample rate is {rate} Hz, which cannot be right.")
    if rate > MAX_SAMPLE_RATE:
        raise DataError(
            f"{name} says its sample rate is {rate:,} Hz; at most {MAX_SAMPLE_RATE:,} Hz is "
            "read. Export it again at 44,100 or 48,000 Hz."
        )
    if samples.size == 0:
        raise DataError(f"{name} has no sound in it: the WAV file contains 0 samples.")
    seconds = samples.shape[0] / rate
    if seconds > max_seconds:
        raise DataError(
            f"{name} is {seconds:.1f} seconds long; each clip may be at most "
            f"{max_seconds:g} seconds. Cut it into shorter clips."
        )
    mono = to_unit_range(samples)
    if mono.ndim == 2:  # (samples, channels): mix the channels down to one
        mono = mono.mean(axis=1)
    if not np.all(np.isfinite(mono)):
        raise DataError(f"{name} contains invalid sample values (NaN or infinity).")
    return mono.astype(np.float32), int(rate)


def to_unit_range(samples: np.ndarray) -> np.ndarray:
    """WAV samples of any stored type as float64 in [-1, 1]."""
    kind = samples.dtype.kind
    if kind == "u":  # 8-bit WAV is unsigned, silence is 128
        half = (np.iinfo(samples.dtype).max + 1) / 2
        return (samples.astype(np.float64) - half) / half
    if kind == "i":  # 16-, 24- (read as 32) and 32-bit signed
        return samples.astype(np.float64) / (np.iinfo(samples.dtype).max + 1)
    if kind == "f":  # float WAVs should already be in [-1, 1]; louder ones are clipped
        return np.clip(samples.astype(np.float64), -1.0, 1.0)
    raise DataError(f"WAV samples of type {samples.dtype} are not supported.")


def resample_to(samples: np.ndarray, sample_rate: int, target_sr: int = 8000) -> np.ndarray:
    """The samples at ``target_sr`` Hz (polyphase filtering, so no aliasing), float32."""
    if sample_rate == target_sr:
        return np.asarray(samples, dtype=np.float32)
    common = gcd(int(sample_rate), int(target_sr))
    out: np.ndarray = resample_poly(samples, target_sr // common, int(sample_rate) // common)
    return out.astype(np.float32)
