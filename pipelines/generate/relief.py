"""Relief of people affected by disasters (受灾群众救助), sent by YJJ's relief section monthly.

Each month's file, due by the 10th of the month after, lists the people affected that month and
the earlier records whose relief was paid that month (the same 救助编号, now with 救助发放日期).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from .clock import due_by_day, month_end, month_starts, next_month
from .landing import Drop, file_stem, title_for
from .world import County, poisson, seeded

PEOPLE_PER_YEAR = 300
# Disasters by month in Hunan: cold snaps in winter, hail in spring, floods in early summer, drought after.
DISASTERS = {
    1: {"低温冷冻": 5, "雪灾": 2, "其他": 1},
    2: {"低温冷冻": 4, "雪灾": 2, "其他": 1},
    3: {"风雹": 4, "其他": 1},
    4: {"风雹": 4, "洪涝": 1},
    5: {"洪涝": 4, "风雹": 2, "地质灾害": 1},
    6: {"洪涝": 6, "地质灾害": 2},
    7: {"洪涝": 5, "地质灾害": 2, "干旱": 1},
    8: {"干旱": 4, "洪涝": 2},
    9: {"干旱": 4, "其他": 1},
    10: {"干旱": 1, "森林火灾": 1, "其他": 1},
    11: {"森林火灾": 1, "其他": 1, "低温冷冻": 1},
    12: {"低温冷冻": 3, "雪灾": 1},
}
VOLUME = [1.2, 1.0, 0.6, 0.7, 1.2, 2.2, 2.0, 1.3, 0.8, 0.4, 0.3, 0.8]


def relief_drops(county: County, label: str) -> Iterator[Drop]:
    feed, sender = "relief", "YJJ"
    rng = seeded(county.seed, feed, "world")
    when = seeded(county.seed, feed, "received")
    habit = county.habit(sender)
    towns, pop = county.townships, [t.population for t in county.townships]
    per_month = PEOPLE_PER_YEAR / 12 * county.scale / (sum(VOLUME) / 12)
    pending: list[tuple[dict, date | None]] = []  # (row without payment, true payment date)
    for first in month_starts(county.start, county.end):
        lo, hi = max(first, county.start), min(month_end(first), county.end)
        closes = month_end(first)
        kinds, kind_w = zip(*DISASTERS[first.month].items())
        new: list[tuple[dict, date | None]] = []
        seq = 0
        share = ((hi - lo).days + 1) / ((closes - first).days + 1)
        for _ in range(poisson(rng, per_month * VOLUME[first.month - 1] * share)):
            seq += 1
            affected = lo + timedelta(days=rng.randrange((hi - lo).days + 1))
            hardship = rng.random() < 0.45
            if hardship:
                paid = affected + timedelta(days=rng.randint(5, 45)) if rng.random() < 0.9 else None
                amount = rng.randrange(5, 51) * 100
            else:
                paid = affected + timedelta(days=rng.randint(10, 60)) if rng.random() < 0.4 else None
                amount = rng.randrange(2, 11) * 100
            row = {
                "relief_id": f"JZ-{first:%Y%m}-{seq:04d}",
                "township": rng.choices(towns, pop)[0].code,
                "disaster_type": rng.choices(kinds, kind_w)[0],
                "affected_on": affected,
                "person_name": county.person_name(rng),
                "id_number": county.id_number(rng),
                "in_hardship": "是" if hardship else "否",
                "relieved_on": None,
                "amount_cny": amount,
            }
            new.append((row, paid))
        previous = first - timedelta(days=1)
        rows = []
        for row, paid in new:
            rows.append(
                {**row, "relieved_on": paid, "amount_cny": row["amount_cny"]}
                if paid and paid <= closes
                else {**row, "amount_cny": None}
            )
        for row, paid in pending:
            if previous < paid <= closes:
                rows.append({**row, "relieved_on": paid})
        pending = [(r, p) for r, p in pending + new if p and p > closes]
        if not rows:
            continue
        period = f"{first.year}年{first.month}月"
        yield Drop(
            feed=feed,
            sender=sender,
            received=due_by_day(next_month(first), county.tz, when, 10, 0.1),
            stem=file_stem(county, feed, label, sender, period, f"{first:%Y-%m}", habit.name_pattern),
            title=title_for(county, label, sender, period),
            rows=rows,
            key=f"{feed}/{first:%Y-%m}",
        )
