"""Weekly activity feeds: enforcement inspections (执法检查) and drills and trainings (应急演练与培训).

Both list what happened in the week, one row per inspection or session; nothing is re-sent later.
Most of the brigade's visits follow up an enterprise the township's own ledger listed a hazard at
in the 90 days before (the hazard simulator runs first and keeps them in County.self_reported); the
rest go anywhere in the township. So signal 4 (执法发现未自报) stays quiet on an ordinary township
and speaks where a township stops listing what it finds.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator
from datetime import timedelta

from .clock import iso_weeks, weekly_received
from .landing import Drop, file_stem, title_for
from .world import County, poisson, seeded

INSPECTIONS_PER_TOWNSHIP_WEEK = 2.0  # the quota of ranking.md, met on average but not everywhere
FOLLOW_UP_SHARE = 0.8  # visits to an enterprise the township reported a hazard at lately
FOLLOW_UP_DAYS = 90  # "lately": the days before the visit
ACTIONS_AFTER_HAZARDS = (
    ["责令改正", "警告", "罚款", "停产整顿", "关闭取缔", "移送司法", "无"],
    [58, 10, 17, 6, 1, 1, 7],
)
SQUADS = ["一中队", "二中队", "三中队", "四中队"]
DRILL_SUBJECTS = [
    "森林火灾扑救演练",
    "防汛抢险演练",
    "危化品泄漏处置演练",
    "地质灾害避险转移演练",
    "消防灭火疏散演练",
    "有限空间救援演练",
    "地震应急疏散演练",
    "水上救援演练",
    "燃气泄漏处置演练",
]
TRAINING_SUBJECTS = [
    "应急救援技能培训",
    "安全生产法律法规培训",
    "心肺复苏急救培训",
    "灭火器使用培训",
    "防汛知识培训",
    "森林防火培训",
    "应急预案编制培训",
]


def inspection_drops(county: County, label: str) -> Iterator[Drop]:
    feed, sender = "inspections", "ZFDD"
    rng = seeded(county.seed, feed, "world")
    when = seeded(county.seed, feed, "received")
    planted = seeded(county.seed, feed, "planted")
    habit = county.habit(sender)
    # Uneven coverage: some townships get far fewer visits than the quota.
    effort = {t.code: rng.choice([0.45, 0.7, 0.9, 1.0, 1.0, 1.1, 1.2, 1.4]) for t in county.townships}
    mean = sum(effort.values()) / len(effort)
    squads = SQUADS[: max(1, min(len(SQUADS), math.ceil(county.scale)))]
    seq: dict[int, int] = {}
    reported = {code: sorted(rows, key=lambda r: r[0]) for code, rows in county.self_reported.items()}
    reported_days = {code: [day for day, _ in rows] for code, rows in reported.items()}

    def visited(township: str, day):
        """A follow-up of the township's own ledger mostly, else any enterprise of the township."""
        days = reported_days.get(township, [])
        lo = bisect.bisect_left(days, day - timedelta(days=FOLLOW_UP_DAYS))
        hi = bisect.bisect_left(days, day)
        if hi > lo and rng.random() < FOLLOW_UP_SHARE:
            return reported[township][rng.randrange(lo, hi)][1]
        return county.enterprise_in(rng, township, day)

    for mon, sun in iso_weeks(county.start, county.end):
        campaign = 1.5 if mon.month == 6 else 1.0  # 安全生产月
        by_squad: list[list[dict]] = [[] for _ in squads]
        for i, t in enumerate(county.townships):
            lam = INSPECTIONS_PER_TOWNSHIP_WEEK * county.scale * campaign * effort[t.code] / mean
            for _ in range(poisson(rng, lam)):
                day = mon + timedelta(days=rng.choice([0, 1, 2, 3, 4, 4, 5]))
                e = visited(t.code, day)
                found = poisson(rng, 1.6)
                if found:
                    action = rng.choices(*ACTIONS_AFTER_HAZARDS)[0]
                else:
                    action = "无" if rng.random() < 0.85 else "警告"
                seq[day.year] = seq.get(day.year, 0) + 1
                by_squad[i % len(squads)].append(
                    {
                        "inspection_id": f"ZFJC-{day.year}-{seq[day.year]:05d}",
                        "inspected_on": day,
                        "township": e.township,
                        "credit_code": e.credit_code,
                        "hazards_found": found,
                        "action": action,
                        "fine_10k_cny": round(rng.uniform(0.3, 10), 1) if action == "罚款" else None,
                    }
                )
        for signal, mark in (("self_report_drop", "D"), ("enforcement_unreported", "U")):
            plant = county.plants.get(signal)
            if plant and mon >= plant.start:
                # planted (plants.py): the brigade keeps finding hazards where self-reports dried up,
                # or where the ledger lists no enterprise
                e = county.enterprise_in(planted, plant.township, mon)
                day = mon + timedelta(days=2)
                by_squad[0].append(
                    {
                        "inspection_id": f"ZFJC-{day.year}-{mark}{day:%m%d}",
                        "inspected_on": day,
                        "township": e.township,
                        "credit_code": e.credit_code,
                        "hazards_found": 2,
                        "action": "责令改正",
                        "fine_10k_cny": None,
                    }
                )
        year, week, _ = mon.isocalendar()
        received = weekly_received(sun, county.tz, when, habit.p_late)
        for n, (squad, rows) in enumerate(zip(squads, by_squad)):
            if not rows:
                continue
            rows.sort(key=lambda r: r["inspection_id"])
            part = f"（{squad}）" if len(squads) > 1 else ""
            yield Drop(
                feed=feed,
                sender=sender,
                received=received + timedelta(minutes=3 * n),  # the squads' files go out together
                stem=file_stem(
                    county, feed, label, sender, f"{year}年第{week}周", f"{year}W{week:02d}", habit.name_pattern
                )
                + part,
                title=title_for(county, label, sender, f"{year}年第{week}周") + part,
                rows=rows,
                key=f"{feed}/{sender}/{year}W{week:02d}{part}",
            )


def drill_drops(county: County, label: str) -> Iterator[Drop]:
    feed = "drills"
    rng = seeded(county.seed, feed, "world")
    when = seeded(county.seed, feed, "received")
    active = [t for t in county.teams if t.drills]
    own_team = {t.township: t for t in active if t.township}
    city = [t for t in active if not t.township]
    seq: dict[tuple[str, int], int] = {}

    def ready(team, day):  # a team appears in the register (sent monthly) before it shows up in drills
        return team.created_on + timedelta(days=40) <= day

    def row(tag: str, team, day, kind: str | None = None) -> dict:
        kind = kind or ("演练" if rng.random() < 0.55 else "培训")
        seq[(tag, day.year)] = seq.get((tag, day.year), 0) + 1
        return {
            "drill_id": f"YL-{tag}-{day.year}-{seq[(tag, day.year)]:04d}",
            "held_on": day,
            "team_id": team.team_id,
            "township": team.township or rng.choice(county.townships).code,
            "kind": kind,
            "subject": rng.choice(DRILL_SUBJECTS if kind == "演练" else TRAINING_SUBJECTS),
            "participants": rng.randint(20, 300) if kind == "演练" else rng.randint(15, 120),
        }

    def drop(sender: str, rows: list[dict], mon, sun) -> Drop:
        habit = county.habit(sender)
        year, week, _ = mon.isocalendar()
        return Drop(
            feed=feed,
            sender=sender,
            received=weekly_received(sun, county.tz, when, habit.p_late),
            stem=file_stem(
                county, feed, label, sender, f"{year}年第{week}周", f"{year}W{week:02d}", habit.name_pattern
            ),
            title=title_for(county, label, sender, f"{year}年第{week}周"),
            rows=rows,
            key=f"{feed}/{sender}/{year}W{week:02d}",
        )

    for mon, sun in iso_weeks(county.start, county.end):
        # The fire brigade (XFJY) runs or logs drills with every kind of team most weeks.
        if rng.random() < 0.65:
            n = max(1, poisson(rng, 2.2 * county.scale))
            pool = [t for t in active if ready(t, mon)]
            rows = [row("XFJY", rng.choice(pool), mon + timedelta(days=rng.randint(0, 6))) for _ in range(n)]
            yield drop("XFJY", sorted(rows, key=lambda r: r["drill_id"]), mon, sun)
        # Townships log their own team's drills now and then.
        for t in county.townships:
            team = own_team.get(t.code)
            if team and rng.random() < 0.05 * min(county.scale, 10) ** 0.5:
                day = mon + timedelta(days=rng.randint(0, 6))
                n = max(1, poisson(rng, 1.2 * max(1.0, county.scale / 10)))
                yield drop(t.code, [row(t.initials, team, day) for _ in range(n)], mon, sun)
        # The bureau (YJJ) runs trainings for the city-level teams, about every other month.
        if mon.day <= 7 and rng.random() < 0.5:
            day = mon + timedelta(days=rng.randint(0, 4))
            pool = [t for t in city if ready(t, mon)]
            n = max(1, poisson(rng, 1.5 * county.scale))
            yield drop("YJJ", [row("YJJ", rng.choice(pool), day, "培训") for _ in range(n)], mon, sun)
