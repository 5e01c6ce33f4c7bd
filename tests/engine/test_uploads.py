"""Uploads: every bad file in the catalogue is refused with a precise message and nothing stored."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy.io import wavfile

from engine.data import DataError, dataset_kind, load_bundle
from engine.data.uploads import (
    check_csv,
    check_target,
    check_zip,
    load_upload,
    read_images_zip,
    store_csv_upload,
    store_zip_upload,
)
from engine.spec import RunSpec
from settings import data_dir

MB = 1024 * 1024


def stored() -> set[str]:
    """Every entry under data_dir()/uploads (none when nothing was ever stored)."""
    folder = data_dir() / "uploads"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def refused(call: Callable[[], object], *fragments: str) -> str:
    """Run ``call``, expect a DataError holding every fragment, and nothing new stored."""
    before = stored()
    with pytest.raises(DataError) as caught:
        call()
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    assert stored() == before
    return message


def table(rows: int = 12, classes: str = "ab", header: str = "x,label") -> str:
    """A small valid CSV: a number column and a label cycling through ``classes``."""
    lines = [f"{i},{classes[i % len(classes)]}" for i in range(rows)]
    return header + "\n" + "\n".join(lines) + "\n"


# --- CSV: one table of bad files, each refused with its own message ---------------------

BAD_CSV = {
    "0 bytes": (b"", ["empty (0 bytes)"]),
    "over the size limit": (b"x,label\n" + b"1,a\n" * (5 * MB + 1), ["20.0 MB", "limit"]),
    "header only": (b"x,label\n", ["no data rows"]),
    "one column": (b"label\na\nb\na\n", ["only one column ('label')", "separator"]),
    "ragged rows": (b"x,y,label\n1,2,a\n3,b\n\n4,5,6,c\n", ["row 3 has 2", "row 5 has 4"]),
    "text in a number column": (
        (table(20) + "twelve,a\n13,b\n14 kg,a\n").encode(),
        ["'x'", "row 22 ('twelve')", "row 24 ('14 kg')"],
    ),
    "infinite value": (
        (table(20) + "inf,a\n-Infinity,b\n").encode(),
        ["'x'", "infinite", "row 22 ('inf')", "row 23 ('-Infinity')"],
    ),
    "duplicate headers": (b"x,x,label\n1,2,a\n", ["'x' is used twice", "column 2 (B)"]),
    "empty header": (b"x,,label\n1,2,a\n", ["no name for column 2 (B)"]),
    "RTL override in a header": ("x\u202e,label\n1,a\n".encode(), ["U+202E", "column 1 (A)"]),
    "too many columns": (
        (",".join(f"c{i}" for i in range(10_001)) + "\n").encode(),
        ["10,001 columns"],
    ),
    "too many rows": (b"x,label\n" + b"1,a\n" * 200_001, ["more than 200,000 rows"]),
    "a huge cell": (b"x,label\n1,a\n" + b"y" * 10_001 + b",b\n", ["Row 3, column 1 (A)"]),
    "an unclosed quote": (b'x,label\n1,a\n"' + b"y" * 200_000 + b",b\n", ["Row 3"]),
    "binary bytes": (b"\x00\x01\x02PK\x03\x04" * 50, ["could not be read as text"]),
    "only one class": (table(12, "a").encode(), ["same label ('a')", "two classes"]),
    "a class with one member": ((table(12) + "12,c\n").encode(), ["'c' (1)", "at least 3"]),
    "fewer rows than 10": (table(6).encode(), ["only 6 labelled rows", "at least 10"]),
    "no such label column": (table(12, header="x,Kind").encode(), ["no column 'label'"]),
    "a label column of measurements": (
        ("x,label\n" + "".join(f"{i},{i * 0.37:.2f}\n" for i in range(400))).encode(),
        ["400 different labels", "measurement"],
    ),
}


@pytest.mark.parametrize(("data", "fragments"), BAD_CSV.values(), ids=BAD_CSV.keys())
def test_is_a_bad_csv_refused_with_a_precise_message_and_nothing_stored(
    data: bytes, fragments: list[str]
) -> None:
    refused(lambda: store_csv_upload(data, "mine.csv", "label"), *fragments)


def test_does_a_label_column_with_the_wrong_case_get_a_suggestion() -> None:
    frame, _ = check_csv(table(12, header="x,Label").encode())
    refused(lambda: check_target(frame, "label"), "Did you mean 'Label'?")


# --- CSV: odd but acceptable files -------------------------------------------------------

GOOD_CSV = {
    "cp1252": ("name,label\ncafé,a\n".encode("cp1252"), "Windows-1252 (cp1252)", "café"),
    "UTF-8 with BOM": ("name,label\nnaïve,a\n".encode("utf-8-sig"), "UTF-8 with BOM", "naïve"),
    "UTF-16": ("name,label\nüber,a\n".encode("utf-16"), "UTF-16", "über"),
    "UTF-8": ("name,label\n日本,a\n".encode(), "UTF-8", "日本"),
}


@pytest.mark.parametrize(("data", "encoding", "value"), GOOD_CSV.values(), ids=GOOD_CSV.keys())
def test_is_each_encoding_read_and_named(data: bytes, encoding: str, value: str) -> None:
    frame, summary = check_csv(data)
    assert summary["encoding"] == encoding
    assert list(frame.columns) == ["name", "label"]  # no BOM left in the first name
    assert frame["name"].tolist() == [value]


def test_are_missing_values_counted_and_kept_missing() -> None:
    data = b"x,colour,label\n1,red,a\n,NA,b\n3,,a\nNaN,blue,b\n"
    frame, summary = check_csv(data)
    assert summary["missing"] == {"x": 2, "colour": 2, "label": 0}
    assert summary["types"] == {"x": "number", "colour": "text", "label": "text"}
    assert frame["x"].isna().tolist() == [False, True, False, True]
    assert frame.index.tolist() == [2, 3, 4, 5]  # the row numbers of the file


def test_are_emoji_and_right_to_left_names_accepted() -> None:
    frame, _ = check_csv("🐧 species,שם,label\n1,2,a\n".encode())
    assert list(frame.columns) == ["🐧 species", "שם", "label"]


def test_are_formula_cells_kept_as_text_and_flagged() -> None:
    data = b'x,note,label\n1,=HYPERLINK("http://x"),a\n2,-5,b\n3,@SUM(A1),a\n4,+cmd,b\n5,ok,a\n'
    frame, summary = check_csv(data)
    assert frame.loc[2, "note"] == '=HYPERLINK("http://x")'
    flagged = [(cell["row"], cell["column"]) for cell in summary["formula_cells"]]
    assert flagged == [(2, "note"), (4, "note"), (5, "note")]  # -5 is a number
    assert summary["formula_count"] == 3


def test_are_semicolon_files_and_blank_lines_read() -> None:
    frame, summary = check_csv(b"x;label\n1;a\n\n2;b\n;\n3;a\n")
    assert summary["delimiter"] == ";"
    assert summary["blank_rows"] == 2
    assert frame.index.tolist() == [2, 4, 6]


def test_does_a_smaller_size_limit_apply() -> None:
    refused(lambda: check_csv(table(12).encode(), max_bytes=50), "the limit is 0.0 MB")


# --- storing and building CSV uploads ----------------------------------------------------


def penguins_csv() -> bytes:
    from palmerpenguins import load_penguins

    return load_penguins().to_csv(index=False).encode()


@pytest.mark.parametrize(
    ("original", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\lin\\data.csv", "data.csv"),
        ("bad\x00name.csv", "bad\\u0000name.csv"),
        ("invoice\u202egnp.csv", "invoice\\u202egnp.csv"),
        ("a" * 300 + ".csv", "a" * 119 + "…"),
        ("<script>alert(1)</script>.csv", "script>.csv"),
    ],
    ids=["traversal", "windows path", "NUL", "RTL override", "300 characters", "script"],
)
def test_is_an_upload_stored_under_a_generated_name(original: str, shown: str) -> None:
    upload_id = store_csv_upload(penguins_csv(), original, "species")
    folder = data_dir() / "uploads" / upload_id
    assert sorted(p.name for p in folder.iterdir()) == ["data.csv", "meta.json"]
    assert (folder / "data.csv").read_bytes() == penguins_csv()
    meta = load_upload(upload_id)
    assert meta["original_name"] == shown
    assert meta["kind"] == "tabular" and meta["target"] == "species" and meta["rows"] == 344
    assert meta["class_names"] == ["Adelie", "Chinstrap", "Gentoo"]
    assert stored() == {upload_id}


def test_does_the_same_file_give_the_same_id_and_another_label_another() -> None:
    data = b"x,y,label\n" + b"".join(f"{i},{i % 2},{'ab'[i % 2]}\n".encode() for i in range(20))
    first = store_csv_upload(data, "one.csv", "label")
    assert store_csv_upload(data, "two.csv", "label") == first
    assert store_csv_upload(data, "one.csv", "y") != first
    assert len(stored()) == 2


def test_does_an_uploaded_table_train_like_a_built_in_one() -> None:
    upload_id = store_csv_upload(penguins_csv(), "penguins.csv", "species")
    spec = RunSpec(dataset=f"upload:{upload_id}", model="dense")
    bundle = load_bundle(spec)
    assert dataset_kind(spec.dataset) == bundle.kind == "tabular"
    assert bundle.input_shape == (10,)
    assert np.isfinite(bundle.x_train).all()
    assert bundle.class_names == ("Adelie", "Chinstrap", "Gentoo")


@pytest.mark.parametrize("upload_id", ["../../etc", "0123456789abcdef", "upload:zz", ""])
def test_is_an_unknown_upload_id_refused(upload_id: str) -> None:
    refused(lambda: load_upload(upload_id), "no uploaded dataset")


def test_does_a_text_upload_become_token_ids() -> None:
    rows = [
        f"{'great fun happy' if i % 2 else 'sad dull boring'} day {i},{i % 2}" for i in range(30)
    ]
    data = ("text,label\n" + "\n".join(rows) + "\n").encode()
    upload_id = store_csv_upload(data, "reviews.csv", "label", kind="text")
    bundle = load_bundle(RunSpec(dataset=f"upload:{upload_id}", model="lstm"))
    assert dataset_kind(f"upload:{upload_id}") == bundle.kind == "text"
    assert bundle.x_train.dtype == np.int64 and bundle.class_names == ("0", "1")
    assert "happy" in bundle.info["vocab"]


def test_is_a_text_upload_without_one_text_column_refused() -> None:
    data = ("title,body,label\n" + "a,b,x\nc,d,y\n" * 8).encode()
    refused(lambda: store_csv_upload(data, "t.csv", "label", kind="text"), "'title', 'body'")


# --- archives ------------------------------------------------------------------------------


def png(
    size: tuple[int, int] = (12, 12), colour: tuple[int, int, int] | None = None, seed: int = 0
) -> bytes:
    """A small PNG: random grey noise, or one flat colour."""
    if colour is None:
        pixels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0]), np.uint8)
        image = Image.fromarray(pixels, "L")
    else:
        image = Image.new("RGB", size, colour)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def pictures(per_class: int = 4, classes: str = "cat,dog") -> dict[str, bytes]:
    return {
        f"{c}/{i}.png": png(seed=i + 10 * k)
        for k, c in enumerate(classes.split(","))
        for i in range(per_class)
    }


BAD_ZIPS = {
    "0 bytes": (lambda: b"", ["empty (0 bytes)"]),
    "over the size limit": (lambda: b"PK" + b"\0" * (50 * MB), ["50.0 MB"]),
    "not a zip": (lambda: np.random.default_rng(0).bytes(4000), ["not a zip"]),
    "a bomb by ratio": (
        lambda: zipped({**pictures(), "cat/big.png": b"\0" * (5 * MB)}),
        ["'cat/big.png'", "zip bombs"],
    ),
    "too much unpacked": (
        lambda: zipped({f"c{i % 2}/{i}.wav": b"\0" * MB for i in range(201)}),
        ["Unpacked", "200.0 MB"],
    ),
    "too many members": (
        lambda: zipped({f"c{i % 2}/{i}.png": b"x" for i in range(5001)}),
        ["5,001 entries"],
    ),
    "a nested zip": (
        lambda: zipped({**pictures(), "cat/more.zip": zipped(pictures())}),
        ["'cat/more.zip'", "archives inside"],
    ),
    "a parent traversal": (
        lambda: zipped({**pictures(), "../evil.png": png()}),
        ["unsafe file name '../evil.png'"],
    ),
    "a deep traversal": (
        lambda: zipped({**pictures(), "cat/../../x.png": png()}),
        ["unsafe file name"],
    ),
    "an absolute path": (
        lambda: zipped({**pictures(), "/etc/x.png": png()}),
        ["unsafe file name '/etc/x.png'"],
    ),
    "a drive letter": (lambda: zipped({**pictures(), "C:/x.png": png()}), ["unsafe file name"]),
    "a file outside any folder": (
        lambda: zipped({**pictures(), "x.png": png()}),
        ["'x.png' is not inside a class folder"],
    ),
    "one class only": (lambda: zipped(pictures(classes="cat")), ["one folder ('cat')"]),
    "too few files in a class": (
        lambda: zipped({**pictures(6), "owl/1.png": png()}),
        ["'owl' (1)", "fewer than 3 files"],
    ),
    "no readable image": (
        lambda: zipped({f"{c}/{i}.png": b"nope" for c in "ab" for i in range(3)}),
        ["None of the 6 files"],
    ),
}


@pytest.mark.parametrize(("make", "fragments"), BAD_ZIPS.values(), ids=BAD_ZIPS.keys())
def test_is_a_bad_archive_refused_before_anything_is_stored(
    make: Callable[[], bytes], fragments: list[str]
) -> None:
    data = make()
    refused(lambda: store_zip_upload(data, "mine.zip", "image"), *fragments)


def test_are_folders_and_junk_files_read_as_expected() -> None:
    data = zipped(
        {
            **pictures(2),
            "set/cat/9.png": png(),
            "__MACOSX/cat/._1.png": b"junk",
            "dog/.DS_Store": b"junk",
        }
    )
    members = check_zip(data)
    assert ("cat", "set/cat/9.png") in members
    assert len(members) == 5  # the macOS and Finder leftovers are skipped


# --- images: one broken file is a per-file error, the rest still load -------------------


def bomb_png(width: int = 6000, height: int = 6000) -> bytes:
    """One-bit pixels: tiny on disk, 36 million pixels (at 6000 x 6000) once decoded."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


BROKEN_IMAGES = {
    "a decompression bomb": (bomb_png, "6000 x 6000 pixels"),
    "a bomb past Pillow's own limit": (lambda: bomb_png(20_000, 10_000), "decompression bomb"),
    "a truncated png": (lambda: png((64, 64))[:600], "truncated"),
    "random bytes named .png": (lambda: np.random.default_rng(1).bytes(3000), "not an image"),
    "text named .png": (lambda: b"hello, I am not a picture", "not an image"),
}


@pytest.mark.parametrize(("make", "reason"), BROKEN_IMAGES.values(), ids=BROKEN_IMAGES.keys())
def test_does_a_broken_image_become_a_per_file_error(
    make: Callable[[], bytes], reason: str
) -> None:
    data = zipped({**pictures(5), "dog/broken.png": make()})
    x, y, class_names, errors = read_images_zip(data, size=16)
    assert [name for name, _ in errors] == ["dog/broken.png"]
    assert reason in errors[0][1]
    assert x.shape == (10, 1, 16, 16) and x.dtype == np.float32
    assert class_names == ("cat", "dog") and np.bincount(y).tolist() == [5, 5]
    upload_id = store_zip_upload(data, "pets.zip", "image")
    meta = load_upload(upload_id)
    assert meta["file_errors"][0]["file"] == "'dog/broken.png'"
    assert meta["rows"] == 10


def test_is_every_image_colour_when_one_is() -> None:
    files = {**pictures(3), "dog/red.png": png(colour=(255, 0, 0))}
    x, _, _, errors = read_images_zip(zipped(files), size=8)
    assert errors == [] and x.shape == (7, 3, 8, 8)
    assert x.min() >= 0.0 and x.max() <= 1.0
    grey = read_images_zip(zipped(pictures(3)), size=8)[0]
    assert grey.shape == (6, 1, 8, 8)


def test_does_transparency_become_white() -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (4, 4), (0, 0, 0, 0)).save(buffer, "PNG")
    x, _, _, _ = read_images_zip(zipped({**pictures(3), "cat/clear.png": buffer.getvalue()}))
    assert x.shape[1] == 1 and x[3].min() == 1.0  # sorted: cat/0..2, then cat/clear


def test_does_an_image_upload_train_like_a_built_in_one() -> None:
    upload_id = store_zip_upload(zipped(pictures(6, "cat,dog,owl")), "pets.zip", "image")
    bundle = load_bundle(RunSpec(dataset=f"upload:{upload_id}", model="cnn"))
    assert dataset_kind(f"upload:{upload_id}") == bundle.kind == "image"
    assert bundle.input_shape == (1, 32, 32) and bundle.class_names == ("cat", "dog", "owl")
    meta = json.loads((Path(data_dir()) / "uploads" / upload_id / "meta.json").read_text())
    assert meta["class_counts"] == {"cat": 6, "dog": 6, "owl": 6}


# --- audio archives --------------------------------------------------------------------------


def wav(frequency: float, seconds: float = 0.3, rate: int = 16_000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    buffer = io.BytesIO()
    wavfile.write(buffer, rate, (np.sin(2 * np.pi * frequency * t) * 20_000).astype(np.int16))
    return buffer.getvalue()


def test_does_an_audio_upload_skip_a_broken_clip_and_build() -> None:
    files = {
        f"{name}/{i}.wav": wav(f * (1 + i / 20))
        for name, f in (("low", 220), ("high", 1760))
        for i in range(6)
    }
    files["low/noise.wav"] = np.random.default_rng(2).bytes(2000)
    upload_id = store_zip_upload(zipped(files), "sounds.zip", "audio")
    meta = load_upload(upload_id)
    assert meta["file_error_count"] == 1 and "not a WAV" in meta["file_errors"][0]["reason"]
    bundle = load_bundle(RunSpec(dataset=f"upload:{upload_id}", model="cnn"))
    assert bundle.kind == "audio" and bundle.class_names == ("high", "low")
    assert bundle.x_train.ndim == 4 and np.isfinite(bundle.x_train).all()
