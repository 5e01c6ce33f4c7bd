"""Feature lab tables: the bundled ones, an upload, a planted leak and a synthetic date column."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from engine.data import DataError, load_bundle
from engine.data.uploads import store_csv_upload, store_zip_upload
from engine.features.config import FeatureConfig
from engine.features.tables import (
    encode_labels,
    load_table,
    split_rows,
    with_observed_on,
    with_planted_leak,
)
from engine.features.transforms import fit_features
from engine.spec import RunSpec

TABLES = [("penguins", "species", 344), ("wine", "target", 178), ("breast-cancer", "target", 569)]


@pytest.mark.parametrize(("name", "target", "rows"), TABLES)
def test_which_column_does_each_bundled_table_predict(name: str, target: str, rows: int) -> None:
    frame, found = load_table(name)
    assert found == target
    assert len(frame) == rows
    assert frame[target].notna().all()


def test_can_a_learners_uploaded_csv_be_loaded_as_a_table() -> None:
    lines = ["height,colour,label"] + [
        f"{i},{'red' if i % 2 else 'blue'},{'ab'[i % 2]}" for i in range(20)
    ]
    lines.append("99,red,")  # no label: cannot be trained or scored on
    upload_id = store_csv_upload("\n".join(lines).encode(), "mine.csv", "label")
    frame, target = load_table(f"upload:{upload_id}")
    assert target == "label"
    assert list(frame.columns) == ["height", "colour", "label"]
    assert len(frame) == 20
    assert frame["height"].tolist() == list(range(20))


def one_image_zip() -> bytes:
    """Two class folders of six tiny PNGs each: a valid image upload."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for label in ("cats", "dogs"):
            for i in range(6):
                image = io.BytesIO()
                Image.new("RGB", (8, 8), (i * 40, 0, 0)).save(image, format="PNG")
                archive.writestr(f"{label}/{i}.png", image.getvalue())
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("iris", "no table called 'iris'"),
        ("upload:../../etc", "no uploaded dataset"),
        ("upload:0123456789abcdef", "no uploaded dataset"),
    ],
)
def test_are_unknown_tables_refused_with_a_message(name: str, fragment: str) -> None:
    with pytest.raises(DataError, match=fragment):
        load_table(name)


def test_is_an_image_upload_refused_as_a_table() -> None:
    upload_id = store_zip_upload(one_image_zip(), "pets.zip", "image")
    with pytest.raises(DataError, match="image data"):
        load_table(f"upload:{upload_id}")


@pytest.mark.parametrize("name", ["penguins", "wine", "breast-cancer"])
def test_do_the_lab_and_an_engine_run_split_and_preprocess_alike(name: str) -> None:
    frame, target = load_table(name)
    bundle = load_bundle(RunSpec(dataset=name, model="dense", seed=3))
    fitted = fit_features(FeatureConfig(), frame, target, seed=3)
    assert fitted.feature_names == bundle.info["feature_names"]
    assert np.array_equal(fitted.y_train, bundle.y_train)
    assert np.array_equal(fitted.y_val, bundle.y_val)
    assert np.allclose(fitted.x_val.to_numpy(), bundle.x_val, atol=1e-5)  # float32 there


@pytest.mark.parametrize("name", ["penguins", "wine", "breast-cancer"])
def test_does_the_planted_leak_give_each_class_its_own_band_of_codes(name: str) -> None:
    frame, target = load_table(name)
    leaky, leak = with_planted_leak(frame, target, seed=5)
    assert leak == "lab_record_code"
    assert list(leaky.drop(columns=[leak]).columns) == list(frame.columns)
    y, _ = encode_labels(frame, target)
    bands = leaky.groupby(y)[leak].agg(["min", "max"]).sort_index()
    assert (bands["max"].to_numpy()[:-1] < bands["min"].to_numpy()[1:]).all()


def test_is_the_planted_leak_the_same_for_a_seed_and_different_across_seeds() -> None:
    frame, target = load_table("wine")
    first, _ = with_planted_leak(frame, target, seed=1)
    again, _ = with_planted_leak(frame, target, seed=1)
    other, _ = with_planted_leak(frame, target, seed=2)
    pd.testing.assert_frame_equal(first, again)
    assert not first["lab_record_code"].equals(other["lab_record_code"])


def test_does_the_leak_take_another_name_when_the_table_already_has_one() -> None:
    frame, target = load_table("wine")
    frame["lab_record_code"] = 1.0
    leaky, leak = with_planted_leak(frame, target, seed=0)
    assert leak == "lab_record_code_2"
    assert (leaky["lab_record_code"] == 1.0).all()


def test_do_the_synthetic_penguin_dates_fall_in_each_rows_field_season() -> None:
    frame, _ = load_table("penguins")
    dated, column = with_observed_on(frame, seed=0)
    dates = pd.to_datetime(dated[column], format="%Y-%m-%d")
    assert column == "observed_on"
    assert (dates.dt.year == frame["year"]).all()
    assert dates.dt.month.isin([11, 12]).all()
    again, _ = with_observed_on(frame, seed=0)
    assert again[column].equals(dated[column])


def test_do_tables_without_a_year_get_dates_in_2020_to_2023() -> None:
    frame, _ = load_table("breast-cancer")
    dated, column = with_observed_on(frame, seed=4)
    years = pd.to_datetime(dated[column]).dt.year
    assert years.between(2020, 2023).all()
    assert years.nunique() == 4


def test_is_a_table_too_small_to_split_refused_with_a_message() -> None:
    frame = pd.DataFrame({"x": range(6), "label": list("aabbcc")})
    with pytest.raises(DataError, match="at least 3"):
        split_rows(frame, "label", seed=0)
