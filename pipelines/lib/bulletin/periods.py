"""Periods of the publications: ISO weeks, months and quarters (ranking.md, Periods).

The label (2023-W14, 2023-04, 2023-Q2) is what the ranking mart, the CLI and the folder
under <home>/publications use. Dagster's time-window partitions cannot print such labels
(strftime has no quarter, and strptime cannot read an ISO week back without a weekday),
so a partition key is the period's first day (2023-04-03 for 2023-W14, 2023-04-01 for
2023-04 and 2023-Q2) and :func:`label_for_start` / :func:`start_of` map between the two.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipelines.lib.numbers import parse_period

KINDS = ("week", "month", "quarter")
_QUARTER_CN = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True)
class PeriodInfo:
    kind: str  # week | month | quarter
    label: str  # 2023-W14 | 2023-04 | 2023-Q2
    year: int  # the ISO year for a week
    number: int  # week, month or quarter number
    start: dt.date
    end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def partition_key(self) -> str:
        return self.start.isoformat()

    @property
    def name_cn(self) -> str:
        """2023年第14周 / 2023年4月 / 2023年第二季度."""
        if self.kind == "week":
            return f"{self.year}年第{self.number}周"
        if self.kind == "month":
            return f"{self.year}年{self.number}月"
        return f"{self.year}年第{_QUARTER_CN[self.number]}季度"

    @property
    def this_cn(self) -> str:
        """How the text refers to the period: 本周 / 本月 / 本季度."""
        return {"week": "本周", "month": "本月", "quarter": "本季度"}[self.kind]

    def same_period_last_year(self) -> PeriodInfo:
        if self.kind == "week":
            last_weeks = dt.date(self.year - 1, 12, 28).isocalendar()[1]
            return period_info(f"{self.year - 1}-W{min(self.number, last_weeks):02d}")
        if self.kind == "month":
            return period_info(f"{self.year - 1}-{self.number:02d}")
        return period_info(f"{self.year - 1}-Q{self.number}")

    def issue_date(self) -> dt.date:
        """The day the scheduled publication comes out: the Monday after a week (its ledgers
        are due that day at 12:00), the 1st after a month or a quarter."""
        return self.end + dt.timedelta(days=1)


def period_info(text: str) -> PeriodInfo:
    """Parse a label (errors in Chinese, from numbers.parse_period) into its dates."""
    period = parse_period(text)
    label = period.label
    year = int(label[:4])
    if period.period_type == "week":
        number = int(label[6:])
        start = dt.date.fromisocalendar(year, number, 1)
        return PeriodInfo("week", label, year, number, start, start + dt.timedelta(days=6))
    if period.period_type == "month":
        number = int(label[5:])
        start = dt.date(year, number, 1)
        return PeriodInfo("month", label, year, number, start, _month_end(year, number))
    number = int(label[6:])
    start = dt.date(year, 3 * number - 2, 1)
    return PeriodInfo("quarter", label, year, number, start, _month_end(year, 3 * number))


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def label_for_start(kind: str, start: dt.date | str) -> str:
    """The label of the period of ``kind`` that starts on ``start`` (a partition key)."""
    day = dt.date.fromisoformat(start) if isinstance(start, str) else start
    if kind == "week":
        iso = day.isocalendar()
        if iso.weekday != 1:
            raise ValueError(f"{day} is not a Monday: not the start of an ISO week")
        return f"{iso.year}-W{iso.week:02d}"
    if day.day != 1 or (kind == "quarter" and day.month % 3 != 1):
        raise ValueError(f"{day} does not start a {kind}")
    if kind == "month":
        return f"{day.year}-{day.month:02d}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    raise ValueError(f"unknown period kind {kind!r}")


def period_containing(kind: str, day: dt.date) -> PeriodInfo:
    """The week, month or quarter that ``day`` falls in."""
    if kind == "week":
        iso = day.isocalendar()
        return period_info(f"{iso.year}-W{iso.week:02d}")
    if kind == "month":
        return period_info(f"{day.year}-{day.month:02d}")
    if kind == "quarter":
        return period_info(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    raise ValueError(f"unknown period kind {kind!r}")


def start_of(label: str) -> dt.date:
    return period_info(label).start


def cn_date(day: dt.date, with_year: bool = True) -> str:
    """2023年4月9日 (no leading zeros, as Chinese documents write dates)."""
    return f"{day.year}年{day.month}月{day.day}日" if with_year else f"{day.month}月{day.day}日"


def cn_range(start: dt.date, end: dt.date) -> str:
    """4月3日至4月9日 (the year is said elsewhere; given when the range crosses one)."""
    same_year = start.year == end.year
    return f"{cn_date(start, not same_year)}至{cn_date(end, not same_year)}"
