"""The demo-data generator writes a landing tree that senders could have produced.

The files are read back independently of the pipeline (openpyxl, csv with the right encoding) and
checked against the feed contracts; the defects manifest is checked cell by cell.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
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
    for i, row in enumerate(rows[h + 1 :], start=h + 2):
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
        hour=int(m[1]), minute=int(m[2]), second=int(m[3] or 0)
    )


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
            if p.parent.name != "_generator":  # the manifest's own mtime is when it was written
                h.update(str(p.stat().st_mtime).encode())
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


def teams_register(out: Path, contracts: dict[str, Contract], bad_rows: set, bad_files: set) -> set[str]:
    teams = set()
    for p in sorted((out / "rescue_teams").rglob("*")):
        rel = p.relative_to(out).as_posix()
        if p.is_file() and rel not in bad_files:
            teams |= {str(r["team_id"]) for n, r in data_rows(p, contracts["rescue_teams"]) if (rel, n) not in bad_rows}
    return teams


def check_tree(out: Path) -> Counter:
    """Every data row of every readable file: clean rows break no rule, each manifest row breaks
    exactly the rule it is listed with. Returns the row defects checked, per rule."""
    contracts, keys = load_contracts(), township_keys()
    listed = manifest(out)
    bad_rows = {(m["path"], int(m["row_number"])): m for m in listed if m["kind"] == "row"}
    bad_files = {m["path"] for m in listed if m["kind"] == "file"}
    teams = teams_register(out, contracts, set(bad_rows), bad_files)
    seen: Counter = Counter()
    for p in landing_files(out):
        rel = p.relative_to(out).as_posix()
        if rel in bad_files:
            continue
        contract = contracts[rel.split("/")[0]]
        rows = data_rows(p, contract)
        ids = Counter(r.get(contract.record_id) for _, r in rows)
        for n, row in rows:
            broken = violations(row, contract, keys, teams if contract.feed == "drills" else None)
            if row.get(contract.record_id) is not None and ids[row.get(contract.record_id)] > 1:
                broken.add(("duplicate_id", contract.record_id))
            m = bad_rows.pop((rel, n), None)
            if m is None:
                assert not broken, f"{rel} row {n} is listed as clean but breaks {broken}: {row}"
            else:
                assert broken == {(m["rule"], m["column"])}, (
                    f"{rel} row {n}: listed {m['rule']}/{m['column']}, breaks {broken}"
                )
                seen[m["rule"]] += 1
    assert not bad_rows, f"manifest rows that point at no data row: {list(bad_rows)[:5]}"
    return seen


# ---------------------------------------------------------------------------- tests


def test_every_feed_arrives_from_known_senders_in_the_landing_layout(small):
    out, summary = small
    contracts, profile = load_contracts(), load_profile()
    assert sorted(p.name for p in out.iterdir()) == sorted([*contracts, "_generator"])
    unknown = {m["path"] for m in manifest(out) if m["rule"] == "unknown_sender"}
    for feed, contract in contracts.items():
        files = [p for p in (out / feed).rglob("*") if p.is_file()]
        assert files and summary.files[feed] == len(files), feed
        for p in files:
            sender = p.parent.name
            if p.relative_to(out).as_posix() in unknown:
                assert sender not in profile.sender_codes
                continue
            assert sender in profile.sender_codes, p
            owners = set(contract.owners)
            assert sender in owners or ("townships" in owners and sender in profile.township_codes), (feed, sender)
    hazard_senders = {p.name for p in (out / "hazards").iterdir()}
    assert set(profile.township_codes) <= hazard_senders and {"ZJJ", "SCJGJ", "WLGTJ", "YJJ"} <= hazard_senders


def test_files_read_back_with_the_contract_headers_in_every_format(small):
    out, _ = small
    contracts = load_contracts()
    bad_files = {m["path"] for m in manifest(out) if m["kind"] == "file"}
    kinds: Counter = Counter()
    for p in landing_files(out):
        rel = p.relative_to(out).as_posix()
        if rel in bad_files:
            continue
        contract = contracts[rel.split("/")[0]]
        rows = read_sheet(p)
        h, names = header_row(rows, contract)
        assert sorted(n for n in names if n) == sorted(contract.names), rel
        raw = p.read_bytes()
        if p.suffix == ".xlsx":
            kinds["xlsx"] += 1
            kinds["xlsx date cells"] += any(isinstance(v, datetime) for r in rows[h + 1 :] for v in r)
        elif raw.startswith(b"\xef\xbb\xbf"):
            kinds["utf-8-sig"] += 1
        else:
            try:
                raw.decode("utf-8")
                kinds["utf-8"] += 1
            except UnicodeDecodeError:
                raw.decode("gbk")  # what Excel on a Chinese Windows saves
                kinds["gbk"] += 1
        kinds["title"] += h > 0
        kinds["合计"] += any(r and r[0] == "合计" for r in rows[h + 1 :])
        text = " ".join(str(v) for r in rows[h + 1 :] for v in r if v is not None)
        kinds["full-width digits"] += bool(re.search("[０-９]", text))
        kinds["2023年4月3日 dates"] += bool(re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text))
        kinds["old 430124 codes"] += bool(re.search(r"\b430124\d{3}\b", text))
        kinds["half-width header brackets"] += any(isinstance(v, str) and "(" in v for v in rows[h])
    for kind in (
        "xlsx",
        "xlsx date cells",
        "utf-8-sig",
        "utf-8",
        "gbk",
        "title",
        "合计",
        "full-width digits",
        "2023年4月3日 dates",
        "old 430124 codes",
        "half-width header brackets",
    ):
        assert kinds[kind] >= 2, (kind, kinds)


def test_manifest_points_at_the_rows_that_break_its_rules_and_clean_rows_are_clean(small):
    out, summary = small
    seen = check_tree(out)
    assert set(seen) == {
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
    }
    assert sum(seen.values()) == sum(v for k, v in summary.defects.items() if k in seen)


def test_file_defects_are_what_the_manifest_says(small):
    out, summary = small
    contracts, profile = load_contracts(), load_profile()
    files = [m for m in manifest(out) if m["kind"] == "file"]
    assert {m["rule"] for m in files} == {
        "encoding",
        "not_a_table",
        "missing_columns",
        "no_rows",
        "unknown_sender",
        "duplicate",
    }
    for m in files:
        p, contract = out / m["path"], contracts[m["feed"]]
        assert m["row_number"] == "" and m["column"] == ""
        if m["rule"] == "encoding":
            raw = p.read_bytes()
            for enc in ("utf-8", "gb18030"):
                with pytest.raises(UnicodeDecodeError):
                    raw.decode(enc)
        elif m["rule"] == "not_a_table":
            with pytest.raises(Exception):  # noqa: B017 - any openpyxl failure: the file is no workbook
                openpyxl.load_workbook(p, read_only=True)
        elif m["rule"] == "missing_columns":
            _, names = header_row(read_sheet(p), contract)
            missing = {c.name for c in contract.required} - set(names)
            assert len(missing) == 1 and missing.pop() in m["note"]
        elif m["rule"] == "no_rows":
            assert data_rows(p, contract) == []
        elif m["rule"] == "unknown_sender":
            assert p.parent.name not in profile.sender_codes
        elif m["rule"] == "duplicate":
            original = out / m["note"].removeprefix("identical copy of ")
            assert original.read_bytes() == p.read_bytes() and original.stat().st_mtime < p.stat().st_mtime
    # A rejected file is sent again, correctly, later.
    resent = json.loads(summary.summary_json.read_text("utf-8"))["resent_after_rejection"]
    assert len(resent) == sum(m["rule"] != "duplicate" for m in files)
    for r in resent:
        assert (out / r["path"]).stat().st_mtime > (out / r["rejected"]).stat().st_mtime


def test_defect_rate_zero_gives_an_empty_manifest_and_a_clean_tree(tmp_path):
    summary = generate(tmp_path, seed=3, start=date(2023, 6, 1), end=date(2023, 7, 31), defect_rate=0)
    assert manifest(tmp_path) == [] and summary.defects == {}
    assert check_tree(tmp_path) == Counter()
    assert summary.total_files > 150


def test_same_seed_same_tree_other_seed_other_tree(tmp_path):
    args = dict(start=date(2023, 5, 1), end=date(2023, 5, 31), defect_rate=0.05)
    generate(tmp_path / "a", seed=5, **args)
    generate(tmp_path / "b", seed=5, **args)
    generate(tmp_path / "c", seed=6, **args)
    assert digest(tmp_path / "a") == digest(tmp_path / "b") != digest(tmp_path / "c")
    # Generating again into a generated tree replaces it, never mixes.
    generate(tmp_path / "a", seed=5, **args)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")


def test_refuses_a_folder_it_did_not_make_and_a_future_period(tmp_path):
    (tmp_path / "mine.txt").write_text("x")
    with pytest.raises(FileExistsError):
        generate(tmp_path, start=date(2023, 5, 1), end=date(2023, 5, 31))
    with pytest.raises(ValueError):
        generate(tmp_path / "new", end=date.today() + timedelta(days=30))


def test_files_are_received_when_senders_send_them(small):
    out, _ = small
    lo = datetime(2023, 3, 1, tzinfo=TZ)
    hi = datetime(2023, 6, 30, tzinfo=TZ) + timedelta(days=45)
    weekly, on_time, registers, by_fifth = 0, 0, 0, 0
    for p in landing_files(out):
        received = datetime.fromtimestamp(p.stat().st_mtime, TZ)
        assert lo <= received <= hi, (p, received)
        feed, sender = p.relative_to(out).parts[:2]
        if feed == "hazards" and sender.isdigit():
            weekly += 1
            # due Monday 12:00 for the week before; a few arrive Sunday evening, some late
            on_time += (received.weekday() == 0 and received.hour < 12) or received.weekday() == 6
        if feed in ("enterprises", "rescue_teams", "reserve_depots", "plans"):
            registers += 1
            by_fifth += received.day <= 5
    assert on_time / weekly > 0.8 and on_time < weekly
    assert by_fifth / registers > 0.7 and by_fifth < registers


def test_hazard_ledgers_are_snapshots_later_files_supersede(small):
    """A township's ledger carries a hazard until it is rectified; the rectified version is the last."""
    out, _ = small
    contract = load_contracts()["hazards"]
    bad_files = {m["path"] for m in manifest(out) if m["kind"] == "file"}
    versions: dict[str, list[tuple[float, dict]]] = defaultdict(list)
    folder = out / "hazards" / "430182121"  # 金洲镇, the busiest industrial township
    for p in sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime):
        if p.relative_to(out).as_posix() not in bad_files:
            for _, row in data_rows(p, contract):
                versions[str(row["hazard_id"])].append((p.stat().st_mtime, row))
    carried = [v for v in versions.values() if len(v) > 1]
    assert len(carried) > 10
    closed_later = 0
    for v in carried:
        dates = [parse_date(r["rectified_on"]) for _, r in v]
        # once rectified, a hazard is not sent again (except a same-week correction)
        assert all(d is None for d in dates[:-1]) or len(set(dates)) == 1
        closed_later += dates[-1] is not None
    assert closed_later > 5


def test_volumes_and_scripted_events_of_the_default_run(full):
    out, summary = full
    contracts = load_contracts()
    # files: 29 townships x ~104 weeks of hazard ledgers, weekly inspections, monthly registers
    assert 2900 <= summary.files["hazards"] <= 3400
    assert 100 <= summary.files["inspections"] <= 130
    assert all(24 <= summary.files[f] <= 30 for f in ("rescue_teams", "reserve_depots", "plans", "relief"))
    assert 12_000 <= summary.rows["hazards"] <= 25_000 and 5_000 <= summary.rows["inspections"] <= 8_000
    bad = manifest(out)
    bad_rows = {(m["path"], int(m["row_number"])) for m in bad if m["kind"] == "row"}
    bad_files = {m["path"] for m in bad if m["kind"] == "file"}
    assert 0.01 < len(bad_rows) / summary.total_rows < 0.04

    def latest(feed: str) -> dict[str, dict]:
        rows: dict[str, tuple[float, dict]] = {}
        for p in landing_files(out / feed):
            rel = f"{feed}/{p.relative_to(out / feed).as_posix()}"
            if rel in bad_files:
                continue
            for n, r in data_rows(p, contracts[feed]):
                key, mtime = str(r[contracts[feed].record_id]), p.stat().st_mtime
                if (rel, n) not in bad_rows and (key not in rows or rows[key][0] <= mtime):
                    rows[key] = (mtime, r)
        return {k: r for k, (_, r) in rows.items()}

    accidents = latest("accidents")
    by_year = Counter(parse_ts(a["occurred_at"]).year for a in accidents.values())
    assert 30 <= by_year[2022] <= 55 and 20 <= by_year[2023] < by_year[2022]
    deaths = {k: parse_num(a["deaths"]) for k, a in accidents.items()}
    assert sum(d <= 1 for d in deaths.values()) / len(deaths) > 0.85
    major = summary.scripted["major_accident"]
    assert major.startswith("SG-2023-") and deaths[major] == 3
    assert deaths[summary.scripted["updated_accident"]] == 1  # the later file's death, superseding 0
    fires = latest("forest_fires")
    assert 6 <= len(fires) <= 25
    for f in fires.values():
        assert parse_num(f["damaged_forest_ha"]) <= parse_num(f["burned_area_ha"])
    assert parse_num(fires[summary.scripted["major_forest_fire"]]["damaged_forest_ha"]) >= 1
    assert sum(parse_num(f["damaged_forest_ha"]) >= 1 for f in fires.values()) == 1
    transfers = latest("flood_transfers")
    assert transfers and {parse_date(t["transferred_on"]).month for t in transfers.values()} <= {5, 6, 7, 8}
    relief = latest("relief")
    assert 300 <= len(relief) <= 1000
    for r in relief.values():
        assert ric.calc_check_digit(r["id_number"]) == r["id_number"][-1] and r["id_number"][:6] in ("430124", "430182")
    hardship = [r for r in relief.values() if r["in_hardship"] == "是"]
    paid = sum(r["relieved_on"] is not None for r in hardship) / len(hardship)
    assert 0.75 < paid < 1
    # registers: the last snapshot (as of the end) of YJJ
    last = {
        f: max((out / f / "YJJ").iterdir(), key=lambda p: p.stat().st_mtime)
        for f in ("enterprises", "rescue_teams", "reserve_depots", "plans")
    }
    enterprises = {str(r["credit_code"]) for _, r in data_rows(last["enterprises"], contracts["enterprises"])}
    assert 250 <= len(enterprises) <= 600
    teams = [r for _, r in data_rows(last["rescue_teams"], contracts["rescue_teams"])]
    assert 35 <= len(teams) <= 50 and sum(t["township"] is None for t in teams) >= 8
    depots = [r["status"] for _, r in data_rows(last["reserve_depots"], contracts["reserve_depots"])]
    assert len(depots) >= 29 and 20 <= depots.count("已建成") < 29
    # codes used by the event and activity feeds come from the register (enterprises are never removed)
    used = {a["credit_code"] for a in accidents.values() if a["credit_code"]}
    for p in sorted((out / "inspections" / "ZFDD").iterdir())[:10]:
        if f"inspections/ZFDD/{p.name}" not in bad_files:
            used |= {
                str(r["credit_code"])
                for n, r in data_rows(p, contracts["inspections"])
                if (f"inspections/ZFDD/{p.name}", n) not in bad_rows
            }
    assert len(used) > 200 and used <= enterprises


def test_corrected_files_are_sent_later_and_change_the_listed_records(full):
    out, summary = full
    contracts = load_contracts()
    resubmissions = json.loads(summary.summary_json.read_text("utf-8"))["resubmissions"]
    assert summary.resubmissions == len(resubmissions) >= 5
    listed = manifest(out)
    bad_files = {m["path"] for m in listed if m["kind"] == "file"}
    bad_rows = {(m["path"], int(m["row_number"])) for m in listed if m["kind"] == "row"}
    lookup = dict(load_profile().township_lookup().iter_rows())
    for r in resubmissions:
        first, fixed = out / r["supersedes"], out / r["path"]
        assert r["path"] not in bad_files and fixed.parent == first.parent
        assert fixed.stat().st_mtime > first.stat().st_mtime
        contract = contracts[r["feed"]]
        col = contract.column(r["column"])

        def values(p: Path, contract=contract, col=col) -> dict[str, object]:
            """Record id -> value of the corrected column, over the file's clean rows."""
            rel, out_ = p.relative_to(out).as_posix(), {}
            for n, row in data_rows(p, contract):
                key = row[contract.record_id]
                if contract.column(contract.record_id).type == "township":  # spelled differently per file
                    key = lookup[str(int(key)) if isinstance(key, (int, float)) else key]
                if (rel, n) not in bad_rows and row.get(col.name) is not None:
                    out_[str(key)] = parse_num(row[col.name]) if col.is_numeric else row[col.name]
            return out_

        before, after = values(first), values(fixed)
        changed = [i for i in r["record_ids"] if i in before and i in after]
        assert changed and all(before[i] != after[i] for i in changed), r
