"""Event feeds, reported within 24 hours: accidents (YJJ), forest fires (LYJ), flood transfers (SLJ).

Accidents go out as the month's ledger to date each day something is reported (a later death
within 30 days updates the same 事故编号), forest fires as the year's ledger to date, flood transfers
as the day's list. Scripted events make the KPIs interesting: a 较大 accident (3 deaths) and a 较大
forest fire in the last year, and one accident whose deaths grow in a later file.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import groupby

from pipelines.lib.contracts import load_contracts

from .clock import at
from .landing import Drop, file_stem, title_for
from .plants import LATE_DEATH_DAYS
from .world import County, poisson, seeded

ACCIDENTS_FIRST_YEAR = 40  # then 25 % fewer each year: the decline the 2023 target asks for
ACCIDENT_SECTORS = {
    "交通运输": 30,
    "建筑施工": 25,
    "工贸其他": 20,
    "非煤矿山": 4,
    "特种设备": 4,
    "危险化学品": 3,
    "有限空间": 3,
    "人员密集场所": 3,
    "燃气": 2,
    "金属冶炼": 2,
    "粉尘涉爆": 1,
    "涉氨制冷": 1,
    "文化旅游": 1,
    "烟花爆竹": 1,
}
ACCIDENT_TYPES = {
    "交通运输": ["车辆伤害"],
    "建筑施工": ["高处坠落", "物体打击", "坍塌", "起重伤害", "触电", "机械伤害"],
    "工贸其他": ["机械伤害", "物体打击", "触电", "高处坠落", "其他伤害"],
    "非煤矿山": ["冒顶片帮", "坍塌", "放炮", "透水"],
    "特种设备": ["起重伤害", "锅炉爆炸", "容器爆炸"],
    "危险化学品": ["中毒和窒息", "火灾", "容器爆炸", "灼烫"],
    "有限空间": ["中毒和窒息", "淹溺"],
    "人员密集场所": ["火灾", "触电", "其他伤害"],
    "燃气": ["其他爆炸", "火灾"],
    "金属冶炼": ["灼烫", "其他爆炸", "起重伤害"],
    "粉尘涉爆": ["其他爆炸", "火灾"],
    "涉氨制冷": ["中毒和窒息"],
    "文化旅游": ["淹溺", "其他伤害"],
    "烟花爆竹": ["火药爆炸"],
}
FIRES_PER_YEAR = 5
FIRE_MONTHS = [1.5, 2.0, 1.5, 2.5, 0.3, 0.1, 0.2, 0.4, 0.6, 1.0, 1.0, 1.2]
FIRE_CAUSES = {
    "祭祀用火": 30,
    "农事用火": 30,
    "生活用火": 12,
    "吸烟": 8,
    "电力线路": 5,
    "雷击": 2,
    "不明": 8,
    "其他": 5,
}
FLOOD_LEVELS = {"蓝": (30, (5, 80)), "黄": (40, (20, 200)), "橙": (22, (50, 600)), "红": (8, (100, 1500))}


def _year_parts(county: County) -> list[tuple[int, date, date, float]]:
    out = []
    for y in range(county.start.year, county.end.year + 1):
        lo, hi = max(county.start, date(y, 1, 1)), min(county.end, date(y, 12, 31))
        out.append((y, lo, hi, ((hi - lo).days + 1) / 365))
    return out


# A late first report of an accident (迟报, more than 24 hours) is a breach of the reporting rules
# and rare: at scale 1 about one a year in the county, so signal 3 (迟报补报) fires on it and on the
# planted case, not on most townships. No signal reads a forest fire's report time: one in ten
# stays late.
ACCIDENT_LATE_SHARE = 0.02
FIRE_LATE_SHARE = 0.1


def _report_delay(rng: random.Random, late_share: float) -> timedelta:
    """Within 24 hours, but for a `late_share` of reports."""
    hours = rng.uniform(1, 20) if rng.random() >= late_share else rng.uniform(25, 60)
    return timedelta(hours=hours)


def _daytime(d: date, rng: random.Random) -> datetime:
    hour = min(23, max(0, int(rng.gauss(13, 4))))
    return datetime.combine(d, time(hour, rng.randint(0, 59), rng.randint(0, 59)))


# ---------------------------------------------------------------------------- accidents


@dataclass
class Accident:
    row: dict
    reported: datetime  # aware
    updates: list[tuple[datetime, dict]] = field(default_factory=list)

    def as_of(self, t: datetime) -> dict:
        row = dict(self.row)
        for when, change in self.updates:
            if when <= t:
                row.update(change)
        return row


def accident_drops(county: County, label: str) -> Iterator[Drop]:
    feed, sender = "accidents", "YJJ"
    rng = seeded(county.seed, feed, "world")
    parts = _year_parts(county)
    first = parts[0][0]
    sectors = load_contracts()["accidents"].column("sector").values
    weights = [ACCIDENT_SECTORS.get(s, 1) for s in sectors]
    raw: list[tuple[datetime, str, int, int, str | None]] = []  # (occurred, sector, deaths, injuries, tag)
    for y, lo, hi, frac in parts:
        p_death = 0.5 if y == first else 0.42
        for _ in range(poisson(rng, ACCIDENTS_FIRST_YEAR * 0.75 ** (y - first) * county.scale * frac)):
            d = lo + timedelta(days=rng.randrange((hi - lo).days + 1))
            u = rng.random()
            deaths = 0 if u > p_death else (2 if u < 0.05 else 1)
            raw.append(
                (_daytime(d, rng), rng.choices(sectors, weights)[0], deaths, rng.choice([0, 0, 0, 1, 1, 2]), None)
            )
    y, lo, hi, _ = parts[-1]
    span = (hi - lo).days
    if span >= 20:
        # The 较大 accident that puts a township under veto (3 deaths, State Council Order 493).
        raw.append((_daytime(lo + timedelta(days=int(span * 0.6)), rng), "建筑施工", 3, 1, "major"))
        # An injury that becomes a death within 30 days: the later file supersedes the first report.
        raw.append((_daytime(lo + timedelta(days=int(span * 0.3)), rng), "工贸其他", 0, 1, "updated"))
    late = county.plants.get("late_report")
    if late:
        # planted (plants.py): a death reported after the 30-day window (迟报补报)
        raw.append((datetime.combine(late.start, time(10, 30)), "建筑施工", 0, 1, "late_death"))
    raw.sort()
    seq: dict[int, int] = {}
    accidents: list[Accident] = []
    scripted: dict[str, str] = {}
    for occurred, sector, deaths, injuries, tag in raw:
        seq[occurred.year] = seq.get(occurred.year, 0) + 1
        accident_id = f"SG-{occurred.year}-{seq[occurred.year]:03d}"
        e = None
        if sector != "交通运输" or rng.random() < 0.4:
            e = county.enterprise_of(rng, [sector], occurred.date())
            if e.sector != sector:
                e = None
        township = e.township if e else rng.choices(county.townships, [t.population for t in county.townships])[0].code
        if tag == "late_death":
            e, township = None, late.township
        kind = rng.choice(ACCIDENT_TYPES.get(sector, ["其他伤害"]))
        loss = {0: rng.uniform(1, 60), 1: rng.uniform(80, 180), 2: rng.uniform(170, 350)}.get(
            deaths, rng.uniform(380, 520)
        )
        place = e.name if e else county.township_by_code[township].name + rng.choice(["境内", "某村", "某路段"])
        harm = "、".join(f"{n}人{what}" for n, what in ((deaths, "死亡"), (injuries, "重伤")) if n) or "人员轻伤"
        row = {
            "accident_id": accident_id,
            "occurred_at": occurred,
            "township": township,
            "sector": sector,
            "credit_code": e.credit_code if e else None,
            "accident_type": kind,
            "deaths": deaths,
            "serious_injuries": injuries,
            "direct_loss_10k_cny": round(loss + injuries * rng.uniform(5, 20), 1),
            "summary": f"{place}发生一起{kind}事故，造成{harm}",
        }
        a = Accident(row, occurred.replace(tzinfo=county.tz) + _report_delay(rng, ACCIDENT_LATE_SHARE))
        if tag == "updated":
            died = occurred + timedelta(days=rng.randint(8, 25), hours=rng.randint(0, 10))
            if died.date() <= county.end:
                a.updates.append(
                    (
                        died.replace(tzinfo=county.tz) + timedelta(hours=rng.uniform(2, 18)),
                        {
                            "deaths": 1,
                            "serious_injuries": 0,
                            "summary": f"{place}发生一起{kind}事故，伤者经抢救无效死亡，造成1人死亡",
                        },
                    )
                )
        if tag == "late_death":
            a.reported = occurred.replace(tzinfo=county.tz) + timedelta(hours=3)
            died = occurred + timedelta(days=LATE_DEATH_DAYS, hours=2)
            if died.date() <= county.end:
                a.updates.append(
                    (
                        died.replace(tzinfo=county.tz),
                        {
                            "deaths": 1,
                            "serious_injuries": 0,
                            "summary": f"{place}发生一起{kind}事故，伤者经抢救无效死亡，造成1人死亡（补报）",
                        },
                    )
                )
        if tag:
            scripted[tag] = accident_id
        accidents.append(a)
    county.scripted.update({f"{k}_accident": v for k, v in scripted.items()})

    # One file per (day, month ledger): the month's accidents reported so far, sent each day a new
    # accident is reported or an earlier one's numbers change (a death within 30 days).
    events = [(a.reported, a, False) for a in accidents] + [(t, a, True) for a in accidents for t, _ in a.updates]
    events.sort(key=lambda e: (e[0], e[1].row["accident_id"]))
    month_of = {id(a): a.row["occurred_at"].strftime("%Y-%m") for a in accidents}
    for (day, month), group in groupby(events, key=lambda e: (e[0].date(), month_of[id(e[1])])):
        group = list(group)
        received = group[-1][0]
        # An update re-sends the ledger of the month the accident happened in (a 续报).
        rows = [a.as_of(received) for a in accidents if month_of[id(a)] == month and a.reported <= received]
        y, m = int(month[:4]), int(month[5:])
        habit = county.habit(sender)
        yield Drop(
            feed=feed,
            sender=sender,
            received=received,
            stem=file_stem(county, feed, label, sender, f"{y}年{m}月", month, habit.name_pattern) + f"_{day:%m%d}",
            title=title_for(county, label, sender, f"{y}年{m}月"),
            rows=rows,
            key=f"{feed}/{month}/{day}",
        )


# ---------------------------------------------------------------------------- forest fires


def forest_fire_drops(county: County, label: str) -> Iterator[Drop]:
    feed, sender = "forest_fires", "LYJ"
    rng = seeded(county.seed, feed, "world")
    towns, forest = county.townships, [t.forest_ha for t in county.townships]
    causes, cause_w = zip(*FIRE_CAUSES.items())
    fires: list[tuple[datetime, bool]] = []
    parts = _year_parts(county)
    for _year, lo, hi, frac in parts:
        days = [lo + timedelta(days=i) for i in range((hi - lo).days + 1)]
        weights = [FIRE_MONTHS[d.month - 1] for d in days]
        for _ in range(poisson(rng, FIRES_PER_YEAR * county.scale * frac)):
            fires.append((_daytime(rng.choices(days, weights)[0], rng), False))
    y, lo, hi, _ = parts[-1]
    if (hi - lo).days >= 20:
        qingming = date(y, 4, 5)
        d = qingming if lo <= qingming <= hi else lo + timedelta(days=(hi - lo).days // 2)
        fires.append((datetime.combine(d, time(11, rng.randint(0, 59))), True))  # the 较大 fire (>= 1 ha damaged)
    fires.sort()
    ledger: list[tuple[datetime, dict]] = []  # (reported, row)
    seq: dict[int, int] = {}
    for started, major in fires:
        seq[started.year] = seq.get(started.year, 0) + 1
        fire_id = f"SH-{started.year}-{seq[started.year]:03d}"
        if major:
            burned, damaged = round(rng.uniform(3, 5), 2), round(rng.uniform(1.2, 2.5), 2)
            county.scripted["major_forest_fire"] = fire_id
        else:
            burned = round(rng.uniform(0.05, 2.5), 2)
            damaged = int(min(burned * rng.uniform(0.2, 0.9), 0.95) * 100) / 100  # rounded down: <= burned, < 1 ha
        month = started.month
        cause = "祭祀用火" if month in (2, 4) and rng.random() < 0.6 else rng.choices(causes, cause_w)[0]
        row = {
            "fire_id": fire_id,
            "started_at": started,
            "township": rng.choices(towns, forest)[0].code,
            "burned_area_ha": burned,
            "damaged_forest_ha": damaged,
            "deaths": 0,
            "serious_injuries": 1 if rng.random() < 0.05 else 0,
            "cause": cause,
        }
        ledger.append((started.replace(tzinfo=county.tz) + _report_delay(rng, FIRE_LATE_SHARE), row))
    ledger.sort(key=lambda e: e[0])
    habit = county.habit(sender)
    for (day, year), group in groupby(ledger, key=lambda e: (e[0].date(), e[1]["started_at"].year)):
        received = list(group)[-1][0]
        rows = [r for t, r in ledger if t <= received and r["started_at"].year == year]
        yield Drop(
            feed=feed,
            sender=sender,
            received=received,
            stem=file_stem(county, feed, label, sender, f"{year}年", str(year), habit.name_pattern) + f"_{day:%m%d}",
            title=title_for(county, label, sender, f"{year}年"),
            rows=sorted(rows, key=lambda r: r["fire_id"]),
            key=f"{feed}/{year}/{day}",
        )


# ---------------------------------------------------------------------------- flood transfers


def flood_transfer_drops(county: County, label: str) -> Iterator[Drop]:
    feed, sender = "flood_transfers", "SLJ"
    rng = seeded(county.seed, feed, "world")
    when = seeded(county.seed, feed, "received")
    levels, level_w = zip(*((k, v[0]) for k, v in FLOOD_LEVELS.items()))
    towns, exposure = county.townships, [t.flood for t in county.townships]
    habit = county.habit(sender)
    for y in range(county.start.year, county.end.year + 1):
        lo, hi = max(county.start, date(y, 5, 1)), min(county.end, date(y, 8, 31))
        if lo > hi:
            continue
        season = [lo + timedelta(days=i) for i in range((hi - lo).days + 1)]
        weights = [{5: 1, 6: 3, 7: 3, 8: 1}[d.month] for d in season]
        days: dict[date, str] = {}
        for _ in range(3 + poisson(rng, 2.5)):  # every flood season has a few heavy-rain spells
            level = rng.choices(levels, level_w)[0]
            start = rng.choices(season, weights)[0]
            for k in range(rng.randint(1, 3)):  # heavy rain lasts a few days
                d = start + timedelta(days=k)
                if d <= hi:
                    days.setdefault(d, level)
        seq = 0
        for d in sorted(days):
            level = days[d]
            lo_p, hi_p = FLOOD_LEVELS[level][1]
            rows = []
            for _ in range(max(1, poisson(rng, 5 * county.scale))):
                seq += 1
                rows.append(
                    {
                        "transfer_id": f"ZY-{y}-{seq:04d}",
                        "transferred_on": d,
                        "township": rng.choices(towns, exposure)[0].code,
                        "warning_level": level,
                        "people_transferred": rng.randint(lo_p, hi_p),
                    }
                )
            received = (
                at(d, county.tz, rng.randint(19, 23), rng.randint(0, 59))
                if when.random() < 0.8
                else at(d + timedelta(days=1), county.tz, rng.randint(7, 11), rng.randint(0, 59))
            )
            yield Drop(
                feed=feed,
                sender=sender,
                received=received,
                stem=file_stem(county, feed, label, sender, f"{d.month}月{d.day}日", f"{d:%Y%m%d}", habit.name_pattern),
                title=title_for(county, label, sender, f"{d.year}年{d.month}月{d.day}日"),
                rows=rows,
                key=f"{feed}/{d}",
            )
