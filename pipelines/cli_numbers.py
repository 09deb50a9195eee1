"""`safetywh kpis` and `safetywh ranking`: the KPI scoreboard and the township ranking.

Both read the published read-only copy of the warehouse (<home>/published/warehouse.duckdb),
never the writer's file (pipelines/lib/readers.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

import duckdb
import polars as pl

from warehouse.home import Home

_SCOREBOARD_TABLE = ("label", "value", "unit", "ly_value", "change_text", "target", "status")
_RANKING_TABLE = (
    "rank", "movement", "township_name", "total", "s_acc", "s_haz", "s_enf", "s_prep", "s_rep", "band",
    "red_list", "named", "weakest_component_label",
)
_STATUS_TEXT = {"met": "达标", "on_track": "受控", "at_risk": "有风险", "breached": "未达标"}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from exc


def _connect(home_arg: str | None) -> duckdb.DuckDBPyConnection:
    from pipelines.lib.numbers import NumbersError

    from pipelines.lib.readers import NoWarehouse, open_reader

    try:
        return open_reader(Home.resolve(home_arg))  # the published copy: never the writer's file
    except NoWarehouse as exc:
        raise NumbersError(str(exc)) from exc


def _table_view(frame: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    """What a person reads: every figure with the decimals of the one rule of
    pipelines.lib.bulletin.wording (the bulletins' too: scores 2, percentages 1, counts 0,
    ‰ 4), fixed within a column; Chinese status; — for no value. A table is one screen
    (19 metrics or 29 townships), so the cells are formatted in Python."""
    from pipelines.lib.bulletin.wording import SCORE_DIGITS, fmt_num, fmt_value

    view = frame.select(columns)
    floats = [name for name, dtype in view.schema.items() if dtype == pl.Float64]
    if "unit" in frame.columns:  # the scoreboard: decimals follow each row's unit
        units = frame["unit"].to_list()
        view = view.with_columns(
            pl.Series(name, [fmt_value(v, u, with_unit=False) for v, u in zip(view[name].to_list(), units)],
                      dtype=pl.String)
            for name in floats
        )
    else:
        view = view.with_columns(
            pl.Series(name, [fmt_num(v, SCORE_DIGITS) for v in view[name].to_list()], dtype=pl.String)
            for name in floats
        )
    if "status" in view.columns:
        view = view.with_columns(pl.col("status").replace_strict(_STATUS_TEXT, default=None))
    return view.with_columns(pl.all().cast(pl.String).fill_null("—"))


def cmd_kpis(args: argparse.Namespace) -> int:
    from pipelines.lib.numbers import NumbersError, scoreboard
    from pipelines.lib.output import emit

    try:
        con = _connect(args.home)
        try:
            frame = scoreboard(con, args.as_of)
        finally:
            con.close()
    except NumbersError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    emit(_table_view(frame, _SCOREBOARD_TABLE) if args.format == "table" else frame, args.format)
    return 0


def cmd_ranking(args: argparse.Namespace) -> int:
    from pipelines.lib.numbers import NumbersError, ranking
    from pipelines.lib.output import emit

    try:
        con = _connect(args.home)
        try:
            frame = ranking(con, args.period)
        finally:
            con.close()
    except NumbersError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    emit(_table_view(frame, _RANKING_TABLE) if args.format == "table" else frame, args.format)
    return 0


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", metavar="DIR", help="warehouse home (default: $SAFETYWH_HOME, then ./warehouse)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table",
                        help="output format (default table; json and csv carry every column)")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `kpis` and `ranking` to the safetywh command line."""
    p = subparsers.add_parser("kpis", help="the KPI scoreboard (kpis.md) as of a date")
    p.add_argument("--as-of", dest="as_of", type=_date, required=True, metavar="DATE",
                   help="the date the figures are as of (YYYY-MM-DD), within the data")
    _add_common(p)
    p.set_defaults(func=cmd_kpis)

    p = subparsers.add_parser("ranking", help="the township ranking (ranking.md) of a week, month or quarter")
    p.add_argument("--period", required=True, metavar="PERIOD",
                   help="ISO week 2023-W14, month 2023-04 or quarter 2023-Q2")
    _add_common(p)
    p.set_defaults(func=cmd_ranking)
