"""Tables for the Feature Engineering lab: the bundled ones, a learner's upload, and two
additions the lab plants on purpose (a leaking column and a synthetic date column)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.data.bundle import DataError, split_indices
from engine.data.csv_checks import check_csv
from engine.data.tabular import (
    label_strings,
    load_penguins_frame,
    load_sklearn_frame,
    sorted_labels,
)
from engine.data.uploads import load_upload, uploads_dir

TABLE_TARGETS = {"penguins": "species", "wine": "target", "breast-cancer": "target"}
LEAK_NAME = "lab_record_code"  # sounds like bookkeeping; it is the label in disguise
DATE_NAME = "observed_on"
VALIDATION_FRACTION = 0.2  # the engine's defaults (RunSpec), so splits match its runs
TEST_FRACTION = 0.2


def load_table(name: str) -> tuple[pd.DataFrame, str]:
    """(frame, target column) for "penguins", "wine", "breast-cancer" or "upload:<id>"."""
    if name == "penguins":
        frame = load_penguins_frame()
    elif name in ("wine", "breast-cancer"):
        frame = load_sklearn_frame(name)
    elif name.startswith("upload:"):
        return _load_upload_table(name)
    else:
        raise DataError(f"There is no table called {name!r} in this lab.")
    return frame, TABLE_TARGETS[name]


def _load_upload_table(name: str) -> tuple[pd.DataFrame, str]:
    meta = load_upload(name)  # refuses ids that are not 16 hex characters
    if meta["kind"] != "tabular":
        raise DataError(f"This upload holds {meta['kind']} data, not a table of columns.")
    data = (uploads_dir() / meta["id"] / "data.csv").read_bytes()
    frame, _ = check_csv(data, meta["target"])
    target = str(meta["target"])
    # Rows without a label cannot be trained or scored on (the engine drops them too).
    return frame[frame[target].notna()].reset_index(drop=True), target


def encode_labels(frame: pd.DataFrame, target: str) -> tuple[np.ndarray, list[str]]:
    """Class ids (int64) and class names, numbered exactly as the engine numbers them."""
    if target not in frame.columns:
        raise DataError(f"The table has no column {target!r} to predict.")
    if frame[target].isna().any():
        raise DataError(f"Some rows have no value in {target!r}; drop them first.")
    labels = label_strings(frame[target])
    names = sorted_labels(labels)
    return labels.map({n: i for i, n in enumerate(names)}).to_numpy(np.int64), names


def split_rows(frame: pd.DataFrame, target: str, seed: int) -> tuple[np.ndarray, ...]:
    """(train, validation, test) row positions: the same split an engine run would use."""
    y, _ = encode_labels(frame, target)
    try:
        return split_indices(y, VALIDATION_FRACTION, TEST_FRACTION, seed)
    except DataError:
        raise
    except ValueError as exc:  # a stratified part smaller than the number of classes
        raise DataError(
            f"The table is too small to split with every class in each part ({exc})."
        ) from None


def with_planted_leak(frame: pd.DataFrame, target: str, seed: int) -> tuple[pd.DataFrame, str]:
    """A copy with a column that gives the label away, and that column's name.

    The code is class id * step + base + noise: each class owns a band of codes, so a single
    threshold on it reads off the label. Step, base, noise and position depend on ``seed``.
    """
    y, _ = encode_labels(frame, target)
    rng = np.random.default_rng(seed)
    step = int(rng.integers(200, 900))
    base = int(rng.integers(1000, 5000))
    noise = rng.integers(0, step // 3, size=len(y))  # stays inside its class's band
    name = _free_name(frame, LEAK_NAME)
    features = [c for c in frame.columns if c != target]
    # Not always last: a learner should have to look, not just read the final column.
    position = int(rng.integers(0, len(features) + 1))
    out = frame.copy()
    out.insert(min(position, len(out.columns)), name, base + y * step + noise)
    return out, name


def with_observed_on(frame: pd.DataFrame, seed: int = 0) -> tuple[pd.DataFrame, str]:
    """A copy with a SYNTHETIC date column ("YYYY-MM-DD" text) for date-part extraction.

    The bundled tables record no dates. Where a numeric "year" column exists (penguins) each
    row gets a day in that year's November-December field season; otherwise a day in
    2020-2023. The day comes from a seeded generator indexed by row, not from the label, so
    the date carries no information about the class.
    """
    rng = np.random.default_rng(seed)
    year = frame["year"] if "year" in frame.columns else None
    if year is not None and pd.api.types.is_numeric_dtype(year) and year.notna().all():
        start = pd.to_datetime(year.astype(int).astype(str) + "-11-01")
        offsets = rng.integers(0, 61, size=len(frame))  # 1 November to 31 December
    else:
        start = pd.Series(pd.Timestamp("2020-01-01"), index=frame.index)
        offsets = rng.integers(0, 4 * 365, size=len(frame))
    dates = start + pd.to_timedelta(offsets, unit="D")
    name = _free_name(frame, DATE_NAME)
    out = frame.copy()
    out[name] = dates.dt.strftime("%Y-%m-%d").to_numpy()  # text, as a CSV would bring it
    return out, name


def _free_name(frame: pd.DataFrame, name: str) -> str:
    """``name``, or name_2, name_3... when a learner's table already uses it."""
    candidate, n = name, 2
    while candidate in frame.columns:
        candidate, n = f"{name}_{n}", n + 1
    return candidate
