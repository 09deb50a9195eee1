"""Print a frame as json, csv or an aligned table (the CLI's --format)."""

from __future__ import annotations

import json
import sys

import polars as pl

FORMATS = ("table", "json", "csv")
# A cell Excel would run as a formula (= + - @), unless it is a plain number such as -2
_FORMULA = r"^[=+\-@]"
_NUMBER = r"^[+-]?\d+(\.\d+)?$"


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that Excel would read as a formula get a leading apostrophe."""
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_FORMULA) & ~pl.col(name).str.contains(_NUMBER))
        .then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name, dtype in frame.schema.items() if dtype == pl.String
    )


def emit(frame: pl.DataFrame, fmt: str, stream=None) -> None:
    stream = stream or sys.stdout
    if fmt == "json":
        json.dump(frame.to_dicts(), stream, ensure_ascii=False, indent=2, default=str)
        stream.write("\n")
    elif fmt == "csv":
        stream.write(neutralise(frame).write_csv())
    else:
        with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=200, tbl_width_chars=1000,
                       tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True,
                       tbl_formatting="ASCII_MARKDOWN"):
            stream.write(f"{frame}\n" if frame.height else "（无记录）\n")
