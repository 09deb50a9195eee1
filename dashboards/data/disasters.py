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
        select f.fire_id, f.started_at, t.township_name, f.burned_area_ha, f.damaged_forest_ha, f.deaths,
               f.serious_injuries, f.cause, f.grade
        from intermediate.int_forest_fires__graded as f
        left join staging.stg_profile__townships as t on t.township_code = f.township_code
        where f.started_on between date_trunc('year', ?::date) and ?
        order by f.started_at desc
        """,
        as_of, as_of,
    )


def forest_by_township(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    """Fires and damaged forest per township (township mart) against its forest area."""
    require_login(viewer).require_leader()
    return fetch(
        """
        select k.township_code, k.township_name, k.forest_fires, k.forest_fires_ly, k.forest_fire_damaged_ha,
               t.forest_area_ha,
               round(1000.0 * k.forest_fire_damaged_ha / nullif(t.forest_area_ha, 0), 4) as damage_permille
        from marts.township_kpis_daily as k
        left join staging.stg_profile__townships as t on t.township_code = k.township_code
        where k.as_of = ?
        order by k.forest_fire_damaged_ha desc, k.forest_fires desc, k.township_code
        """,
        as_of,
    )


def flood_by_township(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    require_login(viewer).require_leader()
    return fetch(
        """
        select coalesce(t.township_name, f.township_code) as township_name, f.township_code,
               count(*) as transfers,
               coalesce(sum(f.people_transferred), 0) as people_transferred,
               count(*) filter (where f.warning_level = '红') as red,
               count(*) filter (where f.warning_level = '橙') as orange,
               count(*) filter (where f.warning_level = '黄') as yellow,
               count(*) filter (where f.warning_level = '蓝') as blue,
               max(f.transferred_on) as last_on
        from staging.stg_ledgers__flood_transfers as f
        left join staging.stg_profile__townships as t on t.township_code = f.township_code
        where f.transferred_on between date_trunc('year', ?::date) and ?
        group by all order by people_transferred desc, f.township_code
        """,
        as_of, as_of,
    )


def relief_by_township(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    """Hardship cases affected in YTD and relieved by the date, per township."""
    require_login(viewer).require_leader()
    return fetch(
        """
        with r as (
            select township_code, relieved_on, amount_cny
            from staging.stg_ledgers__relief
            where in_hardship = '是' and affected_on between date_trunc('year', ?::date) and ?
        ),
        agg as (
            select township_code, count(*) as cases,
                   count(*) filter (where relieved_on <= ?::date) as relieved,
                   coalesce(sum(amount_cny) filter (where relieved_on <= ?::date), 0) as amount_cny
            from r group by 1
        )
        select agg.township_code, coalesce(t.township_name, agg.township_code) as township_name,
               agg.cases, agg.relieved, agg.cases - agg.relieved as waiting,
               round(100.0 * agg.relieved / nullif(agg.cases, 0), 2) as coverage_pct, agg.amount_cny
        from agg left join staging.stg_profile__townships as t on t.township_code = agg.township_code
        order by coverage_pct, agg.township_code
        """,
        as_of, as_of, as_of, as_of,
    )
