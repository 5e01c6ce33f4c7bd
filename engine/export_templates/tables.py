"""The "data" section for tables and texts: penguins, wine, breast cancer, the competency
sentences and uploaded CSV files (copied beside the script as data.csv)."""

from __future__ import annotations

from typing import Any

from engine.data import tabular, text
from engine.data.csv_checks import MISSING_TEXT
from engine.export_templates import Piece, piece, setting, source_of
from engine.export_templates.files import HERE, HERE_IMPORT
from engine.spec import RunSpec

PANDAS = "import pandas as pd"


def encoding_pieces() -> list[Piece]:
    """Columns to numbers: the engine's own preprocessing, fitted on training rows only."""
    helpers = piece(
        source_of(
            tabular.column_types,
            tabular.make_preprocessor,
            tabular.label_strings,
            tabular.sorted_labels,
        ),
        [
            PANDAS,
            "from sklearn.compose import ColumnTransformer",
            "from sklearn.impute import SimpleImputer",
            "from sklearn.pipeline import make_pipeline",
            "from sklearn.preprocessing import OneHotEncoder, StandardScaler",
        ],
        [setting("MAX_CATEGORIES", tabular.MAX_CATEGORIES, "rarer categories share a column")],
    )
    encode = piece(
        '''
        def encode_table(frame, target):
            """Labels as class ids and every other column as numbers. The preprocessor is fitted
            on the training rows only: medians, means and categories never see the test rows."""
            frame = frame[frame[target].notna()]
            labels = label_strings(frame[target])
            class_names = sorted_labels(labels)
            y = labels.map({label: i for i, label in enumerate(class_names)}).to_numpy(np.int64)
            features = frame.drop(columns=[target])
            train, val, test = split_indices(y)
            numeric, categorical = column_types(features)
            transformer = make_preprocessor(numeric, categorical)
            transformer.fit(features.iloc[train])
            x = np.asarray(transformer.transform(features), dtype=np.float32)  # (N, D)
            return split_data(x, y, (train, val, test), tuple(class_names))
        '''
    )
    return [helpers, encode]


def builtin_table_pieces(spec: RunSpec) -> list[Piece]:
    if spec.dataset == "penguins":
        loader = piece(
            '''
            def load_data():
                """The Palmer penguins (palmerpenguins package): predict the species from the
                island, the measurements, sex and year; some cells are missing."""
                frame = load_penguins()[["species", *PENGUIN_FEATURES]]
                frame = frame[frame["species"].notna()].reset_index(drop=True)
                return encode_table(frame, "species")
            ''',
            ["from palmerpenguins import load_penguins"],
            [setting("PENGUIN_FEATURES", tabular.PENGUIN_FEATURES)],
        )
    else:
        load = {"wine": "load_wine", "breast-cancer": "load_breast_cancer"}[spec.dataset]
        loader = piece(
            f'''
            def load_data():
                """scikit-learn's {spec.dataset} table; the class names go in "target"."""
                bunch = {load}(as_frame=True)
                frame = bunch.frame.copy()
                frame["target"] = np.asarray(bunch.target_names)[bunch.target.to_numpy()]
                return encode_table(frame, "target")
            ''',
            [f"from sklearn.datasets import {load}"],
        )
    return [*encoding_pieces(), loader]


def read_table_piece() -> Piece:
    """Reading an uploaded CSV into the same table the app's checks produced."""
    return piece(
        '''
        def decode_text(raw):
            """The file's text: UTF-8 (with or without a BOM), UTF-16 with a BOM, else cp1252."""
            if raw.startswith(codecs.BOM_UTF8):
                return raw.decode("utf-8-sig")
            if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return raw.decode("utf-16")
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                return raw.decode("cp1252")


        def read_table(path):
            """The CSV as the app read it: every cell as text, markers such as "NA" or "null" as
            missing, blank rows dropped, and columns holding only numbers made numbers."""
            text = decode_text(path.read_bytes())
            header = text.split("\\n", 1)[0]  # European spreadsheets separate with ; or tab
            delimiter = max([",", ";", "\\t"], key=lambda d: (header.count(d), d == ","))
            frame = pd.read_csv(
                io.StringIO(text), sep=delimiter, dtype=str, na_filter=False, skip_blank_lines=False
            )
            frame.columns = [str(name).strip() for name in frame.columns]
            blank = frame.apply(lambda column: column.str.strip() == "").all(axis=1)
            frame = frame[~blank].astype(object)
            frame = frame.mask(frame.apply(lambda col: col.str.strip().str.lower().isin(MISSING)))
            for name in frame.columns:
                present = frame[name].dropna().str.strip()
                if len(present) and pd.to_numeric(present, errors="coerce").notna().all():
                    frame[name] = pd.to_numeric(frame[name].str.strip(), errors="coerce")
            return frame
        ''',
        ["import codecs", "import io", PANDAS, HERE_IMPORT],
        [HERE, setting("MISSING", sorted(MISSING_TEXT), "empty cells")],
    )


def table_upload_pieces(meta: dict[str, Any]) -> list[Piece]:
    loader = piece(
        '''
        def load_data():
            """The uploaded table (data.csv beside this script); TARGET is the column to predict."""
            return encode_table(read_table(HERE / "data.csv"), TARGET)
        ''',
        settings=[setting("TARGET", meta["target"], "the label column")],
    )
    return [read_table_piece(), *encoding_pieces(), loader]


def text_pieces(spec: RunSpec) -> list[Piece]:
    """Words to token ids: the engine's own tokenizer and vocabulary."""
    helpers = piece(
        source_of(text.tokenize, text.encode, text.fit_vocabulary),
        [
            "import re",
            "from collections.abc import Mapping, Sequence",
            "from sklearn.feature_extraction.text import CountVectorizer",
        ],
        [
            setting("TOKEN_PATTERN", text.TOKEN_PATTERN, "words, numbers and contractions"),
            setting("PAD_ID", text.PAD_ID),
            setting("UNKNOWN_ID", text.UNKNOWN_ID),
            setting("SPECIAL_TOKENS", text.SPECIAL_TOKENS),
            setting("VOCAB_SIZE", spec.vocab_size, "the most frequent words get an id"),
            setting("TEXT_MAX_TOKENS", spec.text_max_tokens, "longer texts are cut"),
        ],
    )
    encode = piece(
        '''
        def encode_texts(texts, y, class_names):
            """Texts as padded token ids, (N, TEXT_MAX_TOKENS) int64. The vocabulary comes from
            the training rows only: words seen only in validation or test become "unknown",
            just as a new learner's words would."""
            train, val, test = split_indices(y)
            vocab = fit_vocabulary([texts[i] for i in train], VOCAB_SIZE)
            index = {word: i for i, word in enumerate(vocab)}
            x = np.array([encode(t, index, TEXT_MAX_TOKENS) for t in texts], dtype=np.int64)
            return split_data(x, y, (train, val, test), class_names, vocab_size=len(vocab))
        '''
    )
    return [helpers, encode]


def sentences_pieces(spec: RunSpec) -> list[Piece]:
    loader = piece(
        '''
        def load_data():
            """Learner sentences (data.csv beside this script), each labelled with the
            competency it shows."""
            frame = pd.read_csv(HERE / "data.csv", dtype=str, keep_default_na=False)
            lookup = {label: i for i, label in enumerate(COMPETENCY_LABELS)}
            y = np.array([lookup[label] for label in frame["label"]], dtype=np.int64)
            return encode_texts(list(frame["text"]), y, COMPETENCY_LABELS)
        ''',
        [PANDAS, HERE_IMPORT],
        [HERE, setting("COMPETENCY_LABELS", text.COMPETENCY_LABELS, "class ids in this order")],
    )
    return [*text_pieces(spec), loader]


def text_upload_pieces(spec: RunSpec, meta: dict[str, Any]) -> list[Piece]:
    loader = piece(
        '''
        def load_data():
            """The uploaded texts (data.csv beside this script) and their labels."""
            frame = read_table(HERE / "data.csv")
            frame = frame[frame[TARGET].notna()]
            texts = frame[TEXT_COLUMN].fillna("").astype(str).tolist()
            labels = label_strings(frame[TARGET])
            class_names = sorted_labels(labels)
            y = labels.map({name: i for i, name in enumerate(class_names)}).to_numpy(np.int64)
            return encode_texts(texts, y, tuple(class_names))
        ''',
        settings=[
            setting("TARGET", meta["target"], "the label column"),
            setting("TEXT_COLUMN", meta["text_column"], "the column of texts"),
        ],
    )
    labels = piece(source_of(tabular.label_strings, tabular.sorted_labels), [PANDAS])
    return [read_table_piece(), *text_pieces(spec), labels, loader]
