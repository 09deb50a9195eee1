"""`safetywh mailbox`: file the ledgers clerks e-mail to the bureau's reporting mailbox
(IMAP, settings SAFETYWH_IMAP_*) and answer each sender with the portal's receipt."""

from __future__ import annotations

import argparse
import sys
import time

from pipelines.cli_zh import HOME_HELP, format_help
from warehouse.home import Home

DEFAULT_INTERVAL = 300


def cmd_mailbox(args: argparse.Namespace) -> int:
    import imaplib

    from pipelines.lib.mailbox import ImapConfigError, MailboxBusy, poll_mailbox
    from pipelines.lib.profile import load_profile

    home = Home.resolve(args.home)
    while True:
        try:
            result = poll_mailbox(home, load_profile())
        except (ImapConfigError, MailboxBusy) as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        except (imaplib.IMAP4.error, OSError) as exc:
            # the server or the network: try again next time, or say so once
            print(f"报送邮箱连接失败：{type(exc).__name__}: {exc}", file=sys.stderr)
            if args.once:
                return 1
        else:
            print(result.summary())
            for path in result.filed:
                print(f"  入库：landing/{path}")
            if not result.configured:
                print(
                    "请设置 SAFETYWH_IMAP_HOST、SAFETYWH_IMAP_USER、SAFETYWH_IMAP_PASSWORD 等（见 README）",
                    file=sys.stderr,
                )
                return 2
        if args.once:
            return 0
        try:
            time.sleep(args.interval)
        except KeyboardInterrupt:
            return 0


def cmd_mailbox_replies(args: argparse.Namespace) -> int:
    from pipelines.lib.mailbox import replies_frame
    from pipelines.lib.output import emit

    emit(replies_frame(Home.resolve(args.home)), args.format)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "mailbox",
        help="收取报送邮箱（IMAP）中的台账附件，存入报送文件夹并回复回执",
        description="轮询报送邮箱（IMAP，设置见环境变量 $SAFETYWH_IMAP_HOST、$SAFETYWH_IMAP_USER、$SAFETYWH_IMAP_PASSWORD 等）：按发件地址确定报送单位（县级配置中登记的各单位邮箱），"
        "按表头、附件文件名或邮件主题确定报表类别，把台账附件存入 landing/<报表>/<单位>/，并回复回执；"
        "未登记地址的来信不入库，告知数据组。每封邮件只处理一次。回复写入 <home>/outbox，配置了 SMTP 时发送。",
    )
    p.add_argument("--home", metavar="DIR", help=HOME_HELP)
    p.add_argument(
        "--once", action="store_true", help="只收取一次即退出（默认每隔 --interval 秒收取一次，直到手动停止）"
    )
    p.add_argument(
        "--interval",
        type=float,
        default=DEFAULT_INTERVAL,
        metavar="SECONDS",
        help=f"不带 --once 时两次收取之间的秒数（默认 {DEFAULT_INTERVAL}）",
    )
    p.add_argument("--replies", action="store_true", help="改为列出报送邮箱发出的回复及其发送状态")
    p.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="用于 --replies。" + format_help("table", ("table", "json", "csv")),
    )
    p.set_defaults(func=lambda a: cmd_mailbox_replies(a) if a.replies else cmd_mailbox(a))
