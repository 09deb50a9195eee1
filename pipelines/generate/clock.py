"""Calendar helpers: ISO weeks, months and realistic receive times.

Every time a sender produces is a wall-clock time in the county's zone (Asia/Shanghai); files get
that instant as their mtime, so the conversion to epoch seconds goes through the zone, never through
the machine's local time.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)


def iso_weeks(start: date, end: date) -> list[tuple[date, date]]:
    """(Monday, Sunday) of every ISO week lying wholly inside [start, end]."""
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    weeks = []
    while monday + timedelta(days=6) <= end:
        weeks.append((monday, monday + timedelta(days=6)))
        monday += timedelta(days=7)
    return weeks


def month_starts(start: date, end: date) -> list[date]:
    """First day of every month that overlaps [start, end]."""
    out, d = [], start.replace(day=1)
    while d <= end:
        out.append(d)
        d = next_month(d)
    return out


def next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def month_end(d: date) -> date:
    return next_month(d) - DAY


def at(d: date, tz: ZoneInfo, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute, second), tzinfo=tz)


def office_time(d: date, tz: ZoneInfo, rng: random.Random, first: int = 8, last: int = 17) -> datetime:
    """A plausible moment in office hours of day d (people send files while at work)."""
    return at(d, tz, rng.randint(first, last), rng.randint(0, 59), rng.randint(0, 59))


def weekly_received(sunday: date, tz: ZoneInfo, rng: random.Random, p_late: float) -> datetime:
    """When a weekly ledger for the week ending `sunday` arrives (due Monday 12:00).

    Most arrive Monday morning; a few the evening before; a late sender's file comes in Monday
    afternoon or on Tuesday/Wednesday.
    """
    monday = sunday + DAY
    u = rng.random()
    if u < 0.06:
        return at(sunday, tz, rng.randint(18, 22), rng.randint(0, 59), rng.randint(0, 59))
    if u < 1 - p_late:
        return at(monday, tz, rng.randint(8, 11), rng.randint(0, 59), rng.randint(0, 59))
    if rng.random() < 0.35:
        return at(monday, tz, rng.randint(12, 17), rng.randint(1, 59), rng.randint(0, 59))
    return office_time(monday + DAY * rng.randint(1, 2), tz, rng)


def due_by_day(month_first: date, tz: ZoneInfo, rng: random.Random, due_day: int, p_late: float) -> datetime:
    """A monthly file due by day `due_day` of the month starting `month_first`."""
    if rng.random() < p_late:
        day = rng.randint(due_day + 1, due_day + 8)
    else:
        day = rng.randint(1, due_day)
    return office_time(month_first.replace(day=day), tz, rng)


def excel_serial(d: date) -> int:
    """Excel's 1900 date system serial number (what a date cell shows when formatted General)."""
    return (d - date(1899, 12, 30)).days
