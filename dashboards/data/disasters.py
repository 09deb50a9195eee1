"""防灾减灾: forest fires and the damage rate, flood transfers, relief coverage (year to date).

Definitions of kpis.md (forest_fire_damage_permille, people_transferred,
relief_coverage_pct), so county totals equal the scoreboard as of the same date. Relief
is shown as counts per township only: the ledger's names and ID numbers never leave raw.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboards.auth import Viewer
from dashboards.data.common import require_login
from dashboards.data.source import fetch

METRICS = ("major_forest_fires", "forest_fire_damage_permille", "people_transferred", "relief_coverage_pct")


def forest_fires(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    require_login(viewer).require_leader()
    return fetch(
        """
        select fire_id, started_at, township_name, burned_area_ha, damaged_forest_ha, deaths, serious_injuries,
               cause, grade
        from marts.forest_fires
        where started_on between date_trunc('year', ?::date) and ?
        order by started_at desc
        """,
        as_of,
        as_of,
    )


def forest_by_township(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    """Fires and damaged forest per township (township_kpis_daily's) against its forest area."""
    require_login(viewer).require_leader()
    return fetch(
        """
        select township_code, township_name, forest_fires, forest_fires_ly, forest_fire_damaged_ha, forest_area_ha,
               damage_permille
        from marts.forest_fires_by_township_daily
        where as_of = ?
        order by forest_fire_damaged_ha desc, forest_fires desc, township_code
        """,
        as_of,
    )


def flood_by_township(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    """Townships with a flood transfer in the year to date: transfers, people, by warning level."""
    require_login(viewer).require_leader()
    return fetch(
        """
        select township_name, township_code, transfers, people_transferred, red, orange, yellow, blue,
               last_transfer_on
        from marts.flood_transfers_by_township_daily
        where as_of = ? and transfers > 0
        order by people_transferred desc, township_code
        """,
        as_of,
    )


def relief_by_township(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    """Hardship cases affected in YTD and relieved by the date, per township."""
    require_login(viewer).require_leader()
    return fetch(
        """
        select township_code, township_name, cases, relieved, waiting, coverage_pct, amount_cny
        from marts.relief_by_township_daily
        where as_of = ? and cases > 0
        order by coverage_pct, township_code
        """,
        as_of,
    )
