"""The simulated county: townships, senders and their habits, people, and the registers' timelines.

Everything here is a fact of the world, independent of how files are written or broken: the same
seed and scale give the same county whatever the defect rate. Township codes, names, aliases and
departments come from the county profile; enterprises, teams, depots and plans are invented.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from stdnum.cn import ric, uscc

from pipelines.lib.contracts import load_contracts
from pipelines.lib.profile import Profile

from .clock import DAY

# Pinyin initials used in the ledgers' record numbers (e.g. HML-2023-0311 for 花明楼). A township
# of another county profile falls back to T + the last three digits of its code.
INITIALS = {
    "玉潭": "YT",
    "白马桥": "BMQ",
    "历经铺": "LJP",
    "城郊": "CJ",
    "道林": "DL",
    "花明楼": "HML",
    "东湖塘": "DHT",
    "夏铎铺": "XDP",
    "双江口": "SJK",
    "煤炭坝": "MTB",
    "坝塘": "BT",
    "灰汤": "HT",
    "双凫铺": "SFP",
    "老粮仓": "LLC",
    "流沙河": "LSH",
    "巷子口": "XZK",
    "龙田": "LT",
    "横市": "HS",
    "回龙铺": "HLP",
    "黄材": "HC",
    "大成桥": "DCQ",
    "青山桥": "QSQ",
    "金洲": "JZ",
    "大屯营": "DTY",
    "资福": "ZF",
    "菁华铺": "JHP",
    "喻家坳": "YJA",
    "沙田": "ST",
    "沩山": "WS",
}
# Townships with industrial parks or a busy town centre get more enterprises and hazards.
INDUSTRIAL = {
    "金洲": 3.0,
    "历经铺": 2.5,
    "白马桥": 2.2,
    "玉潭": 2.0,
    "城郊": 1.6,
    "夏铎铺": 1.4,
    "双江口": 1.3,
    "煤炭坝": 1.3,
    "东湖塘": 1.2,
    "回龙铺": 1.2,
    "灰汤": 1.1,
    "花明楼": 1.1,
}
# Along the Wei river (沩水) and in the western hills: where flood transfers happen.
FLOOD_PRONE = {
    "双江口": 3.0,
    "历经铺": 2.0,
    "玉潭": 1.5,
    "城郊": 1.5,
    "黄材": 2.5,
    "横市": 2.5,
    "巷子口": 2.0,
    "沩山": 2.5,
    "坝塘": 1.5,
    "回龙铺": 1.5,
    "龙田": 2.0,
    "青山桥": 1.5,
}

SURNAMES = (
    "刘" * 9
    + "王" * 6
    + "李" * 6
    + "张" * 5
    + "陈" * 5
    + "周" * 4
    + "彭" * 4
    + "谭" * 4
    + "贺" * 3
    + "曾" * 3
    + "廖" * 3
    + "杨" * 3
    + "黄" * 3
    + "胡" * 3
    + "喻" * 2
    + "龚" * 2
    + "姜" * 2
    + "赵吴徐孙朱郭何高林罗郑梁谢宋唐许邓曹肖田袁潘蒋蔡余杜叶程魏丁任姚卢钟陆汪范金石贾夏"
    + "邹熊秦邱江尹段雷侯龙陶黎顾毛邵万严易颜文欧阳"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉玉兰志红春梅德海波宁林飞鹏亮斌"
    "云俊峰凤琴慧婷佳敏晨宇浩然思雨欣怡子轩梓涵一诺雅琪湘湘楚湘岳新民桂香金秋冬生福寿"
)
MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 173 175 176 "
    "177 178 180 181 182 183 185 186 187 188 189 191 198 199"
).split()
# Shop names (字号) for invented enterprises; combined with a trade word and a legal form.
BRANDS = (
    "鑫达 华远 宏泰 恒通 兴旺 沩水 楚天 湘龙 顺发 天宇 佳美 永兴 嘉和 瑞丰 德润 富民 长盛 新华 博远 海川 "
    "联创 盛世 天成 和信 源丰 鼎盛 万家 福泰 金源 隆鑫 祥和 丰泰 正邦 汇通 润发 荣盛 宏达 凯旋 金桥 益民 "
    "湘宁 沩山 玉潭 宁丰 众诚 信达 昌盛 恒丰 银河 星光 明珠 龙腾 泰和 聚福 安泰 广源 华盛 振兴 宇通"
).split()
TRADES = {
    "危险化学品": ["化工", "化学", "气体", "石化"],
    "烟花爆竹": ["花炮", "烟花"],
    "非煤矿山": ["矿业", "石业", "砂石"],
    "金属冶炼": ["冶金", "铸造", "金属材料"],
    "粉尘涉爆": ["木业", "粉体", "铝制品"],
    "涉氨制冷": ["冷链", "冷冻食品"],
    "有限空间": ["污水处理", "酿造", "水务"],
    "建筑施工": ["建设", "建筑工程", "路桥"],
    "交通运输": ["运输", "物流", "客运"],
    "特种设备": ["电梯", "锅炉", "起重机械"],
    "燃气": ["燃气", "液化气"],
    "人员密集场所": ["商贸", "超市", "酒店"],
    "文化旅游": ["旅游", "文旅", "温泉度假"],
    "工贸其他": ["机械", "电子", "食品", "纺织", "新材料", "包装"],
}
SECTOR_WEIGHTS = {
    "危险化学品": 4,
    "烟花爆竹": 1,
    "非煤矿山": 3,
    "金属冶炼": 2,
    "粉尘涉爆": 3,
    "涉氨制冷": 2,
    "有限空间": 3,
    "建筑施工": 14,
    "交通运输": 7,
    "特种设备": 5,
    "燃气": 3,
    "人员密集场所": 12,
    "文化旅游": 5,
    "工贸其他": 22,
}
HIGH_RISK_SECTORS = {"危险化学品", "烟花爆竹", "非煤矿山", "金属冶炼"}
# Which industry departments keep (and send) which part of the enterprise register.
DEPARTMENT_SECTORS = {
    "ZJJ": ["建筑施工", "燃气"],
    "SCJGJ": ["特种设备", "工贸其他", "涉氨制冷"],
    "WLGTJ": ["文化旅游", "人员密集场所"],
    "YJJ": ["危险化学品", "烟花爆竹", "非煤矿山", "金属冶炼", "粉尘涉爆", "有限空间"],
}
CITY_TEAMS = [
    ("宁乡市综合应急救援大队", "综合"),
    ("宁乡市危险化学品应急救援队", "专业"),
    ("宁乡市矿山救护队", "专业"),
    ("宁乡市森林消防专业队", "专业"),
    ("宁乡市电力抢修应急队", "专业"),
    ("宁乡市燃气抢险队", "专业"),
    ("宁乡市水上应急救援队", "专业"),
    ("宁乡市医疗卫生应急救援队", "专业"),
    ("宁乡市交通工程抢险队", "专业"),
    ("宁乡蓝天救援队", "社会应急力量"),
    ("宁乡市红十字应急救援队", "社会应急力量"),
]
SOCIAL_TEAM_WORDS = ["曙光", "雄鹰", "沩江", "星火", "平安", "守望", "橙心", "红星", "烈火", "磐石"]


def seeded(seed: int, *parts: Any) -> random.Random:
    """A random stream named by its purpose, so streams never shift each other when one changes."""
    return random.Random("|".join(map(str, (seed, *parts))))


def poisson(rng: random.Random, lam: float) -> int:
    """Poisson draw (Knuth for small means, a rounded normal for large ones; exactness is moot)."""
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    short: str
    population: int
    forest_ha: float
    initials: str
    industry: float  # relative weight of industrial activity
    flood: float  # relative flood exposure
    old_code: str | None  # the pre-2017 statistical code still found in ledgers
    merged: tuple[str, ...]  # names of townships merged into this one


@dataclass
class Habit:
    """How one sender habitually produces files (chosen once per sender, varied per file)."""

    xlsx_share: float
    encoding: str  # for CSV: utf-8 | utf-8-sig | gbk
    date_style: str  # iso | slash | cn | compact
    township_style: str  # full | short | code | old_code
    p_late: float  # chance a weekly file misses Monday 12:00
    p_miss: float  # chance a weekly file is never sent
    name_pattern: int
    title: float  # chance of a title row
    total: float  # chance of a 合计 row
    english_headers: float  # chance of a system export with the canonical names as headers


@dataclass
class Enterprise:
    credit_code: str
    name: str
    township: str
    sector: str
    created_on: date
    # (date, field, value) changes, sorted; the initial state is in `initial`.
    initial: dict[str, Any]
    changes: list[tuple[date, str, Any]] = field(default_factory=list)

    def state(self, as_of: date) -> dict[str, Any]:
        s = dict(self.initial)
        for when, name, value in self.changes:
            if when > as_of:
                break
            s[name] = value
            s["updated_on"] = when
        return s


@dataclass(frozen=True)
class Team:
    team_id: str
    name: str
    team_type: str
    township: str | None  # None = city-level
    members: int
    created_on: date
    drills: bool  # a few teams never train: the coverage KPI is not always 100


@dataclass(frozen=True)
class Depot:
    township: str
    started_on: date | None  # construction begins (None = never within the horizon)
    completed_on: date | None
    kinds_final: int
    count_per_kind: int

    def state(self, as_of: date) -> dict[str, Any]:
        if self.completed_on and self.completed_on <= as_of:
            # Stock grows for a while after completion.
            months = min(12, (as_of - self.completed_on).days // 30)
            kinds = max(8, self.kinds_final - 12 + months)
            return {
                "township": self.township,
                "status": "已建成",
                "completed_on": self.completed_on,
                "item_kinds": kinds,
                "item_count": kinds * self.count_per_kind,
            }
        if self.started_on and self.started_on <= as_of:
            kinds = min(10, (as_of - self.started_on).days // 60)
            return {
                "township": self.township,
                "status": "在建",
                "completed_on": None,
                "item_kinds": kinds,
                "item_count": kinds * self.count_per_kind // 2,
            }
        return {"township": self.township, "status": "未建", "completed_on": None, "item_kinds": 0, "item_count": 0}


@dataclass(frozen=True)
class Plan:
    plan_id: str
    owner_unit: str
    township: str | None
    plan_type: str
    issued_on: date
    filed_on: date | None


class County:
    """The county's invented facts for one (seed, scale, start, end)."""

    def __init__(self, profile: Profile, seed: int, scale: float, start: date, end: date):
        self.profile = profile
        self.seed, self.scale, self.start, self.end = seed, scale, start, end
        self.tz = self.zone(profile)
        self.county_name: str = profile.config["county"]["name"]
        legacy = profile.config["county"].get("legacy_code_prefixes", {})
        merged: dict[str, list[str]] = {}
        for row in profile.aliases.iter_rows(named=True):
            if not row["alias"].isdigit():
                merged.setdefault(row["township_code"], []).append(row["alias"])
        towns = []
        for row in profile.townships.iter_rows(named=True):
            code, short = row["township_code"], row["short_name"]
            old = next((o + code[len(n) :] for o, n in legacy.items() if code.startswith(n)), None)
            towns.append(
                Township(
                    code=code,
                    name=row["township_name"],
                    short=short,
                    population=int(row["population"]),
                    forest_ha=float(row["forest_area_ha"]),
                    initials=INITIALS.get(short, "T" + code[-3:]),
                    industry=INDUSTRIAL.get(short, 1.0),
                    flood=FLOOD_PRONE.get(short, 0.5),
                    old_code=old,
                    merged=tuple(merged.get(code, ())),
                )
            )
        self.townships: list[Township] = towns
        self.township_by_code = {t.code: t for t in towns}
        self.departments = {r["sender_code"]: r for r in profile.departments.iter_rows(named=True)}
        # Every spelling the pipeline resolves: broken township cells must avoid all of them.
        self.township_keys: set[str] = set(profile.township_lookup()["key"].to_list())
        self.sender_codes: set[str] = set(profile.sender_codes)
        self._used_codes: set[str] = set()
        self.scripted: dict[str, str] = {}
        # (found_on, enterprise) of every hazard a township's own ledger lists, by township: filled
        # by the hazard simulator, read by the inspection simulator after it (the brigade follows
        # up what the townships report)
        self.self_reported: dict[str, list[tuple[date, Enterprise]]] = {}
        self._habits: dict[str, Habit] = {}  # record ids of the scripted events, filled by the simulators
        self._build_enterprises()
        self._build_teams()
        self._build_depots()
        self._build_plans()
        from .plants import plan  # the planted early-warning cases (pipelines/generate/plants.py)

        self.plants = plan(self)

    @staticmethod
    def zone(profile: Profile) -> ZoneInfo:
        return ZoneInfo(profile.timezone)

    # ------------------------------------------------------------------ senders

    def sender_name(self, code: str) -> str:
        if code in self.departments:
            return self.departments[code]["name"]
        return self.township_by_code[code].name

    def sender_short(self, code: str) -> str:
        if code in self.departments:
            return self.departments[code]["short_name"]
        return self.township_by_code[code].short

    def habit(self, sender: str) -> Habit:
        if sender not in self._habits:
            self._habits[sender] = self._new_habit(sender)
        return self._habits[sender]

    def _new_habit(self, sender: str) -> Habit:
        r = seeded(self.seed, "habit", sender)
        township = sender in self.township_by_code
        return Habit(
            # Townships keep ledgers in Excel; some save them as CSV from Excel (hence GBK).
            xlsx_share=r.choice([0.15, 0.35, 0.55, 0.75]) if township else r.choice([0.3, 0.6, 0.9]),
            encoding=r.choices(["gbk", "utf-8-sig", "utf-8"], [5, 3, 2] if township else [3, 3, 4])[0],
            date_style=r.choices(["iso", "slash", "cn", "compact"], [4, 4, 2, 1])[0],
            township_style=r.choices(["full", "short", "code", "old_code"], [12, 3, 2, 1])[0],
            p_late=r.choice([0.02, 0.04, 0.06, 0.1, 0.15, 0.3]) if township else r.choice([0.03, 0.08]),
            p_miss=r.choice([0.0, 0.0, 0.01, 0.02, 0.04]) if township else 0.0,
            name_pattern=r.randrange(4),
            title=r.choice([0.95, 0.8, 0.3]),
            total=r.choice([0.0, 0.3, 0.8]),
            english_headers=0.0 if township else r.choice([0.0, 0.0, 0.05]),
        )

    # ------------------------------------------------------------------ people

    def person_name(self, rng: random.Random) -> str:
        surname = rng.choice(SURNAMES)
        if surname == "欧" and rng.random() < 0.5:
            surname = "欧阳"
        n = 1 if rng.random() < 0.25 else 2
        return surname + "".join(rng.choice(GIVEN) for _ in range(n))

    def phone(self, rng: random.Random) -> str:
        if rng.random() < 0.82:
            return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        return f"0731-8{rng.choice('78')}{rng.randrange(10**6):06d}"

    def id_number(self, rng: random.Random, born_after: date | None = None) -> str:
        """A resident id (GB 11643) with a valid check character.

        Adults registered before 2017 carry 宁乡县's code 430124; newer ids 430182.
        """
        lo = date(1938, 1, 1) if born_after is None else born_after
        birth = lo + timedelta(days=rng.randrange((date(2016, 12, 31) - lo).days))
        region = "430124" if rng.random() < 0.7 else "430182"
        body = f"{region}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        # stdnum's calc_check_digit ignores the last character it is given.
        return body + ric.calc_check_digit(body + "0")

    def credit_code(self, rng: random.Random, region: str | None = None) -> str:
        """A fresh unified social credit code (GB 32100) with a valid check character."""
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        while True:
            head = rng.choice(["91", "91", "91", "92", "93", "52"])
            reg = region or ("430182" if rng.random() < 0.8 else "430124")
            org = "".join(rng.choice(alphabet) for _ in range(9))
            body = head + reg + org
            code = body + uscc.calc_check_digit(body)
            if code not in self._used_codes:
                self._used_codes.add(code)
                return code

    # ------------------------------------------------------------------ registers

    def _build_enterprises(self) -> None:
        r = seeded(self.seed, "world", "enterprises")
        # The sectors are the contract's; the weights only say which are common in the county.
        sectors = load_contracts()["enterprises"].column("sector").values
        weights = [SECTOR_WEIGHTS.get(s, 1) for s in sectors]
        town_w = [t.industry * (0.5 + t.population / 60000) for t in self.townships]
        names: set[str] = set()
        out: list[Enterprise] = []

        def make(created: date, township: Township | None = None) -> Enterprise:
            t = township or r.choices(self.townships, town_w)[0]
            sector = r.choices(sectors, weights)[0]
            name = ""
            for attempt in range(30):
                # Two-character shop names from pairs of brands once single brands run out (large scales).
                brand = r.choice(BRANDS) if attempt < 10 else r.choice(BRANDS)[0] + r.choice(BRANDS)[1]
                name = (
                    r.choice(["宁乡", "宁乡市", "湖南", "长沙", "湖南省"])
                    + brand
                    + r.choice(TRADES.get(sector, ["实业"]))
                    + r.choice(["有限公司", "有限公司", "有限责任公司", "股份有限公司"])
                )
                if name not in names:
                    break
            else:  # a branch office of a name already taken
                base, n = name + t.short + "分公司", 1
                name = base
                while name in names:
                    n += 1
                    name = f"{base[:-3]}第{n}分公司"
            names.add(name)
            high = sector in HIGH_RISK_SECTORS
            risk = r.choices(["红", "橙", "黄", "蓝"], [3, 10, 40, 47] if not high else [12, 38, 40, 10])[0]
            high = high or risk in ("红", "橙")
            dual = "已建立" if r.random() < (0.88 if high else 0.55) else "未建立"
            updated = max(created, min(self.start - DAY, created + timedelta(days=r.randint(0, 400))))
            e = Enterprise(
                credit_code=self.credit_code(r),
                name=name,
                township=t.code,
                sector=sector,
                created_on=created,
                initial={
                    "credit_code": None,
                    "name": name,
                    "township": t.code,
                    "sector": sector,
                    "risk_level": risk,
                    "is_high_risk": "是" if high else "否",
                    "dual_prevention": dual,
                    "updated_on": updated,
                },
            )
            e.initial["credit_code"] = e.credit_code
            span = (self.end - max(created, self.start)).days
            if span > 30 and r.random() < 0.3:
                when = max(created, self.start) + timedelta(days=r.randint(1, span))
                if dual == "未建立" and r.random() < 0.7:
                    e.changes.append((when, "dual_prevention", "已建立"))
                else:
                    e.changes.append((when, "risk_level", r.choice(["橙", "黄", "蓝"])))
            return e

        base = max(3 * len(self.townships), round(320 * self.scale))
        for i in range(base):
            # The first enterprises go round the townships so every township has a few to inspect.
            town = self.townships[i % len(self.townships)] if i < 3 * len(self.townships) else None
            out.append(make(self.start - timedelta(days=r.randint(30, 4000)), town))
        days = (self.end - self.start).days + 1
        for _ in range(poisson(r, 3.0 * self.scale * days / 30.4)):
            out.append(make(self.start + timedelta(days=r.randrange(days))))
        out.sort(key=lambda e: (e.created_on, e.credit_code))
        self.enterprises = out
        self.register_codes = {e.credit_code for e in out}
        by_town: dict[str, list[Enterprise]] = {}
        for e in out:
            by_town.setdefault(e.township, []).append(e)
        self._by_town = by_town
        self._by_town_dates = {k: [e.created_on for e in v] for k, v in by_town.items()}
        self._all_dates = [e.created_on for e in out]

    def enterprise_in(self, rng: random.Random, township: str, day: date) -> Enterprise:
        """An enterprise of `township` that existed on `day` (any enterprise if the township has none)."""
        pool = self._by_town.get(township, [])
        n = bisect.bisect_right(self._by_town_dates.get(township, []), day)
        if n:
            return pool[rng.randrange(n)]
        return self.enterprises[rng.randrange(max(1, bisect.bisect_right(self._all_dates, day)))]

    def enterprise_of(self, rng: random.Random, sectors: list[str], day: date) -> Enterprise:
        """An enterprise of one of `sectors` existing on `day` (for a department's ledgers)."""
        n = bisect.bisect_right(self._all_dates, day)
        for _ in range(40):
            e = self.enterprises[rng.randrange(n)]
            if e.sector in sectors:
                return e
        return self.enterprises[rng.randrange(n)]

    def _build_teams(self) -> None:
        r = seeded(self.seed, "world", "teams")
        teams: list[tuple[str, str, str | None, date]] = []
        long_ago = self.start - timedelta(days=900)
        for name, kind in CITY_TEAMS:
            teams.append((name, kind, None, long_ago - timedelta(days=r.randint(0, 1500))))
        extra = max(0, round(len(CITY_TEAMS) * self.scale) - len(CITY_TEAMS))
        for i in range(extra):
            word = SOCIAL_TEAM_WORDS[i % len(SOCIAL_TEAM_WORDS)]
            teams.append(
                (
                    f"宁乡市{word}应急志愿服务队{i // len(SOCIAL_TEAM_WORDS) + 1}",
                    "社会应急力量",
                    None,
                    long_ago - timedelta(days=r.randint(0, 900)),
                )
            )
        for t in self.townships:
            teams.append((f"{t.name}应急救援队", "综合", t.code, long_ago - timedelta(days=r.randint(0, 1500))))
        # Two social teams register during the period, so the register grows.
        span = (self.end - self.start).days
        for word in ("沩山", "金洲"):
            teams.append(
                (
                    f"{word}{r.choice(['公益', '志愿'])}救援队",
                    "社会应急力量",
                    None,
                    self.start + timedelta(days=r.randint(span // 4, max(span // 4, span * 3 // 4))),
                )
            )
        n_idle = 3
        idle = set(r.sample(range(len(teams)), n_idle))
        self.teams = [
            Team(
                team_id=f"JYDW-{i + 1:03d}",
                name=name,
                team_type=kind,
                township=town,
                members=r.randint(12, 60) if town else r.randint(20, 150),
                created_on=created,
                drills=i not in idle,
            )
            for i, (name, kind, town, created) in enumerate(teams)
        ]
        self.team_ids = {t.team_id for t in self.teams}

    def _build_depots(self) -> None:
        r = seeded(self.seed, "world", "depots")
        span = (self.end - self.start).days
        order = list(self.townships)
        r.shuffle(order)
        n = len(order)
        depots = {}
        for i, t in enumerate(order):
            if i < n * 0.4:  # built before the period
                done = self.start - timedelta(days=r.randint(60, 900))
                started = done - timedelta(days=r.randint(120, 300))
            elif i < n - 4:  # completed during the period
                done = self.start + timedelta(days=r.randint(span // 10, max(span // 10, span - 20)))
                started = done - timedelta(days=r.randint(120, 300))
            elif i < n - 1:  # still 在建 at the end
                done, started = None, self.end - timedelta(days=r.randint(60, 400))
            else:  # never started
                done, started = None, None
            depots[t.code] = Depot(t.code, started, done, r.randint(25, 60), r.randint(20, 120))
        self.depots = [depots[t.code] for t in self.townships]

    def _build_plans(self) -> None:
        r = seeded(self.seed, "world", "plans")
        span = (self.end - self.start).days
        plans: list[tuple[str, str | None, str, date]] = []
        for t in self.townships:
            plans.append(
                (
                    t.name + "人民政府" if not t.name.endswith("街道") else t.name + "办事处",
                    t.code,
                    "总体",
                    self.start - timedelta(days=r.randint(30, 700)),
                )
            )
            if r.random() < 0.3:  # a revision issued during the period
                plans.append(
                    (plans[-1][0], t.code, "总体", self.start + timedelta(days=r.randint(30, max(30, span - 60))))
                )
        for dept in self.departments.values():
            for _ in range(r.randint(1, 3)):
                plans.append(
                    (
                        dept["name"],
                        None,
                        r.choice(["专项", "专项", "部门"]),
                        self.start + timedelta(days=r.randint(-600, max(-600, span - 30))),
                    )
                )
        for _ in range(round(20 * self.scale)):
            e = self.enterprises[r.randrange(len(self.enterprises))]
            plans.append(
                (
                    e.name,
                    e.township,
                    "企业",
                    max(
                        e.created_on + timedelta(days=30),
                        self.start + timedelta(days=r.randint(-500, max(-500, span - 30))),
                    ),
                )
            )
        plans.sort(key=lambda p: p[3])
        out, seq = [], {}
        for owner, town, kind, issued in plans:
            u = r.random()
            if u < 0.82:
                filed = issued + timedelta(days=r.randint(3, 20))
            elif u < 0.93:
                filed = issued + timedelta(days=r.randint(40, 200))  # filed late
            else:
                filed = None  # never filed
            seq[issued.year] = seq.get(issued.year, 0) + 1
            out.append(Plan(f"YA-{issued.year}-{seq[issued.year]:03d}", owner, town, kind, issued, filed))
        self.plans = out
