"""Reading a Parquet file with its decoded size bounded before the table is built.

A 2.6 KB Parquet file can hold 200,000 copies of one 9,000-character string (dictionary
encoding stores it once): 1.8 GB as a table. Text columns are read as dictionaries (each
distinct value once) and their decoded length summed from the dictionary lengths and the
indices, so the refusal comes before any value is copied out.
"""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from engine.data.bundle import DataError
from engine.data.csv_checks import megabytes

CELL_BYTES = 8  # what one cell costs besides its text (a pointer or a number)
PARQUET_ERRORS = (pa.ArrowException, OSError, ValueError)


def _is_text(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    checks = (pa.types.is_string, pa.types.is_large_string, pa.types.is_binary)
    return any(check(kind) for check in (*checks, pa.types.is_large_binary))


def _decoded_chars(column: pa.ChunkedArray) -> int:
    """Bytes of text a dictionary column holds once every index is replaced by its value."""
    total = 0
    for chunk in column.chunks:
        lengths = pc.binary_length(chunk.dictionary)
        total += pc.sum(pc.take(lengths, chunk.indices)).as_py() or 0
    return int(total)


def _too_big(size: int, max_bytes: int) -> DataError:
    return DataError(
        f"Read into a table, the file would take about {megabytes(size)}; the limit is "
        f"{megabytes(max_bytes)}. It holds much more (often one long text repeated) than its "
        "size shows. Use a smaller sample."
    )


def read_parquet_bounded(
    data: bytes, max_rows: int, max_columns: int, max_bytes: int
) -> pd.DataFrame:
    """The file as a DataFrame, refused from its footer or its dictionaries when too big."""
    if not (data.startswith(b"PAR1") and data.endswith(b"PAR1")):
        raise DataError("The file is not a Parquet file (it lacks the PAR1 markers).")
    try:
        meta = pq.ParquetFile(io.BytesIO(data)).metadata
        schema = pq.ParquetFile(io.BytesIO(data)).schema_arrow
    except PARQUET_ERRORS as exc:
        raise DataError(f"The Parquet file could not be read ({type(exc).__name__}).") from None
    rows, columns = meta.num_rows, meta.num_columns
    if rows > max_rows or columns > max_columns:
        raise DataError(
            f"The file has {rows:,} rows and {columns:,} columns; the limits are "
            f"{max_rows:,} rows and {max_columns:,} columns."
        )
    pages = sum(
        meta.row_group(g).column(c).total_uncompressed_size
        for g in range(meta.num_row_groups)
        for c in range(meta.num_columns)
    )
    cells = rows * len(schema) * CELL_BYTES
    if max(pages, cells) > max_bytes:
        raise _too_big(max(pages, cells), max_bytes)
    text = [field.name for field in schema if _is_text(field.type)]
    try:
        table = pq.ParquetFile(io.BytesIO(data), read_dictionary=text).read()
        size = cells + sum(_decoded_chars(table.column(name)) for name in text)
        if size > max_bytes:
            raise _too_big(size, max_bytes)
        for name in text:  # back to plain text columns, now known to fit
            field, index = schema.field(name), table.schema.get_field_index(name)
            table = table.set_column(index, field, table[index].cast(field.type))
        frame: pd.DataFrame = table.to_pandas()
        return frame
    except DataError:
        raise
    except PARQUET_ERRORS as exc:
        raise DataError(f"The Parquet file could not be read ({type(exc).__name__}).") from None
