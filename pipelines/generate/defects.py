"""Defects a sender really makes, injected one per row, and the ground-truth manifest of them.

Which defects a feed can carry is read from its contract (required, types, enum values, checks,
not_future, gte/lte, gt, positive_when/required_when, references), never listed per feed.

A defective row is an extra row made from a clean one (same contents, a record id no clean row
uses) with exactly one cell broken, so the clean world in the files is the same at every defect rate
and a quarantined row never shadows a real record. The exception is a feed whose record id is the
township (one row per township, reserve_depots): there the township's own row is broken in that one
file, and its earlier and later versions stay clean.
"""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from stdnum.cn import ric, uscc

from pipelines.lib.contracts import Column, Contract

from .cells import Raw
from .world import County

ROW_RULES = (
    "required",
    "format",
    "enum",
    "township",
    "range",
    "future",
    "order",
    "conditional",
    "check_digit",
    "duplicate_id",
    "reference",
)
FILE_REASONS = ("encoding", "not_a_table", "missing_columns", "no_rows", "unknown_sender", "duplicate")
# File defects that make the pipeline reject the whole file (the sender then sends it again).
REJECTED = {"encoding", "not_a_table", "missing_columns", "no_rows", "unknown_sender"}
MANIFEST_COLUMNS = ["kind", "feed", "path", "row_number", "column", "rule", "note"]

# Values no enum of the contracts contains and no parser could mistake for a blank.
BAD_ENUMS = ["待定", "待核实", "其它类", "A类", "见附件"]
# Townships of neighbouring counties and codes that never existed: nothing in the profile resolves them.
FOREIGN_TOWNSHIPS = [
    "星沙街道",
    "黄花镇",
    "雷锋街道",
    "乌山街道",
    "桥驿镇",
    "坪塘街道",
    "莲花镇",
    "大围山镇",
    "韶山乡",
    "430182199",
    "430124999",
    "长沙县",
]
# Sender folders a file is sometimes dropped into by mistake.
UNKNOWN_SENDERS = ["430182108", "430182999", "XFJ", "新建文件夹", "YJJ2"]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
RIC_ALPHABET = "0123456789X"


@dataclass
class Marked:
    """A data row as it goes into a file, with the defect it carries (rule None = clean)."""

    row: dict[str, Any]
    rule: str | None = None
    column: str | None = None
    note: str = ""


class RowDefects:
    """Row defects for one feed, at a given rate."""

    def __init__(self, contract: Contract, county: County, rate: float):
        self.contract, self.county, self.rate = contract, county, rate
        self.id_col = contract.column(contract.record_id)
        # Feeds keyed by township have no spare ids: break the township's own row instead.
        self.in_place = self.id_col.type == "township"
        self.counter = 0
        self.options = self._options()
        # Rules come round in turn (see order_rules), so a small run still shows every one.
        self.order = sorted(self.options)
        self.turn = 0

    def _options(self) -> dict[str, list[Column]]:
        cols = self.contract.columns
        lte_targets = {c.lte for c in cols if c.lte}
        gte_targets = {c.gte for c in cols if c.gte}
        opts: dict[str, list[Column]] = {}

        def add(rule: str, col: Column) -> None:
            opts.setdefault(rule, []).append(col)

        for c in cols:
            if c.required:
                add("required", c)
            if c.type in ("int", "num", "date", "ts") or c.check == "phone":
                add("format", c)
            if c.type == "enum":
                add("enum", c)
            if c.type == "township":
                add("township", c)
            # A negative upper bound would also break the lte rule that refers to it.
            if c.is_numeric and c.name not in lte_targets:
                add("range", c)
            # A far-future lower bound would also break the gte rule that refers to it.
            if c.not_future and c.type in ("date", "ts") and c.name not in gte_targets and not c.lte:
                add("future", c)
            if c.gte or c.lte:
                add("order", c)
            if c.positive_when or c.required_when:
                add("conditional", c)
            if c.check in ("uscc", "ric"):
                add("check_digit", c)
            if c.references:
                add("reference", c)
        add("duplicate_id", self.id_col)
        return opts

    # ------------------------------------------------------------------ rows

    def apply(self, rows: list[dict[str, Any]], rng: random.Random) -> list[Marked]:
        out: list[Marked] = []
        blank_id = False
        for row in rows:
            if not self.rate or rng.random() >= self.rate:
                out.append(Marked(row))
                continue
            rule = self.order[self.turn % len(self.order)]
            self.turn += 1
            col = rng.choice(self.options[rule])
            if rule == "required" and col is self.id_col:
                # Two rows without an id would also read as a duplicate id: one per file.
                if blank_id:
                    col = rng.choice([c for c in self.options[rule] if c is not self.id_col])
                blank_id = True
            if self.in_place:
                bad = dict(row)
            else:
                out.append(Marked(row))
                bad = self._fabricate(row, rng)
            if rule == "duplicate_id":
                twin = dict(bad)
                self._vary(twin, rng)
                note = f"{col.name} {bad.get(col.name)} appears twice in the file"
                pair = [Marked(bad, rule, col.name, note), Marked(twin, rule, col.name, note)]
                out.extend(pair)
                continue
            note = self._break(bad, rule, col, rng)
            out.append(Marked(bad, rule, col.name, note))
        return out

    def _fabricate(self, row: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        bad = dict(row)
        self.counter += 1
        old = row.get(self.id_col.name)
        if self.id_col.check == "uscc":
            bad[self.id_col.name] = self.county.credit_code(rng)
        elif isinstance(old, str) and re.search(r"\d+$", old):
            # 补录 numbers: same shape as the sender's ids, never one a clean row uses.
            bad[self.id_col.name] = re.sub(r"\d+$", f"B{self.counter:04d}", old)
        else:
            bad[self.id_col.name] = f"{old or 'X'}-B{self.counter:04d}"
        return bad

    def _vary(self, row: dict[str, Any], rng: random.Random) -> None:
        """Make the second row of a duplicate differ a little, as a re-typed row does (or not at all)."""
        for c in self.contract.columns:
            # Free text only: never an id, and never a column another register must contain.
            if (
                c.type == "text"
                and c is not self.id_col
                and not c.references
                and isinstance(row.get(c.name), str)
                and rng.random() < 0.5
            ):
                row[c.name] = row[c.name] + "（重复录入）"
                return

    def _break(self, row: dict[str, Any], rule: str, col: Column, rng: random.Random) -> str:
        name, v = col.name, row.get(col.name)
        if rule in ("format", "range"):
            self._leave_condition(row, col, rng)
        if rule == "required":
            row[name] = None
            return f"{name} left blank"
        if rule == "format":
            row[name] = Raw(_garbled(col, v, rng))
            return f"{name} = {row[name]!s}"
        if rule == "enum":
            row[name] = Raw(rng.choice([b for b in BAD_ENUMS if b not in col.values]))
            return f"{name} = {row[name]!s} not in {'/'.join(col.values)}"
        if rule == "township":
            choices = [t for t in FOREIGN_TOWNSHIPS if t not in self.county.township_keys]
            row[name] = Raw(rng.choice(choices))
            return f"{name} = {row[name]!s} is no township of the county"
        if rule == "range":
            if col.gt is not None and rng.random() < 0.6:
                row[name] = 0 if col.type == "int" else 0.0
                return f"{name} = 0, must be > {col.gt:g}"
            row[name] = -rng.randint(1, 5) if col.type == "int" else -round(rng.uniform(0.1, 5), 2)
            return f"{name} = {row[name]} is negative"
        if rule == "future":
            base = v if isinstance(v, (date, datetime)) else self.county.end
            row[name] = base.replace(year=2099, day=min(base.day, 28))
            return f"{name} = {row[name]} is in the future"
        if rule == "order":
            return self._order(row, col, rng)
        if rule == "conditional":
            if col.positive_when:
                ((other, value),) = col.positive_when.items()
                row[other] = value
                row[name] = rng.choice([None, 0 if col.type == "int" else 0.0])
                return f"{other} = {value} but {name} = {row[name]}"
            ((other, value),) = col.required_when.items()
            row[other] = value
            row[name] = None
            return f"{other} = {value} but {name} is blank"
        if rule == "check_digit":
            good = (
                v
                if isinstance(v, str) and len(v) == 18
                else self.county.enterprises[rng.randrange(len(self.county.enterprises))].credit_code
            )
            row[name] = Raw(wrong_check(good, col.check, rng))
            return f"{name} = {row[name]!s}: wrong check character"
        if rule == "reference":
            known = self.county.team_ids if col.references.get("feed") == "rescue_teams" else set()
            prefix = re.sub(r"\d+$", "", str(v or "X-"))
            n = 900 + rng.randrange(99)
            while f"{prefix}{n:03d}" in known:
                n += 1
            row[name] = f"{prefix}{n:03d}"
            return f"{name} = {row[name]} is not in {col.references.get('feed')}"
        raise ValueError(rule)

    def _leave_condition(self, row: dict[str, Any], col: Column, rng: random.Random) -> None:
        """A garbled or negative fine on a 罚款 row would also break the conditional rule: move the
        row out of the condition (another action, another status) so the one rule stays unambiguous."""
        for other, value in {**col.positive_when, **col.required_when}.items():
            if row.get(other) == value:
                row[other] = rng.choice([x for x in self.contract.column(other).values if x != value])

    def _order(self, row: dict[str, Any], col: Column, rng: random.Random) -> str:
        name = col.name
        if col.gte:
            other = row[col.gte]
            row[name] = other - timedelta(days=rng.randint(1, 30)) if isinstance(other, date) else round(other / 2, 2)
            return f"{name} = {row[name]} before {col.gte} = {other}"
        other = row[col.lte]
        row[name] = (
            other + timedelta(days=rng.randint(1, 30))
            if isinstance(other, date)
            else round(other + rng.uniform(0.1, 2), 2)
        )
        return f"{name} = {row[name]} exceeds {col.lte} = {other}"


def order_rules(feeds: dict[str, RowDefects]) -> None:
    """Each feed cycles through its rules, the rarest across feeds first: a rule only one feed can
    break (reference: drills) comes first there, so even a small run injects every rule."""
    support = {rule: sum(rule in d.options for d in feeds.values()) for rule in ROW_RULES}
    for d in feeds.values():
        d.order = sorted(d.options, key=lambda rule: (support[rule], ROW_RULES.index(rule)))


def _garbled(col: Column, v: Any, rng: random.Random) -> str:
    """A value of the column's kind that no date/number/phone parser can read."""
    if col.check == "phone":
        mobile = v if isinstance(v, str) and len(v) == 11 and v.isdigit() else "13907315678"
        return rng.choice([mobile[:10], mobile + str(rng.randrange(10)), "0731-876"])
    if col.type in ("date", "ts"):
        d = v if isinstance(v, (date, datetime)) else date(2023, 5, 8)
        y, m, dd = d.year, d.month, d.day
        options = [f"{y}-13-{dd:02d}", f"{y}年{m}月32日", f"{y}-02-30", f"{y}13{dd:02d}"]
        if col.type == "ts":
            options = [f"{y}-{m:02d}-{dd:02d} 25:10", f"{y}年{m}月32日 10:20", f"{y}-13-01 08:00"]
        return rng.choice(options)
    if col.type == "int":
        n = v if isinstance(v, int) and v > 0 else rng.randint(2, 9)
        return rng.choice([f"{n}人", f"约{n}", f"{n}-{n + 2}", "十二"])
    x = v if isinstance(v, (int, float)) and v > 0 else round(rng.uniform(0.5, 9), 1)
    return rng.choice([f"约{x:g}", f"{x:g}万", f"{x:g}..5", "一百"])


def wrong_check(code: str, check: str | None, rng: random.Random) -> str:
    """The code with a check character that is valid in form but wrong."""
    if check == "ric":
        good = ric.calc_check_digit(code)
        return code[:17] + rng.choice([c for c in RIC_ALPHABET if c != good])
    good = uscc.calc_check_digit(code[:17])
    return code[:17] + rng.choice([c for c in USCC_ALPHABET if c != good])


class FileDefects:
    """Decides which files are broken as a whole; every reason comes round in turn."""

    def __init__(self, rate: float, rng: random.Random):
        # About one file in 200 at the default 2 % row rate.
        self.q = min(0.25, rate / 4)
        self.credit = 0.5
        self.cycle = list(FILE_REASONS)
        rng.shuffle(self.cycle)
        self.i = 0

    def pick(self) -> str | None:
        if not self.q:
            return None
        self.credit += self.q
        if self.credit < 1:
            return None
        self.credit -= 1
        reason = self.cycle[self.i % len(self.cycle)]
        self.i += 1
        return reason


class Manifest:
    """OUT/_generator/defects.csv, written as files are produced."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fh = path.open("w", encoding="utf-8", newline="")
        self._w = csv.writer(self._fh)
        self._w.writerow(MANIFEST_COLUMNS)
        self.counts: dict[str, int] = {}

    def row(self, feed: str, path: str, row_number: int, column: str, rule: str, note: str) -> None:
        self._w.writerow(["row", feed, path, row_number, column, rule, note])
        self.counts[rule] = self.counts.get(rule, 0) + 1

    def file(self, feed: str, path: str, reason: str, note: str) -> None:
        self._w.writerow(["file", feed, path, "", "", reason, note])
        self.counts[reason] = self.counts.get(reason, 0) + 1

    def close(self) -> None:
        self._fh.close()
