"""Mask personal data (names, 身份证号, phone numbers) before it is stored or shown.

4301241990010112 3X -> 4301**********123X (first and last four kept: the clerk can still
find the row); 13712345678 -> 137****5678; 张三丰 -> 张**.
"""

from __future__ import annotations

import polars as pl


def mask_expr(value: pl.Expr) -> pl.Expr:
    n = value.str.len_chars().cast(pl.Int64)  # u32 would wrap below zero
    # every branch is evaluated, so counts are clipped at 0 (a negative repeat count is fatal)
    stars = lambda k: pl.lit("*").repeat_by(k.clip(lower_bound=0)).list.join("")  # noqa: E731
    return (
        pl.when(value.is_null())
        .then(None)
        .when(n >= 15)
        .then(value.str.slice(0, 4) + stars(n - 8) + value.str.slice(-4))
        .when(n >= 7)
        .then(value.str.slice(0, 3) + stars(n - 7) + value.str.slice(-4))
        .otherwise(value.str.slice(0, 1) + stars((n - 1).clip(lower_bound=1)))
    )


def mask(text: str | None) -> str | None:
    return pl.select(mask_expr(pl.lit(text, dtype=pl.String))).item()


def mask_sql(column: str) -> str:
    """``mask_expr`` as DuckDB SQL over a quoted column, for masking inside the database
    (the published copy); tests/test_hardening_published.py checks both agree."""
    v, n = f"CAST({column} AS VARCHAR)", f"length(CAST({column} AS VARCHAR))"
    return (
        f"CASE WHEN {column} IS NULL THEN NULL"
        f" WHEN {n} >= 15 THEN left({v}, 4) || repeat('*', {n} - 8) || right({v}, 4)"
        f" WHEN {n} >= 7 THEN left({v}, 3) || repeat('*', {n} - 7) || right({v}, 4)"
        f" ELSE left({v}, 1) || repeat('*', greatest({n} - 1, 1)) END"
    )
