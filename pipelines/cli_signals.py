"""`safetywh signals` and `safetywh risk`: the under-reporting clues and the township risk
level (README "Early warning") as of a date. Both read the published read-only copy of
the warehouse (or the writer's file when no run holds it) and never write.

The marts hold every Sunday and the latest data day; for another date the latest computed
date before it is shown, and a Chinese note on stderr says so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

import polars as pl

from pipelines.lib.labels import header_for, value_text


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from exc


def _open(home_arg: str | None):
    from pipelines.lib.readers import open_reader
    from warehouse.home import Home

    return open_reader(Home.resolve(home_arg))


def _emit_records(records: list[dict], table: pl.DataFrame, fmt: str) -> None:
    from pipelines.lib.output import emit

    if fmt == "json":
        json.dump(records, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    elif fmt == "csv":
        emit(table, "csv")  # emit neutralises formula cells
    else:
        emit(table, "table")


def _chinese(rows: list[dict], columns: tuple[str, ...]) -> pl.DataFrame:
    """A table for a person: its headers from the label registry (pipelines/vocabulary.yaml)."""
    frame = pl.DataFrame(rows, schema={c: pl.String for c in columns})
    return frame.rename({c: header_for(c) for c in columns})


def _read_as_of(args: argparse.Namespace, *readers):
    """The frames ``readers`` (each ``reader(con, date)``) give as of the computed date that
    --as-of resolves to, or None after a Chinese error; the date's note goes to stderr."""
    from pipelines.lib import signals as lib

    try:
        con = _open(args.home)
        try:
            when = lib.resolve_as_of(con, args.as_of)
            frames = [reader(con, when.used) for reader in readers]
        finally:
            con.close()
    except lib.SignalsError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return None
    if when.note:
        print(when.note, file=sys.stderr)
    return frames


def cmd_signals(args: argparse.Namespace) -> int:
    from pipelines.lib import signals as lib

    read = _read_as_of(args, lib.signals_frame)
    if read is None:
        return 2
    records = lib.signals_records(read[0])
    table = _chinese(
        [
            {
                "as_of": r["as_of"],
                "township_code": r["township_code"],
                "township_name": r["township_name"],
                "signal_label": r["signal_label"],
                "fires": value_text(r["fires"]),
                "clue": r["clue"] or value_text(None),
            }
            for r in records
        ],
        ("as_of", "township_code", "township_name", "signal_label", "fires", "clue"),
    )
    if args.format == "csv":
        table = pl.DataFrame(
            [
                {
                    **{k: v for k, v in r.items() if k != "figures"},
                    **{f"{r['signal']}__{k}": v for k, v in r["figures"].items()},
                }
                for r in records
            ]
        )
    _emit_records(records, table, args.format)
    return 0


def cmd_risk(args: argparse.Namespace) -> int:
    from pipelines.lib import signals as lib

    read = _read_as_of(args, lib.risk_frame, lib.indicators_frame)
    if read is None:
        return 2
    risk, indicators = read
    records = lib.risk_records(risk, indicators)
    if args.format == "csv":
        table = risk.with_columns(pl.col("as_of").cast(pl.String))
    else:
        table = _chinese(
            [
                {
                    "as_of": r["as_of"],
                    "township_code": r["township_code"],
                    "township_name": r["township_name"],
                    "score": str(r["score"]),
                    "risk_level": f"{r['level']}（{r['level_name']}）"
                    + ("，挂牌督办重大隐患逾期" if r["is_floored"] else ""),
                    "indicators": "；".join(
                        f"{i['label']}{i['figure']}{i['unit']}（{i['points']}分）" for i in r["indicators"]
                    )
                    or value_text(None),
                }
                for r in records
            ],
            ("as_of", "township_code", "township_name", "score", "risk_level", "indicators"),
        )
    _emit_records(records, table, args.format)
    return 0


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of",
        dest="as_of",
        type=_date,
        required=True,
        metavar="DATE",
        help="截至日期 YYYY-MM-DD（按周日计算；非周日取此前最近的计算日并提示）",
    )
    parser.add_argument("--home", metavar="DIR", help="数仓目录（默认 $SAFETYWH_HOME，其次 ./warehouse）")
    parser.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="输出格式（默认 table；json 与 csv 含全部数值）",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `signals` and `risk` to the safetywh command line."""
    p = subparsers.add_parser("signals", help="漏报瞒报线索：每个乡镇四项线索是否触发及其数据")
    _add_common(p)
    p.set_defaults(func=cmd_signals)
    p = subparsers.add_parser("risk", help="乡镇风险预警等级（红橙黄蓝）、分值及构成指标")
    _add_common(p)
    p.set_defaults(func=cmd_risk)
