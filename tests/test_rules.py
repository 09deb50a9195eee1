"""Every validation rule of the contracts, each with a failing input.

Each case writes a ledger with one clean row and one broken row, ingests it through the
real GX suite into a real DuckDB, and checks that exactly the broken row is quarantined
with the right column and rule, and the clean row is loaded.
"""

import datetime as dt

import pytest
from stdnum.cn import ric, uscc

from pipelines.lib.contracts import get_contract
from tests.ledgers import write_csv


def valid_uscc(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


def valid_ric(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


CREDIT = valid_uscc("91430182MA4P0123K")
WRONG_CREDIT = CREDIT[:-1] + ("0" if CREDIT[-1] != "0" else "1")
# 430124 is Ningxiang before 2017: a code that no longer exists must still pass.
ID_OLD_CODE = valid_ric("43012419800101123")
WRONG_ID = ID_OLD_CODE[:-1] + ("0" if ID_OLD_CODE[-1] != "0" else "1")

CLEAN = {
    "hazards": dict(
        hazard_id="H-1",
        found_on="2023-04-03",
        township="玉潭",
        credit_code=CREDIT,
        level="一般",
        description="消防通道堵塞",
        deadline="2023-04-10",
        rectified_on="2023-04-08",
        responsible_person="张三",
        phone="13712345678",
        is_supervised="否",
        funds_10k_cny="0.5",
    ),
    "accidents": dict(
        accident_id="SG-1",
        occurred_at="2023-05-08 10:20",
        township="玉潭街道",
        sector="建筑施工",
        credit_code="",
        accident_type="物体打击",
        deaths="1",
        serious_injuries="0",
        direct_loss_10k_cny="45",
        summary="",
    ),
    "inspections": dict(
        inspection_id="JC-1",
        inspected_on="2023-04-03",
        township="道林",
        credit_code=CREDIT,
        hazards_found="2",
        action="罚款",
        fine_10k_cny="1.5",
    ),
    "forest_fires": dict(
        fire_id="HZ-1",
        started_at="2023-03-01 14:00",
        township="沩山",
        burned_area_ha="2.5",
        damaged_forest_ha="0.8",
        deaths="0",
        serious_injuries="0",
        cause="祭祀用火",
    ),
    "relief": dict(
        relief_id="JZ-1",
        township="黄材",
        disaster_type="洪涝",
        affected_on="2023-06-20",
        person_name="李四",
        id_number=ID_OLD_CODE,
        in_hardship="是",
        relieved_on="2023-07-01",
        amount_cny="2000",
    ),
    "drills": dict(
        drill_id="YL-1",
        held_on="2023-05-12",
        team_id="T-01",
        township="玉潭",
        kind="演练",
        subject="防汛",
        participants="30",
    ),
    "reserve_depots": dict(
        township="玉潭", status="已建成", completed_on="2022-06-30", item_kinds="20", item_count="500"
    ),
    "plans": dict(
        plan_id="YA-1",
        owner_unit="玉潭街道办事处",
        township="玉潭",
        plan_type="总体",
        issued_on="2023-01-10",
        filed_on="2023-01-20",
    ),
}
SENDER = {
    "hazards": "430182001",
    "accidents": "YJJ",
    "inspections": "ZFDD",
    "forest_fires": "LYJ",
    "relief": "YJJ",
    "drills": "XFJY",
    "reserve_depots": "YJJ",
    "plans": "YJJ",
}

CASES = [
    ("hazards", "description", "", "required"),
    ("hazards", "found_on", "2023-02-30", "format"),
    ("hazards", "phone", "1371234567", "format"),
    ("hazards", "level", "特大", "enum"),
    ("hazards", "township", "长沙县星沙街道", "township"),
    ("hazards", "funds_10k_cny", "-2", "range"),
    ("hazards", "rectified_on", "2099-01-01", "future"),
    ("inspections", "inspected_on", "2099-01-01", "future"),
    ("hazards", "deadline", "2023-04-01", "order"),
    ("hazards", "rectified_on", "2023-04-01", "order"),
    ("hazards", "credit_code", WRONG_CREDIT, "check_digit"),
    ("hazards", "credit_code", "91430182", "format"),
    ("accidents", "deaths", "一人", "format"),
    ("accidents", "deaths", "-1", "range"),
    ("accidents", "occurred_at", "2099-05-08 10:20", "future"),
    ("accidents", "sector", "农业", "enum"),
    ("inspections", "fine_10k_cny", "", "conditional"),
    ("inspections", "fine_10k_cny", "0", "conditional"),
    ("inspections", "action", "没收", "enum"),
    ("forest_fires", "damaged_forest_ha", "3.0", "order"),
    ("relief", "id_number", WRONG_ID, "check_digit"),
    ("relief", "relieved_on", "2023-06-01", "order"),
    ("drills", "participants", "0", "range"),
    ("drills", "team_id", "T-99", "reference"),
    ("reserve_depots", "completed_on", "", "conditional"),
    ("plans", "filed_on", "2023-01-01", "order"),
]


def ledger_row(feed: str, values: dict[str, str]) -> list[str]:
    return [values.get(c.name, "") for c in get_contract(feed).columns]


def write_teams(landing):
    contract = get_contract("rescue_teams")
    rows = [["T-01", "玉潭街道应急救援队", "综合", "玉潭", "25"]]
    write_csv(
        landing / "rescue_teams" / "YJJ" / "teams.csv",
        [c.header for c in contract.columns],
        rows,
        received=dt.datetime(2023, 1, 3, 9),
    )


@pytest.mark.parametrize("feed, column, value, rule", CASES, ids=[f"{f}.{c}.{r}" for f, c, _, r in CASES])
def test_rule_quarantines_the_broken_row_only(tmp_path, ingest, feed, column, value, rule):
    landing = tmp_path / "landing"
    write_teams(landing)
    clean = CLEAN[feed]
    broken = {**clean, column: value}
    record_id = get_contract(feed).record_id
    if record_id != column:
        broken[record_id] = clean[record_id] + "-B" if record_id != "township" else "道林"
    header = [c.header for c in get_contract(feed).columns]
    write_csv(
        landing / feed / SENDER[feed] / "ledger.csv",
        header,
        [ledger_row(feed, clean), ledger_row(feed, broken)],
        title="测试台账",
        received=dt.datetime(2023, 8, 1, 9),
    )
    con, results = ingest()
    cells = con.execute(
        "SELECT row_number, column_name, rule, reason FROM meta.quarantine WHERE feed = ?", [feed]
    ).fetchall()
    assert {(r[0], r[1], r[2]) for r in cells} == {(4, column, rule)}, cells
    assert all(r[3] for r in cells)  # a Chinese reason for every cell
    ((status, total, loaded, quarantined, skipped),) = con.execute(
        f"SELECT status, rows_total, rows_loaded, rows_quarantined, rows_skipped FROM meta.files WHERE feed = '{feed}'"
    ).fetchall()
    assert (status, total, loaded, quarantined, skipped) == ("loaded", 3, 1, 1, 1)
    ids = [r[0] for r in con.execute(f'SELECT "{record_id}" FROM raw.{feed}').fetchall()]
    expected_clean_id = clean[record_id] if record_id != "township" else "430182001"
    assert ids == [expected_clean_id]


def test_duplicate_ids_in_one_file_quarantine_both_and_keep_the_earlier_version(tmp_path, ingest):
    landing = tmp_path / "landing"
    header = [c.header for c in get_contract("accidents").columns]
    first = {**CLEAN["accidents"], "deaths": "0"}
    write_csv(
        landing / "accidents" / "YJJ" / "may.csv",
        header,
        [ledger_row("accidents", first)],
        received=dt.datetime(2023, 5, 9, 9),
    )
    second = {**CLEAN["accidents"], "deaths": "2"}
    third = {**CLEAN["accidents"], "deaths": "3"}
    write_csv(
        landing / "accidents" / "YJJ" / "june.csv",
        header,
        [ledger_row("accidents", second), ledger_row("accidents", third)],
        received=dt.datetime(2023, 6, 2, 9),
    )
    con, _ = ingest()
    cells = con.execute(
        "SELECT path, row_number, column_name, rule FROM meta.quarantine ORDER BY row_number"
    ).fetchall()
    assert cells == [
        ("accidents/YJJ/june.csv", 2, "accident_id", "duplicate_id"),
        ("accidents/YJJ/june.csv", 3, "accident_id", "duplicate_id"),
    ]
    assert con.execute("SELECT deaths, _source_path FROM raw.accidents").fetchall() == [(0, "accidents/YJJ/may.csv")]


def test_personal_values_are_masked_in_quarantine(tmp_path, ingest):
    landing = tmp_path / "landing"
    header = [c.header for c in get_contract("relief").columns]
    broken = {**CLEAN["relief"], "relief_id": "JZ-2", "id_number": WRONG_ID}
    write_csv(landing / "relief" / "YJJ" / "r.csv", header, [ledger_row("relief", broken)])
    con, _ = ingest()
    ((value,),) = con.execute("SELECT value FROM meta.quarantine").fetchall()
    assert value == WRONG_ID[:4] + "*" * 10 + WRONG_ID[-4:]
    dump = str(con.execute("SELECT * FROM meta.quarantine").fetchall())
    assert WRONG_ID not in dump


def test_reference_is_not_checked_before_the_register_exists(tmp_path, ingest):
    landing = tmp_path / "landing"
    header = [c.header for c in get_contract("drills").columns]
    write_csv(
        landing / "drills" / "XFJY" / "d.csv", header, [ledger_row("drills", {**CLEAN["drills"], "team_id": "T-77"})]
    )
    con, results = ingest()
    assert results["drills"].rows_loaded == 1
    assert con.execute("SELECT count(*) FROM meta.quarantine").fetchall() == [(0,)]


def test_reference_quarantines_a_file_naming_no_registered_id(tmp_path, ingest):
    """The reference check validates against the registered ids the batch names
    (pipelines.lib.ingest._refs_in_batch); when it names none, every row still fails."""
    landing = tmp_path / "landing"
    write_teams(landing)
    header = [c.header for c in get_contract("drills").columns]
    rows = [
        ledger_row("drills", {**CLEAN["drills"], "drill_id": f"YL-{i}", "team_id": team})
        for i, team in enumerate(["T-98", "T-99"])
    ]
    write_csv(landing / "drills" / "XFJY" / "d.csv", header, rows, received=dt.datetime(2023, 8, 1, 9))
    con, results = ingest()
    assert results["drills"].rows_loaded == 0
    cells = con.execute(
        "SELECT row_number, column_name, rule FROM meta.quarantine WHERE feed = 'drills' ORDER BY row_number"
    ).fetchall()
    assert cells == [(2, "team_id", "reference"), (3, "team_id", "reference")]
