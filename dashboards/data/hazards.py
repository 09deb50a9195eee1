"""隐患治理: the 挂牌督办 list and rectification rates by township and by sender.

The rates follow kpis.md exactly, so the county total of each column equals the
scoreboard's figure as of the same date:
- 按期整改率 (hazard_ontime_rectification_pct): hazards with deadline in YTD and before D,
  share rectified on or before their deadline;
- 重大隐患整改率 (major_hazard_rectification_pct): major hazards found in YTD, share
  rectified on or before D;
- 逾期重大隐患 (major_hazards_overdue): major, deadline before D, not rectified by D.

Marts: major_and_supervised_hazards, hazard_rectification_by_township_daily, _by_sender_daily.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboards.auth import Viewer
from dashboards.data.common import require_login
from dashboards.data.source import fetch

_COUNTS = "found_ytd, rectified_ytd, due, due_ontime, major_found, major_rectified, major_open, major_overdue"
_PCT = "rectification_pct, ontime_pct, major_rectification_pct"


def supervised(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    """The 挂牌督办 list as of a date: open major or supervised hazards, most overdue first."""
    require_login(viewer).require_leader()
    return fetch(
        "select hazard_id, township_name, enterprise_name, sector, level, is_supervised, description, found_on, "
        "deadline, is_overdue, days_overdue, days_open, funds_10k_cny, sender_code "
        "from marts.major_and_supervised_hazards where as_of = ? "
        "order by days_overdue desc, days_open desc, hazard_id",
        as_of,
    )


def by_township(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    """Every township (and any unrecognised township code of the ledger): counts and rates."""
    require_login(viewer).require_leader()
    return fetch(
        f"select township_code, township_name, {_COUNTS}, {_PCT} "
        "from marts.hazard_rectification_by_township_daily where as_of = ? order by township_code",
        as_of,
    )


def by_sender(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    """Every sender of the hazard ledger: counts and rates."""
    require_login(viewer).require_leader()
    return fetch(
        f"select sender_code, sender_name, sender_kind, {_COUNTS}, {_PCT} "
        "from marts.hazard_rectification_by_sender_daily where as_of = ? order by sender_kind, sender_code",
        as_of,
    )


def supervised_counts(viewer: Viewer, as_of: dt.date) -> dict:
    require_login(viewer).require_leader()
    return fetch(
        "select count(*) as listed, count(*) filter (where level = '重大') as major, "
        "count(*) filter (where is_overdue) as overdue, max(days_overdue) as max_days_overdue "
        "from marts.major_and_supervised_hazards where as_of = ?",
        as_of,
    ).row(0, named=True)
