"""One pass of the alert machinery, run by the `alerts/outbox` asset after dbt:
find problems, tell each affected sender once, record it, send what is queued."""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipelines.lib.alerts.compose import SenderBatch, alert_id_for, decorate, message_context, plan
from pipelines.lib.alerts.message import OutboxFiles, Outgoing, write_outbox
from pipelines.lib.alerts.problems import DATA_TEAM, PROBLEM_COLUMNS, current_problems
from pipelines.lib.alerts.render import render, render_line
from pipelines.lib.alerts.schema import ensure_alert_tables
from pipelines.lib.alerts.smtp import Delivery, SmtpSettings, deliver
from pipelines.lib.alerts.workbook import build_workbook
from pipelines.lib.profile import Profile
from warehouse.home import Home

log = logging.getLogger(__name__)

STORED_PROBLEM_COLUMNS = [
    c for c in PROBLEM_COLUMNS if c not in ("status", "fixed_file_id", "fixed_path", "fixed_received_at")
]


@dataclass
class AlertRunResult:
    messages_created: int = 0
    new_problems: int = 0
    resolved_problems: int = 0
    sent: int = 0
    failed: int = 0
    queued: int = 0
    smtp_configured: bool = False
    senders: list[str] = field(default_factory=list)


def sender_identity(profile: Profile) -> tuple[str, str, str | None]:
    """(from name, from address, reply-to) of every message."""
    alerts = profile.config.get("alerts") or {}
    data_team = (profile.config.get("contacts") or {}).get("data_team")
    address = os.environ.get("SAFETYWH_SMTP_FROM") or (alerts.get("smtp") or {}).get("from_address") or data_team
    name = alerts.get("from_name") or f"{profile.config['county']['bureau']}数据质量提醒"
    return name, address or "safetywh@localhost", data_team


def _senders(con: duckdb.DuckDBPyConnection, profile: Profile) -> dict[str, dict[str, Any]]:
    rows = con.sql("SELECT sender_code, sender_name, short_name, alert_email FROM ref.senders").pl()
    senders = {
        r["sender_code"]: {
            "code": r["sender_code"],
            "name": r["sender_name"],
            "short_name": r["short_name"],
            "email": r["alert_email"],
            "is_data_team": False,
        }
        for r in rows.iter_rows(named=True)
    }
    # files from folders that name no sender: nobody else can move them (problems.DATA_TEAM)
    data_team = (profile.config.get("contacts") or {}).get("data_team")
    senders[DATA_TEAM] = {
        "code": DATA_TEAM,
        "name": "数据组",
        "short_name": "数据组",
        "email": data_team,
        "is_data_team": True,
    }
    return senders


def _compose(batch: SenderBatch, sender: dict[str, Any], profile: Profile, now: dt.datetime) -> tuple[Outgoing, dict]:
    bureau = profile.config["county"]["bureau"]
    data_team = (profile.config.get("contacts") or {}).get("data_team") or ""
    keys = [p["problem_key"] for p in batch.new + batch.resolved]
    alert_id = alert_id_for(batch.sender_code, now, keys)
    attachment_name = render_line("attachment_name.txt.j2", sender=sender, created_at=now)
    ctx = message_context(batch, sender, bureau=bureau, data_team=data_team, now=now, attachment_name=attachment_name)
    from_name, from_address, reply_to = sender_identity(profile)
    out = Outgoing(
        alert_id=alert_id,
        subject=ctx["subject"],
        text=render("message.txt.j2", **ctx),
        html=render("message.html.j2", **ctx),
        recipient=sender["email"],
        recipient_name=sender["name"],
        from_address=from_address,
        from_name=from_name,
        reply_to=reply_to,
        created_at=now,
        timezone=profile.timezone,
        attachment=build_workbook(ctx),
        attachment_name=attachment_name,
    )
    return out, ctx


def _record(
    con: duckdb.DuckDBPyConnection, made: list[tuple[SenderBatch, Outgoing, OutboxFiles]], run_id: str, now: dt.datetime
) -> None:
    alerts, problems, resolutions = [], [], []
    for batch, out, files in made:
        alerts.append(
            {
                "alert_id": out.alert_id,
                "kind": "data_quality",
                "sender_code": batch.sender_code,
                "recipient": out.recipient,
                "subject": out.subject,
                "created_at": now,
                "run_id": run_id,
                "status": "queued",
                "attempts": 0,
                "new_problems": len(batch.new),
                "resolved_problems": len(batch.resolved),
                "message_id": out.message_id,
                "eml_path": files.eml,
                "html_path": files.html,
                "xlsx_path": files.xlsx,
            }
        )
        for p in batch.new:
            problems.append(
                {
                    **{c: p.get(c) for c in STORED_PROBLEM_COLUMNS},
                    "first_seen_at": now,
                    "alert_id": out.alert_id,
                    "state": p["state"],
                }
            )
        for p in batch.resolved:
            resolutions.append(
                {
                    "problem_key": p["problem_key"],
                    "resolved_at": now,
                    "resolution": render_line("resolution.txt.j2", p=decorate(p)),
                    "resolved_alert_id": out.alert_id,
                }
            )
    schema = {
        **{c: PROBLEM_COLUMNS[c] for c in STORED_PROBLEM_COLUMNS},
        "first_seen_at": pl.Datetime("us"),
        "alert_id": pl.String,
        "state": pl.String,
    }
    con.execute("BEGIN TRANSACTION")
    try:
        if alerts:
            con.register("_alerts_new", pl.DataFrame(alerts))
            con.execute("INSERT INTO meta.alerts BY NAME SELECT * FROM _alerts_new")
        if problems:
            con.register("_alert_problems_new", pl.DataFrame(problems, schema=schema))
            con.execute("INSERT INTO meta.alert_problems BY NAME SELECT * FROM _alert_problems_new")
        if resolutions:
            con.register("_alert_resolutions", pl.DataFrame(resolutions))
            con.execute(
                """UPDATE meta.alert_problems AS p
                   SET state = 'resolved', resolved_at = r.resolved_at, resolution = r.resolution,
                       resolved_alert_id = r.resolved_alert_id
                   FROM _alert_resolutions AS r WHERE p.problem_key = r.problem_key"""
            )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in ("_alerts_new", "_alert_problems_new", "_alert_resolutions"):
            try:
                con.unregister(name)
            except duckdb.Error:  # never registered: nothing to undo
                pass


def send_pending(
    con: duckdb.DuckDBPyConnection, outbox: Path, profile: Profile, now: dt.datetime, only: list[str] | None = None
) -> tuple[int, int, bool]:
    """Send every queued or failed message (oldest first); (sent, failed, smtp configured).
    Each result is written as soon as it is known: a message is marked sent right after
    the server accepted it, so a crash cannot make the next run send it again (short of
    a crash in between those two steps)."""
    settings = SmtpSettings.resolve(profile.config)
    if settings is None:
        return 0, 0, False
    _, from_address, _ = sender_identity(profile)
    envelope_from = settings.from_address or from_address
    pending = con.sql(
        "SELECT alert_id, recipient, eml_path FROM meta.alerts WHERE status IN ('queued', 'failed') "
        "ORDER BY created_at, alert_id"
    ).fetchall()
    if only is not None:
        pending = [p for p in pending if p[0] in only]

    def deliveries():
        for alert_id, recipient, eml_path in pending:
            path = outbox / eml_path
            data = path.read_bytes() if path.is_file() else b""
            yield Delivery(alert_id, envelope_from, recipient if data else None, data)

    sent = failed = 0
    for result in deliver(settings, deliveries()):
        if result.ok:
            sent += 1
            con.execute(
                "UPDATE meta.alerts SET status = 'sent', attempts = attempts + 1, last_attempt_at = ?, sent_at = ?, "
                "last_error = NULL WHERE alert_id = ?",
                [now, now, result.key],
            )
        else:
            failed += 1
            log.warning("alert %s not sent: %s", result.key, result.error)
            con.execute(
                "UPDATE meta.alerts SET status = 'failed', attempts = attempts + 1, last_attempt_at = ?, "
                "last_error = ? WHERE alert_id = ?",
                [now, result.error, result.key],
            )
    return sent, failed, True


def waiting(con: duckdb.DuckDBPyConnection) -> int:
    """Messages not yet accepted by a server: every run with SMTP configured retries them."""
    return con.execute("SELECT count(*) FROM meta.alerts WHERE status IN ('queued', 'failed')").fetchall()[0][0]


def process_alerts(
    con: duckdb.DuckDBPyConnection, home: Home, profile: Profile, run_id: str, now: dt.datetime
) -> AlertRunResult:
    ensure_alert_tables(con)
    result = AlertRunResult()
    batches = plan(con, current_problems(con))
    senders = _senders(con, profile)
    made: list[tuple[SenderBatch, Outgoing, OutboxFiles]] = []
    written: list[Path] = []
    try:
        for batch in batches:
            out, _ = _compose(batch, senders[batch.sender_code], profile, now)
            files = write_outbox(home.outbox, out)
            written += files.paths(home.outbox)
            made.append((batch, out, files))
        _record(con, made, run_id, now)
    except Exception:
        # nothing recorded: the files of this attempt must not linger as if they were messages
        for path in written:
            path.unlink(missing_ok=True)
        raise
    result.messages_created = len(made)
    result.new_problems = sum(len(b.new) for b, _, _ in made)
    result.resolved_problems = sum(len(b.resolved) for b, _, _ in made)
    result.senders = [b.sender_code for b, _, _ in made]
    result.sent, result.failed, result.smtp_configured = send_pending(con, home.outbox, profile, now)
    result.queued = waiting(con)
    from pipelines.lib.risk_warnings import issue_warnings  # 风险预警 warnings, same outbox and SMTP

    warned = issue_warnings(con, home, profile, run_id, now)
    result.sent, result.failed = result.sent + warned.sent, result.failed + warned.failed
    return result
