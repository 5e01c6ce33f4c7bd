"""The "data" section of an exported script: the split every dataset shares, the digits,
uploaded image archives, and which loader each dataset uses."""

from __future__ import annotations

from typing import Any

from engine.data.holdout_rows import HOLDOUT_FRACTION
from engine.data.images import DIGIT_SUBSETS
from engine.data.zip_checks import to_rgb
from engine.export_templates import Piece, audio, piece, setting, source_of, tables
from engine.export_templates.files import archive_members_piece
from engine.spec import RunSpec

SPLIT_CODE = '''
@dataclass
class Split:
    """The examples in three parts: the model trains on the first, the second watches
    over training (epoch by epoch), and the third (test) is used once, at the end."""

    x_train: np.ndarray
    y_train: np.ndarray  # class ids 0, 1, 2...
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    vocab_size: int = 0  # text only: how many token ids the embedding needs


def split_indices(y):
    """Stratified train / validation / test row numbers: each part keeps the share of
    every class. Two calls with the app's arguments, so the same rows land in each part."""
    index = held_out_rows_removed(y)
    rest, test = train_test_split(
        index, test_size=TEST_FRACTION, stratify=y[index], random_state=SEED
    )
    val_share = VALIDATION_FRACTION / (1.0 - TEST_FRACTION)  # of the rows left over
    train, val = train_test_split(rest, test_size=val_share, stratify=y[rest], random_state=SEED)
    return train, val, test


def split_data(x, y, parts, class_names, vocab_size=0):
    train, val, test = parts
    return Split(x[train], y[train], x[val], y[val], x[test], y[test], class_names, vocab_size)


def make_loader(x, y, batch_size, shuffle):
    """Batches of (inputs, labels) tensors. Every loader gets its own generator seeded
    with SEED: it fixes the shuffled order, and without one DataLoader would draw a
    seed from torch's global random numbers on each pass, changing dropout's draws."""
    data = TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    generator = torch.Generator().manual_seed(SEED)
    return DataLoader(data, batch_size=batch_size, shuffle=shuffle, generator=generator)
'''


CHALLENGE_ROWS = '''
def held_out_rows_removed(y):
    """A class challenge's run: the challenge keeps HOLDOUT_FRACTION of each class
    (chosen by HOLDOUT_SEED) out of training, validation and test alike, and scores the
    model on those rows for its leaderboard. They are left out here too."""
    index = np.arange(len(y))
    _, held = train_test_split(
        index, test_size=HOLDOUT_FRACTION, stratify=y, random_state=HOLDOUT_SEED
    )
    return np.setdiff1d(index, held)
'''


def common_pieces(spec: RunSpec) -> list[Piece]:
    """The split, the loaders and (for few-label runs) the training-row limit."""
    code, pieces = SPLIT_CODE, []
    if spec.holdout_seed is None:
        code = code.replace("held_out_rows_removed(y)", "np.arange(len(y))")
    else:
        pieces.append(
            piece(
                CHALLENGE_ROWS,
                ["import numpy as np", "from sklearn.model_selection import train_test_split"],
                [
                    setting("HOLDOUT_SEED", spec.holdout_seed, "the challenge's held-out rows"),
                    setting("HOLDOUT_FRACTION", HOLDOUT_FRACTION),
                ],
            )
        )
    split = piece(
        code,
        [
            "from dataclasses import dataclass",
            "import numpy as np",
            "import torch",
            "from sklearn.model_selection import train_test_split",
            "from torch.utils.data import DataLoader, TensorDataset",
        ],
        [
            setting("SEED", spec.seed, "the split, the starting weights and the batch order"),
            setting("VALIDATION_FRACTION", spec.validation_fraction),
            setting("TEST_FRACTION", spec.test_fraction),
        ],
    )
    pieces.append(split)
    if spec.train_limit is not None:
        pieces.append(_limit_piece(spec.train_limit))
    return pieces


def _limit_piece(limit: int) -> Piece:
    return piece(
        '''
        def limit_training_rows(split):
            """Few labels: keep only TRAIN_LIMIT training examples (stratified, in order), to
            see how a model copes with little data. Validation and test stay whole."""
            if len(split.y_train) <= TRAIN_LIMIT:
                return split
            keep, _ = train_test_split(
                np.arange(len(split.y_train)),
                train_size=TRAIN_LIMIT,
                stratify=split.y_train,
                random_state=SEED,
            )
            keep = np.sort(keep)
            return replace(split, x_train=split.x_train[keep], y_train=split.y_train[keep])
        ''',
        ["from dataclasses import replace"],
        [setting("TRAIN_LIMIT", limit, "training examples kept")],
    )


def digits_pieces(spec: RunSpec) -> list[Piece]:
    digits = DIGIT_SUBSETS[spec.dataset]
    return [
        piece(
            '''
            def load_digit_images():
                """scikit-learn's 1,797 8x8 handwritten digits: (N, 1, 8, 8) float32 in [0, 1]."""
                bunch = load_digits()
                images = (bunch.images / 16.0).astype(np.float32)[:, None, :, :]  # pixels 0..16
                return images, bunch.target.astype(np.int64)


            def load_data():
                """The digits in DIGITS, split; labels renumbered from 0 (DIGITS[i] is class i)."""
                x, y = load_digit_images()
                keep = np.isin(y, DIGITS)
                x, y = x[keep], np.searchsorted(np.array(DIGITS), y[keep]).astype(np.int64)
                return split_data(x, y, split_indices(y), tuple(str(d) for d in DIGITS))
            ''',
            ["from sklearn.datasets import load_digits"],
            [setting("DIGITS", digits, f"the {spec.dataset!r} dataset")],
        )
    ]


def image_zip_pieces(meta: dict[str, Any]) -> list[Piece]:
    loader = piece(
        '''
        def decode_image(raw):
            """One image file as an (IMAGE_SIZE, IMAGE_SIZE, 3) uint8 RGB array."""
            with Image.open(io.BytesIO(raw)) as image:
                image.draft("RGB", (IMAGE_SIZE, IMAGE_SIZE))  # JPEG: decode at a reduced scale
                image.load()
                rgb = to_rgb(image)
            size = (IMAGE_SIZE, IMAGE_SIZE)
            return np.asarray(rgb.resize(size, Image.Resampling.BILINEAR), dtype=np.uint8)


        def load_data():
            """The images of data.zip as (N, C, H, W) float32 in [0, 1]: C = 3 if any image has
            colour, else 1. Files that cannot be read are skipped, as the app skipped them."""
            pictures, labels = [], []
            with zipfile.ZipFile(HERE / "data.zip") as archive:
                for label, name in list_members(archive):
                    try:
                        pictures.append(decode_image(archive.read(name)))
                    except (OSError, ValueError, SyntaxError, MemoryError) as exc:
                        print(f"skipped {name}: {exc}")
                        continue
                    labels.append(label)
            rgb = np.stack(pictures)  # (N, H, W, 3)
            colour = bool((rgb[..., 0] != rgb[..., 1]).any() or (rgb[..., 1] != rgb[..., 2]).any())
            x = (rgb if colour else rgb[..., :1]).transpose(0, 3, 1, 2).astype(np.float32) / 255.0
            y, class_names = class_ids(labels)
            return split_data(x, y, split_indices(y), class_names)
        ''',
        ["import io", "from PIL import Image"],
        [setting("IMAGE_SIZE", int(meta.get("image_size", 32)), "pixels, width and height")],
    )
    return [archive_members_piece(), piece(source_of(to_rgb)), loader]


def data_pieces(spec: RunSpec, kind: str, meta: dict[str, Any] | None) -> list[Piece]:
    """Every piece of the data section for this run's dataset."""
    pieces = common_pieces(spec)
    if spec.dataset in DIGIT_SUBSETS:
        return pieces + digits_pieces(spec)
    if spec.dataset == "sounds":
        return pieces + audio.sounds_pieces(spec)
    if spec.dataset == "competency-sentences":
        return pieces + tables.sentences_pieces(spec)
    if meta is None:
        return pieces + tables.builtin_table_pieces(spec)
    if kind == "image":
        return pieces + image_zip_pieces(meta)
    if kind == "audio":
        return pieces + audio.audio_zip_pieces(spec)
    if kind == "text":
        return pieces + tables.text_upload_pieces(spec, meta)
    return pieces + tables.table_upload_pieces(meta)
