"""E-mail a publication to the county's leadership list (profile contacts.leadership).

Delivery reuses the alerting work's SMTP sender (pipelines.lib.alerts.smtp: settings from
SAFETYWH_SMTP_* or the profile's alerts.smtp, one connection for all recipients). No SMTP
host configured: nothing is sent and the manifest says so. A version whose content is the
same as the one already mailed is not mailed again, so a backfill does not flood the
leadership with unchanged bulletins; a corrected one is.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pipelines.lib.profile import Profile

MIME_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _address(name: str, addr: str) -> Address:
    user, _, domain = addr.partition("@")
    return Address(display_name=name, username=user, domain=domain)


def build_message(
    content: dict[str, Any],
    files: list[Path],
    from_name: str,
    from_address: str,
    recipients: list[str],
    issued_at: dt.datetime,
    timezone: str,
) -> EmailMessage:
    doc = content["document"]
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = f"{doc['title']}（{doc['doc_number']}）"
    msg["From"] = _address(from_name, from_address)
    msg["To"] = ", ".join(str(_address("", r)) for r in recipients)
    msg["Date"] = format_datetime(issued_at.replace(tzinfo=ZoneInfo(timezone)))
    msg["Message-ID"] = make_msgid(domain="safetywh.invalid")
    overview = content["sections"][0]["paragraphs"][0]["text"]
    body = (
        f"各位领导：\n\n{doc['title']}（{doc['doc_number']}）已生成，Word、PDF、Excel 三个文件见附件。\n\n"
        f"{overview}\n\n{doc['signature']}\n{doc['issue_date_cn']}\n"
    )
    msg.set_content(body, subtype="plain", charset="utf-8")
    for path in files:
        maintype, _, subtype = (
            MIME_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        ).partition("/")
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return msg


def send_publication(
    profile: Profile,
    content: dict[str, Any],
    files: list[Path],
    eml_path: Path,
    issued_at: dt.datetime,
    already_mailed: bool,
) -> dict[str, Any]:
    """Send to the leadership list when SMTP is configured; the outcome for the manifest."""
    recipients = list((profile.config.get("contacts") or {}).get("leadership") or [])
    if not recipients:
        return {"status": "no_recipients"}
    if already_mailed:
        return {"status": "unchanged_not_resent"}
    try:
        from pipelines.lib.alerts.outbox import sender_identity
        from pipelines.lib.alerts.smtp import Delivery, SmtpSettings, deliver
    except ImportError:  # the alerting package is what sends; without it, keep the .eml only
        return {"status": "no_sender"}
    settings = SmtpSettings.resolve(profile.config)
    _, from_address, _ = sender_identity(profile)
    from_address = (settings.from_address if settings else None) or from_address
    msg = build_message(content, files, content["bureau"], from_address, recipients, issued_at, profile.timezone)
    data = msg.as_bytes()
    eml_path.write_bytes(data)  # the record of what was (or would have been) sent
    if settings is None:
        return {"status": "smtp_not_configured", "eml": eml_path.name}
    results = list(deliver(settings, [Delivery(f"{eml_path.stem}:{r}", from_address, r, data) for r in recipients]))
    sent = [r.key.split(":", 1)[1] for r in results if r.ok]
    failed = {r.key.split(":", 1)[1]: r.error for r in results if not r.ok}
    return {
        "status": "sent" if not failed else ("partly_sent" if sent else "failed"),
        "to": sent,
        "errors": failed,
        "eml": eml_path.name,
    }
