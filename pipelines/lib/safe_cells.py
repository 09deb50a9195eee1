"""Cells a spreadsheet would run as a formula, made inert (OWASP "CSV injection").

Every CSV and XLSX the product writes passes sender text through here: a ledger cell
``=HYPERLINK("http://x","y")`` would otherwise run in the leader's Excel. Text beginning
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``, which
Excel and LibreOffice show as text. Only text is touched: a number cell (a negative
number included) stays a number.
"""

from __future__ import annotations

from typing import Any

import polars as pl

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PATTERN = r"^[=+\-@\t\r]"


def safe_text(value: Any) -> Any:
    """``value`` with a ``'`` before a formula trigger when it is text; anything else unchanged."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of ``frame`` neutralised (vectorised); other columns as they are."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return frame
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_PATTERN))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text
    )
