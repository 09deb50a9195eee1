"""Tell the data team when a run fails (a broken system, not bad data).

Called from the runner's failure branch (`safetywh run`) and from the Dagster run-failure
sensor (`dagster dev`). It must work when the warehouse itself is what broke: the message
is written to the outbox and sent first-hand; recording it in meta.alerts (so a refused
delivery is retried by the next run) is best effort.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from pipelines.lib.alerts.message import Outgoing, write_outbox
from pipelines.lib.alerts.outbox import send_pending, sender_identity
from pipelines.lib.alerts.render import render, render_line
from pipelines.lib.alerts.schema import ensure_alert_tables
from pipelines.lib.alerts.smtp import Delivery, SmtpSettings, deliver
from pipelines.lib.profile import load_profile
from warehouse.home import Home

log = logging.getLogger(__name__)


def alert_run_failure(home: Home, run_id: str, error: str, now: dt.datetime | None = None) -> str:
    """Write (and send, when SMTP is set up) one alert for a failed run; returns its id.
    Never raises: an alert about a failure must not hide the failure itself."""
    try:
        return _alert(home, run_id, error, now)
    except Exception:  # noqa: BLE001 - reported in the log, the run's own error is what matters
        log.exception("could not write the run-failure alert for run %s", run_id)
        return ""


def _alert(home: Home, run_id: str, error: str, now: dt.datetime | None) -> str:
    profile = load_profile()
    now = now or dt.datetime.now(ZoneInfo(profile.timezone)).replace(tzinfo=None, microsecond=0)
    recipient = (profile.config.get("contacts") or {}).get("data_team")
    ctx = {
        "county": profile.config["county"]["name"],
        "failed_at": now,
        "run_id": run_id,
        "error": error.strip(),
        "home": str(home.root),
    }
    ctx["subject"] = render_line("run_failure_subject.txt.j2", **ctx)
    from_name, from_address, _ = sender_identity(profile)
    out = Outgoing(
        alert_id=f"run-failure-{run_id}",
        subject=ctx["subject"],
        text=render("run_failure.txt.j2", **ctx),
        html=render("run_failure.html.j2", **ctx),
        recipient=recipient,
        recipient_name="数据组",
        from_address=from_address,
        from_name=from_name,
        reply_to=None,
        created_at=now,
        timezone=profile.timezone,
    )
    files = write_outbox(home.outbox, out)
    if _record_and_send(home, out, files.eml, files.html, run_id, now, profile):
        return out.alert_id
    # the warehouse cannot be written: send first-hand, untracked
    settings = SmtpSettings.resolve(profile.config)
    if settings is not None:
        data = (home.outbox / files.eml).read_bytes()
        for result in deliver(
            settings, [Delivery(out.alert_id, settings.from_address or from_address, recipient, data)]
        ):
            if not result.ok:
                log.warning("run-failure alert not sent: %s", result.error)
    return out.alert_id


def _record_and_send(home: Home, out: Outgoing, eml: str, html: str, run_id: str, now: dt.datetime, profile) -> bool:
    import duckdb

    from warehouse.layout import connect

    try:
        con = connect(home.duckdb_path)
    except (duckdb.Error, OSError) as exc:
        log.warning("run-failure alert not recorded in the warehouse: %s", exc)
        return False
    try:
        ensure_alert_tables(con)
        con.execute(
            """INSERT INTO meta.alerts (alert_id, kind, sender_code, recipient, subject, created_at, run_id, status,
                   attempts, new_problems, resolved_problems, message_id, eml_path, html_path, xlsx_path)
               VALUES (?, 'run_failure', NULL, ?, ?, ?, ?, 'queued', 0, 0, 0, ?, ?, ?, NULL)
               ON CONFLICT DO NOTHING""",
            [out.alert_id, out.recipient, out.subject, now, run_id, out.message_id, eml, html],
        )
        send_pending(con, home.outbox, profile, now, only=[out.alert_id])
    finally:
        con.close()
    try:  # readers list alerts from the published copy (pipelines/lib/readers.py)
        from pipelines.lib.publish import refresh_published_tables

        refresh_published_tables(home.duckdb_path, home.published_path)
    except (duckdb.Error, OSError) as exc:
        log.warning("run-failure alert not published for readers: %s", exc)
    return True
