"""The reporting mailbox: clerks e-mail their ledgers, the warehouse files them.

One poll (`safetywh mailbox --once`, or the Dagster sensor) reads the bureau's reporting
mailbox over IMAP, maps each message's From address to a sender of the profile (the
`alert_email` of departments.csv and townships.csv, case-insensitive, exact address),
files every ledger attachment under ``landing/<feed>/<sender>/`` through the portal's
landing (``pipelines.lib.submission``: same atomic landing, same receipt) and answers in
Chinese through the outbox. Mail from an address no sender has is not filed: the data
team is told, and the message stays in the mailbox.

Settings come from the environment at call time, like SMTP: SAFETYWH_IMAP_HOST (without
it there is nothing to poll), SAFETYWH_IMAP_PORT, SAFETYWH_IMAP_SECURITY (ssl | starttls |
none, default ssl), SAFETYWH_IMAP_USER, SAFETYWH_IMAP_PASSWORD, SAFETYWH_IMAP_MAILBOX
(default INBOX), SAFETYWH_IMAP_TIMEOUT (seconds), SAFETYWH_IMAP_SINCE (a date: mail that
arrived before it is left alone, so a mailbox with years of history is not filed anew).

Each message is handled once. Its state lives in ``<home>/mailbox/mailbox.sqlite`` (not in
DuckDB: a poll must work while a run holds the warehouse), keyed by Message-ID (or the
sha256 of the whole message when it has none): what each attachment became, the replies
and whether they were sent. A poll that dies half-way resumes the message where it
stopped: attachments already filed are not filed again, replies already written are not
written again. A handled message gets the IMAP keyword ``SafetywhFiled`` (and \\Seen) so
the next poll does not fetch it; the search is on the keyword, not on \\Seen, because a
person reading the mailbox marks messages seen too.
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.utils
import fcntl
import hashlib
import imaplib
import logging
import os
import re
import sqlite3
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path, PurePath
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from pipelines.lib.contracts import load_contracts
from pipelines.lib.profile import Profile
from warehouse.home import Home

log = logging.getLogger(__name__)

SECURITY = ("ssl", "starttls", "none")
DEFAULT_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
FILED_KEYWORD = "SafetywhFiled"

# What a ledger may be sent as (feeds.md: .csv, .xlsx, .xls, WPS .et, Excel's Unicode text
# export). Anything else with a name of its own (a photo, a scanned PDF, a signature) is
# not a ledger and is left alone.
LEDGER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".csv", ".txt", ".tsv")
WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # zip (xlsx), OLE2 (xls/et)
NOT_LEDGER_TYPES = ("image", "audio", "video")
SIGNATURE_TYPES = (
    "application/pgp-signature",
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
    "text/vcard",
    "text/x-vcard",
    "text/calendar",
)


class ImapConfigError(ValueError):
    pass


class MailboxBusy(RuntimeError):
    """Another poll of the same home is running."""


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str
    user: str
    password: str
    mailbox: str
    timeout: float
    since: dt.date | None = None

    @classmethod
    def resolve(cls) -> ImapSettings | None:
        """From the environment, read now (never at import). None: no mailbox configured."""
        env = os.environ.get
        host = env("SAFETYWH_IMAP_HOST")
        if not host:
            return None
        security = (env("SAFETYWH_IMAP_SECURITY") or "ssl").lower()
        if security not in SECURITY:
            raise ImapConfigError(f"SAFETYWH_IMAP_SECURITY 应为 {'/'.join(SECURITY)}，而不是 {security!r}")
        user = env("SAFETYWH_IMAP_USER")
        if not user:
            raise ImapConfigError("已设置 SAFETYWH_IMAP_HOST，但没有设置 SAFETYWH_IMAP_USER（报送邮箱的登录名）")
        try:
            port = int(env("SAFETYWH_IMAP_PORT") or DEFAULT_PORTS[security])
            timeout = float(env("SAFETYWH_IMAP_TIMEOUT") or 60)
        except ValueError as exc:
            raise ImapConfigError(f"SAFETYWH_IMAP_PORT / SAFETYWH_IMAP_TIMEOUT 应为数字：{exc}") from exc
        try:
            since = dt.date.fromisoformat(env("SAFETYWH_IMAP_SINCE")) if env("SAFETYWH_IMAP_SINCE") else None
        except ValueError as exc:
            raise ImapConfigError(
                f"SAFETYWH_IMAP_SINCE 应为日期（YYYY-MM-DD），而不是 {env('SAFETYWH_IMAP_SINCE')!r}"
            ) from exc
        return cls(
            host=host,
            port=port,
            security=security,
            user=user,
            password=env("SAFETYWH_IMAP_PASSWORD") or "",
            mailbox=env("SAFETYWH_IMAP_MAILBOX") or "INBOX",
            timeout=timeout,
            since=since,
        )

    def connect(self) -> imaplib.IMAP4:
        if self.security == "ssl":
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                self.host, self.port, ssl_context=ssl.create_default_context(), timeout=self.timeout
            )
        else:
            client = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
            if self.security == "starttls":
                client.starttls(ssl_context=ssl.create_default_context())
        client.login(self.user, self.password)
        return client


def imap_utf7(name: str) -> str:
    """A mailbox name in IMAP's modified UTF-7 (RFC 3501 5.1.3): 已处理 -> &XfJSIJZk-."""
    out, pending = [], []

    def flush() -> None:
        if pending:
            raw = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii").rstrip("=")
            out.append("&" + raw.replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def _quoted(name: str) -> str:
    encoded = imap_utf7(name)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------- who sent it, which feed it is


def sender_addresses(profile: Profile) -> dict[str, list[str]]:
    """Lower-cased address -> sender codes (departments and townships with an alert address)."""
    frames = [
        profile.departments.select(pl.col("sender_code"), pl.col("alert_email")),
        profile.townships.select(pl.col("township_code").alias("sender_code"), pl.col("alert_email")),
    ]
    out: dict[str, list[str]] = {}
    for code, address in pl.concat(frames).iter_rows():
        if address and address.strip():
            out.setdefault(address.strip().lower(), []).append(code)
    return out


def sender_for_address(profile: Profile, address: str | None) -> str | None:
    """The one sender whose alert address this is (case-insensitive, the whole address);
    None for an unknown address, and for one that two senders share (who sent it is then
    not known)."""
    if not address:
        return None
    codes = sender_addresses(profile).get(address.strip().lower(), [])
    return codes[0] if len(codes) == 1 else None


def _distinctive_prefixes() -> dict[str, list[str]]:
    """Per feed, the beginnings of its Chinese label (2 characters or more) that begin no
    other label, longest first: 隐患排查治理台账 → 隐患排查治理台账 … 隐患; 应急 begins four
    labels and names none of them."""
    labels = {feed: c.label for feed, c in load_contracts().items()}
    out: dict[str, list[str]] = {}
    for feed, label in labels.items():
        out[feed] = [
            label[:n]
            for n in range(len(label), 1, -1)
            if not any(other.startswith(label[:n]) for f, other in labels.items() if f != feed)
        ]
    return out


def named_feed(text: str | None) -> str | None:
    """The feed a subject or a file name names: the feed's own name (hazards, as in the
    landing folder) or its Chinese label or a beginning of it only it has (隐患, 执法检查,
    森林火灾). The longest match wins; two feeds named alike name none."""
    if not text:
        return None
    lowered = text.lower()
    scores: dict[str, int] = {}
    for feed in load_contracts():
        if re.search(rf"(?<![a-z]){re.escape(feed)}(?![a-z])", lowered):
            scores[feed] = 100
    for feed, prefixes in _distinctive_prefixes().items():
        for prefix in prefixes:
            if prefix in text:
                scores[feed] = max(scores.get(feed, 0), len(prefix))
                break
    if not scores:
        return None
    best = max(scores.values())
    winners = [f for f, s in scores.items() if s == best]
    return winners[0] if len(winners) == 1 else None


def header_feeds(filename: str, data: bytes) -> list[str]:
    """The feeds whose header this file has, found by the run's own reading and header
    detection (``ingest.read_or_reject``: the reader, then ``layout_detect.find_header``)
    for each contract, best match first: the feeds whose header matched the most columns.
    Empty when the file cannot be read or holds no feed's header."""
    from pipelines.lib.ingest import read_or_reject
    from pipelines.lib.profile import load_profile

    limits = load_profile().workbook_limits()
    matched: list[tuple[int, str]] = []
    for feed, contract in load_contracts().items():
        try:
            sheet, _ = read_or_reject(Path(filename), 0, contract, data, limits)
        except Exception:  # noqa: BLE001 - a file the reader chokes on holds no header we can use
            log.info("mailbox: %s could not be read for its header", filename, exc_info=True)
            return []
        if sheet is not None:
            matched.append((len(sheet.header.columns), feed))
    if not matched:
        return []
    best = max(n for n, _ in matched)
    return [f for n, f in matched if n == best]


@dataclass(frozen=True)
class FeedChoice:
    feed: str | None
    basis: str | None  # header | filename | subject
    ambiguous: list[str] = field(default_factory=list)


def choose_feed(filename: str, data: bytes, subject: str | None, own_feeds: list[str]) -> FeedChoice:
    """Which feed an attachment is: its header, when exactly one feed's header matches
    best (a tie goes to the feed the file name or subject names, then to the one feed of
    the tied ones the sender reports); else the feed its file name names; else the feed
    the subject names (a file that does not read as that feed is then refused by the
    landing's check, and the receipt says why)."""
    by_header = header_feeds(filename, data)
    by_name = named_feed(PurePath(filename).stem)
    by_subject = named_feed(subject)
    if len(by_header) == 1:
        return FeedChoice(by_header[0], "header")
    if by_header:
        for named, basis in ((by_name, "filename"), (by_subject, "subject")):
            if named in by_header:
                return FeedChoice(named, basis)
        own = [f for f in by_header if f in own_feeds]
        if len(own) == 1:
            return FeedChoice(own[0], "header")
        return FeedChoice(None, None, by_header)
    if by_name:
        return FeedChoice(by_name, "filename")
    if by_subject:
        return FeedChoice(by_subject, "subject")
    return FeedChoice(None, None)


# ---------------------------------------------------------------- the message


@dataclass
class Attachment:
    index: int  # position among the message's parts with a file name
    filename: str
    content_type: str
    data: bytes

    @property
    def is_ledger(self) -> bool:
        if self.content_type.split("/")[0] in NOT_LEDGER_TYPES or self.content_type in SIGNATURE_TYPES:
            return False
        if PurePath(self.filename).suffix.lower() in LEDGER_SUFFIXES:
            return True
        # a misnamed workbook is read by its content (feeds.md); a Word file is a zip too
        suffix = PurePath(self.filename).suffix.lower()
        return self.data.startswith(WORKBOOK_MAGIC) and suffix not in (".docx", ".pptx", ".doc", ".ppt", ".zip", ".pdf")


@dataclass
class Incoming:
    key: str  # Message-ID, or sha256 of the raw message when it has none
    message_id: str | None
    from_address: str | None
    subject: str
    arrived_at: dt.datetime  # the server's arrival time (INTERNALDATE), county wall clock
    attachments: list[Attachment]
    automatic: bool = False  # an auto-reply or a bounce: answering it could start a mail loop
    ours: bool = False  # a message the warehouse sent (a receipt, an alert) come back to this mailbox


def parse_message(raw: bytes, arrived_at: dt.datetime) -> Incoming:
    from pipelines.lib.submission import safe_filename

    msg: EmailMessage = email.message_from_bytes(raw, policy=policy.default)  # type: ignore[assignment]
    message_id = (msg.get("Message-ID") or "").strip() or None
    key = message_id or "sha256:" + hashlib.sha256(raw).hexdigest()
    address = None
    try:
        addresses = msg["From"].addresses if msg["From"] is not None else ()
        if len(addresses) == 1 and addresses[0].addr_spec and "@" in addresses[0].addr_spec:
            address = addresses[0].addr_spec
    except (AttributeError, IndexError, TypeError):
        address = email.utils.parseaddr(str(msg.get("From") or ""))[1] or None
    attachments = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        # the name it would land under: a file name from a mail never chooses a folder
        attachments.append(Attachment(len(attachments), safe_filename(name, "附件"), part.get_content_type(), payload))
    subject = " ".join(str(msg.get("Subject") or "").split())
    automatic = (
        str(msg.get("Auto-Submitted") or "no").strip().lower() != "no"
        or str(msg.get("Precedence") or "").strip().lower() in ("bulk", "junk", "list", "auto_reply")
        or msg.get("X-Autoreply") is not None
    )
    # every message the warehouse sends carries its id (alerts.message.build_email)
    ours = msg.get("X-Safetywh-Alert-Id") is not None
    return Incoming(key, message_id, address, subject, arrived_at, attachments, automatic, ours)


# ---------------------------------------------------------------- state

DDL = """
CREATE TABLE IF NOT EXISTS messages (
    message_key  TEXT PRIMARY KEY,
    message_id   TEXT,
    from_address TEXT,
    sender_code  TEXT,            -- null: an address no sender has
    subject      TEXT,
    arrived_at   TEXT NOT NULL,   -- county wall clock, ISO
    first_seen_at TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('filing', 'done')),
    done_at      TEXT
);
CREATE TABLE IF NOT EXISTS parts (
    message_key  TEXT NOT NULL,
    part_index   INTEGER NOT NULL,
    filename     TEXT NOT NULL,
    outcome      TEXT NOT NULL,   -- landed | no_feed | refused | ignored
    feed         TEXT,
    basis        TEXT,
    landed_path  TEXT,            -- relative to <home>/landing
    sha256       TEXT,
    size_bytes   INTEGER,
    receipt      TEXT,            -- the receipt text (landed) or the reason (refused)
    PRIMARY KEY (message_key, part_index)
);
CREATE TABLE IF NOT EXISTS replies (
    reply_id     TEXT PRIMARY KEY,
    message_key  TEXT NOT NULL,
    kind         TEXT NOT NULL,   -- receipt | unknown_sender
    recipient    TEXT,
    subject      TEXT NOT NULL,
    eml_path     TEXT NOT NULL,   -- relative to <home>/outbox
    status       TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    created_at   TEXT NOT NULL,
    sent_at      TEXT
);
"""


def state_folder(home: Home) -> Path:
    return home.root / "mailbox"


def open_state(home: Home) -> sqlite3.Connection:
    folder = state_folder(home)
    folder.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(folder / "mailbox.sqlite", isolation_level=None)  # autocommit: each write stands
    con.row_factory = sqlite3.Row
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.executescript(DDL)
    return con


@contextmanager
def poll_lock(home: Home) -> Iterator[None]:
    folder = state_folder(home)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".poll.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise MailboxBusy(f"另一个报送邮箱轮询正在进行（{folder / '.poll.lock'}）") from exc
        yield


def county_now(profile: Profile) -> dt.datetime:
    return dt.datetime.now(ZoneInfo(profile.timezone)).replace(tzinfo=None, microsecond=0)


def _internaldate(fetched: bytes, timezone: str) -> dt.datetime | None:
    """The server's arrival time of a message, county wall clock (imaplib parses the
    month names itself: strptime's %b would follow the process locale)."""
    parsed = imaplib.Internaldate2tuple(fetched)
    if parsed is None:
        return None
    return dt.datetime.fromtimestamp(time.mktime(parsed), ZoneInfo(timezone)).replace(tzinfo=None)


@dataclass
class PollResult:
    configured: bool = True
    reason: str | None = None
    messages: int = 0  # handled in this poll
    filed: list[str] = field(default_factory=list)  # landing paths
    unknown_senders: int = 0
    unnamed: int = 0  # attachments whose feed could not be told
    refused: int = 0
    errors: int = 0  # messages that failed and wait for the next poll
    more_waiting: bool = False  # max_messages reached: the rest wait for the next poll
    replies_created: int = 0
    sent: int = 0
    failed: int = 0
    smtp_configured: bool = False

    def summary(self) -> str:
        if not self.configured:
            return f"未轮询报送邮箱：{self.reason}"
        parts = [f"处理邮件 {self.messages} 封", f"入库附件 {len(self.filed)} 个"]
        if self.unknown_senders:
            parts.append(f"未登记地址来信 {self.unknown_senders} 封（已告知数据组）")
        if self.unnamed:
            parts.append(f"无法判断报表类别的附件 {self.unnamed} 个（已回复如何命名）")
        if self.refused:
            parts.append(f"被拒收的附件 {self.refused} 个")
        if self.errors:
            parts.append(f"处理出错的邮件 {self.errors} 封（留在邮箱中，下次轮询重试，详见日志）")
        if self.more_waiting:
            parts.append("其余邮件下次轮询处理")
        parts.append(f"回复 {self.replies_created} 封")
        parts.append(
            f"已发送 {self.sent} 封，发送失败 {self.failed} 封"
            if self.smtp_configured
            else "未配置 SMTP：回复留在 outbox 待发送"
        )
        return "；".join(parts)


def poll_mailbox(
    home: Home,
    profile: Profile,
    settings: ImapSettings | None = None,
    now: dt.datetime | None = None,
    max_messages: int | None = None,
) -> PollResult:
    """One pass over the reporting mailbox; see the module docstring. ``max_messages``
    bounds the messages handled (oldest first); the rest wait for the next poll."""
    settings = settings if settings is not None else ImapSettings.resolve()
    if settings is None:
        return PollResult(configured=False, reason="未设置 SAFETYWH_IMAP_HOST（报送邮箱）")
    now = now or county_now(profile)
    result = PollResult()
    with poll_lock(home):
        state = open_state(home)
        try:
            client = settings.connect()
            try:
                _poll(client, settings, state, home, profile, now, result, max_messages)
            finally:
                _logout(client)
            result.sent, result.failed, result.smtp_configured = send_replies(state, home, profile, now)
        finally:
            state.close()
    return result


def _logout(client: imaplib.IMAP4) -> None:
    try:
        client.logout()
    except (imaplib.IMAP4.error, OSError):
        pass


def _check(response: tuple[str, list[Any]], what: str) -> list[Any]:
    status, data = response
    if status != "OK":
        raise imaplib.IMAP4.error(f"{what}: {status} {data!r}")
    return data


def _poll(
    client: imaplib.IMAP4,
    settings: ImapSettings,
    state: sqlite3.Connection,
    home: Home,
    profile: Profile,
    now: dt.datetime,
    result: PollResult,
    max_messages: int | None,
) -> None:
    _check(client.select(_quoted(settings.mailbox)), f"SELECT {settings.mailbox}")
    criteria = ["UNKEYWORD", FILED_KEYWORD]
    if settings.since is not None:
        # IMAP's SINCE compares the server's arrival date (RFC 3501: INTERNALDATE, time ignored)
        months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
        criteria += ["SINCE", f"{settings.since.day}-{months[settings.since.month - 1]}-{settings.since.year}"]
    uids = _check(client.uid("SEARCH", None, *criteria), "SEARCH")
    for uid in (uids[0] or b"").split():
        if max_messages is not None and result.messages + result.errors >= max_messages:
            result.more_waiting = True
            break
        fetched = _check(client.uid("FETCH", uid, "(INTERNALDATE BODY.PEEK[])"), f"FETCH {uid!r}")
        item = next((x for x in fetched if isinstance(x, tuple)), None)
        if item is None:  # expunged meanwhile
            continue
        arrived = _internaldate(item[0], profile.timezone) or now
        incoming = parse_message(item[1], arrived)
        if not _already_done(state, incoming.key):
            try:
                handle_message(incoming, state, home, profile, now, result, settings.mailbox)
            except Exception:  # noqa: BLE001 - one broken message must not stop the others
                # not flagged: the next poll tries it again, resuming what was done
                log.exception("mailbox: message %s (uid %s) failed", incoming.key, uid.decode())
                result.errors += 1
                continue
            result.messages += 1
        # after the state says done: a crash before this line only costs a second look
        client.uid("STORE", uid, "+FLAGS.SILENT", f"(\\Seen {FILED_KEYWORD})")


def _already_done(state: sqlite3.Connection, key: str) -> bool:
    row = state.execute("SELECT state FROM messages WHERE message_key = ?", [key]).fetchone()
    return row is not None and row["state"] == "done"


def _record_message(state: sqlite3.Connection, incoming: Incoming, sender: str | None, now: dt.datetime) -> None:
    state.execute(
        "INSERT OR IGNORE INTO messages (message_key, message_id, from_address, sender_code, subject, arrived_at, "
        "first_seen_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'filing')",
        [
            incoming.key,
            incoming.message_id,
            incoming.from_address,
            sender,
            incoming.subject,
            incoming.arrived_at.isoformat(),
            now.isoformat(),
        ],
    )


def _done_parts(state: sqlite3.Connection, key: str) -> dict[int, sqlite3.Row]:
    return {r["part_index"]: r for r in state.execute("SELECT * FROM parts WHERE message_key = ?", [key])}


def _file_part(
    home: Home, profile: Profile, incoming: Incoming, sender: str, part: Attachment, own_feeds: list[str]
) -> dict[str, Any]:
    """What one attachment becomes: filed (the portal's landing and receipt), not
    determinable (which feed?) or left alone (not a ledger)."""
    from pipelines.lib.submission import Limits, land_submission

    row: dict[str, Any] = {
        "message_key": incoming.key,
        "part_index": part.index,
        "filename": part.filename,
        "size_bytes": len(part.data),
        "sha256": hashlib.sha256(part.data).hexdigest(),
    }
    if not part.is_ledger:
        return {**row, "outcome": "ignored"}
    if len(part.data) > Limits.of(profile).max_bytes:
        # not worth reading: the feed can only come from the names; the landing refuses it
        # with the portal's words, or the sender is told how to name it
        by_name = named_feed(PurePath(part.filename).stem) or named_feed(incoming.subject)
        choice = FeedChoice(by_name, "filename" if by_name else None)
    else:
        choice = choose_feed(part.filename, part.data, incoming.subject, own_feeds)
    if choice.feed is None:
        return {
            **row,
            "outcome": "no_feed",
            "receipt": "、".join(load_contracts()[f].label for f in choice.ambiguous) or None,
        }
    # the arrival time is the received time: a ledger mailed before a deadline is on time
    receipt = land_submission(
        home, choice.feed, sender, part.filename, part.data, now=incoming.arrived_at, profile=profile
    )
    return {
        **row,
        "outcome": "landed" if receipt.landed else "not_landed",
        "feed": choice.feed,
        "basis": choice.basis,
        "landed_path": receipt.path,
        "receipt": receipt.text(),
    }


def _insert_part(state: sqlite3.Connection, row: dict[str, Any]) -> None:
    columns = ", ".join(row)
    state.execute(f"INSERT OR REPLACE INTO parts ({columns}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def reply_id_for(key: str, kind: str) -> str:
    return f"mail-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}-{kind}"


def handle_message(
    incoming: Incoming,
    state: sqlite3.Connection,
    home: Home,
    profile: Profile,
    now: dt.datetime,
    result: PollResult,
    mailbox: str = "INBOX",
) -> None:
    sender = sender_for_address(profile, incoming.from_address)
    _record_message(state, incoming, sender, now)
    if incoming.ours:
        # answering our own message (the data team's address is this mailbox, a receipt
        # bounced back whole) would answer the answer, for ever
        log.info("mailbox: %s is the warehouse's own message, left alone", incoming.key)
    elif sender is None:
        result.unknown_senders += 1
        _reply_unknown_sender(incoming, state, home, profile, now, result, mailbox)
    else:
        from pipelines.lib.submission import sender_feeds

        own_feeds = sender_feeds(sender, profile)
        done = _done_parts(state, incoming.key)
        for part in incoming.attachments:
            if part.index in done:  # filed by a poll that stopped before the message was done
                continue
            row = _file_part(home, profile, incoming, sender, part, own_feeds)
            _insert_part(state, row)
            if row["outcome"] == "landed":
                result.filed.append(row["landed_path"])
            elif row["outcome"] == "no_feed":
                result.unnamed += 1
            elif row["outcome"] == "not_landed":
                result.refused += 1
        if not incoming.automatic:
            _reply_receipt(incoming, sender, state, home, profile, now, result)
    state.execute(
        "UPDATE messages SET state = 'done', done_at = ? WHERE message_key = ?", [now.isoformat(), incoming.key]
    )


# ---------------------------------------------------------------- replies


def _identity(profile: Profile) -> tuple[str, str, str | None]:
    from pipelines.lib.alerts.outbox import sender_identity

    _, address, reply_to = sender_identity(profile)
    return f"{profile.config['county']['bureau']}数据报送", address, reply_to


def _queue_reply(
    state: sqlite3.Connection,
    home: Home,
    profile: Profile,
    now: dt.datetime,
    result: PollResult,
    *,
    reply_id: str,
    key: str,
    kind: str,
    recipient: str | None,
    recipient_name: str,
    template: str,
    ctx: dict[str, Any],
) -> None:
    """Write the reply to the outbox and record it queued; once per message and kind."""
    from pipelines.lib.alerts.message import Outgoing, write_outbox
    from pipelines.lib.alerts.render import render, render_line

    if state.execute("SELECT 1 FROM replies WHERE reply_id = ?", [reply_id]).fetchone():
        return
    from_name, from_address, reply_to = _identity(profile)
    ctx = {
        **ctx,
        "bureau": profile.config["county"]["bureau"],
        "data_team": (profile.config.get("contacts") or {}).get("data_team") or "",
    }
    ctx["reply_subject"] = render_line(f"{template}_subject.txt.j2", **ctx)
    out = Outgoing(
        alert_id=reply_id,
        subject=ctx["reply_subject"],
        text=render(f"{template}.txt.j2", **ctx),
        html=render(f"{template}.html.j2", **ctx),
        recipient=recipient,
        recipient_name=recipient_name,
        from_address=from_address,
        from_name=from_name,
        reply_to=reply_to,
        created_at=now,
        timezone=profile.timezone,
    )
    files = write_outbox(home.outbox, out)
    state.execute(
        "INSERT INTO replies (reply_id, message_key, kind, recipient, subject, eml_path, status, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)",
        [reply_id, key, kind, recipient, out.subject, files.eml, now.isoformat()],
    )
    result.replies_created += 1


def _reply_receipt(
    incoming: Incoming,
    sender: str,
    state: sqlite3.Connection,
    home: Home,
    profile: Profile,
    now: dt.datetime,
    result: PollResult,
) -> None:
    from pipelines.lib.submission import sender_feeds

    parts = sorted(_done_parts(state, incoming.key).values(), key=lambda r: r["part_index"])
    contracts = load_contracts()
    ctx = {
        "sender_name": profile.sender_name(sender),
        "sender": sender,
        "subject": incoming.subject or "（无主题）",
        "arrived_at": incoming.arrived_at,
        "filed": [dict(r) for r in parts if r["outcome"] in ("landed", "not_landed")],
        "unnamed": [dict(r) for r in parts if r["outcome"] == "no_feed"],
        "ignored": [r["filename"] for r in parts if r["outcome"] == "ignored"],
        "feeds": [{"feed": f, "label": contracts[f].label} for f in (sender_feeds(sender, profile) or contracts)],
    }
    _queue_reply(
        state,
        home,
        profile,
        now,
        result,
        reply_id=reply_id_for(incoming.key, "receipt"),
        key=incoming.key,
        kind="receipt",
        recipient=incoming.from_address,
        recipient_name=profile.sender_name(sender),
        template="mailbox_receipt",
        ctx=ctx,
    )


def _reply_unknown_sender(
    incoming: Incoming,
    state: sqlite3.Connection,
    home: Home,
    profile: Profile,
    now: dt.datetime,
    result: PollResult,
    mailbox: str,
) -> None:
    ctx = {
        "from_address": incoming.from_address or "（无法识别的发件人）",
        "subject": incoming.subject or "（无主题）",
        "arrived_at": incoming.arrived_at,
        "message_id": incoming.message_id or "（无）",
        "mailbox": mailbox,
        # an address two senders registered names neither of them
        "shared_by": [
            profile.sender_name(c)
            for c in sender_addresses(profile).get((incoming.from_address or "").strip().lower(), [])
        ],
        "attachments": [
            {"filename": a.filename, "size_kb": max(1, round(len(a.data) / 1024))} for a in incoming.attachments
        ],
    }
    recipient = (profile.config.get("contacts") or {}).get("data_team")
    _queue_reply(
        state,
        home,
        profile,
        now,
        result,
        reply_id=reply_id_for(incoming.key, "unknown_sender"),
        key=incoming.key,
        kind="unknown_sender",
        recipient=recipient,
        recipient_name="数据组",
        template="mailbox_unknown_sender",
        ctx=ctx,
    )


def send_replies(state: sqlite3.Connection, home: Home, profile: Profile, now: dt.datetime) -> tuple[int, int, bool]:
    """Send every reply not yet accepted by the SMTP server (the alerts' SMTP settings and
    delivery); (sent, failed, SMTP configured). Each result is recorded as it comes."""
    from pipelines.lib.alerts.smtp import Delivery, SmtpSettings, deliver

    settings = SmtpSettings.resolve(profile.config)
    if settings is None:
        return 0, 0, False
    envelope_from = settings.from_address or _identity(profile)[1]
    pending = state.execute(
        "SELECT reply_id, recipient, eml_path FROM replies WHERE status IN ('queued', 'failed') ORDER BY created_at, reply_id"
    ).fetchall()

    def deliveries():
        for row in pending:
            path = home.outbox / row["eml_path"]
            data = path.read_bytes() if path.is_file() else b""
            yield Delivery(row["reply_id"], envelope_from, row["recipient"] if data else None, data)

    sent = failed = 0
    for outcome in deliver(settings, deliveries()):
        if outcome.ok:
            sent += 1
            state.execute(
                "UPDATE replies SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL "
                "WHERE reply_id = ?",
                [now.isoformat(), outcome.key],
            )
        else:
            failed += 1
            log.warning("mailbox reply %s not sent: %s", outcome.key, outcome.error)
            state.execute(
                "UPDATE replies SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE reply_id = ?",
                [outcome.error, outcome.key],
            )
    return sent, failed, True


def replies_frame(home: Home) -> pl.DataFrame:
    """Every reply of the mailbox with its delivery status (for the CLI)."""
    state = open_state(home)
    try:
        rows = [
            dict(r)
            for r in state.execute(
                "SELECT r.created_at, r.kind, m.sender_code, r.recipient, r.status, r.attempts, r.subject "
                "FROM replies r JOIN messages m USING (message_key) ORDER BY r.created_at, r.reply_id"
            )
        ]
    finally:
        state.close()
    schema = {
        "created_at": pl.String,
        "kind": pl.String,
        "sender_code": pl.String,
        "recipient": pl.String,
        "status": pl.String,
        "attempts": pl.Int64,
        "subject": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)
