"""Print a frame as json, csv or an aligned table (the CLI's --format)."""

from __future__ import annotations

import json
import sys

import polars as pl

from pipelines.lib.safe_cells import safe_frame

FORMATS = ("table", "json", "csv")


def emit(frame: pl.DataFrame, fmt: str, stream=None) -> None:
    stream = stream or sys.stdout
    if fmt == "json":
        json.dump(frame.to_dicts(), stream, ensure_ascii=False, indent=2, default=str)
        stream.write("\n")
    elif fmt == "csv":
        stream.write(safe_frame(frame).write_csv())  # a spreadsheet opens it: no cell may run
    else:
        with pl.Config(
            tbl_rows=-1,
            tbl_cols=-1,
            fmt_str_lengths=200,
            tbl_width_chars=1000,
            tbl_hide_dataframe_shape=True,
            tbl_hide_column_data_types=True,
            tbl_formatting="ASCII_MARKDOWN",
        ):
            stream.write(f"{frame}\n" if frame.height else "（无记录）\n")
