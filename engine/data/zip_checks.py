"""Checks for uploaded zip archives of class folders, and reading the images in them."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

import numpy as np
from PIL import Image, UnidentifiedImageError

from engine.data.audio_files import WAV_ERRORS, read_wav, resample_to
from engine.data.bundle import DataError
from engine.data.csv_checks import megabytes, odd_character
from engine.data.message_text import count, quoted

MAX_ZIP_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 5000
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed size of one member
# Small members (a short silent WAV, a blank image) can compress more than 100 times;
# only members above this size are held to the ratio, the total limit covers the rest.
RATIO_FLOOR = 1024 * 1024
MAX_IMAGE_PIXELS = 20_000_000  # Pillow's own default (89 million) lets 80-megapixel bombs in
ARCHIVE_SUFFIXES = (".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".jar")
JUNK = re.compile(r"(^|/)(__MACOSX/|\.[^/]*$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)
ZIP_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError)
IMAGE_ERRORS = (
    *ZIP_READ_ERRORS,
    SyntaxError,
    struct.error,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
    MemoryError,
)


def shown(name: str) -> str:
    """A member name safe to show: control and direction characters escaped, quoted, and
    cut short (odd_character: repr already escapes every control and direction mark)."""
    return quoted(name)


def check_zip(
    data: bytes,
    max_bytes: int = MAX_ZIP_BYTES,
    max_members: int = MAX_MEMBERS,
    max_total_uncompressed: int = MAX_TOTAL_UNCOMPRESSED,
) -> list[tuple[str, str]]:
    """(class folder, member name) for every file, checked from the directory before any
    member is unpacked; refuses bombs, nested archives and unsafe names."""
    if len(data) > max_bytes:
        raise DataError(
            f"The archive is {megabytes(len(data))}; the limit is {megabytes(max_bytes)}."
        )
    if not data:
        raise DataError("The archive is empty (0 bytes).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise DataError("The file is not a zip archive (or it is damaged).") from None
    if len(infos) > max_members:
        raise DataError(
            f"The archive holds {len(infos):,} entries; at most {max_members:,} are accepted."
        )
    total = sum(info.file_size for info in infos)
    if total > max_total_uncompressed:
        raise DataError(
            f"Unpacked, the archive would take {megabytes(total)}; the limit is "
            f"{megabytes(max_total_uncompressed)}."
        )
    members = [
        _check_member(info)
        for info in infos
        if not info.is_dir() and not JUNK.search(info.filename.replace("\\", "/"))
    ]
    if not members:
        raise DataError("The archive holds no files.")
    classes = sorted({label for label, _ in members})
    if len(classes) < 2:
        raise DataError(
            f"All files are in one folder ({quoted(classes[0])}); put each class in its "
            "own folder (cat/1.png, dog/1.png) with at least two classes."
        )
    return sorted(members)


def _check_member(info: zipfile.ZipInfo) -> tuple[str, str]:
    name = info.filename
    parts = name.replace("\\", "/").split("/")
    if (
        "\x00" in name
        or name.startswith(("/", "\\"))
        or re.match(r"^[A-Za-z]:", name)
        or ".." in parts
    ):
        raise DataError(
            f"The archive holds an unsafe file name {shown(name)} (an absolute "
            "path or '..'). Zip the class folders themselves and upload again."
        )
    if name.lower().endswith(ARCHIVE_SUFFIXES):
        raise DataError(
            f"The archive holds another archive, {shown(name)}; archives inside "
            "archives are not unpacked. Unpack it and zip the folders instead."
        )
    if info.flag_bits & 0x1:
        raise DataError(f"The file {shown(name)} is encrypted; upload it without a password.")
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise DataError(
            f"The file {shown(name)} unpacks to {megabytes(info.file_size)} from "
            f"{info.compress_size:,} bytes, more than {MAX_RATIO} times its packed "
            "size; such archives (zip bombs) are refused."
        )
    folders = [p for p in parts[:-1] if p]
    if not folders:
        raise DataError(
            f"The file {shown(name)} is not inside a class folder; put each file "
            "in a folder named after its class (cat/1.png)."
        )
    label = folders[-1].strip()
    if odd_character(label) is not None:
        raise DataError(
            f"The folder name {shown(label)} contains an invisible control "
            "character; rename the folder."
        )
    return label, name


def read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """One member's bytes, never more than the directory announced."""
    info = archive.getinfo(name)
    with archive.open(info) as handle:
        raw = handle.read(info.file_size + 1)
    if len(raw) > info.file_size:
        raise ValueError("it unpacks to more bytes than the archive lists")
    return raw


def read_images_zip(
    data: bytes, size: int = 32
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], list[tuple[str, str]]]:
    """Images from class folders as (N, C, H, W) float32 in [0, 1] (C = 3 if any image has
    colour, else 1), labels, class names and (file, reason) for files that could not be read."""
    members = check_zip(data)
    pictures: list[np.ndarray] = []  # (size, size, 3) uint8 each
    labels: list[str] = []
    errors: list[tuple[str, str]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for label, name in members:
            try:
                pictures.append(decode_image(read_member(archive, name), size))
            except IMAGE_ERRORS as exc:
                errors.append((name, image_error_reason(exc)))
                continue
            labels.append(label)
    if not pictures:
        first = "; ".join(f"{shown(n)}: {r}" for n, r in errors[:3])
        raise DataError(
            f"None of the {count(len(members), 'file')} could be read as an image ({first})."
        )
    rgb = np.stack(pictures)  # (N, H, W, 3)
    colour = bool((rgb[..., 0] != rgb[..., 1]).any() or (rgb[..., 1] != rgb[..., 2]).any())
    x = (rgb if colour else rgb[..., :1]).transpose(0, 3, 1, 2).astype(np.float32) / 255.0
    class_names = tuple(sorted(set(labels)))
    y = np.searchsorted(np.array(class_names), np.array(labels)).astype(np.int64)
    return x, y, class_names, errors


class ImageTooLarge(ValueError):
    """More pixels than MAX_IMAGE_PIXELS: a decompression bomb or a needlessly huge photo."""


def decode_image(raw: bytes, size: int) -> np.ndarray:
    """One image file as a (size, size, 3) uint8 RGB array; transparency becomes white.

    The pixel limit is checked here rather than by lowering Pillow's global
    Image.MAX_IMAGE_PIXELS, so other code in the process keeps its own setting.
    """
    with Image.open(io.BytesIO(raw)) as image:
        width, height = image.size  # read from the header, nothing decoded yet
        if width * height > MAX_IMAGE_PIXELS:
            raise ImageTooLarge(
                f"{width} x {height} pixels is more than the {MAX_IMAGE_PIXELS:,} allowed"
            )
        image.draft("RGB", (size, size))  # JPEG: decode at a reduced scale
        image.load()
        rgb = to_rgb(image)
    return np.asarray(rgb.resize((size, size), Image.Resampling.BILINEAR), dtype=np.uint8)


def to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16-bit or float greyscale
        values = np.asarray(image, dtype=np.float64)
        span = float(values.max() - values.min()) or 1.0
        image = Image.fromarray(((values - values.min()) / span * 255).astype(np.uint8), "L")
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    return image.convert("RGB")


def image_error_reason(exc: BaseException) -> str:
    """Why one file was skipped, in words for the learner."""
    if isinstance(exc, ImageTooLarge):
        return str(exc)
    if isinstance(exc, Image.DecompressionBombError | Image.DecompressionBombWarning):
        return "the image has too many pixels (a decompression bomb)"
    if isinstance(exc, UnidentifiedImageError):
        return "not an image, or a format that cannot be read"
    if "truncated" in str(exc).lower():
        return "the file is cut short (truncated)"
    return f"could not be read ({exc})"


def read_audio_zip(
    data: bytes, sample_rate: int = 8000, max_seconds: float = 10.0
) -> tuple[list[np.ndarray], np.ndarray, tuple[str, ...], list[tuple[str, str]]]:
    """WAV clips from class folders as mono float32 waveforms at ``sample_rate``, labels,
    class names and (file, reason) for files that could not be read."""
    members = check_zip(data)
    clips: list[np.ndarray] = []
    labels: list[str] = []
    errors: list[tuple[str, str]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for label, name in members:
            try:
                samples, rate = read_wav(read_member(archive, name), max_seconds, shown(name))
                clip = resample_to(samples, rate, sample_rate)
            except (DataError, *ZIP_READ_ERRORS, *WAV_ERRORS) as exc:  # one bad clip: name it
                reason = f"could not be read ({type(exc).__name__})"
                errors.append((name, str(exc) if isinstance(exc, DataError) else reason))
                continue
            clips.append(clip)
            labels.append(label)
    if not clips:
        first = "; ".join(f"{shown(n)}: {r}" for n, r in errors[:3])
        raise DataError(
            f"None of the {count(len(members), 'file')} could be read as a WAV ({first})."
        )
    class_names = tuple(sorted(set(labels)))
    y = np.searchsorted(np.array(class_names), np.array(labels)).astype(np.int64)
    return clips, y, class_names, errors
