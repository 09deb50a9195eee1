"""The dashboards' breakdown marts against the queries they replaced, on the generated county.

Until the marts existed the dashboards aggregated some breakdowns over the staging views
and the graded intermediate tables (rectification rates by township and sender,
inspections by action and month, the forest-fire / flood / relief and team / depot / plan /
dual-prevention lists, a township's detail, the quarantine). The LEGACY queries below are
those queries, verbatim; every query function of dashboards.data that now reads a mart
must return the same frame (same columns, same rows in the same order where the order is
fully determined, values equal; floats to 1e-9) on many dates and townships.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import polars as pl
import pytest

from dashboards.auth import Viewer
from dashboards.data import common, disasters, enforcement, hazards, overview, preparedness, quality, township
from pipelines.lib.contracts import load_contracts
from pipelines.lib.rules import ROW_RULES
from warehouse.home import Home

pytestmark = pytest.mark.slow

LEADER = Viewer("lingdao", "局领导", "leader")
PENALTY_ACTIONS = "('警告', '罚款', '停产整顿', '关闭取缔')"  # kpis.md: 警告 is one, 移送司法 is not
FEED_LABEL = (
    "case {col} "
    + " ".join(f"when '{feed}' then '{c.label}'" for feed, c in load_contracts().items())
    + " else {col} end"
)
RULE_LABEL = (
    "case rule "
    + " ".join(f"when '{code}' then '{label}'" for code, (label, _) in ROW_RULES.items())
    + " else rule end"
)

# ------------------------------------------------------------------ the legacy queries
# name -> (SQL over staging / intermediate, how many times the date parameter is passed)

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

LEGACY_BY_DATE = {
    "disasters.forest_fires": (
        """
        select f.fire_id, f.started_at, t.township_name, f.burned_area_ha, f.damaged_forest_ha, f.deaths,
               f.serious_injuries, f.cause, f.grade
        from intermediate.int_forest_fires__graded as f
        left join staging.stg_profile__townships as t on t.township_code = f.township_code
        where f.started_on between date_trunc('year', ?::date) and ?
        order by f.started_at desc""",
        2,
    ),
    "disasters.forest_by_township": (
        """
        select k.township_code, k.township_name, k.forest_fires, k.forest_fires_ly, k.forest_fire_damaged_ha,
               t.forest_area_ha,
               round(1000.0 * k.forest_fire_damaged_ha / nullif(t.forest_area_ha, 0), 4) as damage_permille
        from marts.township_kpis_daily as k
        left join staging.stg_profile__townships as t on t.township_code = k.township_code
        where k.as_of = ?
        order by k.forest_fire_damaged_ha desc, k.forest_fires desc, k.township_code""",
        1,
    ),
    "disasters.flood_by_township": (
        """
        select coalesce(t.township_name, f.township_code) as township_name, f.township_code,
               count(*) as transfers,
               coalesce(sum(f.people_transferred), 0) as people_transferred,
               count(*) filter (where f.warning_level = '红') as red,
               count(*) filter (where f.warning_level = '橙') as orange,
               count(*) filter (where f.warning_level = '黄') as yellow,
               count(*) filter (where f.warning_level = '蓝') as blue,
               max(f.transferred_on) as last_transfer_on
        from staging.stg_ledgers__flood_transfers as f
        left join staging.stg_profile__townships as t on t.township_code = f.township_code
        where f.transferred_on between date_trunc('year', ?::date) and ?
        group by all order by people_transferred desc, f.township_code""",
        2,
    ),
    "disasters.relief_by_township": (
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
        order by coverage_pct, agg.township_code""",
        4,
    ),
    "enforcement.by_township": (
        f"""
        with params as (
            select ?::date as d, date_trunc('year', ?::date)::date as y0,
                   (select num_value from ref.settings where key = 'ranking.inspections_per_7_days') as per_week
        ),
        ytd as (
            select township_code, sum(hazards_found) as hazards_found,
                   count(*) filter (where action in {PENALTY_ACTIONS}) as penalties,
                   coalesce(sum(fine_10k_cny), 0) as fines_10k_cny
            from staging.stg_ledgers__inspections, params
            where inspected_on between y0 and d
            group by 1
        )
        select k.township_code, k.township_name, k.inspections, k.inspections_ly,
               ceil((date_diff('day', y0, d) + 1) * per_week / 7)::integer as quota,
               round(100.0 * k.inspections / nullif(ceil((date_diff('day', y0, d) + 1) * per_week / 7), 0), 1)
                   as quota_pct,
               coalesce(ytd.hazards_found, 0) as hazards_found, coalesce(ytd.penalties, 0) as penalties,
               coalesce(ytd.fines_10k_cny, 0) as fines_10k_cny
        from marts.township_kpis_daily as k
        cross join params
        left join ytd on ytd.township_code = k.township_code
        where k.as_of = params.d
        order by k.township_code""",
        2,
    ),
    "enforcement.by_action": (
        f"""
        select action, count(*) as inspections, sum(hazards_found) as hazards_found,
               coalesce(sum(fine_10k_cny), 0) as fines_10k_cny,
               action in {PENALTY_ACTIONS} as is_penalty
        from staging.stg_ledgers__inspections
        where inspected_on between date_trunc('year', ?::date) and ?
        group by action order by inspections desc, action""",
        2,
    ),
    "enforcement.by_month": (
        f"""
        select year(inspected_on) as year, month(inspected_on) as month, count(*) as inspections,
               count(*) filter (where action in {PENALTY_ACTIONS}) as penalties,
               coalesce(sum(fine_10k_cny), 0) as fines_10k_cny
        from staging.stg_ledgers__inspections
        where inspected_on <= ? and inspected_on >= (select min(as_of) from marts.kpi_scoreboard_daily)
        group by all order by year, month""",
        1,
    ),
    "hazards.by_township": (
        f"""
        with rates as ({_RATES.format(key="township_code")}),
        joined as (
        select coalesce(t.township_code, rates.key) as township_code,
               coalesce(t.township_name, '（未识别乡镇）') as township_name,
               {", ".join(f"coalesce({c}, 0) as {c}" for c in _COUNTS.split(", "))}
        from staging.stg_profile__townships as t
        full outer join rates on rates.key = t.township_code
        )
        select *, {_PCT} from joined order by township_code""",
        2,
    ),
    "hazards.by_sender": (
        f"""
        with rates as ({_RATES.format(key="sender_code")}),
        joined as (
        select rates.key as sender_code, coalesce(s.sender_name, rates.key) as sender_name,
               coalesce(s.sender_kind, '') as sender_kind, {_COUNTS}
        from rates
        left join staging.stg_profile__senders as s on s.sender_code = rates.key
        )
        select *, {_PCT} from joined order by sender_kind, sender_code""",
        2,
    ),
    "overview.monthly_trends": (
        """
        with ends as (
            select metric_id, year(as_of) as year, month(as_of) as month, value
            from marts.kpi_scoreboard_daily
            where metric_id in ('accidents', 'accident_deaths', 'inspections')
              and as_of <= ?
              and (as_of = last_day(as_of) or as_of = ?)
        ),
        from_marts as (
            select metric_id, year, month,
                   value - coalesce(lag(value) over (partition by metric_id, year order by month), 0) as amount
            from ends
        ),
        bounds as (select min(as_of) as first from marts.kpi_scoreboard_daily),
        rectified as (
            select 'hazards_rectified' as metric_id, year(rectified_on) as year, month(rectified_on) as month,
                   cast(count(*) as double) as amount
            from staging.stg_ledgers__hazards, bounds
            where rectified_on between bounds.first and ?
            group by all
        )
        select metric_id, year, month, amount from from_marts
        union all
        select metric_id, year, month, amount from rectified
        order by metric_id, year, month""",
        3,
    ),
    "preparedness.teams": (
        """
        with held as (
            select team_id, count(*) filter (where kind = '演练') as drills,
                   count(*) filter (where kind = '培训') as trainings, max(held_on) as last_held_on
            from staging.stg_ledgers__drills
            where held_on between date_trunc('year', ?::date) and ?
            group by 1
        )
        select tm.team_id, tm.name as team_name, tm.team_type, coalesce(t.township_name, '市级') as township_name, tm.members,
               coalesce(held.drills, 0) as drills, coalesce(held.trainings, 0) as trainings,
               held.last_held_on, held.team_id is not null as is_trained
        from staging.stg_ledgers__rescue_teams as tm
        left join held on held.team_id = tm.team_id
        left join staging.stg_profile__townships as t on t.township_code = tm.township_code
        order by is_trained, tm.team_id""",
        2,
    ),
    "preparedness.depots": (
        """
        select t.township_code, t.township_name, coalesce(d.status, '未报送') as depot_status,
               d.completed_on as depot_completed_on, d.item_kinds as depot_item_kinds, d.item_count as depot_item_count,
               coalesce(d.status = '已建成' and d.completed_on <= ?::date, false) as has_depot
        from staging.stg_profile__townships as t
        left join staging.stg_ledgers__reserve_depots as d on d.township_code = t.township_code
        order by has_depot, t.township_code""",
        1,
    ),
    "preparedness.plans_by_unit": (
        """
        with p as (select * from staging.stg_ledgers__plans where issued_on <= ?::date)
        select p.owner_unit, coalesce(t.township_name, '市直') as township_name,
               count(*) as issued, count(*) filter (where p.filed_on <= ?::date) as filed,
               count(*) filter (where p.filed_on is null or p.filed_on > ?::date) as not_filed,
               round(100.0 * count(*) filter (where p.filed_on <= ?::date) / count(*), 2) as filing_pct
        from p left join staging.stg_profile__townships as t on t.township_code = p.township_code
        group by all order by filing_pct, p.owner_unit""",
        4,
    ),
}

LEGACY_BY_PERIOD = {  # (start, end) of a period
    "quality.files_by_sender": (
        "select f.sender_code, coalesce(s.sender_name, f.sender_code) as sender_name, count(*) as files_received, "
        "count(*) filter (where f.status = 'loaded') as files_loaded, "
        "count(*) filter (where f.status = 'rejected') as files_rejected, "
        "count(*) filter (where f.status = 'duplicate') as files_duplicate, "
        "sum(f.rows_loaded) as rows_loaded, sum(f.rows_quarantined) as rows_quarantined, "
        "sum(f.rows_skipped) as rows_skipped "
        "from staging.stg_warehouse__files as f "
        "left join staging.stg_profile__senders as s on s.sender_code = f.sender_code "
        "where f.received_on between ? and ? group by all order by f.sender_code"
    ),
    "quality.quarantine_summary": (
        f"""
        select coalesce(s.sender_name, q.sender_code) as sender_name, q.sender_code,
               {FEED_LABEL.format(col="q.feed")} as feed, {RULE_LABEL} as rule_label, q.column_header,
               count(distinct (q.file_id, q.row_number)) as rows, count(*) as cells
        from staging.stg_warehouse__quarantined_cells as q
        join staging.stg_warehouse__files as f on f.file_id = q.file_id
        left join staging.stg_profile__senders as s on s.sender_code = q.sender_code
        where f.received_on between ? and ?
        group by all order by rows desc, sender_code, feed, rule_label"""
    ),
    "quality.quarantined_cells": (
        f"""
        select f.received_at, coalesce(s.sender_name, q.sender_code) as sender_name,
               {FEED_LABEL.format(col="q.feed")} as feed, q.path, q.row_number,
               q.column_header, q.value, {RULE_LABEL} as rule_label, q.reason
        from staging.stg_warehouse__quarantined_cells as q
        join staging.stg_warehouse__files as f on f.file_id = q.file_id
        left join staging.stg_profile__senders as s on s.sender_code = q.sender_code
        where f.received_on between ? and ?
        order by f.received_at desc, q.path, q.row_number, q.column_header"""
    ),
    "quality.rejected_files": (
        "select f.received_at, coalesce(s.sender_name, f.sender_code) as sender_name, "
        f"{FEED_LABEL.format(col='f.feed')} as feed, f.path, "
        "f.reject_code, f.reason "
        "from staging.stg_warehouse__files as f "
        "left join staging.stg_profile__senders as s on s.sender_code = f.sender_code "
        "where f.status = 'rejected' and f.received_on between ? and ? order by f.received_at desc"
    ),
}

LEGACY_BY_TOWNSHIP_DATE = {  # (township code, date)
    "township.accidents": (
        """
        select accident_id, occurred_at, sector, accident_type, deaths, serious_injuries, direct_loss_10k_cny, grade
        from intermediate.int_accidents__graded
        where township_code = $1 and occurred_on between date_trunc('year', $2::date) and $2
        order by occurred_at desc"""
    ),
    "township.open_hazards": (
        """
        select h.hazard_id, h.level, h.is_supervised, h.description, e.name as enterprise_name,
               h.found_on, h.deadline,
               h.deadline < $2::date as is_overdue,
               greatest(date_diff('day', h.deadline, $2::date), 0) as days_overdue,
               h.sender_code
        from staging.stg_ledgers__hazards as h
        left join staging.stg_ledgers__enterprises as e on e.credit_code = h.credit_code
        where h.township_code = $1 and h.found_on <= $2::date
          and (h.rectified_on is null or h.rectified_on > $2::date)
        order by days_overdue desc, h.level desc, h.deadline, h.hazard_id"""
    ),
    "township.inspections_by_month": (
        """
        select strftime(inspected_on, '%Y-%m') as month, count(*) as inspections,
               sum(hazards_found) as hazards_found,
               count(*) filter (where action in ('警告', '罚款', '停产整顿', '关闭取缔')) as penalties,
               coalesce(sum(fine_10k_cny), 0) as fines_10k_cny
        from staging.stg_ledgers__inspections
        where township_code = $1 and inspected_on between date_trunc('year', $2::date) and $2
        group by 1 order by 1"""
    ),
    "township.drills": (
        "select held_on, kind, subject, team_id, participants from staging.stg_ledgers__drills "
        "where township_code = $1 and held_on between $2::date - 364 and $2 order by held_on desc"
    ),
    "township.preparedness_status": (
        """
        with d as (select $2::date as d, $1 as code)
        select
            (select any_value(status) from staging.stg_ledgers__reserve_depots, d where township_code = code)
                as depot_status,
            (select any_value(completed_on) from staging.stg_ledgers__reserve_depots, d where township_code = code)
                as depot_completed_on,
            coalesce((select bool_or(status = '已建成' and completed_on <= d)
                      from staging.stg_ledgers__reserve_depots, d where township_code = code), false) as has_depot,
            (select count(*) from staging.stg_ledgers__plans, d where township_code = code) as plans,
            (select count(*) from staging.stg_ledgers__plans, d
             where township_code = code and plan_type = '总体' and filed_on <= d) as overall_plans_filed,
            (select count(*) from staging.stg_ledgers__drills, d
             where township_code = code and held_on between d - 364 and d) as drills_365,
            (select max(held_on) from staging.stg_ledgers__drills, d
             where township_code = code and held_on <= d) as last_drill_on"""
    ),
}

LEGACY_BY_TOWNSHIP = {  # township code
    "township.depot": (
        "select status, completed_on, item_kinds, item_count from staging.stg_ledgers__reserve_depots "
        "where township_code = ?"
    ),
    "township.plans": (
        "select plan_id, owner_unit, plan_type, issued_on, filed_on from staging.stg_ledgers__plans "
        "where township_code = ? order by issued_on desc, plan_id"
    ),
    "township.quarantine_reasons": (
        "select column_header, reason, count(*) as cells, count(distinct (file_id, row_number)) as rows "
        "from staging.stg_warehouse__quarantined_cells where sender_code = ? "
        "group by all order by rows desc, column_header"
    ),
}

LEGACY_PLAIN = {
    "common.townships": (
        "select township_code, township_name, short_name, kind, forest_area_ha "
        "from staging.stg_profile__townships order by township_code"
    ),
    "preparedness.dual_prevention_by_township": (
        """
        select coalesce(t.township_name, e.township_code) as township_name, e.township_code,
               count(*) as high_risk_enterprises, count(*) filter (where e.dual_prevention = '已建立') as established,
               round(100.0 * count(*) filter (where e.dual_prevention = '已建立') / count(*), 2) as established_pct
        from staging.stg_ledgers__enterprises as e
        left join staging.stg_profile__townships as t on t.township_code = e.township_code
        where e.is_high_risk = '是'
        group by all order by established_pct, e.township_code"""
    ),
    "preparedness.dual_prevention_missing": (
        """
        select e.credit_code, e.name as enterprise_name, coalesce(t.township_name, e.township_code) as township_name, e.sector,
               e.risk_level, e.updated_on
        from staging.stg_ledgers__enterprises as e
        left join staging.stg_profile__townships as t on t.township_code = e.township_code
        where e.is_high_risk = '是' and e.dual_prevention <> '已建立'
        order by e.township_code, e.credit_code"""
    ),
}

MODULES = {
    "common": common,
    "disasters": disasters,
    "enforcement": enforcement,
    "hazards": hazards,
    "overview": overview,
    "preparedness": preparedness,
    "quality": quality,
    "township": township,
}

# Functions whose ORDER BY leaves ties (old and new alike), with their order keys: the
# keys must come in the same order, the rows must be the same set.
TIES = {
    "disasters.forest_fires": ["started_at"],
    "preparedness.plans_by_unit": ["filing_pct", "owner_unit"],
    "quality.quarantine_summary": ["rows", "sender_code", "feed", "rule_label"],
    "quality.quarantined_cells": ["received_at", "path", "row_number", "column_header"],
    "quality.rejected_files": ["received_at"],
    "township.accidents": ["occurred_at"],
    "township.drills": ["held_on"],
    "township.quarantine_reasons": ["rows", "column_header"],
}


def function(name: str):
    module, attribute = name.split(".")
    return getattr(MODULES[module], attribute)


# ------------------------------------------------------------------ fixtures and comparison


@pytest.fixture(scope="module")
def home(generated_home):
    return generated_home


@pytest.fixture(scope="module")
def con(home):
    # the legacy queries read staging, intermediate and ref: the writer's file (the published
    # copy holds the marts the dashboards read, not the layers below them)
    connection = duckdb.connect(str(Home.resolve(home).duckdb_path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture
def published(home, monkeypatch):
    monkeypatch.setenv("SAFETYWH_HOME", str(home))


@pytest.fixture(scope="module")
def dates(con) -> list[dt.date]:
    """First and last date of the data, year ends and starts, month ends, mid-month dates."""
    first, last = con.execute("select min(as_of), max(as_of) from marts.kpi_scoreboard_daily").fetchall()[0]
    picked = {first, last}
    for year in range(first.year, last.year + 1):
        picked |= {
            dt.date(year, 1, 1),
            dt.date(year, 1, 31),
            dt.date(year, 3, 15),
            dt.date(year, 6, 30),
            dt.date(year, 9, 30),
            dt.date(year, 11, 17),
            dt.date(year, 12, 31),
        }
    return sorted(d for d in picked if first <= d <= last)


@pytest.fixture(scope="module")
def codes(con) -> list[str]:
    """Townships with the most accidents, open hazards, inspections, drills, quarantined rows, and one quiet one."""
    picks = [
        "select township_code from staging.stg_ledgers__accidents group by 1 order by count(*) desc, 1 limit 1",
        "select township_code from staging.stg_ledgers__hazards where rectified_on is null group by 1 "
        "order by count(*) desc, 1 limit 1",
        "select township_code from staging.stg_ledgers__inspections group by 1 order by count(*) desc, 1 limit 1",
        "select township_code from staging.stg_ledgers__drills group by 1 order by count(*) desc, 1 limit 1",
        "select sender_code from staging.stg_warehouse__quarantined_cells where sender_code like '430182%' "
        "group by 1 order by count(*) desc, 1 limit 1",
        "select max(township_code) from staging.stg_profile__townships",
        "select '430182001'",
    ]
    return sorted({con.execute(sql).fetchall()[0][0] for sql in picks})


def _value(value):
    return int(value) if isinstance(value, Decimal) and value == value.to_integral_value() else value


def _rows(frame: pl.DataFrame) -> list[tuple]:
    return [tuple(_value(v) for v in row) for row in frame.rows()]


def assert_same(new: pl.DataFrame, old: pl.DataFrame, label: str, ties: list[str] | None = None) -> None:
    assert new.columns == old.columns, label
    new_rows, old_rows = _rows(new), _rows(old)
    assert len(new_rows) == len(old_rows), label
    if ties:
        assert _rows(new.select(ties)) == _rows(old.select(ties)), (label, "order")
        new_rows, old_rows = sorted(new_rows, key=repr), sorted(old_rows, key=repr)
    for new_row, old_row in zip(new_rows, old_rows):
        assert len(new_row) == len(old_row), label
        for column, a, b in zip(new.columns, new_row, old_row):
            if isinstance(a, float) or isinstance(b, float):
                assert a == pytest.approx(b, rel=1e-9, abs=1e-9), (label, column, new_row, old_row)
            else:
                assert a == b, (label, column, new_row, old_row)


def legacy(con, sql: str, *params) -> pl.DataFrame:
    return con.sql(sql, params=list(params) or None).pl()


# ------------------------------------------------------------------ the tests


@pytest.mark.parametrize("name", sorted(LEGACY_BY_DATE))
def test_date_breakdowns_equal_the_legacy_queries(published, con, dates, name):
    sql, times = LEGACY_BY_DATE[name]
    for day in dates:
        assert_same(function(name)(LEADER, day), legacy(con, sql, *[day] * times), f"{name} {day}", ties=TIES.get(name))


@pytest.mark.parametrize("name", sorted(LEGACY_BY_PERIOD))
def test_quality_lists_equal_the_legacy_queries(published, con, dates, name):
    periods = {(d.replace(month=1, day=1), d) for d in dates} | {(d.replace(day=1), d) for d in dates}
    for start, end in sorted(periods):
        assert_same(
            function(name)(LEADER, start, end),
            legacy(con, LEGACY_BY_PERIOD[name], start, end),
            f"{name} {start}..{end}",
            ties=TIES.get(name),
        )


@pytest.mark.parametrize("name", sorted(LEGACY_BY_TOWNSHIP_DATE))
def test_township_detail_equals_the_legacy_queries(published, con, dates, codes, name):
    for code in codes:
        for day in dates:
            old = legacy(con, LEGACY_BY_TOWNSHIP_DATE[name], code, day)
            new = function(name)(LEADER, code, day)
            if isinstance(new, dict):  # preparedness_status: one row as a dict
                new = pl.DataFrame([new]).select(old.columns)
            assert_same(new, old, f"{name} {code} {day}", ties=TIES.get(name))


@pytest.mark.parametrize("name", sorted(LEGACY_BY_TOWNSHIP))
def test_township_registers_equal_the_legacy_queries(published, con, codes, name):
    for code in codes:
        assert_same(
            function(name)(LEADER, code),
            legacy(con, LEGACY_BY_TOWNSHIP[name], code),
            f"{name} {code}",
            ties=TIES.get(name),
        )


@pytest.mark.parametrize("name", sorted(LEGACY_PLAIN))
def test_registers_equal_the_legacy_queries(published, con, name):
    assert_same(function(name)(LEADER), legacy(con, LEGACY_PLAIN[name]), name)


def test_the_comparisons_see_data(con, dates, codes):
    """The generated county exercises every breakdown (else the equalities above prove little)."""
    assert len(dates) >= 10 and len(codes) >= 4
    for table in (
        "stg_ledgers__hazards",
        "stg_ledgers__inspections",
        "stg_ledgers__flood_transfers",
        "stg_ledgers__relief",
        "stg_ledgers__drills",
        "stg_ledgers__plans",
        "stg_warehouse__quarantined_cells",
    ):
        assert con.execute(f"select count(*) from staging.{table}").fetchall()[0][0] > 0, table
    assert con.execute("select count(*) from staging.stg_warehouse__files where status = 'rejected'").fetchall()[0][0]
    assert con.execute(
        "select count(*) from staging.stg_ledgers__enterprises where is_high_risk = '是' "
        "and dual_prevention <> '已建立'"
    ).fetchall()[0][0]


def test_dashboards_read_only_the_marts():
    """No query of the dashboards' data layer reads staging, intermediate or raw."""
    import inspect
    import re

    from dashboards.data import ranking

    for module in [*MODULES.values(), ranking]:
        source = inspect.getsource(module)
        assert not re.search(r"\b(from|join)\s+(staging|intermediate|raw)\.", source, re.IGNORECASE), module.__name__
        assert re.search(r"\bfrom\s+marts\.", source), module.__name__
