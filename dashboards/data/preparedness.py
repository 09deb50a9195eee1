"""应急准备: team training coverage, depots, plan filing, dual prevention.

Definitions of kpis.md (team_training_coverage_pct, depots_completed, plan_filing_pct,
high_risk_dual_prevention_pct), so county totals equal the scoreboard as of the date.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboards.auth import Viewer
from dashboards.data.common import require_login
from dashboards.data.source import fetch

METRICS = ("team_training_coverage_pct", "depots_completed", "plan_filing_pct", "high_risk_dual_prevention_pct")


def teams(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    """Every registered rescue team with its drills and trainings in the year to date."""
    require_login(viewer).require_leader()
    return fetch(
        """
        with held as (
            select team_id, count(*) filter (where kind = '演练') as drills,
                   count(*) filter (where kind = '培训') as trainings, max(held_on) as last_held_on
            from staging.stg_ledgers__drills
            where held_on between date_trunc('year', ?::date) and ?
            group by 1
        )
        select tm.team_id, tm.name, tm.team_type, coalesce(t.township_name, '市级') as township_name, tm.members,
               coalesce(held.drills, 0) as drills, coalesce(held.trainings, 0) as trainings,
               held.last_held_on, held.team_id is not null as trained
        from staging.stg_ledgers__rescue_teams as tm
        left join held on held.team_id = tm.team_id
        left join staging.stg_profile__townships as t on t.township_code = tm.township_code
        order by trained, tm.team_id
        """,
        as_of, as_of,
    )


def depots(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    """Every township's depot; counted = 已建成 with completed_on on or before the date."""
    require_login(viewer).require_leader()
    return fetch(
        """
        select t.township_code, t.township_name, coalesce(d.status, '未报送') as status, d.completed_on,
               d.item_kinds, d.item_count,
               coalesce(d.status = '已建成' and d.completed_on <= ?::date, false) as counted
        from staging.stg_profile__townships as t
        left join staging.stg_ledgers__reserve_depots as d on d.township_code = t.township_code
        order by counted, t.township_code
        """,
        as_of,
    )


def plans_by_unit(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    """Plans issued on or before the date, per owning unit: how many are filed by then."""
    require_login(viewer).require_leader()
    return fetch(
        """
        with p as (select * from staging.stg_ledgers__plans where issued_on <= ?::date)
        select p.owner_unit, coalesce(t.township_name, '市直') as township_name,
               count(*) as issued, count(*) filter (where p.filed_on <= ?::date) as filed,
               count(*) filter (where p.filed_on is null or p.filed_on > ?::date) as not_filed,
               round(100.0 * count(*) filter (where p.filed_on <= ?::date) / count(*), 2) as filing_pct
        from p left join staging.stg_profile__townships as t on t.township_code = p.township_code
        group by all order by filing_pct, p.owner_unit
        """,
        as_of, as_of, as_of, as_of,
    )


def dual_prevention_by_township(viewer: Viewer) -> pl.DataFrame:
    """High-risk enterprises of the register per township and how many have the mechanism."""
    require_login(viewer).require_leader()
    return fetch(
        """
        select coalesce(t.township_name, e.township_code) as township_name, e.township_code,
               count(*) as high_risk, count(*) filter (where e.dual_prevention = '已建立') as established,
               round(100.0 * count(*) filter (where e.dual_prevention = '已建立') / count(*), 2) as established_pct
        from staging.stg_ledgers__enterprises as e
        left join staging.stg_profile__townships as t on t.township_code = e.township_code
        where e.is_high_risk = '是'
        group by all order by established_pct, e.township_code
        """
    )


def dual_prevention_missing(viewer: Viewer) -> pl.DataFrame:
    """High-risk enterprises without the dual prevention mechanism (enterprise names are
    public register data, not personal data)."""
    require_login(viewer).require_leader()
    return fetch(
        """
        select e.credit_code, e.name, coalesce(t.township_name, e.township_code) as township_name, e.sector,
               e.risk_level, e.updated_on
        from staging.stg_ledgers__enterprises as e
        left join staging.stg_profile__townships as t on t.township_code = e.township_code
        where e.is_high_risk = '是' and e.dual_prevention <> '已建立'
        order by e.township_code, e.credit_code
        """
    )
