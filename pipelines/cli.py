"""`safetywh`: the command line of the county safety warehouse.

Every subcommand takes --home DIR (default $SAFETYWH_HOME, then ./warehouse).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from warehouse.home import Home

FEEDS_HELP = "feed name as in feeds.md, e.g. hazards, accidents"


def add_home(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", metavar="DIR", help="warehouse home (default: $SAFETYWH_HOME, then ./warehouse)")


def add_format(parser: argparse.ArgumentParser, choices=("table", "json"), default="table") -> None:
    parser.add_argument("--format", choices=choices, default=default, help=f"output format (default {default})")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from exc


# ---------------------------------------------------------------- generate

def cmd_generate(args: argparse.Namespace) -> int:
    from pipelines.generate import generate

    home = Home.resolve(args.home)
    out = Path(args.out) if args.out else home.landing
    summary = generate(
        out, seed=args.seed, start=args.start, end=args.end, scale=args.scale, defect_rate=args.defect_rate,
        progress=lambda msg: print(msg, file=sys.stderr),
    )
    print(f"生成完成：{out}")
    print(summary)
    return 0


# ---------------------------------------------------------------- run

def cmd_run(args: argparse.Namespace) -> int:
    from pipelines.lib.run_summary import print_summary
    from pipelines.lib.runner import ProfileUnreadable, WriterBusy, run_pipeline

    home = Home.resolve(args.home)
    print(f"数仓目录：{home.root}", file=sys.stderr)
    try:
        outcome = run_pipeline(home, verbose=args.verbose, force=args.force)
    except (WriterBusy, ProfileUnreadable) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    if not outcome.success:
        print(f"运行失败（系统错误，不是数据问题）：\n{outcome.error}", file=sys.stderr)
        return 1
    if outcome.skipped:
        print(f"未重新运行：{outcome.skipped.reason}，结果与上次成功运行（{outcome.skipped.last_finished_at}，"
              f"{outcome.skipped.last_run_id}）相同。全部重跑：safetywh run --force", file=sys.stderr)
    print_summary(home, outcome.run_id)
    return 0


# ---------------------------------------------------------------- files / quarantine / records

def cmd_files(args: argparse.Namespace) -> int:
    from pipelines.lib.inspect import files_frame
    from pipelines.lib.output import emit

    emit(files_frame(Home.resolve(args.home), feed=args.feed, status=args.status), args.format)
    return 0


def cmd_quarantine(args: argparse.Namespace) -> int:
    from pipelines.lib.inspect import quarantine_frame
    from pipelines.lib.output import emit

    emit(quarantine_frame(Home.resolve(args.home), feed=args.feed, sender=args.sender), args.format)
    return 0


def cmd_records(args: argparse.Namespace) -> int:
    from pipelines.lib.inspect import records_frame
    from pipelines.lib.output import emit

    emit(records_frame(Home.resolve(args.home), args.feed), args.format)
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from pipelines.lib.labels import LabelError
    from pipelines.lib.profile import load_profile
    from pipelines.lib.template import build_template, template_filename

    profile = load_profile()
    try:
        data = build_template(args.feed, profile, sender=args.sender)
    except LabelError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    from pipelines.lib.labels import feed_from_text, sender_from_text

    sender = sender_from_text(profile, args.sender) if args.sender else None
    out = Path(args.out) if args.out else Path(template_filename(feed_from_text(args.feed), profile, sender))
    if out.is_dir():
        out = out / template_filename(feed_from_text(args.feed), profile, sender)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(out)
    return 0


def cmd_dbt_codegen(args: argparse.Namespace) -> int:
    from pipelines.lib import dbt_codegen
    from pipelines.paths import DBT_PROJECT_DIR

    changed = dbt_codegen.write(DBT_PROJECT_DIR)
    for path in changed:
        print(f"wrote {path.relative_to(DBT_PROJECT_DIR.parent)}")
    if not changed:
        print("dbt sources and staging models are up to date with the contracts")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="safetywh",
        description="县级应急管理安全数据仓库 — county safety-analytics warehouse: ingest ledgers, "
        "validate, quarantine, compute KPIs and township rankings.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("generate", help="write a realistic demo landing tree with a defect manifest")
    add_home(p)
    p.add_argument("--out", metavar="DIR", help="landing folder to fill (default <home>/landing)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--start", type=_date, default=dt.date(2022, 1, 1), help="first day (default 2022-01-01)")
    p.add_argument("--end", type=_date, default=dt.date(2023, 12, 31), help="last day (default 2023-12-31)")
    p.add_argument("--scale", type=float, default=1.0, help="volume multiplier (default 1 = one county)")
    p.add_argument("--defect-rate", type=float, default=0.02, help="share of rows made defective (default 0.02)")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("run", help="ingest new landing files, validate, quarantine, build dbt, publish")
    add_home(p)
    p.add_argument("-v", "--verbose", action="store_true", help="show every step's log, dbt's included")
    p.add_argument("--force", action="store_true",
                   help="run every step even when no landing file, code, setting or clock hour changed since the "
                        "last successful run (otherwise such a run stops at once: it could change nothing)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("files", help="every file ever received, with status and row counts")
    add_home(p)
    add_format(p, ("table", "json", "csv"))
    p.add_argument("--feed", help=FEEDS_HELP)
    p.add_argument("--status", choices=("loaded", "rejected", "duplicate"))
    p.set_defaults(func=cmd_files)

    p = sub.add_parser("quarantine", help="every quarantined cell: file, Excel row, column, value, rule")
    add_home(p)
    add_format(p, ("table", "json", "csv"))
    p.add_argument("--feed", help=FEEDS_HELP)
    p.add_argument("--sender", help="sender code, e.g. YJJ or 430182001")
    p.set_defaults(func=cmd_quarantine)

    p = sub.add_parser("records", help="the current version of every record of a feed")
    add_home(p)
    p.add_argument("feed", help=FEEDS_HELP)
    add_format(p, ("json", "csv", "table"), default="json")
    p.set_defaults(func=cmd_records)

    p = sub.add_parser("template", help="the Excel template of a feed for a sender")
    p.add_argument("feed", metavar="FEED", help=FEEDS_HELP)
    p.add_argument("--sender", metavar="CODE", help="sender code, e.g. YJJ or 430182001")
    p.add_argument("--out", metavar="PATH", help="file or folder to write (default: the current folder)")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("dbt-codegen", help="regenerate dbt sources and staging models from the feed contracts")
    p.set_defaults(func=cmd_dbt_codegen)

    for module in _command_modules():
        module.register(sub)
    return parser


def _command_modules() -> list:
    """Command groups that live beside their features (numbers, alerts, dashboards, bulletins)."""
    import importlib

    modules = []
    for name in ("pipelines.cli_numbers", "pipelines.cli_alerts", "pipelines.cli_publish", "dashboards.cli"):
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules


def main(argv: list[str] | None = None) -> int:
    from pipelines.lib.readers import NoWarehouse

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except NoWarehouse as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except KeyError as exc:
        print(f"错误：{exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
