"""`safetywh alerts`: the data-quality alerts sent to the senders (and run-failure alerts
to the data team), with their delivery status. Reads only; never sends."""

from __future__ import annotations

import argparse

from pipelines.cli_zh import HOME_HELP, SENDER_HELP, date_arg, format_help, sender_arg, status_arg, status_choices_text
from warehouse.home import Home

STATUSES = ("queued", "sent", "failed", "resolved")
TABLE_COLUMNS = (
    "created_at",
    "sender_code",
    "sender_name",
    "recipient",
    "status",
    "new_problems",
    "resolved_problems",
    "open_problems",
    "attempts",
    "subject",
)


def _alert_sender(text: str) -> str:
    from pipelines.lib.alerts.listing import DATA_TEAM

    return DATA_TEAM if text.strip() == DATA_TEAM else sender_arg(text)


def cmd_alerts(args: argparse.Namespace) -> int:
    from pipelines.lib.alerts.listing import alerts_frame
    from pipelines.lib.labels import label_frame
    from pipelines.lib.output import emit

    frame = alerts_frame(Home.resolve(args.home), sender=args.sender, since=args.since, status=args.status)
    if args.format == "table":
        frame = frame.select(TABLE_COLUMNS)
    emit(label_frame(frame) if args.format == "table" else frame, args.format)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "alerts",
        help="发给报送单位的数据质量提醒及其发送状态",
        description="每条数据质量提醒（及系统故障提醒）的收件单位、主题和状态："
        "待发送（queued）、已发送（sent）、发送失败（failed，下次运行重试）、已解决（resolved，已发送且所报问题均已解决）。"
        "邮件原文在 <数仓目录>/outbox。",
    )
    p.add_argument("--home", metavar="DIR", help=HOME_HELP)
    p.add_argument("--sender", type=_alert_sender, metavar="CODE", help=SENDER_HELP)
    p.add_argument("--since", type=date_arg, metavar="DATE", help="只看该日期（YYYY-MM-DD）及以后生成的提醒")
    p.add_argument(
        "--status",
        type=status_arg(STATUSES),
        metavar="STATUS",
        help="只看该状态的提醒：" + status_choices_text(STATUSES),
    )
    p.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help=format_help("table", ("table", "json", "csv")),
    )
    p.set_defaults(func=cmd_alerts)
