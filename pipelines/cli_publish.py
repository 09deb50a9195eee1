"""`safetywh publish --period 2023-W14|2023-04|2023-Q2`: the weekly bulletin (周通报), the
monthly ranking (月排名) or the quarterly assessment (季考核) as Word, PDF and Excel.

Writes <home>/publications/<period>/ (the latest files, every issued version under
archive/, manifest.json with sha256) and prints the three paths. The Dagster assets of
pipelines/defs/bulletins call the same function.
"""

from __future__ import annotations

import argparse
import sys

from pipelines.cli_zh import HOME_HELP, PERIOD_HELP, period_arg
from warehouse.home import Home

_MAIL_TEXT = {
    "sent": "已发送至领导邮箱",
    "partly_sent": "部分发送失败",
    "failed": "发送失败",
    "smtp_not_configured": "未配置 SMTP，未发送邮件",
    "unchanged_not_resent": "内容与已发送版本相同，未重复发送",
    "no_recipients": "未配置领导邮箱（contacts.leadership），未发送",
    "not_requested": "未发送邮件（--no-mail）",
    "no_sender": "邮件发送模块不可用，未发送",
}


def cmd_publish(args: argparse.Namespace) -> int:
    from pipelines.lib.bulletin.fonts import MissingChineseFontsError
    from pipelines.lib.bulletin.publish import publish
    from pipelines.lib.numbers import NumbersError

    home = Home.resolve(args.home)
    try:
        result = publish(home, args.period, send_mail=not args.no_mail)
    except (NumbersError, MissingChineseFontsError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    for path in result.paths:
        print(path)
    version = result.version
    note = "，内容与上一版相同" if version.same_as_previous else ""
    print(
        f"{result.content['document']['title']}（{result.content['document']['doc_number']}）："
        f"第{version.number}版，存档 {version.archive_dir}{note}；"
        f"{_MAIL_TEXT.get(result.mail.get('status'), result.mail.get('status'))}",
        file=sys.stderr,
    )
    return 0 if result.mail.get("status") not in ("failed", "partly_sent") else 1


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "publish",
        help="写出周通报、月排名或季考核（Word、PDF、Excel）",
        description="写出某一周期的周通报、月排名或季考核（Word、PDF、Excel），保存到 <数仓目录>/publications/<周期>/，"
        "旧版本存档于 archive/；配置了 SMTP 时发送至县级配置中的领导邮箱。",
    )
    p.add_argument("--period", type=period_arg, required=True, metavar="PERIOD", help=PERIOD_HELP)
    p.add_argument("--home", metavar="DIR", help=HOME_HELP)
    p.add_argument("--no-mail", action="store_true", help="即使已配置 SMTP，也不发送给领导邮箱")
    p.set_defaults(func=cmd_publish)
