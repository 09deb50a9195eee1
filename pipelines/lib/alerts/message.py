"""Build the e-mail (stdlib `email`) and keep its files in the outbox.

The .eml written to the outbox is byte for byte what is sent, so the outbox is the
record of what each sender was told.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@dataclass
class Outgoing:
    alert_id: str
    subject: str
    text: str
    html: str
    recipient: str | None
    recipient_name: str
    from_address: str
    from_name: str
    reply_to: str | None
    created_at: dt.datetime  # county wall clock
    timezone: str
    attachment: bytes | None = None
    attachment_name: str | None = None

    @property
    def message_id(self) -> str:
        return f"<{self.alert_id}@safetywh.invalid>"


def _address(name: str, addr: str) -> Address:
    user, _, domain = addr.partition("@")
    return Address(display_name=name, username=user, domain=domain)


def build_email(out: Outgoing) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = out.subject
    msg["From"] = _address(out.from_name, out.from_address)
    if out.recipient:
        msg["To"] = _address(out.recipient_name, out.recipient)
    if out.reply_to:
        msg["Reply-To"] = out.reply_to
    msg["Date"] = format_datetime(out.created_at.replace(tzinfo=ZoneInfo(out.timezone)))
    msg["Message-ID"] = out.message_id
    msg["X-Safetywh-Alert-Id"] = out.alert_id
    # base64 keeps the message 7-bit: any relay accepts it, 8BITMIME or not
    msg.set_content(out.text, subtype="plain", charset="utf-8", cte="base64")
    msg.add_alternative(out.html, subtype="html", charset="utf-8", cte="base64")
    if out.attachment is not None:
        msg.add_attachment(out.attachment, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=out.attachment_name)
    return msg.as_bytes()


@dataclass
class OutboxFiles:
    eml: str
    html: str
    xlsx: str | None

    def paths(self, outbox: Path) -> list[Path]:
        return [outbox / p for p in (self.eml, self.html, self.xlsx) if p]


def write_outbox(outbox: Path, out: Outgoing) -> OutboxFiles:
    """<outbox>/<YYYY-MM>/<alert_id>.eml|.html|.xlsx; paths returned relative to outbox.
    Written to a temporary name and renamed, so a half-written message never appears."""
    folder = outbox / f"{out.created_at:%Y-%m}"
    folder.mkdir(parents=True, exist_ok=True)
    files = OutboxFiles(
        eml=f"{folder.name}/{out.alert_id}.eml",
        html=f"{folder.name}/{out.alert_id}.html",
        xlsx=f"{folder.name}/{out.alert_id}.xlsx" if out.attachment is not None else None,
    )
    contents = [(files.eml, build_email(out)), (files.html, out.html.encode("utf-8"))]
    if files.xlsx:
        contents.append((files.xlsx, out.attachment))
    for rel, data in contents:
        target = outbox / rel
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
    return files
