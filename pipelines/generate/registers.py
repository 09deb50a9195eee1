"""Registers sent monthly (due by the 5th), each file a snapshot as of the end of the month before:
enterprises (YJJ, and the industry departments their part of it), rescue teams, reserve depots, plans.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from .clock import due_by_day, month_starts, next_month
from .landing import Drop, file_stem, title_for
from .world import DEPARTMENT_SECTORS, County, seeded

REGISTER_OWNER = "YJJ"
INDUSTRY_DEPARTMENTS = ["ZJJ", "SCJGJ", "WLGTJ"]


def _months(county: County):
    """(first day of the sending month, as-of date): every month of the period and the one after."""
    firsts = month_starts(county.start, county.end)
    firsts.append(next_month(firsts[-1]))
    return [(f, f - timedelta(days=1)) for f in firsts]


def _drop(county: County, feed: str, label: str, sender: str, first, as_of, rows, p_late: float, when) -> Drop:
    habit = county.habit(sender)
    period = f"{as_of.year}年{as_of.month}月"
    return Drop(
        feed=feed,
        sender=sender,
        received=due_by_day(first, county.tz, when, 5, p_late),
        stem=file_stem(county, feed, label, sender, period, f"{as_of:%Y-%m}", habit.name_pattern),
        title=title_for(county, label, sender, period),
        rows=rows,
        key=f"{feed}/{sender}/{as_of:%Y-%m}",
    )


def enterprise_drops(county: County, label: str) -> Iterator[Drop]:
    feed = "enterprises"
    when = seeded(county.seed, feed, "received")
    for first, as_of in _months(county):
        current = [e for e in county.enterprises if e.created_on <= as_of]
        yield _drop(county, feed, label, REGISTER_OWNER, first, as_of, [e.state(as_of) for e in current], 0.1, when)
        for dept in INDUSTRY_DEPARTMENTS:
            if when.random() < 0.85:  # the departments skip a month now and then
                sectors = DEPARTMENT_SECTORS[dept]
                rows = [e.state(as_of) for e in current if e.sector in sectors]
                if rows:
                    yield _drop(county, feed, label, dept, first, as_of, rows, 0.25, when)


def rescue_team_drops(county: County, label: str) -> Iterator[Drop]:
    feed = "rescue_teams"
    when = seeded(county.seed, feed, "received")
    for first, as_of in _months(county):
        rows = [
            {
                "team_id": t.team_id,
                "name": t.name,
                "team_type": t.team_type,
                "township": t.township,
                "members": t.members,
            }
            for t in county.teams
            if t.created_on <= as_of
        ]
        yield _drop(county, feed, label, REGISTER_OWNER, first, as_of, rows, 0.1, when)


def depot_drops(county: County, label: str) -> Iterator[Drop]:
    feed = "reserve_depots"
    when = seeded(county.seed, feed, "received")
    for first, as_of in _months(county):
        yield _drop(
            county, feed, label, REGISTER_OWNER, first, as_of, [d.state(as_of) for d in county.depots], 0.1, when
        )


def plan_drops(county: County, label: str) -> Iterator[Drop]:
    feed = "plans"
    when = seeded(county.seed, feed, "received")
    for first, as_of in _months(county):
        rows = [
            {
                "plan_id": p.plan_id,
                "owner_unit": p.owner_unit,
                "township": p.township,
                "plan_type": p.plan_type,
                "issued_on": p.issued_on,
                "filed_on": p.filed_on if p.filed_on and p.filed_on <= as_of else None,
            }
            for p in county.plans
            if p.issued_on <= as_of
        ]
        if rows:
            yield _drop(county, feed, label, REGISTER_OWNER, first, as_of, rows, 0.1, when)
