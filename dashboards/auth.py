"""Dashboard accounts: who may log in and what each login may see.

Accounts live in a YAML file (default ``dashboards/accounts.yaml``, or
``$SAFETYWH_DASHBOARD_ACCOUNTS``) with scrypt password hashes only, so the file can be
committed and audited without exposing a password. ``safetywh dashboard-password``
prints a hash line for a new password.

Three roles:
- ``leader``: the bureau's leadership, sees every page and every township;
- ``township``: a township clerk, sees the county ranking and its own township only, and
  submits its township's ledgers (its sender code is its township code);
- ``department``: a department's data clerk (``sender_code`` of departments.csv), submits
  its department's ledgers and sees its own reporting record.
The query layer (dashboards.data) checks the Viewer on every call; hiding pages in the
navigation is only for convenience.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_ACCOUNTS = Path(__file__).resolve().parent / "accounts.yaml"
ACCOUNTS_ENV = "SAFETYWH_DASHBOARD_ACCOUNTS"
ROLES = ("leader", "township", "department")

# scrypt cost: ~50 ms a check here, enough to make guessing slow, short enough for a login.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


class AccessDenied(PermissionError):
    """The logged-in account may not see what it asked for (message in Chinese)."""


@dataclass(frozen=True)
class Viewer:
    """The logged-in account, passed to every query function."""

    username: str
    display_name: str
    role: str
    township_code: str | None = None
    # who a submission is from (landing/<feed>/<sender_code>/): always the login's, never a form's
    sender_code: str | None = None

    def __post_init__(self) -> None:
        if self.role == "township" and self.sender_code is None:
            object.__setattr__(self, "sender_code", self.township_code)

    @property
    def is_leader(self) -> bool:
        return self.role == "leader"

    def require_leader(self) -> None:
        if not self.is_leader:
            raise AccessDenied("本账号只能查看全市排名和本乡镇详情，无权查看全市汇总数据")

    def require_township(self, township_code: str) -> None:
        """A leader may see any township; a township clerk only its own."""
        if self.is_leader:
            return
        if self.role != "township" or not self.township_code or township_code != self.township_code:
            raise AccessDenied("本账号只能查看本乡镇的详情")


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str
    password_hash: str
    township_code: str | None = None
    sender_code: str | None = None

    def viewer(self) -> Viewer:
        return Viewer(self.username, self.display_name, self.role, self.township_code, self.sender_code)


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` with base64 salt and hash (standard library only)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    b64 = lambda raw: base64.b64encode(raw).decode("ascii")  # noqa: E731
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def accounts_path() -> Path:
    return Path(os.environ.get(ACCOUNTS_ENV) or DEFAULT_ACCOUNTS)


def load_accounts(path: Path | None = None) -> dict[str, Account]:
    """Accounts by username; a malformed entry is an error (a typo must not open access)."""
    path = path or accounts_path()
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    accounts: dict[str, Account] = {}
    for entry in document.get("accounts") or []:
        username = str(entry["username"])
        role = entry["role"]
        if role not in ROLES:
            raise ValueError(f"{path}: account {username}: unknown role {role!r}")
        township = entry.get("township_code")
        if role == "township" and not township:
            raise ValueError(f"{path}: account {username}: a township account needs township_code")
        sender = entry.get("sender_code")
        if role == "department" and not sender:
            raise ValueError(f"{path}: account {username}: a department account needs sender_code")
        if not str(entry.get("password", "")).startswith("scrypt$"):
            raise ValueError(f"{path}: account {username}: password must be a scrypt hash")
        accounts[username] = Account(
            username=username,
            display_name=str(entry.get("display_name") or username),
            role=role,
            password_hash=str(entry["password"]),
            township_code=str(township) if township else None,
            sender_code=str(sender) if sender else None,
        )
    return accounts


def authenticate(username: str, password: str, accounts: dict[str, Account] | None = None) -> Viewer | None:
    accounts = load_accounts() if accounts is None else accounts
    account = accounts.get((username or "").strip())
    if account is None:
        # same work as a real check, so a wrong user name and a wrong password take as long
        verify_password(password or "", hash_password("x", salt=b"0" * 16))
        return None
    return account.viewer() if verify_password(password or "", account.password_hash) else None
