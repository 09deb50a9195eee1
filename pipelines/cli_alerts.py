"""`safetywh alerts`: the data-quality alerts sent to the senders (and run-failure alerts
to the data team), with their delivery status. Reads only; never sends."""

from __future__ import annotations

import argparse
import datetime as dt

from warehouse.home import Home

STATUSES = ("queued", "sent", "failed", "resolved")
TABLE_COLUMNS = ("created_at", "sender_code", "sender_name", "recipient", "status", "new_problems",
                 "resolved_problems", "open_problems", "attempts", "subject")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from exc


def cmd_alerts(args: argparse.Namespace) -> int:
    from pipelines.lib.alerts.listing import alerts_frame
    from pipelines.lib.output import emit

    frame = alerts_frame(Home.resolve(args.home), sender=args.sender, since=args.since, status=args.status)
    if args.format == "table":
        frame = frame.select(TABLE_COLUMNS)
    emit(frame, args.format)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "alerts",
        help="data-quality alerts sent to senders, with status queued / sent / failed / resolved",
        description="每条数据质量提醒（及系统故障提醒）的收件单位、主题和状态："
        "queued 待发送，sent 已发送，failed 发送失败（下次运行重试），resolved 已发送且所报问题均已解决。"
        "邮件原文在 <home>/outbox。",
    )
    p.add_argument("--home", metavar="DIR", help="warehouse home (default: $SAFETYWH_HOME, then ./warehouse)")
    p.add_argument("--sender", metavar="CODE", help="sender code, e.g. YJJ or 430182001")
    p.add_argument("--since", type=_date, metavar="DATE", help="only alerts created on or after DATE (YYYY-MM-DD)")
    p.add_argument("--status", choices=STATUSES, help="only alerts with this status")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table", help="output format (default table)")
    p.set_defaults(func=cmd_alerts)
