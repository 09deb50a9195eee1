"""A real IMAP server on loopback for the mailbox tests: Debian's dovecot (dovecot-imapd,
installed by `scripts/setup.sh --system`) started in the foreground with its own
configuration in a temporary folder: 127.0.0.1 on two free ports (IMAP, which also offers
STARTTLS, and IMAPS) with a self-signed certificate for 127.0.0.1 made by openssl, users
from a static passwd-file, maildirs in the folder. Messages are delivered the way a mail
server's delivery agent would leave them, by IMAP APPEND."""

from __future__ import annotations

import datetime as dt
import grp
import imaplib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from tests.alerts_smtp import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _accounts() -> dict[str, str]:
    """Which system accounts dovecot's processes run as. As root, the packaged unprivileged
    ones (dovecot refuses to run its login process as root); as anyone else, that user."""
    if os.getuid() == 0:
        return {
            "internal_user": "dovecot",
            "internal_group": "dovecot",
            "login_user": "dovenull",
            "mail_user": "dovecot",
            "mail_group": "dovecot",
        }
    user, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
    return {"internal_user": user, "internal_group": group, "login_user": user, "mail_user": user, "mail_group": group}


class ImapServer:
    def __init__(self, users: dict[str, str]) -> None:
        self.users = users
        self.port = free_port()
        self.ssl_port = free_port()
        self.process: subprocess.Popen | None = None
        # not under pytest's tmp (mode 0700): dovecot's unprivileged processes must reach it
        self.root = Path(tempfile.mkdtemp(prefix="safetywh-imap-"))

    def __enter__(self) -> ImapServer:
        root = self.root
        root.chmod(0o755)
        acc = _accounts()
        (root / "users").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in self.users.items()), "utf-8")
        mail = root / "mail"
        mail.mkdir()
        if os.getuid() == 0:
            shutil.chown(mail, acc["mail_user"], acc["mail_group"])
        uid, gid = pwd.getpwnam(acc["mail_user"]).pw_uid, grp.getgrnam(acc["mail_group"]).gr_gid
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                str(root / "key.pem"),
                "-out",
                str(self.certificate),
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
            ],
            check=True,
            capture_output=True,
        )
        (root / "dovecot.conf").write_text(
            f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = safetywh-test-{self.port}
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{self.certificate}
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {acc["internal_user"]}
default_internal_group = {acc["internal_group"]}
default_login_user = {acc["login_user"]}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.ssl_port}
  }}
}}
service anvil {{
  chroot =
}}
""",
            "utf-8",
        )
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                imaplib.IMAP4("127.0.0.1", self.port, timeout=2).logout()
                return self
            except OSError as exc:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError(f"dovecot did not start: {self.log()}") from exc
                time.sleep(0.1)

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def certificate(self) -> Path:
        """The server's self-signed certificate: trust it with SSL_CERT_FILE."""
        return self.root / "cert.pem"

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text("utf-8", "replace") if path.is_file() else ""

    def env(self, user: str, mailbox: str = "INBOX", security: str = "none") -> dict[str, str]:
        return {
            "SAFETYWH_IMAP_HOST": "127.0.0.1",
            "SAFETYWH_IMAP_PORT": str(self.ssl_port if security == "ssl" else self.port),
            "SAFETYWH_IMAP_SECURITY": security,
            "SAFETYWH_IMAP_USER": user,
            "SAFETYWH_IMAP_PASSWORD": self.users[user],
            "SAFETYWH_IMAP_MAILBOX": mailbox,
            "SAFETYWH_IMAP_TIMEOUT": "10",
        }

    def client(self, user: str) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(user, self.users[user])
        return client

    def deliver(
        self, user: str, message: EmailMessage, mailbox: str = "INBOX", arrived: dt.datetime | None = None
    ) -> None:
        """``arrived`` (aware): the arrival time the server records (INTERNALDATE)."""
        client = self.client(user)
        try:
            when = imaplib.Time2Internaldate(arrived) if arrived is not None else None
            status, data = client.append(mailbox, None, when, message.as_bytes())
            assert status == "OK", data
        finally:
            client.logout()

    def flags(self, user: str, mailbox: str = "INBOX") -> list[str]:
        """The flags of every message in the mailbox, in order."""
        client = self.client(user)
        try:
            client.select(mailbox, readonly=True)
            _, data = client.fetch("1:*", "(FLAGS)")
            return [item.decode() for item in data if item]
        finally:
            client.logout()


def mail(
    sender: str,
    to: str,
    subject: str,
    attachments: list[tuple[str, bytes, str]] = (),
    body: str = "请查收。",
    message_id: str | None = None,
    **headers: str,
) -> EmailMessage:
    """A clerk's message: (file name, content, MIME type) per attachment."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(dt.datetime.now().astimezone())
    msg["Message-ID"] = message_id or make_msgid(domain="clerk.example")
    for key, value in headers.items():
        msg[key.replace("_", "-")] = value
    msg.set_content(body)
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg
