"""Dashboard sessions, login throttling and the audit log (dashboards.logins), on a real
SQLite store in a temporary home, with the clock moved by hand instead of sleeping."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboards import logins
from dashboards.auth import Viewer

T0 = dt.datetime(2026, 12, 4, 1, 0, tzinfo=dt.UTC)  # 09:00 in Ningxiang
LEADER = Viewer("lingdao", "局领导", "leader")
PASSWORD = "Lingdao@2023"


def check(username: str, password: str) -> Viewer | None:
    # the accounts file's role: a Viewer for the right password (scrypt is checked in test_dashboard_access)
    return LEADER if (username, password) == ("lingdao", PASSWORD) else None


@pytest.fixture
def store(tmp_path):
    return logins.Store(
        tmp_path / "dashboards" / "logins.sqlite",
        logins.Settings(session_hours=8, max_failures=5, window_minutes=10, lockout_minutes=15),
    )


def minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def events(store) -> list[str]:
    return [row[1] for row in reversed(store.audit())]


def test_thirty_wrong_passwords_lock_the_account_until_the_lock_passes(store):
    for i in range(30):
        # 30 in 50 seconds
        outcome, viewer = store.login("lingdao", f"wrong{i}", "10.0.0.7", T0 + dt.timedelta(seconds=i * 5 / 3), check)
        assert viewer is None and outcome.token is None
    # the fifth failure (09:00:06.7) locked the account for 15 minutes, to the next whole minute
    until = minutes(16)
    outcome, viewer = store.login("lingdao", PASSWORD, "10.0.0.7", minutes(2), check)
    assert viewer is None and outcome.locked_until == until
    assert outcome.message == f"登录失败次数过多，已暂时锁定，请于 {logins.local_text(until)}（北京时间）后再试"
    assert logins.local_text(until) == "2026-12-04 09:16"
    # from another address too: the account is locked
    assert store.login("lingdao", PASSWORD, "10.0.0.8", until - dt.timedelta(seconds=1), check)[1] is None
    # the lock passes: the right password works
    outcome, viewer = store.login("lingdao", PASSWORD, "10.0.0.8", until + dt.timedelta(seconds=1), check)
    assert viewer == LEADER and outcome.token
    seen = events(store)
    assert seen[:5] == ["failure"] * 5 and seen[5] == "lockout"
    # 2 lockouts (account, address) at the fifth failure; then 25 wrong + 2 right ones refused, then the login
    assert seen.count("failure") == 5 and seen.count("lockout") == 2
    assert seen.count("refused") == 27 and seen[-1] == "login"


def test_four_failures_do_not_lock_and_old_failures_fall_out_of_the_window(store):
    for i in range(4):
        store.login("lingdao", "wrong", None, minutes(i), check)
    assert store.login("lingdao", PASSWORD, None, minutes(4), check)[1] == LEADER
    # 4 more failures, then 11 minutes later a 5th: only 1 inside the window, no lock
    for i in range(4):
        store.login("lingdao", "wrong", None, minutes(5 + i), check)
    outcome, _ = store.login("lingdao", "wrong", None, minutes(20), check)
    assert outcome.message == "用户名或密码错误" and outcome.locked_until is None
    assert store.login("lingdao", PASSWORD, None, minutes(20.5), check)[1] == LEADER


def test_one_address_guessing_many_accounts_is_locked(store):
    for i in range(5):
        store.login(f"user{i}", "guess", "10.0.0.9", minutes(i), check)
    outcome, viewer = store.login("lingdao", PASSWORD, "10.0.0.9", minutes(5), check)
    assert viewer is None and outcome.locked_until == minutes(4 + 15)
    # the account itself is not locked: the leader logs in from elsewhere
    assert store.login("lingdao", PASSWORD, "10.0.0.10", minutes(5), check)[1] == LEADER


def test_a_session_lasts_its_hours_and_a_logout_ends_it(store):
    outcome, _ = store.login("lingdao", PASSWORD, None, T0, check)
    token = outcome.token
    assert store.username_for(token, T0 + dt.timedelta(hours=7, minutes=59)) == "lingdao"
    assert store.username_for(token, T0 + dt.timedelta(hours=8)) is None
    assert store.username_for("not-a-token", T0) is None
    second = store.login("lingdao", PASSWORD, None, T0, check)[0].token
    store.logout(second, None, minutes(1))
    assert store.username_for(second, minutes(2)) is None
    assert store.username_for(token, minutes(2)) == "lingdao"  # another login of the account is its own
    # only the token's digest is stored
    stored = b"".join(f.read_bytes() for f in store.path.parent.glob("logins.sqlite*"))
    assert token.encode() not in stored
    assert events(store) == ["login", "login", "logout"]


def test_audit_page_frame_is_for_leaders_in_beijing_time(store):
    store.login("lingdao", "wrong", None, T0, check)
    frame = logins.audit_frame(store, LEADER)
    assert frame.row(0) == ("2026-12-04 09:00:00", "密码错误", "lingdao", "本机", "")
    from dashboards.auth import AccessDenied

    with pytest.raises(AccessDenied):
        logins.audit_frame(store, Viewer("430182001", "玉潭街道", "township", "430182001"))


def test_profile_settings_are_read(monkeypatch):
    settings = logins.Settings.from_profile()
    assert settings == logins.Settings(session_hours=8, max_failures=5, window_minutes=10, lockout_minutes=15)
