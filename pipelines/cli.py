"""`safetywh`: the command line of the county safety warehouse.

Every subcommand takes --home DIR (default $SAFETYWH_HOME, then ./warehouse).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import shutil
import sys
from pathlib import Path

from pipelines.cli_zh import (
    FEED_HELP,
    HOME_HELP,
    SENDER_HELP,
    ChineseParser,
    chinese_argparse,
    date_arg,
    feed_arg,
    float_arg,
    format_help,
    int_arg,
    sender_arg,
    status_arg,
    status_choices_text,
)
from warehouse.home import Home

FILE_STATUSES = ("loaded", "rejected", "duplicate")


def add_home(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", metavar="DIR", help=HOME_HELP)


def add_format(parser: argparse.ArgumentParser, choices=("table", "json"), default="table") -> None:
    parser.add_argument("--format", choices=choices, default=default, help=format_help(default, choices))


# ---------------------------------------------------------------- generate


def cmd_generate(args: argparse.Namespace) -> int:
    from pipelines.generate import generate

    home = Home.resolve(args.home)
    out = Path(args.out) if args.out else home.landing
    summary = generate(
        out,
        seed=args.seed,
        start=args.start,
        end=args.end,
        scale=args.scale,
        defect_rate=args.defect_rate,
        progress=lambda msg: print(msg, file=sys.stderr),
    )
    print(f"生成完成：{out}")
    print(summary.describe())
    return 0


# ---------------------------------------------------------------- run


def cmd_run(args: argparse.Namespace) -> int:
    from pipelines.lib.run_summary import print_summary
    from pipelines.lib.runner import HomeNotWritable, ProfileUnreadable, WriterBusy, run_pipeline
    from warehouse.file_lock import WarehouseLocked

    home = Home.resolve(args.home)
    if not home.landing.is_dir():
        # a mistyped --home would otherwise build an empty warehouse and tell every sender
        # that all their ledgers are missing
        print(
            f"错误：{home.root} 不是数仓目录（其中没有报送文件夹 landing/）。请检查 --home；"
            f"如要在此新建数仓目录，请先运行：{command_prefix()} init --home {shlex.quote(str(home.root))}",
            file=sys.stderr,
        )
        return 2
    print(f"数仓目录：{home.root}", file=sys.stderr)
    try:
        outcome = run_pipeline(home, verbose=args.verbose, force=args.force)
    except (WriterBusy, ProfileUnreadable, WarehouseLocked, HomeNotWritable) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    if not outcome.success:
        print(f"运行失败（系统错误，不是数据问题）：\n{outcome.error}", file=sys.stderr)
        return 1
    if outcome.skipped:
        print(
            f"未重新运行：{outcome.skipped.reason}，结果与上次成功运行（{outcome.skipped.last_finished_at}，"
            f"{outcome.skipped.last_run_id}）相同。全部重跑：{command_prefix()} run --force "
            f"--home {shlex.quote(str(home.root))}",
            file=sys.stderr,
        )
    print_summary(home, outcome.run_id, changed=outcome.changed)
    return 0


# ---------------------------------------------------------------- files / quarantine / records


def cmd_files(args: argparse.Namespace) -> int:
    from pipelines.lib.inspect import files_frame
    from pipelines.lib.output import emit

    emit(for_people(files_frame(Home.resolve(args.home), feed=args.feed, status=args.status), args.format), args.format)
    return 0


def cmd_quarantine(args: argparse.Namespace) -> int:
    from pipelines.lib.inspect import quarantine_frame
    from pipelines.lib.output import emit

    frame = quarantine_frame(Home.resolve(args.home), feed=args.feed, sender=args.sender)
    if args.format == "table":
        frame = frame.drop("column_name")  # the canonical name: json and csv keep it, people read the header
    emit(for_people(frame, args.format), args.format)
    return 0


def cmd_records(args: argparse.Namespace) -> int:
    from pipelines.lib.inspect import records_frame
    from pipelines.lib.output import emit

    emit(for_people(records_frame(Home.resolve(args.home), args.feed), args.format, feed=args.feed), args.format)
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
    name = template_filename(args.feed, profile, args.sender)
    out = Path(args.out) if args.out else Path(name)
    if out.is_dir():
        out = out / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(out)
    return 0


def cmd_spec(args: argparse.Namespace) -> int:
    from pipelines.lib.profile import load_profile
    from pipelines.lib.spec_doc import build_spec, spec_filename

    profile = load_profile()
    folder = Path(args.out) if args.out else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    for fmt in ("docx", "pdf"):
        target = folder / spec_filename(profile, fmt)
        target.write_bytes(build_spec(profile, fmt))
        print(target)
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from pipelines.lib.contracts import load_contracts

    home = Home.resolve(args.home)
    made = []
    for feed in ["", *load_contracts()]:
        folder = home.landing / feed if feed else home.landing
        if not folder.is_dir():
            folder.mkdir(parents=True)
            made.append(folder)
    if not made:
        print(f"数仓目录 {home.root} 已就绪，无需新建。")
        return 0
    print(f"已在 {home.root} 新建报送文件夹：")
    labels = load_contracts()
    for folder in made:
        label = f"（{labels[folder.name].label}）" if folder.name in labels else ""
        print(f"  {folder}{label}")
    print(
        f"报送单位将文件放入 landing/<数据类别>/<报送单位代码>/ 后，运行：{command_prefix()} run --home "
        f"{shlex.quote(str(home.root))}"
    )
    return 0


def cmd_dbt_codegen(args: argparse.Namespace) -> int:
    from pipelines.lib import dbt_codegen
    from pipelines.paths import DBT_PROJECT_DIR

    changed = dbt_codegen.write(DBT_PROJECT_DIR)
    for path in changed:
        print(f"已写入 {path.relative_to(DBT_PROJECT_DIR.parent)}")
    if not changed:
        print("dbt 数据源与 staging 模型已与数据契约一致，无需更新")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseParser(
        prog="safetywh",
        description="县级应急管理安全数据仓库：接收各单位报送的台账，校验、隔离错误行并提醒报送单位，"
        "计算安全生产指标与乡镇排名，生成通报与看板。",
        epilog="各命令的用法：safetywh 命令 --help",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", title="命令")

    p = sub.add_parser(
        "init",
        help="新建数仓目录：报送文件夹 landing/ 及每个数据类别的子文件夹",
        description="新建数仓目录及其报送文件夹 landing/<数据类别>/。"
        "safetywh run 只接受已有报送文件夹的数仓目录，以免写错目录时向所有单位发出“未报送”提醒。",
    )
    add_home(p)
    p.set_defaults(func=cmd_init)

    p = sub.add_parser(
        "generate",
        help="生成演示数据：模拟各单位真实报送的台账及错误清单",
        description="按各单位真实报送的样子生成演示台账（标题行、合计行、GBK 编码、各种日期写法），"
        "并在 _generator/defects.csv 中记录每一处故意制造的错误。",
    )
    add_home(p)
    p.add_argument("--out", metavar="DIR", help="要生成的报送文件夹（默认 <数仓目录>/landing）")
    p.add_argument("--seed", type=int_arg, default=7, metavar="N", help="随机种子（默认 7）")
    p.add_argument(
        "--start", type=date_arg, default=dt.date(2022, 1, 1), metavar="DATE", help="起始日期（默认 2022-01-01）"
    )
    p.add_argument(
        "--end", type=date_arg, default=dt.date(2023, 12, 31), metavar="DATE", help="截止日期（默认 2023-12-31）"
    )
    p.add_argument("--scale", type=float_arg, default=1.0, metavar="F", help="数据量倍数（默认 1，即一个县）")
    p.add_argument("--defect-rate", type=float_arg, default=0.02, metavar="F", help="出错行的比例（默认 0.02）")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser(
        "run",
        help="处理新收到的文件：读取、校验、隔离、计算指标、更新看板副本",
        description="处理报送文件夹中新收到的文件：读取、校验、隔离错误行、生成数据质量提醒、"
        "计算指标与排名（dbt），并更新看板使用的只读副本。数据有错不会使运行失败（退出码 0）；"
        "只有系统故障才返回非零。",
    )
    add_home(p)
    p.add_argument("-v", "--verbose", action="store_true", help="显示每一步的日志（含 dbt）")
    p.add_argument(
        "--force",
        action="store_true",
        help="即使自上次成功运行以来文件、代码、配置和整点时间都没有变化，也重新运行每一步"
        "（否则这样的运行会立即结束：结果不会改变）",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "files",
        help="收到过的每个文件：状态与行数",
        description="收到过的每个文件：路径、数据类别、报送单位、校验值、接收时间、状态、"
        "总行数／入库／隔离／跳过行数、拒收原因。",
    )
    add_home(p)
    add_format(p, ("table", "json", "csv"))
    p.add_argument("--feed", type=feed_arg, metavar="FEED", help=FEED_HELP)
    p.add_argument(
        "--status",
        type=status_arg(FILE_STATUSES),
        metavar="STATUS",
        help="只看该状态的文件：" + status_choices_text(FILE_STATUSES),
    )
    p.set_defaults(func=cmd_files)

    p = sub.add_parser(
        "quarantine",
        help="每个被隔离的单元格：文件、Excel 行号、列、值、规则、原因",
        description="每个被隔离的单元格：文件、Excel 行号（含标题行和表头行，从 1 起）、中文列名、"
        "值（个人信息已脱敏）、违反的规则及原因。",
    )
    add_home(p)
    add_format(p, ("table", "json", "csv"))
    p.add_argument("--feed", type=feed_arg, metavar="FEED", help=FEED_HELP)
    p.add_argument("--sender", type=sender_arg, metavar="CODE", help=SENDER_HELP)
    p.set_defaults(func=cmd_quarantine)

    p = sub.add_parser(
        "records",
        help="某一数据类别每条记录的现行版本",
        description="某一数据类别每条记录的现行版本（以最后收到的为准），乡镇为统计区划代码，个人信息已脱敏。",
    )
    add_home(p)
    p.add_argument("feed", type=feed_arg, metavar="FEED", help=FEED_HELP)
    add_format(p, ("json", "csv", "table"), default="json")
    p.set_defaults(func=cmd_records)

    p = sub.add_parser(
        "template",
        help="某一数据类别的 Excel 报送模板",
        description="按数据契约生成报送模板（.xlsx）：第一张表为填表说明，"
        "第二张为台账（标题行、中文表头、下拉列表、日期与数字格式）。",
    )
    p.add_argument("feed", type=feed_arg, metavar="FEED", help=FEED_HELP)
    p.add_argument("--sender", type=sender_arg, metavar="CODE", help=SENDER_HELP + "；乡镇模板只列本乡镇")
    p.add_argument("--out", metavar="PATH", help="写入的文件或文件夹（默认当前文件夹）")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser(
        "spec",
        help="写出数据报送规范（Word 与 PDF），供分发给各报送单位",
        description="按数据契约与县级配置写出《数据报送规范》：每类数据的列、是否必填、类型、填写规则、"
        "允许填写的值、记录编号、报送时限，报送方式与台账填写要求，附报送单位代码表。",
    )
    p.add_argument("--out", metavar="DIR", help="写入的文件夹（默认当前文件夹）")
    p.set_defaults(func=cmd_spec)

    p = sub.add_parser(
        "dbt-codegen",
        help="按数据契约重新生成 dbt 数据源与 staging 模型",
        description="按数据契约（pipelines/contracts）重新生成 dbt 数据源与 staging 模型。",
    )
    p.set_defaults(func=cmd_dbt_codegen)

    for module in _command_modules():
        module.register(sub)
    return parser


_USER_PATH: list[str | None] = [None]  # the PATH the user started us with (a run adds .venv/bin to it)


def command_prefix() -> str:
    """How to start safetywh so that a printed command runs as printed: `safetywh` when it is
    on the user's PATH, else the full path of the script beside this Python (.venv/bin)."""
    import os

    found = shutil.which("safetywh", path=_USER_PATH[0] if _USER_PATH[0] is not None else os.environ.get("PATH"))
    beside = Path(sys.executable).with_name("safetywh")
    if found and Path(found).resolve() == beside.resolve():
        return "safetywh"
    if beside.exists():
        return shlex.quote(str(beside))
    return f"{shlex.quote(sys.executable)} -m pipelines"


def for_people(frame, fmt: str, feed: str | None = None, model: str | None = None):
    """Chinese headers and values for a table a person reads; json and csv keep the canonical
    names and values (scripts and spreadsheets join on them)."""
    if fmt != "table":
        return frame
    from pipelines.lib.labels import label_frame

    return label_frame(frame, feed=feed, model=model)


def _command_modules() -> list:
    """Command groups that live beside their features (numbers, alerts, dashboards, bulletins)."""
    import importlib

    modules = []
    for name in (
        "pipelines.cli_numbers",
        "pipelines.cli_alerts",
        "pipelines.cli_publish",
        "pipelines.cli_mailbox",
        "pipelines.cli_signals",
        "pipelines.cli_serve",
        "dashboards.cli",
    ):
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules


def main(argv: list[str] | None = None) -> int:
    import os

    import duckdb

    from pipelines.lib.labels import LabelError
    from pipelines.lib.readers import NoWarehouse

    _USER_PATH[0] = os.environ.get("PATH", "")
    with chinese_argparse():
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:  # --help (0) or a usage error (2): the exit status, like a command's
            return exc.code if isinstance(exc.code, int) else 2
    try:
        return args.func(args)
    except (NoWarehouse, LabelError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except duckdb.CatalogException:
        # the published copy of a home whose runs all failed holds only the alert tables
        print("错误：只读副本中还没有这些数据：请先完成一次成功的 `safetywh run`", file=sys.stderr)
        return 2
    except KeyError as exc:
        print(f"错误：{exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
