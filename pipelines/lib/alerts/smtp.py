"""SMTP settings and delivery.

Settings come from the environment (never from a committed file for the secrets):
SAFETYWH_SMTP_HOST (no host: messages stay queued in the outbox), SAFETYWH_SMTP_PORT,
SAFETYWH_SMTP_SECURITY (starttls | ssl | none, default starttls), SAFETYWH_SMTP_USER,
SAFETYWH_SMTP_PASSWORD, SAFETYWH_SMTP_FROM, SAFETYWH_SMTP_TIMEOUT (seconds). The profile's
`alerts.smtp` section may give host, port, security and from_address; the environment wins.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class SmtpConfigError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str | None
    password: str | None
    from_address: str | None
    timeout: float

    @classmethod
    def resolve(cls, profile_config: dict[str, Any] | None = None) -> SmtpSettings | None:
        conf = dict(((profile_config or {}).get("alerts") or {}).get("smtp") or {})
        env = os.environ.get
        host = env("SAFETYWH_SMTP_HOST") or conf.get("host")
        if not host:
            return None
        security = (env("SAFETYWH_SMTP_SECURITY") or conf.get("security") or "starttls").lower()
        if security not in SECURITY:
            raise SmtpConfigError(f"SAFETYWH_SMTP_SECURITY 应为 {'/'.join(SECURITY)}，而不是 {security!r}")
        port = int(env("SAFETYWH_SMTP_PORT") or conf.get("port") or DEFAULT_PORTS[security])
        return cls(
            host=host,
            port=port,
            security=security,
            user=env("SAFETYWH_SMTP_USER") or None,
            password=env("SAFETYWH_SMTP_PASSWORD") or None,
            from_address=env("SAFETYWH_SMTP_FROM") or conf.get("from_address") or None,
            timeout=float(env("SAFETYWH_SMTP_TIMEOUT") or 30),
        )

    def connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.security == "starttls":
                client.starttls(context=ssl.create_default_context())
        if self.user:
            client.login(self.user, self.password or "")
        return client


@dataclass
class Delivery:
    key: str
    sender: str  # envelope from
    recipient: str | None
    data: bytes


@dataclass
class DeliveryResult:
    key: str
    ok: bool
    error: str | None = None


def deliver(settings: SmtpSettings, deliveries: Iterable[Delivery]) -> Iterator[DeliveryResult]:
    """Send each message on one connection, reconnecting after a broken one. A refusal
    (4xx or 5xx) fails that message only; the caller records each result as it comes,
    so a crash half-way loses no result already reported."""
    client: smtplib.SMTP | None = None
    try:
        for item in deliveries:
            if not item.recipient:
                yield DeliveryResult(item.key, False, "没有收件地址（请在县级配置中填写该单位的 alert_email）")
                continue
            try:
                if client is None:
                    client = settings.connect()
                refused = client.sendmail(item.sender, [item.recipient], item.data)
                if refused:
                    yield DeliveryResult(item.key, False, f"收件地址被拒绝：{refused}")
                else:
                    yield DeliveryResult(item.key, True)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                yield DeliveryResult(item.key, False, _describe(exc))
            except (smtplib.SMTPException, OSError) as exc:
                yield DeliveryResult(item.key, False, _describe(exc))
                _close(client)
                client = None
    finally:
        _close(client)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _close(client: smtplib.SMTP | None) -> None:
    if client is None:
        return
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        try:
            client.close()
        except OSError:
            pass
