"""Planted early-warning cases (README "Early warning"): so a new user sees every signal fire
somewhere in the demo data and can read why. Each case changes one township's behaviour from
a given week; `_generator/signals.csv` lists them (township, signal, the week the behaviour
starts, the first as-of Sunday from which the signal or level must show).

- self_report_drop: from `start` the township reports a tenth of its usual new hazards, while
  the enforcement brigade keeps inspecting there every week and finding hazards.
- zero_run: from `start` the township sends its ledger every week on time with no new hazard.
- late_report: an accident there whose death is reported 35 days after it happened.
- red: from `start` five major hazards stay open past their deadline (one under 挂牌督办).
- enforcement_unreported: from `start` the township's ledger lists the hazards of public places
  only, none at an enterprise, while the brigade keeps finding hazards at its enterprises
  every week: once 90 days have passed no visit has a self-report to follow up.

Cases need 40 weeks of history before the end (the 26 + 8 weeks of the signals' windows);
a shorter generation plants none. Planted townships are chosen by their hazard weight (the
busiest after the county seat), so they have a history to fall from.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from .world import County

DROP_FACTOR = 0.1
LATE_DEATH_DAYS = 35
RED_MAJORS = 5


@dataclass(frozen=True)
class Plant:
    signal: str
    township: str
    start: date  # Monday the behaviour starts (the accident's day for late_report)
    expected_from: date  # the first as-of Sunday from which it must show
    note: str


def plan(county: County) -> dict[str, Plant]:
    """The planted cases of this generation, by signal (empty when the span is too short)."""
    last_monday = county.end - timedelta(days=county.end.weekday())
    if (last_monday - county.start).days < 40 * 7:
        return {}
    weights = sorted(county.townships, key=lambda t: -t.industry * (t.population / 40000) ** 0.5)
    drop_t, zero_t, red_t, late_t, unreported_t = (t.code for t in weights[1:6])
    drop = last_monday - timedelta(weeks=14)
    zero = last_monday - timedelta(weeks=10)
    red = last_monday - timedelta(weeks=12)
    occurred = last_monday - timedelta(weeks=10) + timedelta(days=2)
    reported = occurred + timedelta(days=LATE_DEATH_DAYS)
    unreported = last_monday - timedelta(weeks=34)
    return {
        # the last 8 reported weeks all lie after `start` from the Sunday 8 weeks + 1 later
        "self_report_drop": Plant(
            "self_report_drop",
            drop_t,
            drop,
            drop + timedelta(weeks=9, days=-1),
            "自报隐患降至平时的十分之一，执法检查每周仍发现隐患",
        ),
        # k = 4 weeks reported with no new hazard one week after the fourth such week
        "zero_run": Plant(
            "zero_run", zero_t, zero, zero + timedelta(weeks=5, days=-1), "每周按时报送隐患台账但无新增隐患"
        ),
        "late_report": Plant(
            "late_report",
            late_t,
            occurred,
            reported + timedelta(days=6 - reported.weekday()),
            f"事故发生{LATE_DEATH_DAYS}天后补报死亡1人",
        ),
        # five majors due 14 days after `start`, overdue from the day after: 5 x 10 points
        "red": Plant(
            "red", red_t, red, red + timedelta(days=20), f"{RED_MAJORS}项重大隐患逾期未整改（其中1项挂牌督办）"
        ),
        # an inspection on day d has nothing to follow up from d >= start + 91; the 13 weeks
        # ending latest_week_end (D - 7) all lie after that from D = start + 27 weeks - 1 day:
        # every inspection with findings in them is unreported, >= 5 of them planted
        "enforcement_unreported": Plant(
            "enforcement_unreported",
            unreported_t,
            unreported,
            unreported + timedelta(weeks=27, days=-1),
            "隐患台账只报公共场所隐患、不报企业隐患，执法检查每周仍在其企业发现隐患",
        ),
    }


def by_township(county: County) -> dict[str, Plant]:
    return {
        p.township: p
        for p in county.plants.values()
        if p.signal in ("self_report_drop", "zero_run", "red", "enforcement_unreported")
    }


def write_ground_truth(county: County, folder: Path) -> Path:
    path = folder / "signals.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            [
                "township_code",
                "township_name",
                "signal",
                "behaviour_from",
                "expected_from_as_of",
                "expected_from_week",
                "what",
            ]
        )
        for p in county.plants.values():
            year, week, _ = p.expected_from.isocalendar()
            writer.writerow(
                [
                    p.township,
                    county.township_by_code[p.township].name,
                    p.signal,
                    p.start.isoformat(),
                    p.expected_from.isoformat(),
                    f"{year}-W{week:02d}",
                    p.note,
                ]
            )
    return path
