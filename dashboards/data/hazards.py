"""隐患治理: the 挂牌督办 list and rectification rates by township and by sender.

The rates follow kpis.md exactly, so the county total of each column equals the
scoreboard's figure as of the same date:
- 按期整改率 (hazard_ontime_rectification_pct): hazards with deadline in YTD and before D,
  share rectified on or before their deadline;
- 重大隐患整改率 (major_hazard_rectification_pct): major hazards found in YTD, share
  rectified on or before D;
- 逾期重大隐患 (major_hazards_overdue): major, deadline before D, not rectified by D.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboards.auth import Viewer
from dashboards.data.common import require_login
from dashboards.data.source import fetch

# one aggregate, grouped by township or by sender (the {key} placeholder)
_RATES = """
    with params as (select ?::date as d, date_trunc('year', ?::date)::date as y0),
    h as (select * from staging.stg_ledgers__hazards)
    select h.{key} as key,
        count(*) filter (where h.found_on between y0 and d) as found_ytd,
        count(*) filter (where h.found_on between y0 and d and h.rectified_on <= d) as rectified_ytd,
        count(*) filter (where h.deadline >= y0 and h.deadline < d) as due,
        count(*) filter (where h.deadline >= y0 and h.deadline < d and h.rectified_on <= h.deadline) as due_ontime,
        count(*) filter (where h.level = '重大' and h.found_on between y0 and d) as major_found,
        count(*) filter (where h.level = '重大' and h.found_on between y0 and d and h.rectified_on <= d)
            as major_rectified,
        count(*) filter (where h.level = '重大' and h.found_on <= d and (h.rectified_on is null or h.rectified_on > d))
            as major_open,
        count(*) filter (where h.level = '重大' and h.deadline < d and (h.rectified_on is null or h.rectified_on > d))
            as major_overdue
    from h, params
    group by 1
"""

_PCT = """
    round(100.0 * rectified_ytd / nullif(found_ytd, 0), 2) as rectification_pct,
    round(100.0 * due_ontime / nullif(due, 0), 2) as ontime_pct,
    round(100.0 * major_rectified / nullif(major_found, 0), 2) as major_rectification_pct
"""

_COUNTS = "found_ytd, rectified_ytd, due, due_ontime, major_found, major_rectified, major_open, major_overdue"


def supervised(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    """The 挂牌督办 list as of a date: open major or supervised hazards, most overdue first."""
    require_login(viewer).require_leader()
    return fetch(
        "select hazard_id, township_name, enterprise_name, sector, level, is_supervised, description, found_on, "
        "deadline, is_overdue, days_overdue, days_open, funds_10k_cny, sender_code "
        "from marts.supervised_hazards where as_of = ? "
        "order by days_overdue desc, days_open desc, hazard_id",
        as_of,
    )


def by_township(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    require_login(viewer).require_leader()
    return fetch(
        f"""
        with rates as ({_RATES.format(key='township_code')}),
        joined as (
        select coalesce(t.township_code, rates.key) as township_code,
               coalesce(t.township_name, '（未识别乡镇）') as township_name,
               {", ".join(f"coalesce({c}, 0) as {c}" for c in _COUNTS.split(", "))}
        from staging.stg_profile__townships as t
        full outer join rates on rates.key = t.township_code
        )
        select *, {_PCT} from joined order by township_code
        """,
        as_of, as_of,
    )


def by_sender(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    require_login(viewer).require_leader()
    return fetch(
        f"""
        with rates as ({_RATES.format(key='sender_code')}),
        joined as (
        select rates.key as sender_code, coalesce(s.sender_name, rates.key) as sender_name,
               coalesce(s.sender_kind, '') as sender_kind, {_COUNTS}
        from rates
        left join staging.stg_profile__senders as s on s.sender_code = rates.key
        )
        select *, {_PCT} from joined order by sender_kind, sender_code
        """,
        as_of, as_of,
    )


def supervised_counts(viewer: Viewer, as_of: dt.date) -> dict:
    require_login(viewer).require_leader()
    return fetch(
        "select count(*) as listed, count(*) filter (where level = '重大') as major, "
        "count(*) filter (where is_overdue) as overdue, max(days_overdue) as max_days_overdue "
        "from marts.supervised_hazards where as_of = ?",
        as_of,
    ).row(0, named=True)
