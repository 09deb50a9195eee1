"""`safetywh kpis` and `safetywh ranking`: the KPI scoreboard and the township ranking.

Both read the published read-only copy of the warehouse (<home>/published/warehouse.duckdb),
never the writer's file (pipelines/lib/readers.py).
"""

from __future__ import annotations

import argparse
import sys

import duckdb
import polars as pl

from pipelines.cli_zh import HOME_HELP, PERIOD_HELP, date_arg, format_help, period_arg
from warehouse.home import Home

_SCOREBOARD_TABLE = ("label", "value", "unit", "ly_value", "change_text", "target", "status")
_RANKING_TABLE = (
    "rank",
    "movement",
    "township_name",
    "total",
    "s_acc",
    "s_haz",
    "s_enf",
    "s_prep",
    "s_rep",
    "band",
    "red_list",
    "named",
    "weakest_component_label",
)


def _connect(home_arg: str | None) -> duckdb.DuckDBPyConnection:
    from pipelines.lib.numbers import NumbersError
    from pipelines.lib.readers import NoWarehouse, open_reader

    try:
        return open_reader(Home.resolve(home_arg))  # the published copy: never the writer's file
    except NoWarehouse as exc:
        raise NumbersError(str(exc)) from exc


def _table_view(frame: pl.DataFrame, columns: tuple[str, ...], model: str) -> pl.DataFrame:
    """What a person reads: every figure with the decimals of the one rule of
    pipelines.lib.bulletin.wording (the bulletins' too: scores 2, percentages 1, counts 0,
    ‰ 4), fixed within a column; Chinese headers, statuses, 是/否 and — for no value
    (pipelines/lib/labels.py). A table is one screen (19 metrics or 29 townships), so the
    cells are formatted in Python."""
    from pipelines.lib.bulletin.wording import SCORE_DIGITS, fmt_num, fmt_value
    from pipelines.lib.labels import label_frame

    view = frame.select(columns)
    floats = [name for name, dtype in view.schema.items() if dtype == pl.Float64]
    if "unit" in frame.columns:  # the scoreboard: decimals follow each row's unit
        units = frame["unit"].to_list()
        view = view.with_columns(
            pl.Series(
                name, [fmt_value(v, u, with_unit=False) for v, u in zip(view[name].to_list(), units)], dtype=pl.String
            )
            for name in floats
        )
    else:
        view = view.with_columns(
            pl.Series(name, [fmt_num(v, SCORE_DIGITS) for v in view[name].to_list()], dtype=pl.String)
            for name in floats
        )
    return label_frame(view, model=model)


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
    emit(
        _table_view(frame, _SCOREBOARD_TABLE, "kpi_scoreboard_daily") if args.format == "table" else frame, args.format
    )
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
    emit(_table_view(frame, _RANKING_TABLE, "township_rankings") if args.format == "table" else frame, args.format)
    return 0


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", metavar="DIR", help=HOME_HELP)
    parser.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help=format_help("table", ("table", "json", "csv")) + "；json 与 csv 含全部字段",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `kpis` and `ranking` to the safetywh command line."""
    p = subparsers.add_parser(
        "kpis",
        help="截至某日的安全生产指标（年初至该日累计，与去年同期及目标比较）",
        description="截至某日的安全生产指标：年初至该日累计值、去年同期、同比、目标与完成状态。",
    )
    p.add_argument(
        "--as-of",
        dest="as_of",
        type=date_arg,
        required=True,
        metavar="DATE",
        help="统计截止日期（YYYY-MM-DD），须在数据覆盖的日期范围内",
    )
    _add_common(p)
    p.set_defaults(func=cmd_kpis)

    p = subparsers.add_parser(
        "ranking",
        help="某一周、月或季度的乡镇排名",
        description="某一周、月或季度的乡镇（街道）排名：名次、名次变化、总分、各项得分、等次、红榜与通报点名。",
    )
    p.add_argument("--period", type=period_arg, required=True, metavar="PERIOD", help=PERIOD_HELP)
    _add_common(p)
    p.set_defaults(func=cmd_ranking)
