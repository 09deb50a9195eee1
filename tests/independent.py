"""An independent implementation of ranking.md and kpis.md in polars, straight from the
text of the specification, used to cross-check the dbt marts on generated data.

It reads only the staging views (latest versions) and the file register, and shares no
code with the dbt models.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period(label: str) -> Period:
    if "-W" in label:
        year, week = label.split("-W")
        start = dt.date.fromisocalendar(int(year), int(week), 1)
        return Period(label, start, start + dt.timedelta(days=6))
    if "-Q" in label:
        year, q = label.split("-Q")
        start = dt.date(int(year), 3 * int(q) - 2, 1)
        end_month = 3 * int(q)
    else:
        year, m = label.split("-")
        start = dt.date(int(year), int(m), 1)
        end_month = int(m)
    nxt = dt.date(int(year) + (end_month == 12), end_month % 12 + 1, 1)
    return Period(label, start, nxt - dt.timedelta(days=1))


def accident_grade(deaths: int, injuries: int, loss: float) -> int:
    """Order 493: 0 一般, 1 较大, 2 重大, 3 特别重大; the highest any criterion reaches."""
    g = 0
    g = max(g, 3 if deaths >= 30 else 2 if deaths >= 10 else 1 if deaths >= 3 else 0)
    g = max(g, 3 if injuries >= 100 else 2 if injuries >= 50 else 1 if injuries >= 10 else 0)
    g = max(g, 3 if loss >= 10000 else 2 if loss >= 5000 else 1 if loss >= 1000 else 0)
    return g


def fire_grade(damaged_ha: float, deaths: int, injuries: int) -> int:
    g = 3 if damaged_ha >= 1000 else 2 if damaged_ha >= 100 else 1 if damaged_ha >= 1 else 0
    g = max(g, 3 if deaths >= 30 else 2 if deaths >= 10 else 1 if deaths >= 3 else 0)
    return max(g, 3 if injuries >= 100 else 2 if injuries >= 50 else 1 if injuries >= 10 else 0)


def load(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict]]:
    q = lambda sql: con.sql(sql).pl().to_dicts()  # noqa: E731
    return {
        "townships": q(
            "select township_code, township_name, forest_area_ha from staging.stg_profile__townships order by 1"
        ),
        "accidents": q(
            "select township_code, occurred_at, sector, deaths, serious_injuries, direct_loss_10k_cny from staging.stg_ledgers__accidents"
        ),
        "fires": q(
            "select township_code, started_at, damaged_forest_ha, deaths, serious_injuries from staging.stg_ledgers__forest_fires"
        ),
        "hazards": q("select township_code, level, found_on, deadline, rectified_on from staging.stg_ledgers__hazards"),
        "inspections": q(
            "select township_code, inspected_on, action, fine_10k_cny from staging.stg_ledgers__inspections"
        ),
        "depots": q("select township_code, status, completed_on from staging.stg_ledgers__reserve_depots"),
        "plans": q("select township_code, plan_type, issued_on, filed_on from staging.stg_ledgers__plans"),
        "drills": q("select township_code, team_id, held_on from staging.stg_ledgers__drills"),
        "files": q(
            "select sender_code, feed, received_at, rows_loaded, rows_quarantined from staging.stg_warehouse__files"
        ),
    }


# kpis.md "penalties": the administrative penalties of 《安全生产违法行为行政处罚办法》 art. 5;
# 移送司法 (行刑衔接) is a judicial transfer, not a penalty.
PENALTIES = ("警告", "罚款", "停产整顿", "关闭取缔")
JUDICIAL_TRANSFERS = ("移送司法",)


def ranking_start(data: dict[str, list[dict]]) -> dt.date:
    """README decision: rankings start on 1 January of the first year a township sent a file."""
    towns = {t["township_code"] for t in data["townships"]}
    first = min(f["received_at"] for f in data["files"] if f["sender_code"] in towns)
    return dt.date(first.year, 1, 1)


def data_start(data: dict[str, list[dict]]) -> dt.date:
    """1 January of the year of the earliest event (README: what the data covers)."""
    first = min(
        [a["occurred_at"].date() for a in data["accidents"]]
        + [h["found_on"] for h in data["hazards"]]
        + [i["inspected_on"] for i in data["inspections"]]
        + [d["held_on"] for d in data["drills"]]
    )
    return dt.date(first.year, 1, 1)


def is_ranked(data: dict[str, list[dict]], label: str) -> bool:
    """ranking.md: a period that starts before the data does is not ranked."""
    return period(label).start >= ranking_start(data)


def ranking(data: dict[str, list[dict]], label: str) -> dict[str, dict]:
    p = period(label)
    in_p = lambda d: d is not None and p.start <= d <= p.end  # noqa: E731
    out: dict[str, dict] = {}
    for t in (row["township_code"] for row in data["townships"]):
        acc = [a for a in data["accidents"] if a["township_code"] == t and in_p(a["occurred_at"].date())]
        a, d = len(acc), sum(x["deaths"] for x in acc)
        s_acc = max(0, 30 - 5 * a - 10 * d)

        haz = [h for h in data["hazards"] if h["township_code"] == t]
        due = [h for h in haz if in_p(h["deadline"])]
        ontime = [h for h in due if h["rectified_on"] is not None and h["rectified_on"] <= h["deadline"]]
        rate = len(ontime) / len(due) if due else 1.0
        overdue = [
            h
            for h in haz
            if h["level"] == "重大"
            and h["deadline"] <= p.end
            and (h["rectified_on"] is None or h["rectified_on"] > p.end)
        ]
        s_haz = max(0.0, 25 * rate - 5 * len(overdue))

        n = sum(1 for i in data["inspections"] if i["township_code"] == t and in_p(i["inspected_on"]))
        quota = p.days * 2 / 7
        s_enf = 15 * min(1.0, n / quota)

        depot = any(
            x["township_code"] == t
            and x["status"] == "已建成"
            and x["completed_on"] is not None
            and x["completed_on"] <= p.end
            for x in data["depots"]
        )
        plan = any(
            x["township_code"] == t
            and x["plan_type"] == "总体"
            and x["filed_on"] is not None
            and x["filed_on"] <= p.end
            for x in data["plans"]
        )
        window_start = p.end - dt.timedelta(days=364)  # the 365 days ending end(P), both ends included
        drill = any(x["township_code"] == t and window_start <= x["held_on"] <= p.end for x in data["drills"])
        s_prep = 5.0 * depot + 5.0 * plan + 5.0 * drill

        files = [f for f in data["files"] if f["sender_code"] == t and in_p(f["received_at"].date())]
        loaded = sum(f["rows_loaded"] for f in files)
        quarantined = sum(f["rows_quarantined"] for f in files)
        pass_rate = loaded / (loaded + quarantined) if loaded + quarantined else 1.0
        deadlines = []
        monday = p.start - dt.timedelta(days=p.start.weekday())
        while monday <= p.end:
            if monday >= p.start:
                deadlines.append(dt.datetime.combine(monday, dt.time(12)))
            monday += dt.timedelta(days=7)
        hazard_files = [f["received_at"] for f in data["files"] if f["sender_code"] == t and f["feed"] == "hazards"]
        on_time = [any(dl - dt.timedelta(days=7) < r <= dl for r in hazard_files) for dl in deadlines]
        timeliness = sum(on_time) / len(on_time) if on_time else 1.0
        s_rep = 15 * pass_rate * timeliness

        vetoed = any(
            accident_grade(x["deaths"], x["serious_injuries"], x["direct_loss_10k_cny"]) >= 1 for x in acc
        ) or any(
            fire_grade(x["damaged_forest_ha"], x["deaths"], x["serious_injuries"]) >= 1
            for x in data["fires"]
            if x["township_code"] == t and in_p(x["started_at"].date())
        )
        total = round(s_acc + s_haz + s_enf + s_prep + s_rep + 1e-9, 2)
        out[t] = dict(
            s_acc=s_acc,
            s_haz=s_haz,
            s_enf=s_enf,
            s_prep=s_prep,
            s_rep=s_rep,
            total=0.0 if vetoed else total,
            vetoed=vetoed,
            accidents=a,
            quota=math.ceil(round(quota, 9)),
        )  # kpis.md: the whole number that earns the full score
    live = [r["total"] for r in out.values() if not r["vetoed"]]
    for r in out.values():
        r["rank"] = len(live) + 1 if r["vetoed"] else 1 + sum(1 for x in live if x > r["total"])
        r["band"] = (
            "一票否决" if r["vetoed"] else "优秀" if r["total"] >= 90 else "合格" if r["total"] >= 70 else "待改进"
        )
    # named: every vetoed township and every other one holding one of the three lowest
    # distinct ranks (ties included); red list: no accident in P and not named
    lowest = sorted({r["rank"] for r in out.values() if not r["vetoed"]})[-3:]
    for r in out.values():
        r["named"] = r["vetoed"] or r["rank"] in lowest
        r["red_list"] = r["accidents"] == 0 and not r["named"]
    return out


def control_line(ly_count: float) -> float:
    """kpis.md: a count's control line is the largest whole number within 80% of last year."""
    return float(math.floor(round(0.8 * ly_count, 9)))


def ytd_metrics(data: dict[str, list[dict]], as_of: dt.date) -> dict[str, float | None]:
    """A subset of kpis.md's scoreboard: the counting metrics and the hazard percentages."""
    y0 = dt.date(as_of.year, 1, 1)
    ytd = lambda d: d is not None and y0 <= d <= as_of  # noqa: E731
    acc = [a for a in data["accidents"] if ytd(a["occurred_at"].date())]
    fires = [f for f in data["fires"] if ytd(f["started_at"].date())]
    major = [h for h in data["hazards"] if h["level"] == "重大" and ytd(h["found_on"])]
    rectified = [h for h in major if h["rectified_on"] is not None and h["rectified_on"] <= as_of]
    due = [h for h in data["hazards"] if ytd(h["deadline"]) and h["deadline"] < as_of]
    ontime = [h for h in due if h["rectified_on"] is not None and h["rectified_on"] <= h["deadline"]]
    forest = sum(t["forest_area_ha"] for t in data["townships"])
    insp = [i for i in data["inspections"] if ytd(i["inspected_on"])]
    pct = lambda a, b: 100 * len(a) / len(b) if b else None  # noqa: E731
    return {
        "accidents": float(len(acc)),
        "accident_deaths": float(sum(a["deaths"] for a in acc)),
        "major_accidents": float(
            sum(accident_grade(a["deaths"], a["serious_injuries"], a["direct_loss_10k_cny"]) >= 1 for a in acc)
        ),
        "major_forest_fires": float(
            sum(fire_grade(f["damaged_forest_ha"], f["deaths"], f["serious_injuries"]) >= 1 for f in fires)
        ),
        "forest_fire_damage_permille": sum(f["damaged_forest_ha"] for f in fires) / forest * 1000,
        "major_hazard_rectification_pct": pct(rectified, major),
        "major_hazards_overdue": float(
            sum(
                1
                for h in data["hazards"]
                if h["level"] == "重大"
                and h["deadline"] < as_of
                and (h["rectified_on"] is None or h["rectified_on"] > as_of)
            )
        ),
        "hazard_ontime_rectification_pct": pct(ontime, due),
        "inspections": float(len(insp)),
        "penalties": float(sum(1 for i in insp if i["action"] in PENALTIES)),
        "judicial_transfers": float(sum(1 for i in insp if i["action"] in JUDICIAL_TRANSFERS)),
        "fines_10k_cny": sum(i["fine_10k_cny"] or 0 for i in insp),
    }


def close(a: float | None, b: float | None, tol: float = 0.01) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, abs_tol=tol)
