"""Learners' uploads: checked, stored under a generated name by content hash, and built.

An upload lives in data_dir()/uploads/<id>/ as data.csv or data.zip plus meta.json; the
learner's file name is kept only as escaped text in meta.json, never used as a path.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from engine.data.bundle import DataBundle, DataError
from engine.data.csv_checks import BIDI_CONTROLS, check_csv
from engine.data.label_checks import check_labels, check_target
from engine.data.message_text import quoted
from engine.data.upload_bundles import BUNDLE_MAKERS
from engine.data.zip_checks import check_zip, read_audio_zip, read_images_zip, shown
from engine.spec import RunSpec
from settings import data_dir

UPLOAD_ID = re.compile(r"^[0-9a-f]{16}$")
MAX_NAME_CHARS = 120
IMAGE_SIZE = 32  # uploaded images are resized to IMAGE_SIZE x IMAGE_SIZE
MAX_LISTED_ERRORS = 100

__all__ = [
    "DataError",
    "build_upload",
    "check_csv",
    "check_target",
    "check_zip",
    "load_upload",
    "read_images_zip",
    "store_csv_upload",
    "store_zip_upload",
    "upload_kind",
]


def uploads_dir() -> Path:
    path = data_dir() / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def display_name(name: str) -> str:
    """The learner's file name, safe to show: no folders, control characters escaped."""
    base = re.split(r"[\\/]", name)[-1]
    escaped = "".join(
        f"\\u{ord(c):04x}" if c in BIDI_CONTROLS or unicodedata.category(c) in ("Cc", "Cs") else c
        for c in base
    ).strip()
    if len(escaped) > MAX_NAME_CHARS:
        escaped = escaped[: MAX_NAME_CHARS - 1] + "…"
    return escaped or "upload"


def upload_id_for(kind: str, target: str | None, data: bytes) -> str:
    """16 hex characters of sha256 over the bytes and how they are read (kind, label column),
    so one file uploaded with two different label columns is two datasets."""
    digest = hashlib.sha256(f"{kind}\x00{target or ''}\x00".encode())
    digest.update(data)
    return digest.hexdigest()[:16]


def _store(upload_id: str, filename: str, data: bytes, meta: dict[str, Any]) -> str:
    """Write into a temporary folder, then rename it into place: never half an upload."""
    folder = uploads_dir() / upload_id
    if (folder / "meta.json").exists():
        return upload_id  # the same upload again
    incoming = Path(tempfile.mkdtemp(prefix=".incoming-", dir=uploads_dir()))
    try:
        (incoming / filename).write_bytes(data)
        text = json.dumps({**meta, "id": upload_id, "file": filename}, ensure_ascii=False, indent=2)
        (incoming / "meta.json").write_text(text, encoding="utf-8")
        os.replace(incoming, folder)
    except OSError:
        if not (folder / "meta.json").exists():  # not just a twin upload winning the race
            raise
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
    return upload_id


def _base_meta(kind: str, original_name: str, data: bytes) -> dict[str, Any]:
    return {
        "kind": kind,
        "original_name": display_name(original_name),
        "size_bytes": len(data),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def text_column(frame: pd.DataFrame, target: str) -> str:
    """The column holding the texts: "text", or the only other text column."""
    if "text" in frame.columns and target != "text":
        return "text"
    candidates = [
        str(c)
        for c in frame.columns
        if c != target and not pd.api.types.is_numeric_dtype(frame[c].dtype)
    ]
    if len(candidates) != 1:
        found = ", ".join(quoted(c) for c in candidates[:20]) or "none"
        raise DataError(
            f"A text dataset needs one column of texts (name it 'text') besides "
            f"the label column {quoted(target)}; text columns found: {found}."
        )
    return candidates[0]


def store_csv_upload(data: bytes, original_name: str, target: str, kind: str = "tabular") -> str:
    """Check a CSV upload and store it; returns its id (use "upload:<id>" as the dataset)."""
    if kind not in ("tabular", "text"):
        raise ValueError(f"a CSV upload is tabular or text, not {kind!r}")
    frame, summary = check_csv(data, target)
    meta = {
        **_base_meta(kind, original_name, data),
        "target": target,
        "rows": summary["rows"],
        "columns": [str(c) for c in frame.columns],
        "class_names": list(summary["classes"]),
        "summary": summary,
    }
    if kind == "text":
        meta["text_column"] = text_column(frame, target)
    return _store(upload_id_for(kind, target, data), "data.csv", data, meta)


def store_zip_upload(data: bytes, original_name: str, kind: str = "image") -> str:
    """Check a zip of class folders (images or WAV clips), read every file, and store it."""
    if kind == "image":
        x, y, class_names, errors = read_images_zip(data, IMAGE_SIZE)
        extra: dict[str, Any] = {"image_size": IMAGE_SIZE, "channels": int(x.shape[1])}
    elif kind == "audio":
        _, y, class_names, errors = read_audio_zip(data)
        extra = {}
    else:
        raise ValueError(f"a zip upload is image or audio, not {kind!r}")
    labels = pd.Series([class_names[i] for i in y])
    counts = check_labels(labels, "the archive's class folders", "file")
    meta = {
        **_base_meta(kind, original_name, data),
        **extra,
        "target": None,
        "rows": len(y),
        "columns": None,
        "class_names": list(class_names),
        "class_counts": counts,
        "file_errors": [
            {"file": shown(name), "reason": reason} for name, reason in errors[:MAX_LISTED_ERRORS]
        ],
        "file_error_count": len(errors),
    }
    return _store(upload_id_for(kind, None, data), "data.zip", data, meta)


def _folder(upload_id: str) -> Path:
    upload_id = upload_id.removeprefix("upload:")
    if not UPLOAD_ID.fullmatch(upload_id):  # never let a name reach the file system
        raise DataError("There is no uploaded dataset with that id.")
    return data_dir() / "uploads" / upload_id


def load_upload(upload_id: str) -> dict[str, Any]:
    """The stored meta.json of an upload ("abc..." or "upload:abc...")."""
    try:
        meta: dict[str, Any] = json.loads(
            (_folder(upload_id) / "meta.json").read_text(encoding="utf-8")
        )
        return meta
    except FileNotFoundError:
        raise DataError("There is no uploaded dataset with that id.") from None


def upload_kind(upload_id: str) -> str:
    """image, text, audio or tabular."""
    return str(load_upload(upload_id)["kind"])


def build_upload(spec: RunSpec) -> DataBundle:
    """The bundle for spec.dataset == "upload:<id>", rebuilt from the stored bytes."""
    meta = load_upload(spec.dataset)
    filename = "data.csv" if meta["kind"] in ("tabular", "text") else "data.zip"
    data = (_folder(spec.dataset) / filename).read_bytes()
    return BUNDLE_MAKERS[meta["kind"]](data, meta, spec)
