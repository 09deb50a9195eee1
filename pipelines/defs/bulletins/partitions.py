"""Partitions of the publications: Dagster time windows in the county's time zone.

A key is the first day of its period: 2023-04-03 is the ISO week 2023-W14, 2023-04-01 the
month 2023-04 (monthly asset) or the quarter 2023-Q2 (quarterly asset). Dagster's keys are
strftime strings and cannot spell an ISO week or a quarter; pipelines.lib.bulletin.periods
maps them to the labels the marts, the CLI and the folders use. Time windows were chosen
over static or dynamic partitions because they need neither a reload of the code location
nor a sensor to know next week: the calendar defines them, as ranking.md does.

Windows start with the first whole period on or after the profile's reporting window
(deadlines.window_start); only ended periods are partitions (end_offset 0): a bulletin is
issued for a period once it is over.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from pipelines.lib.profile import load_profile

DEFAULT_START = dt.date(2022, 1, 1)
FMT = "%Y-%m-%d"


def _window_start() -> dt.date:
    configured = ((load_profile().config.get("deadlines") or {}).get("window_start") or "").strip()
    return dt.date.fromisoformat(configured) if configured else DEFAULT_START


def timezone() -> str:
    return load_profile().timezone


def _first_monday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def _first_month(day: dt.date) -> dt.date:
    return day if day.day == 1 else (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _first_quarter(day: dt.date) -> dt.date:
    first = _first_month(day)
    while first.month % 3 != 1:
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return first


def build_partitions() -> dict[str, dg.TimeWindowPartitionsDefinition]:
    start, tz = _window_start(), timezone()
    return {
        "week": dg.WeeklyPartitionsDefinition(
            start_date=_first_monday(start).strftime(FMT), day_offset=1, timezone=tz, fmt=FMT
        ),
        "month": dg.MonthlyPartitionsDefinition(start_date=_first_month(start).strftime(FMT), timezone=tz, fmt=FMT),
        "quarter": dg.TimeWindowPartitionsDefinition(
            cron_schedule="0 0 1 1,4,7,10 *", start=_first_quarter(start).strftime(FMT), timezone=tz, fmt=FMT
        ),
    }
