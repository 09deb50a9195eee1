"""Dashboard sessions, login throttling and the login audit log.

One SQLite file under the home (``<home>/dashboards/logins.sqlite``), never the published
copy (read-only, replaced by every run). SQLite, not DuckDB: the server writes it from
several script threads, and a DuckDB file would lock out the leader reading the audit.

- A session is a random token (only its SHA-256 is stored) kept in the browser's cookie,
  never in a URL. It lasts ``session_hours`` from the login (profile ``dashboards:``), so a
  reload, a bookmark or a typed link within that time needs no new login; a logout
  revokes it, so every tab and reload holding the token is logged out.
- Wrong passwords are counted per account and per client address; ``max_failures`` within
  ``window_minutes`` lock that account (or address) for ``lockout_minutes``. A locked
  login is refused before the password is checked, with the time the lock ends.
- Every login, failed attempt, lockout, refusal and logout is a row of ``audit``.

Every function takes ``now`` (an aware datetime) so tests move the clock instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from warehouse.home import Home

COOKIE = "safetywh_session"
TZ = ZoneInfo("Asia/Shanghai")

EVENTS = {
    "login": "登录成功",
    "failure": "密码错误",
    "lockout": "锁定",
    "refused": "拒绝登录（锁定中）",
    "logout": "退出登录",
}

_SCHEMA = """
create table if not exists sessions (
    token_sha256 text primary key,
    username text not null,
    address text,
    created_at text not null,
    expires_at text not null,
    revoked_at text
);
create table if not exists audit (
    at text not null,
    event text not null,
    username text,
    address text,
    detail text
);
create index if not exists audit_at on audit (at);
create table if not exists locks (
    scope text not null,        -- 'account' | 'address'
    key text not null,
    locked_at text not null,
    until text not null
);
"""


@dataclass(frozen=True)
class Settings:
    """The profile's ``dashboards:`` section (defaults when absent)."""

    session_hours: float = 8
    max_failures: int = 5
    window_minutes: float = 10
    lockout_minutes: float = 15

    @classmethod
    def from_profile(cls) -> Settings:
        from pipelines.lib.profile import load_profile

        section = load_profile().config.get("dashboards") or {}
        login = section.get("login") or {}
        return cls(
            session_hours=float(section.get("session_hours", cls.session_hours)),
            max_failures=int(login.get("max_failures", cls.max_failures)),
            window_minutes=float(login.get("window_minutes", cls.window_minutes)),
            lockout_minutes=float(login.get("lockout_minutes", cls.lockout_minutes)),
        )


@dataclass(frozen=True)
class Outcome:
    """What a login attempt gave: a token, or a refusal message in Chinese."""

    token: str | None = None
    message: str | None = None
    locked_until: dt.datetime | None = None


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    # UTC text sorts as time; shown in Asia/Shanghai
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _ceil_minute(moment: dt.datetime) -> dt.datetime:
    """Up to the whole minute, so the message's 09:16 is when the lock really ends."""
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + dt.timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def local_text(moment: dt.datetime) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


class Store:
    def __init__(self, path: Path, settings: Settings | None = None):
        self.path = Path(path)
        self.settings = settings or Settings()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as con:
            con.executescript(_SCHEMA)

    @classmethod
    def for_home(cls, settings: Settings | None = None) -> Store:
        home = Home.resolve(os.environ.get("SAFETYWH_HOME"))
        return cls(home.root / "dashboards" / "logins.sqlite", settings or Settings.from_profile())

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        con.execute("pragma journal_mode=wal")
        return con

    def _audit(self, con, now, event: str, username: str | None, address: str | None, detail: str = "") -> None:
        con.execute("insert into audit values (?, ?, ?, ?, ?)", (_iso(now), event, username, address, detail))

    # -------------------------------------------------------------- throttling

    def _lock_until(self, con, scope: str, key: str, now: dt.datetime) -> dt.datetime | None:
        row = con.execute(
            "select max(until) from locks where scope = ? and key = ? and until > ?", (scope, key, _iso(now))
        ).fetchone()
        return _parse(row[0]) if row and row[0] else None

    def _failures_since_lock(self, con, scope: str, key: str, now: dt.datetime) -> int:
        """Failures within the window that came after the last lock ended (a lock's own
        failures must not lock again at the next wrong password after it)."""
        column = "username" if scope == "account" else "address"
        since = now - dt.timedelta(minutes=self.settings.window_minutes)
        last = con.execute("select max(until) from locks where scope = ? and key = ?", (scope, key)).fetchone()[0]
        if last and _parse(last) > since:
            since = _parse(last)
        return con.execute(
            f"select count(*) from audit where event = 'failure' and {column} = ? and at > ?", (key, _iso(since))
        ).fetchone()[0]

    def _keys(self, username: str, address: str | None) -> list[tuple[str, str]]:
        keys = [("account", username)]
        if address:
            keys.append(("address", address))
        return keys

    def locked_until(self, username: str, address: str | None, now: dt.datetime) -> dt.datetime | None:
        with closing(self._connect()) as con:
            found = [self._lock_until(con, s, k, now) for s, k in self._keys(username, address)]
        found = [f for f in found if f]
        return max(found) if found else None

    # -------------------------------------------------------------- logins

    def login(
        self, username: str, password: str, address: str | None, now: dt.datetime, authenticate
    ) -> tuple[Outcome, object | None]:
        """Check a login: refused while locked, else the password; (outcome, viewer or None).

        ``authenticate(username, password)`` returns a Viewer or None (dashboards.auth)."""
        username = (username or "").strip()
        with closing(self._connect()) as con:
            until = [u for u in (self._lock_until(con, s, k, now) for s, k in self._keys(username, address)) if u]
            if until:
                end = max(until)
                self._audit(con, now, "refused", username, address, f"锁定至 {local_text(end)}")
                return Outcome(message=lock_message(end), locked_until=end), None
        viewer = authenticate(username, password)
        with closing(self._connect()) as con:
            if viewer is None:
                self._audit(con, now, "failure", username, address)
                end = None
                for scope, key in self._keys(username, address):
                    if self._failures_since_lock(con, scope, key, now) >= self.settings.max_failures:
                        end = _ceil_minute(now + dt.timedelta(minutes=self.settings.lockout_minutes))
                        con.execute("insert into locks values (?, ?, ?, ?)", (scope, key, _iso(now), _iso(end)))
                        what = "账号" if scope == "account" else "地址"
                        self._audit(
                            con,
                            now,
                            "lockout",
                            username,
                            address,
                            f"{what} {key} 在 {self.settings.window_minutes:g} 分钟内输错密码 "
                            f"{self.settings.max_failures} 次，锁定至 {local_text(end)}",
                        )
                if end:
                    return Outcome(message=lock_message(end), locked_until=end), None
                return Outcome(message="用户名或密码错误"), None
            token = self._open(con, viewer.username, address, now)
        return Outcome(token=token), viewer

    def _open(self, con, username: str, address: str | None, now: dt.datetime) -> str:
        token = secrets.token_urlsafe(32)
        expires = now + dt.timedelta(hours=self.settings.session_hours)
        con.execute(
            "insert into sessions values (?, ?, ?, ?, ?, null)",
            (_digest(token), username, address, _iso(now), _iso(expires)),
        )
        self._audit(con, now, "login", username, address, f"会话有效至 {local_text(expires)}")
        return token

    def open_session(self, username: str, address: str | None, now: dt.datetime) -> str:
        """A session for an account whose login was checked elsewhere (the page tests)."""
        with closing(self._connect()) as con:
            return self._open(con, username, address, now)

    def username_for(self, token: str | None, now: dt.datetime) -> str | None:
        """The account of a live session token; None when unknown, revoked or expired."""
        if not token:
            return None
        with closing(self._connect()) as con:
            row = con.execute(
                "select username, expires_at, revoked_at from sessions where token_sha256 = ?", (_digest(token),)
            ).fetchone()
        if row is None or row[2] is not None or _parse(row[1]) <= now:
            return None
        return row[0]

    def expires_at(self, token: str) -> dt.datetime | None:
        with closing(self._connect()) as con:
            row = con.execute("select expires_at from sessions where token_sha256 = ?", (_digest(token),)).fetchone()
        return _parse(row[0]) if row else None

    def logout(self, token: str | None, address: str | None, now: dt.datetime) -> None:
        """Revoke the session: every tab and reload holding this token is logged out."""
        if not token:
            return
        with closing(self._connect()) as con:
            row = con.execute(
                "select username from sessions where token_sha256 = ? and revoked_at is null", (_digest(token),)
            ).fetchone()
            if row is None:
                return
            con.execute("update sessions set revoked_at = ? where token_sha256 = ?", (_iso(now), _digest(token)))
            self._audit(con, now, "logout", row[0], address)

    def audit(self, limit: int = 1000) -> list[tuple]:
        """Latest audit rows first: (at UTC text, event, username, address, detail)."""
        with closing(self._connect()) as con:
            return con.execute(
                "select at, event, username, address, detail from audit order by at desc, rowid desc limit ?", (limit,)
            ).fetchall()


def lock_message(until: dt.datetime) -> str:
    return f"登录失败次数过多，已暂时锁定，请于 {local_text(until)}（北京时间）后再试"


# Headers of the audit table as a leader reads it (this table is the store's, not a mart's)
AUDIT_COLUMNS = ("at", "event", "username", "address", "detail")  # headers: vocabulary.yaml login_audit


def audit_frame(store: Store, viewer, limit: int = 1000):
    """The latest audit rows for a leader, times in Asia/Shanghai, events in Chinese."""
    import polars as pl

    viewer.require_leader()
    rows = store.audit(limit)
    frame = pl.DataFrame(rows, schema=list(AUDIT_COLUMNS), orient="row")
    return frame.with_columns(
        pl.col("at")
        .str.to_datetime(time_zone="UTC")
        .dt.convert_time_zone("Asia/Shanghai")
        .dt.strftime("%Y-%m-%d %H:%M:%S"),
        pl.col("event").replace_strict(EVENTS, default=pl.col("event")),
        pl.col("address").fill_null("本机"),
    )
