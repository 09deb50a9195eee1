"""The demo-data generator writes a landing tree that senders could have produced.

The files are read back independently of the pipeline (openpyxl, csv with the right encoding) and
checked against the feed contracts; the defects manifest is checked cell by cell.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from stdnum.cn import ric, uscc

from pipelines.generate import generate
from pipelines.lib.contracts import Contract, load_contracts
from pipelines.lib.profile import load_profile

TZ = ZoneInfo("Asia/Shanghai")
FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-\d{7,8}$")

# A short period with everything in it: Qingming fires, flood season, the scripted accidents.
SMALL = dict(seed=11, start=date(2023, 3, 1), end=date(2023, 6, 30))


# ---------------------------------------------------------------------------- reading files back


def decode_csv(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def read_sheet(path: Path) -> list[list]:
    """Every row of the file as the sender sees it (row i of the list = spreadsheet row i + 1)."""
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        finally:
            wb.close()
    return [[c if c != "" else None for c in r] for r in csv.reader(io.StringIO(decode_csv(path.read_bytes())))]


def norm_header(h) -> str:
    return str(h).strip().replace("（", "(").replace("）", ")")


def header_row(rows: list[list], contract: Contract) -> tuple[int, list[str | None]]:
    """Index of the header row and the canonical column of each cell."""
    by_header = {norm_header(c.header): c.name for c in contract.columns} | {c.name: c.name for c in contract.columns}
    for i, row in enumerate(rows[:5]):
        names = [by_header.get(norm_header(v)) if v is not None else None for v in row]
        if sum(n is not None for n in names) >= len(contract.columns) // 2:
            return i, names
    raise AssertionError(f"no header found for {contract.feed}")


def data_rows(path: Path, contract: Contract) -> list[tuple[int, dict]]:
    """(spreadsheet row number, {column: raw cell}) of the data rows: no blank or 合计 rows."""
    rows = read_sheet(path)
    h, names = header_row(rows, contract)
    out = []
    for i, row in enumerate(rows[h + 1:], start=h + 2):
        if all(v is None for v in row) or row[0] == "合计":
            continue
        out.append((i, {n: v for n, v in zip(names, row) if n}))
    return out


def parse_date(v) -> date | None:
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, (int, float)):
        return date(1899, 12, 30) + timedelta(days=int(v))
    s = str(v).strip().split(" ")[0]
    m = re.fullmatch(r"(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?", s) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s)
    if not m:
        raise ValueError(f"unparseable date {v!r}")
    return date(*map(int, m.groups()))


def parse_ts(v) -> datetime | None:
    if v is None or isinstance(v, datetime):
        return v
    s = str(v).strip()
    d, _, t = s.partition(" ")
    m = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", t)
    if not m:
        raise ValueError(f"unparseable timestamp {v!r}")
    return datetime.combine(parse_date(d), datetime.min.time()).replace(
        hour=int(m[1]), minute=int(m[2]), second=int(m[3] or 0))


def parse_num(v) -> float | None:
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    s = str(v).translate(FULLWIDTH).replace(",", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", s):
        raise ValueError(f"unparseable number {v!r}")
    return float(s)


def township_keys() -> set[str]:
    return set(load_profile().township_lookup()["key"].to_list())


def resolve_township(v, keys: set[str]) -> bool:
    if v is None:
        return True
    s = str(int(v)) if isinstance(v, (int, float)) else str(v).strip()
    return s in keys


def violations(row: dict, contract: Contract, keys: set[str], teams: set[str] | None) -> set[tuple[str, str]]:
    """Every (rule, column) the row breaks, judged from the contract alone."""
    out: set[tuple[str, str]] = set()
    today = date.today()
    typed: dict = {}
    for c in contract.columns:
        v = row.get(c.name)
        if isinstance(v, str) and not v.strip():
            v = None
        if v is None:
            if c.required:
                out.add(("required", c.name))
            typed[c.name] = None
            continue
        try:
            if c.type == "date":
                typed[c.name] = parse_date(v)
            elif c.type == "ts":
                typed[c.name] = parse_ts(v)
            elif c.type in ("int", "num"):
                typed[c.name] = parse_num(v)
            else:
                typed[c.name] = str(v).strip()
        except ValueError:
            out.add(("format", c.name))
            typed[c.name] = None
            continue
        t = typed[c.name]
        if c.type == "enum" and t not in c.values:
            out.add(("enum", c.name))
        if c.type == "township" and not resolve_township(v, keys):
            out.add(("township", c.name))
        if c.is_numeric and (t < 0 or (c.gt is not None and t <= c.gt)):
            out.add(("range", c.name))
        if c.not_future and (t.date() if isinstance(t, datetime) else t) > today:
            out.add(("future", c.name))
        if c.check == "phone" and not (MOBILE.match(t) or LANDLINE.match(t)):
            out.add(("format", c.name))
        if c.check == "uscc" and (len(t) != 18 or t[-1] != uscc.calc_check_digit(t[:17])):
            out.add(("check_digit", c.name))
        if c.check == "ric" and (len(t) != 18 or t[-1] != ric.calc_check_digit(t)):
            out.add(("check_digit", c.name))
        if c.references and teams is not None and t not in teams:
            out.add(("reference", c.name))
    for c in contract.columns:
        a = typed.get(c.name)
        for other, op in ((c.gte, "gte"), (c.lte, "lte")):
            b = typed.get(other) if other else None
            if a is not None and b is not None and ((op == "gte" and a < b) or (op == "lte" and a > b)):
                out.add(("order", c.name))
        for other, value in {**c.positive_when, **c.required_when}.items():
            if typed.get(other) == value and (a is None or (c.positive_when and a <= 0)):
                out.add(("conditional", c.name))
    return out


def manifest(out: Path) -> list[dict]:
    with (out / "_generator" / "defects.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def landing_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file() and not p.relative_to(out).parts[0].startswith(("_", ".")))


def digest(out: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(out.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(out).as_posix().encode())
            h.update(p.read_bytes())
            h.update(str(int(p.stat().st_mtime)).encode())
    return h.hexdigest()


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("small")
    return out, generate(out, **SMALL, defect_rate=0.15)


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> tuple[Path, object]:
    """The default run: 2022-2023 at scale 1."""
    out = tmp_path_factory.mktemp("full")
    return out, generate(out)
