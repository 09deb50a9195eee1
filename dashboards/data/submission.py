"""数据报送 and 报送情况: what a logged-in sender may submit, the check and the landing, and
the reporting record (obligations from marts.data_quality_deliveries).

The sender is always ``viewer.sender_code`` (set from the account at login); no function
here takes a sender from its caller, so no form field or URL can name another. A leader
has no sender code: it submits nothing and sees every sender's record.
"""

from __future__ import annotations

import datetime as dt
import os

import polars as pl

from dashboards.auth import AccessDenied, Viewer
from dashboards.data.common import require_login
from dashboards.data.source import NoData, fetch, has_table
from pipelines.lib import submission
from pipelines.lib.contracts import get_contract
from pipelines.lib.inventory import received_at, scan_landing
from pipelines.lib.profile import load_profile
from pipelines.lib.spec_doc import build_spec, spec_filename
from pipelines.lib.template import build_template, template_filename
from warehouse.home import Home

DELIVERY_STATUSES = ("on_time", "late", "missing", "pending")


def home() -> Home:
    # the CLI exports SAFETYWH_HOME for the server process (as source.published_path reads it)
    return Home.resolve(os.environ.get("SAFETYWH_HOME"))


def sender_of(viewer: Viewer) -> str:
    """The login's sender code; an account without one (a leader) submits nothing."""
    require_login(viewer)
    if viewer.role not in ("township", "department") or not viewer.sender_code:
        raise AccessDenied("本账号不是报送单位账号，不能报送数据")
    return viewer.sender_code


def sender_name(viewer: Viewer) -> str:
    return load_profile().sender_name(sender_of(viewer))


def feeds(viewer: Viewer) -> list[tuple[str, str]]:
    """(feed, Chinese label) of every feed this sender reports."""
    return [(feed, get_contract(feed).label) for feed in submission.sender_feeds(sender_of(viewer))]


def _allowed_feed(viewer: Viewer, feed: str) -> str:
    sender = sender_of(viewer)
    if feed not in dict(feeds(viewer)):
        raise AccessDenied(f"本单位不报送该类数据（{feed}）")
    return sender


def check(viewer: Viewer, feed: str, filename: str, data: bytes) -> submission.CheckResult:
    return submission.check_submission(home(), feed, _allowed_feed(viewer, feed), filename, data)


def submit(viewer: Viewer, feed: str, filename: str, data: bytes) -> submission.Receipt:
    return submission.land_submission(home(), feed, _allowed_feed(viewer, feed), filename, data)


def marked_workbook(viewer: Viewer, result: submission.CheckResult, data: bytes) -> bytes:
    if result.sender != sender_of(viewer):
        raise AccessDenied("只能下载本单位报送的文件")
    return submission.marked_workbook(result, data)


def template(viewer: Viewer, feed: str) -> tuple[bytes, str]:
    """The feed's template for this sender, named as ``safetywh template`` names it."""
    sender = _allowed_feed(viewer, feed)
    profile = load_profile()
    return build_template(feed, profile, sender=sender), template_filename(feed, profile, sender)


def spec(viewer: Viewer, kind: str) -> tuple[bytes, str]:
    """The reporting specification (数据报送规范) as PDF or DOCX."""
    require_login(viewer)
    if kind not in ("pdf", "docx"):
        raise ValueError(kind)
    profile = load_profile()
    return build_spec(profile, kind), spec_filename(profile, kind)


# ------------------------------------------------------------------ 报送情况


def _scope(viewer: Viewer) -> tuple[str, tuple]:
    """SQL condition and parameters: a leader every sender, anyone else only its own."""
    require_login(viewer)
    if viewer.is_leader:
        return "true", ()
    return "sender_code = ?", (sender_of(viewer),)


def has_deliveries(viewer: Viewer) -> bool:
    _scope(viewer)
    try:
        return has_table("marts", "data_quality_deliveries")
    except NoData:  # nothing published yet
        return False


def delivery_range(viewer: Viewer) -> tuple[dt.date | None, dt.date | None]:
    where, params = _scope(viewer)
    return fetch(
        f"select min(period_start) as first, max(period_end) as last from marts.data_quality_deliveries where {where}",
        *params,
    ).row(0)


def obligations(viewer: Viewer, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Every obligation of the sender(s) whose period ends in [start, end], latest due first."""
    where, params = _scope(viewer)
    return fetch(
        "select sender_code, sender_name, feed, feed_label, cadence, period, record_id, period_start, period_end, "
        "due_at, status, delivered_at, round(late_seconds / 3600.0, 1) as late_hours, delivered_path "
        f"from marts.data_quality_deliveries where {where} and period_end between ? and ? "
        "order by due_at desc, sender_code, feed, period",
        *params,
        start,
        end,
    )


def obligation_counts(viewer: Viewer, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Per sender: obligations, received (on time + late), on time, late, missing, pending."""
    where, params = _scope(viewer)
    return fetch(
        "select sender_code, any_value(sender_name) as sender_name, count(*) as due, "
        "count(*) filter (where status in ('on_time', 'late')) as received, "
        "count(*) filter (where status = 'on_time') as on_time, count(*) filter (where status = 'late') as late, "
        "count(*) filter (where status = 'missing') as missing, count(*) filter (where status = 'pending') as pending "
        f"from marts.data_quality_deliveries where {where} and period_end between ? and ? "
        "group by sender_code order by sender_code",
        *params,
        start,
        end,
    )


def recent_files(viewer: Viewer, limit: int = 50) -> pl.DataFrame:
    """The sender's files as the warehouse registered them, and those landed since the
    last run (status 待处理: the next run reads them)."""
    sender = sender_of(viewer)
    try:
        registered = (
            fetch(
                "select received_at, feed, feed_label, path, status, rows_loaded, rows_quarantined, reason "
                "from marts.data_quality_files where sender_code = ? order by received_at desc, path limit ?",
                sender,
                limit,
            )
            if has_table("marts", "data_quality_files")
            else None
        )
    except NoData:  # nothing published yet: only the files waiting for the first run
        registered = None
    known = set(registered["path"].to_list()) if registered is not None else set()
    profile = load_profile()
    waiting = [
        {
            "received_at": received_at(found.mtime_ns, profile.timezone),
            "feed": found.path.split("/")[0],
            "feed_label": get_contract(found.path.split("/")[0]).label,
            "path": found.path,
            "status": "pending",
            "rows_loaded": None,
            "rows_quarantined": None,
            "reason": None,
        }
        for feed, _ in feeds(viewer)
        for found in _landed(feed, sender)
        if found.path not in known
    ]
    schema = {
        "received_at": pl.Datetime("us"),
        "feed": pl.String,
        "feed_label": pl.String,
        "path": pl.String,
        "status": pl.String,
        "rows_loaded": pl.Int32,
        "rows_quarantined": pl.Int32,
        "reason": pl.String,
    }
    frames = [pl.DataFrame(waiting, schema=schema)]
    if registered is not None:
        frames.append(registered.cast(schema))
    return pl.concat(frames).sort("received_at", "path", descending=True).head(limit)


def _landed(feed: str, sender: str):
    folder = home().landing / feed / sender
    for found in scan_landing(folder):
        yield type(found)(f"{feed}/{sender}/{found.path}", found.size_bytes, found.mtime_ns)
