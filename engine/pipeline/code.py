"""'Show as code': a pipeline spec written out as a plain pandas / scikit-learn script.

The script's run(frame) does what engine.pipeline.stages.run_pipeline does (a test runs both
on the same table and compares the outputs); its load() shows how the sources are read,
without the upload checks. Every name from the spec enters the script through repr(), so a
column called '"); import os; ("' stays a string.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any

from engine.data.bundle import DataError
from engine.pipeline.ingest import stored_source
from engine.pipeline.pipeline_spec import STEP_TITLES, PipelineSpec, SqliteSource, UrlSource
from engine.pipeline.sqlite_source import quote_identifier

SCALER_CLASSES = {"standard": "StandardScaler", "minmax": "MinMaxScaler", "robust": "RobustScaler"}
ENCODER_CLASSES = {"onehot": "OneHotEncoder", "ordinal": "OrdinalEncoder"}

HELPERS = '''

def is_number(series: pd.Series) -> bool:
    dtype = series.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def to_number(series: pd.Series, whole: bool, invalid: str) -> pd.Series:
    """Numbers (whole ones as Int64); a value that won't convert stops, or becomes missing."""
    if is_number(series):
        numbers = series.astype("float64")
    else:
        numbers = pd.to_numeric(series.astype("str").str.strip(), errors="coerce")
    bad = series.notna() & numbers.isna()
    if whole:
        bad |= numbers.notna() & (numbers % 1 != 0)
    if bad.any() and invalid == "error":
        raise ValueError(f"{series.name}: not a number in rows {list(series.index[bad])[:5]}")
    return numbers.mask(bad).astype("Int64" if whole else "float64")


def to_dates(series: pd.Series, invalid: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series
    parsed = pd.to_datetime(series.astype("str"), errors="coerce", format="mixed")
    if (series.notna() & parsed.isna()).any() and invalid == "error":
        raise ValueError(f"{series.name}: values that are not dates")
    return parsed


def bounds(values: pd.Series, method: str, limit: float) -> tuple[float, float]:
    """Tukey's fences (Q1 - k*IQR, Q3 + k*IQR), or mean -/+ k population SDs."""
    if method == "iqr":
        q1, q3 = values.quantile([0.25, 0.75])
        return float(q1 - limit * (q3 - q1)), float(q3 + limit * (q3 - q1))
    mean, std = values.mean(), values.std(ddof=0)
    return float(mean - limit * std), float(mean + limit * std)
'''


def _transformer(name: str, step: str, columns: list[str]) -> list[str]:
    return [
        "    transformer = ColumnTransformer(",
        f"        [({name!r}, {step}, {columns!r})],",
        '        remainder="passthrough",',
        "        verbose_feature_names_out=False,",
        '    ).set_output(transform="pandas")',
    ]


def _impute(stage: Any) -> list[str]:
    drop = [c for c, r in stage.columns.items() if r.strategy == "drop"]
    simple = [(c, r) for c, r in stage.columns.items() if r.strategy not in ("drop", "knn")]
    knn = [c for c, r in stage.columns.items() if r.strategy == "knn"]
    lines = [f"    frame = frame.dropna(subset={drop!r})"] if drop else []
    if simple:
        lines += ["    transformer = ColumnTransformer(", "        ["]
        for i, (column, rule) in enumerate(simple):
            fill = f", fill_value={rule.value!r}" if rule.strategy == "constant" else ""
            imputer = f"SimpleImputer(strategy={rule.strategy!r}{fill})"
            lines.append(f"            ({f'impute_{i}'!r}, {imputer}, [{column!r}]),")
        lines += [
            "        ],",
            '        remainder="passthrough",',
            "        verbose_feature_names_out=False,",
            '    ).set_output(transform="pandas")',
            "    frame = transformer.fit_transform(frame)[list(frame.columns)]",
        ]
    if knn:
        lines += [
            "    # KNN: distances over every number column; only the chosen columns are filled",
            "    numeric = [c for c in frame.columns if is_number(frame[c])]",
            f"    imputer = KNNImputer(n_neighbors={stage.knn_neighbors})",
            '    filled = imputer.set_output(transform="pandas").fit_transform(frame[numeric])',
            "    frame = frame.copy()",
            f"    frame[{knn!r}] = filled[{knn!r}]",
        ]
    return lines


def _outliers(stage: Any) -> list[str]:
    lines = ["    frame = frame.copy()"]
    if stage.action == "remove":  # bounds from every row first, then the rows go at once
        lines.append("    outside = pd.Series(False, index=frame.index)")
    lines += [
        f"    for column in {stage.columns!r}:",
        '        values = frame[column].astype("float64")',
        f"        low, high = bounds(values, {stage.method!r}, {stage.limit!r})",
    ]
    if stage.action == "clip":
        return [*lines, "        frame[column] = values.clip(low, high)"]
    return [
        *lines,
        "        outside |= (values < low) | (values > high)",
        "    frame = frame[~outside]",
    ]


def _fix_types(stage: Any) -> list[str]:
    lines = ["    frame = frame.copy()"]
    for column, kind in stage.columns.items():
        source = f"frame[{column!r}]"
        if kind in ("int", "float"):
            value = f"to_number({source}, whole={kind == 'int'}, invalid={stage.invalid!r})"
        elif kind == "datetime":
            value = f"to_dates({source}, invalid={stage.invalid!r})"
        else:
            value = f"{source}.astype({'category' if kind == 'category' else 'str'!r})"
        lines.append(f"    frame[{column!r}] = {value}")
    return lines


def _scale(stage: Any) -> list[str]:
    step = f"{SCALER_CLASSES[stage.method]}()"
    return [
        *_transformer("scale", step, stage.columns),
        "    frame = transformer.fit_transform(frame)[list(frame.columns)]",
    ]


def _encode(stage: Any) -> list[str]:
    if stage.method == "onehot":
        step = 'OneHotEncoder(sparse_output=False, handle_unknown="ignore")'
        last = "    frame = transformer.fit_transform(frame)  # new 0/1 columns first"
    else:
        step = 'OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)'
        last = "    frame = transformer.fit_transform(frame)[list(frame.columns)]"
    return [*_transformer("encode", step, stage.columns), last]


def _deduplicate(stage: Any) -> list[str]:
    subset = f"subset={stage.subset!r}, " if stage.subset else ""
    return [f'    frame = frame[~frame.duplicated({subset}keep="first")]']


def _target(stage: Any) -> list[str]:
    return [f"    frame = frame[frame[{stage.column!r}].notna()]  # rows without a label"]


WRITERS = {
    "impute": _impute,
    "outliers": _outliers,
    "deduplicate": _deduplicate,
    "fix_types": _fix_types,
    "scale": _scale,
    "encode": _encode,
    "target": _target,
}


def _read(source: Any, formats: dict[str, str]) -> str:
    if source.kind == "bundled" and source.name == "penguins":
        return "load_penguins()  # from palmerpenguins import load_penguins"
    if source.kind == "bundled":
        loader = source.name.replace("-", "_")
        return f"sklearn.datasets.load_{loader}(as_frame=True).frame"
    if isinstance(source, SqliteSource):
        database = "demo.sqlite" if source.database == "demo" else "your-database.sqlite"
        query = f"SELECT * FROM {quote_identifier(source.table)}"
        return f"pd.read_sql_query({query!r}, sqlite3.connect({database!r}))"
    if isinstance(source, UrlSource):
        reader = "read_json" if source.url.lower().endswith(".json") else "read_csv"
        return f"pd.{reader}({source.url!r})"
    fmt = formats.get(source.upload_id) or _stored_format(source.upload_id)
    readers = {"excel": "read_excel", "json": "read_json", "parquet": "read_parquet"}
    ending = {"excel": "xlsx"}.get(fmt, fmt)
    return f"pd.{readers.get(fmt, 'read_csv')}({f'your-file.{ending}'!r})"


def _stored_format(source_id: str) -> str:
    try:
        return stored_source(source_id)[1]
    except DataError:
        return "csv"


def _load(spec: PipelineSpec, formats: dict[str, str]) -> list[str]:
    lines = ["def load() -> pd.DataFrame:", '    """The sources, as they would be read by hand."""']
    for i, source in enumerate(spec.sources):
        lines.append(f"    source_{i + 1} = {_read(source, formats)}")
        if spec.join and source.join_column:
            rename = f"columns={{{source.join_column!r}: {spec.join.key!r}}}"
            lines.append(f"    source_{i + 1} = source_{i + 1}.rename({rename})")
    lines.append("    frame = source_1")
    for i in range(2, len(spec.sources) + 1):
        assert spec.join is not None
        join = f"on={spec.join.key!r}, how={spec.join.how!r}, suffixes=('', '_{i}')"
        lines.append(f"    frame = frame.merge(source_{i}, {join})")
    return [*lines, "    return frame"]


def pipeline_code(spec: PipelineSpec, formats: dict[str, str] | None = None) -> str:
    """The script; ``formats`` maps an upload id to its format (else looked up; csv if gone)."""
    steps = {stage.step for stage in spec.stages}
    run = ["def run(frame: pd.DataFrame) -> pd.DataFrame:", '    """Every stage, in order."""']
    for number, stage in enumerate(spec.stages, start=1):
        run.append(f"    # Stage {number}: {STEP_TITLES[stage.step]}")
        run += WRITERS[stage.step](stage)
    run.append("    return frame")
    parts = [
        f'"""Pipeline {spec.name!r} as a pandas / scikit-learn script.',
        "",
        "python pipeline.py [INPUT.parquet OUTPUT.parquet]",
        '"""',
        "",
        *_imports(spec, steps),
        HELPERS,
        "",
        *_load(spec, formats or {}),
        "",
        "",
        *run,
        "",
        "",
        'if __name__ == "__main__":',
        "    table = pd.read_parquet(sys.argv[1]) if len(sys.argv) > 2 else load()",
        "    result = run(table)",
        "    if len(sys.argv) > 2:",
        "        result.to_parquet(sys.argv[2])",
        "    else:",
        "        print(result.head(10))",
        "",
    ]
    return "\n".join(parts)


def _imports(spec: PipelineSpec, steps: AbstractSet[str]) -> list[str]:
    kinds = {s.kind for s in spec.sources}
    lines = ["import sqlite3"] if "sqlite" in kinds else []
    lines += ["import sys", "", "import pandas as pd"]
    if "bundled" in kinds:
        lines += ["import sklearn.datasets", "from palmerpenguins import load_penguins"]
    if steps & {"impute", "scale", "encode"}:
        lines.append("from sklearn.compose import ColumnTransformer")
    if "impute" in steps:
        lines.append("from sklearn.impute import KNNImputer, SimpleImputer")
    classes = sorted(
        {SCALER_CLASSES[s.method] for s in spec.stages if s.step == "scale"}
        | {ENCODER_CLASSES[s.method] for s in spec.stages if s.step == "encode"}
    )
    if classes:
        lines.append(f"from sklearn.preprocessing import {', '.join(classes)}")
    return lines
