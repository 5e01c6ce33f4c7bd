"""The "data" section for sounds: the generated dataset (the engine's generator, copied into
the script) and uploaded zips of WAV clips (copied beside the script as data.zip)."""

from __future__ import annotations

from engine.data import audio, audio_files, upload_bundles
from engine.export_templates import Piece, piece, setting, source_of
from engine.export_templates.files import archive_members_piece
from engine.spec import RunSpec

SCIPY = ["from scipy import signal", "from scipy.fft import dct"]


def features_pieces(spec: RunSpec) -> list[Piece]:
    """Waveforms to spectrogram or MFCC features, standardised with training statistics."""
    features = piece(
        source_of(audio.mel_filterbank, audio.features),
        ["import numpy as np", *SCIPY],
        [
            setting("SAMPLE_RATE", audio.SAMPLE_RATE, "Hz"),
            setting("N_FFT", audio.N_FFT, "samples per frame"),
            setting("HOP", audio.HOP, "samples between frames"),
            setting("N_MELS", audio.N_MELS),
            setting("N_MFCC", audio.N_MFCC),
            setting("AUDIO_FEATURES", spec.audio_features, "'mfcc' or 'spectrogram'"),
        ],
    )
    scale = piece(
        '''
        def standardised_split(x, y, parts, class_names):
            """Split features (N, 1, F, T), with one mean and std per frequency band (or MFCC
            coefficient) taken from the training clips only, so nothing about validation or
            test clips leaks into the inputs."""
            train = parts[0]
            mean = x[train].mean(axis=(0, 3), keepdims=True)  # (1, 1, F, 1)
            std = x[train].std(axis=(0, 3), keepdims=True) + 1e-6
            x = ((x - mean) / std).astype(np.float32)
            return split_data(x, y, parts, class_names)
        '''
    )
    return [features, scale]


def sounds_pieces(spec: RunSpec) -> list[Piece]:
    generator = piece(
        source_of(audio._tone, audio._chord, audio._chirp, audio._noise_bursts)
        + '\n\n\n_MAKERS = {"tone": _tone, "chord": _chord, "chirp": _chirp, '
        + '"noise burst": _noise_bursts}\n\n\n'
        + source_of(audio.make_sound, audio.generate_sounds),
        ["import numpy as np", *SCIPY],
        [
            setting("CLIP_SAMPLES", audio.CLIP_SAMPLES, "every clip lasts 1 s"),
            setting("SOUND_CLASSES", audio.SOUND_CLASSES),
            setting("PER_CLASS", audio.PER_CLASS, "clips of each class"),
            setting("GENERATION_SEED", audio.GENERATION_SEED, "always the same sounds"),
            setting("MAJOR_TRIAD", audio.MAJOR_TRIAD, "root, major third, fifth"),
        ],
    )
    loader = piece(
        '''
        def load_data():
            """The generated sounds (600 clips of tones, chords, chirps and noise bursts)."""
            waves, y = generate_sounds()  # (600, 8000) float32, (600,)
            x = features(waves, AUDIO_FEATURES)  # (N, 1, F, T)
            return standardised_split(x, y, split_indices(y), SOUND_CLASSES)
        '''
    )
    return [*features_pieces(spec), generator, loader]


def audio_zip_pieces(spec: RunSpec) -> list[Piece]:
    # to_unit_range raises the engine's DataError; the script has only ValueError.
    helpers = piece(
        source_of(audio_files.to_unit_range, audio_files.resample_to).replace(
            "DataError", "ValueError"
        )
        + "\n\n\n"
        + source_of(upload_bundles.fixed_length),
        ["from math import gcd", "from scipy.signal import resample_poly"],
        [
            setting("AUDIO_SAMPLE_RATE", upload_bundles.AUDIO_SAMPLE_RATE, "Hz, as the app"),
            setting("MAX_CLIP_SECONDS", upload_bundles.MAX_CLIP_SECONDS, "longer clips are cut"),
        ],
    )
    loader = piece(
        '''
        def read_clip(raw):
            """One WAV file as mono float32 samples at AUDIO_SAMPLE_RATE Hz."""
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", wavfile.WavFileWarning)
                rate, samples = wavfile.read(io.BytesIO(raw))
            if samples.size == 0 or samples.shape[0] / rate > 10.0:
                raise ValueError("empty, or longer than 10 seconds")
            mono = to_unit_range(samples)
            if mono.ndim == 2:  # (samples, channels): mix the channels down to one
                mono = mono.mean(axis=1)
            return resample_to(mono.astype(np.float32), int(rate), AUDIO_SAMPLE_RATE)


        def load_data():
            """The WAV clips of data.zip as features; files that cannot be read are skipped,
            as the app skipped them."""
            clips, labels = [], []
            with zipfile.ZipFile(HERE / "data.zip") as archive:
                for label, name in list_members(archive):
                    try:
                        clips.append(read_clip(archive.read(name)))
                    except (OSError, ValueError, EOFError) as exc:
                        print(f"skipped {name}: {exc}")
                        continue
                    labels.append(label)
            y, class_names = class_ids(labels)
            x = features(fixed_length(clips), AUDIO_FEATURES)  # (N, 1, F, T)
            return standardised_split(x, y, split_indices(y), class_names)
        ''',
        ["import io", "import warnings", "from scipy.io import wavfile"],
    )
    return [*features_pieces(spec), archive_members_piece(), helpers, loader]
