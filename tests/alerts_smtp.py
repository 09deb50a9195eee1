"""A real SMTP server on loopback for the alert tests (aiosmtpd), and a county profile
copy with its own reporting window."""

from __future__ import annotations

import email
import io
import shutil
import socket
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import yaml
from aiosmtpd.controller import Controller

from pipelines.lib.profile import profile_folder


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=policy.default)

    @property
    def to(self) -> str:
        return self.rcpt_tos[0]

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()

    def attachment(self) -> tuple[str, openpyxl.Workbook]:
        (part,) = list(self.message.iter_attachments())
        return part.get_filename(), openpyxl.load_workbook(io.BytesIO(part.get_content()))


@dataclass
class RecordingHandler:
    """Accepts every message, except for recipients in `refuse` (address -> SMTP reply)."""

    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        for rcpt in envelope.rcpt_tos:
            if rcpt in self.refuse:
                return self.refuse[rcpt]
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content)
        )
        return "250 OK"

    def take(self) -> list[Received]:
        """What arrived since the last take."""
        out, self.received = self.received, []
        return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def env(self) -> dict[str, str]:
        return {
            "SAFETYWH_SMTP_HOST": "127.0.0.1",
            "SAFETYWH_SMTP_PORT": str(self.port),
            "SAFETYWH_SMTP_SECURITY": "none",
            "SAFETYWH_SMTP_FROM": "safetywh-test@ningxiang.example",
            "SAFETYWH_SMTP_TIMEOUT": "10",
        }


def profile_copy(target: Path, edit) -> Path:
    """The packaged Ningxiang profile copied to `target`, profile.yaml changed by edit(config)."""
    shutil.copytree(profile_folder(), target, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    config = yaml.safe_load((target / "profile.yaml").read_text("utf-8"))
    edit(config)
    (target / "profile.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    return target


def sheet_rows(book: openpyxl.Workbook, title: str) -> list[dict]:
    rows = list(book[title].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]
