"""应急准备: team training coverage, depots, plan filing, dual prevention.

Definitions of kpis.md (team_training_coverage_pct, depots_completed, plan_filing_pct,
high_risk_dual_prevention_pct), so county totals equal the scoreboard as of the date.
Marts: rescue_teams_daily, township_preparedness_daily, plan_filing_by_unit_daily,
dual_prevention_by_township, enterprises.
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
        select team_id, team_name, team_type, township_name, members, drills, trainings, last_held_on,
               is_trained
        from marts.rescue_teams_daily
        where as_of = ?
        order by is_trained, team_id
        """,
        as_of,
    )


def depots(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    """Every township's depot; has_depot = 已建成 with depot_completed_on on or before the date."""
    require_login(viewer).require_leader()
    return fetch(
        """
        select township_code, township_name, coalesce(depot_status, '未报送') as depot_status,
               depot_completed_on, depot_item_kinds, depot_item_count, has_depot
        from marts.township_preparedness_daily
        where as_of = ?
        order by has_depot, township_code
        """,
        as_of,
    )


def plans_by_unit(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    """Plans issued on or before the date, per owning unit: how many are filed by then."""
    require_login(viewer).require_leader()
    return fetch(
        """
        select owner_unit, township_name, issued, filed, not_filed, filing_pct
        from marts.plan_filing_by_unit_daily
        where as_of = ? and issued > 0
        order by filing_pct, owner_unit
        """,
        as_of,
    )


def dual_prevention_by_township(viewer: Viewer) -> pl.DataFrame:
    """High-risk enterprises of the register per township and how many have the mechanism."""
    require_login(viewer).require_leader()
    return fetch(
        """
        select township_name, township_code, high_risk_enterprises, established, established_pct
        from marts.dual_prevention_by_township
        where high_risk_enterprises > 0
        order by established_pct, township_code
        """
    )


def dual_prevention_missing(viewer: Viewer) -> pl.DataFrame:
    """High-risk enterprises without the dual prevention mechanism (enterprise names are
    public register data, not personal data)."""
    require_login(viewer).require_leader()
    return fetch(
        """
        select credit_code, enterprise_name, coalesce(township_name, township_code) as township_name, sector,
               risk_level, updated_on
        from marts.enterprises
        where is_high_risk and not has_dual_prevention
        order by township_code, credit_code
        """
    )
