"""Hazard ledgers (隐患排查治理台账): each township weekly, some departments every few weeks.

A sender's file is a snapshot of its ledger: the hazards found since its last file plus every hazard
still open when that period began, with 整改完成日期 filled once rectified. A hazard therefore shows up
in several files, and the last one carries its final state. Only one sender's open ledger is held in
memory at a time.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from .clock import iso_weeks, weekly_received
from .landing import Drop, file_stem, title_for
from .plants import DROP_FACTOR, RED_MAJORS, by_township
from .world import DEPARTMENT_SECTORS, County, Enterprise, poisson, seeded

FEED = "hazards"
# Hazards found per year at scale 1: townships together, then each department.
TOWNSHIP_HAZARDS_PER_YEAR = 2500
DEPARTMENTS = {"ZJJ": (2, 200), "SCJGJ": (4, 110), "WLGTJ": (4, 60), "YJJ": (2, 160)}  # (every n weeks, per year)

DESCRIPTIONS = {
    "危险化学品": [
        "储罐区可燃气体报警器失效",
        "液氨管道腐蚀",
        "危化品仓库超量储存",
        "防爆电气设备失爆",
        "装卸区静电接地缺失",
    ],
    "烟花爆竹": ["仓库超量储存", "防雷设施未检测", "工房内人员超员"],
    "非煤矿山": ["边坡浮石未清理", "排土场截排水沟堵塞", "爆破器材库台账不清", "采场未按设计分台阶开采"],
    "金属冶炼": ["熔炼炉冷却水系统无断水报警", "吊运熔融金属起重机未用冶金专用", "炉前作业区积水"],
    "粉尘涉爆": ["除尘器未设泄爆装置", "粉尘清扫制度未落实", "除尘系统未采用防爆电机"],
    "涉氨制冷": ["液氨储罐未设紧急切断装置", "氨气浓度报警器失效", "车间内未设应急喷淋"],
    "有限空间": ["有限空间作业未审批", "未配备气体检测仪", "有限空间未设警示标识"],
    "建筑施工": [
        "脚手架连墙件缺失",
        "临边洞口防护不到位",
        "塔吊限位装置失效",
        "深基坑未按方案支护",
        "施工用电未三级配电",
    ],
    "交通运输": ["车辆动态监控离线", "驾驶员超时驾驶", "客车安全锤缺失"],
    "特种设备": ["电梯超期未检验", "锅炉安全阀未校验", "叉车司机无证作业", "压力容器超期未检"],
    "燃气": ["瓶装液化气钢瓶超期未检", "燃气管道被占压", "餐饮场所未装燃气泄漏报警器"],
    "人员密集场所": ["安全出口标识缺失", "消防通道堵塞", "疏散指示灯损坏", "仓库消防栓无水", "电动车违规室内充电"],
    "文化旅游": ["景区游步道护栏松动", "游乐设施未定期检测", "温泉池防滑措施不足"],
    "工贸其他": [
        "机械设备防护罩缺失",
        "配电箱无漏电保护",
        "员工未佩戴劳动防护用品",
        "车间通道堆放杂物",
        "消防器材过期",
    ],
}
# Hazards not tied to an enterprise: roads, villages, schools.
PUBLIC = [
    "农村自建房墙体开裂",
    "道路临水临崖路段护栏缺失",
    "学校食堂燃气管道老化",
    "集贸市场电线私拉乱接",
    "山塘坝体渗漏",
    "村级活动中心灭火器过期",
    "地质灾害隐患点监测设施损坏",
    "桥梁限载标志缺失",
]


@dataclass
class Hazard:
    hazard_id: str
    found_on: date
    township: str
    credit_code: str | None
    level: str
    description: str
    deadline: date
    rectified_on: date | None  # the true date, possibly after the end of the period
    person: str
    phone: str
    supervised: str
    funds: float | None
    enterprise: Enterprise | None = None

    def row(self, as_of: date) -> dict:
        return {
            "hazard_id": self.hazard_id,
            "found_on": self.found_on,
            "township": self.township,
            "credit_code": self.credit_code,
            "level": self.level,
            "description": self.description,
            "deadline": self.deadline,
            "rectified_on": self.rectified_on if self.rectified_on and self.rectified_on <= as_of else None,
            "responsible_person": self.person,
            "phone": self.phone,
            "is_supervised": self.supervised,
            "funds_10k_cny": self.funds,
        }


def hazard_drops(county: County, label: str) -> Iterator[Drop]:
    weeks = iso_weeks(county.start, county.end)
    weights = [t.industry * (t.population / 40000) ** 0.5 for t in county.townships]
    total = sum(weights)
    for t, w in zip(county.townships, weights):
        lam = TOWNSHIP_HAZARDS_PER_YEAR / 52 * county.scale * w / total
        yield from _ledger(
            county,
            label,
            t.code,
            weeks,
            1,
            lam,
            t.initials,
            lambda rng, day, code=t.code: county.enterprise_in(rng, code, day) if rng.random() < 0.75 else None,
        )
    for dept, (every, per_year) in DEPARTMENTS.items():
        sectors = DEPARTMENT_SECTORS[dept]
        yield from _ledger(
            county,
            label,
            dept,
            weeks,
            every,
            per_year / 52 * county.scale,
            f"{dept}-YH",
            lambda rng, day, s=sectors: county.enterprise_of(rng, s, day),
        )


def _ledger(
    county: County, label: str, sender: str, weeks: list[tuple[date, date]], every: int, lam: float, prefix: str, pick
) -> Iterator[Drop]:
    rng = seeded(county.seed, FEED, "world", sender)
    when = seeded(county.seed, FEED, "received", sender)
    habit = county.habit(sender)
    township_sender = sender in county.township_by_code
    ledger: list[Hazard] = []
    seq: dict[int, int] = {}
    waited = 0
    plant = by_township(county).get(sender)
    last_sent: list[Hazard] = []

    def new(mon: date, public: bool = False) -> Hazard:
        found = mon + timedelta(days=min(6, int(rng.triangular(0, 7, 2))))
        seq[found.year] = seq.get(found.year, 0) + 1
        h = _hazard(county, rng, f"{prefix}-{found.year}-{seq[found.year]:04d}", found, sender, pick)
        if public and h.enterprise is not None:
            # planted (plants.py, enforcement_unreported): the ledger lists public places only
            h.township, h.credit_code, h.enterprise, h.description = sender, None, None, rng.choice(PUBLIC)
        if township_sender and h.enterprise is not None:
            county.self_reported.setdefault(sender, []).append((found, h.enterprise))
        return h

    for mon, sun in weeks:
        planted = plant is not None and mon >= plant.start
        rate = lam * (
            DROP_FACTOR
            if planted and plant.signal == "self_report_drop"
            else 0
            if planted and plant.signal == "zero_run"
            else 1
        )
        public = planted and plant.signal == "enforcement_unreported"
        ledger.extend(new(mon, public) for _ in range(poisson(rng, rate)))
        if planted and plant.signal == "red" and mon == plant.start:
            ledger.extend(_overdue_major(county, rng, new(mon), i == 0) for i in range(RED_MAJORS))
        waited += 1
        if waited < every or (not township_sender and rng.random() < 0.2):
            continue  # a department sends every few weeks, sometimes a week later
        on_time = planted and plant.signal in ("zero_run", "self_report_drop")
        if township_sender and when.random() < habit.p_miss and not on_time:
            continue  # a week missed entirely: the next file covers both
        if not ledger and planted:
            ledger = list(last_sent)  # nothing new, nothing open: the ledger as last sent, sent again
        if not ledger:
            ledger.append(new(mon, public))  # a ledger is never sent empty: that is a defect of its own
        waited = 0
        year, week, _ = mon.isocalendar()
        yield Drop(
            feed=FEED,
            sender=sender,
            received=weekly_received(sun, county.tz, when, 0.0 if on_time else habit.p_late),
            stem=file_stem(
                county, FEED, label, sender, f"{year}年第{week}周", f"{year}W{week:02d}", habit.name_pattern
            ),
            title=title_for(county, label, sender, f"{year}年第{week}周"),
            rows=[h.row(sun) for h in ledger],
            key=f"{FEED}/{sender}/{year}W{week:02d}",
        )
        last_sent = ledger
        ledger = [h for h in ledger if not (h.rectified_on and h.rectified_on <= sun)]


def _overdue_major(county: County, rng: random.Random, h: Hazard, supervised: bool) -> Hazard:
    """A planted major hazard (plants.py, red): due in 14 days, never rectified."""
    h.level, h.deadline, h.rectified_on = "重大", h.found_on + timedelta(days=14), None
    h.supervised = "是" if supervised else "否"
    h.funds = round(rng.uniform(5, 120), 1)
    return h


def _hazard(county: County, rng: random.Random, hazard_id: str, found: date, sender: str, pick) -> Hazard:
    e: Enterprise | None = pick(rng, found)
    township = e.township if e else sender
    major = rng.random() < 0.05
    if major:
        days = rng.choice([30, 45, 60, 90])
        u = rng.random()
        if u < 0.82:
            rectified = found + timedelta(days=rng.randint(days // 3, days))
        elif u < 0.97:
            rectified = found + timedelta(days=days + rng.randint(1, 45))  # late
        else:
            rectified = None  # left open past its deadline
        funds = round(rng.uniform(5, 120), 1)
        supervised = "是" if rng.random() < 0.7 else "否"
    else:
        days = rng.choice([3, 5, 7, 7, 10, 14, 15, 20, 30])
        u = rng.random()
        if u < 0.88:
            rectified = found + timedelta(days=rng.randint(0, days))
        elif u < 0.97:
            rectified = found + timedelta(days=days + rng.randint(1, 30))
        else:
            rectified = found + timedelta(days=days + rng.randint(31, 150))
        funds = round(rng.uniform(0.05, 3), 2) if rng.random() < 0.6 else None
        supervised = "是" if rng.random() < 0.01 else "否"
    return Hazard(
        hazard_id=hazard_id,
        found_on=found,
        township=township,
        credit_code=e.credit_code if e else None,
        level="重大" if major else "一般",
        description=rng.choice(DESCRIPTIONS[e.sector] if e else PUBLIC),
        deadline=found + timedelta(days=days),
        rectified_on=rectified,
        person=county.person_name(rng),
        phone=county.phone(rng),
        supervised=supervised,
        funds=funds,
        enterprise=e,
    )
