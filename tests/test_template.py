"""Templates (issue 12): a template made from the contract, filled as a clerk would, loads."""

import datetime as dt
import io

import openpyxl
import pytest
from stdnum.cn import ric, uscc

from pipelines.lib.contracts import load_contracts
from pipelines.lib.labels import LabelError
from pipelines.lib.profile import load_profile
from pipelines.lib.template import GUIDE_SHEET, LISTS_SHEET, build_template

TOWNSHIP_SENDER = "430182001"  # 玉潭街道


def _sender(contract) -> str:
    owner = contract.owners[0]
    return TOWNSHIP_SENDER if owner == "townships" else owner


def _clerk_value(contract, column, n: int, typed: dict):
    """What a clerk types in row n: valid by the contract's rules."""
    if column.references:
        return typed[column.references["feed"]][n][column.references.get("column", column.name)]
    if column.type == "enum":
        return column.values[n % len(column.values)]
    if column.type == "township":  # a township sender's own; else three (depots are one per township)
        return "玉潭街道" if _sender(contract) == TOWNSHIP_SENDER else ["玉潭街道", "道林镇", "沩山乡"][n]
    if column.type == "date":
        return dt.date(2023, 4, 3 + n)
    if column.type == "ts":
        return dt.datetime(2023, 4, 3 + n, 14, 30)
    if column.type == "int":
        return 3 + n
    if column.type == "num":
        return 1.5 + n
    if column.check == "uscc":
        base = f"9143018200000000{n}"[:17]
        return base + uscc.calc_check_digit(base)
    if column.check == "ric":
        base = f"4301821980010112{n}"
        return base + ric.calc_check_digit(base + "0")  # stdnum takes the number with a check place
    if column.check == "phone":
        return f"1371234567{n}"
    return f"{column.header}{n + 1}"


def _fill(data: bytes, contract, rows: list[dict]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[1]
    headers = [cell.value for cell in sheet[2]]
    for r, values in enumerate(rows, start=3):
        for name, value in values.items():
            sheet.cell(row=r, column=headers.index(contract.column(name).header) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_template_layout_drop_downs_and_township():
    profile = load_profile()
    book = openpyxl.load_workbook(io.BytesIO(build_template("隐患", profile, sender=TOWNSHIP_SENDER)))
    assert book.sheetnames == [GUIDE_SHEET, "隐患排查治理台账", LISTS_SHEET]
    assert book[LISTS_SHEET].sheet_state == "hidden"
    ledger = book["隐患排查治理台账"]
    assert ledger["A1"].value == "宁乡市玉潭街道隐患排查治理台账"
    contract = load_contracts()["hazards"]
    assert [c.value for c in ledger[2]] == [c.header for c in contract.columns]
    assert ledger.max_row == 2  # no pre-filled data row: an untouched template row stays blank
    lists = book[LISTS_SHEET]
    by_header = {
        lists.cell(1, c).value: [lists.cell(r, c).value for r in range(2, lists.max_row + 1) if lists.cell(r, c).value]
        for c in range(1, lists.max_column + 1)
    }
    assert by_header == {"所属乡镇": ["玉潭街道"], "隐患等级": ["一般", "重大"], "挂牌督办": ["是", "否"]}
    formulas = {
        next(iter(dv.sqref.ranges)).min_col: dv.formula1
        for dv in ledger.data_validations.dataValidation
        if dv.type == "list"
    }
    assert formulas[3] == f"'{LISTS_SHEET}'!$A$2:$A$2"  # township, by range, never inline
    assert ledger.column_dimensions["B"].number_format == "yyyy-mm-dd"  # 排查日期
    assert ledger.column_dimensions["D"].number_format == "@"  # 统一社会信用代码 stays text
    guide = [[c.value for c in row] for row in book[GUIDE_SHEET].iter_rows()]
    flat = "\n".join(str(v) for row in guide for v in row if v)
    assert "每周一 12 时前" in flat and "landing/hazards/430182001/" in flat
    for column in contract.columns:
        assert any(row[0] == column.header for row in guide), column.header
    assert ["挂牌督办", "必填", "选项"] == [v for v in next(r for r in guide if r[0] == "挂牌督办")[:3]]


def test_blank_template_lists_every_township_by_range():
    profile = load_profile()
    book = openpyxl.load_workbook(io.BytesIO(build_template("enterprises", profile)))
    lists = book[LISTS_SHEET]
    townships = [lists.cell(r, 1).value for r in range(2, lists.max_row + 1) if lists.cell(r, 1).value]
    assert lists.cell(1, 1).value == "所属乡镇" and len(townships) == 29
    ledger = book.worksheets[1]
    refs = sorted(dv.formula1 for dv in ledger.data_validations.dataValidation if dv.type == "list")
    # every list by range (Excel caps an inline list at 255 characters; 行业类别 alone is near it)
    assert refs == [
        f"'{LISTS_SHEET}'!$A$2:$A$30",
        f"'{LISTS_SHEET}'!$B$2:$B$15",
        f"'{LISTS_SHEET}'!$C$2:$C$5",
        f"'{LISTS_SHEET}'!$D$2:$D$3",
        f"'{LISTS_SHEET}'!$E$2:$E$3",
    ]


def test_sender_must_send_the_feed():
    profile = load_profile()
    with pytest.raises(LabelError, match="不报送"):
        build_template("accidents", profile, sender=TOWNSHIP_SENDER)
    with pytest.raises(LabelError, match="未知的报送单位"):
        build_template("hazards", profile, sender="NOPE")
    with pytest.raises(LabelError, match="未知的数据类别"):
        build_template("hazard", profile)


def test_filled_templates_of_every_feed_load_with_the_values_typed(tmp_path, ingest):
    profile = load_profile()
    contracts = load_contracts()
    typed: dict[str, list[dict]] = {}
    # registers first, so a reference (drills.team_id) names a team that was sent
    from pipelines.lib.contracts import ingestion_order

    for contract in ingestion_order():
        rows = [{c.name: _clerk_value(contract, c, n, typed) for c in contract.columns} for n in range(3)]
        typed[contract.feed] = rows
        folder = tmp_path / "landing" / contract.feed / _sender(contract)
        folder.mkdir(parents=True)
        data = _fill(build_template(contract.feed, profile, sender=_sender(contract)), contract, rows)
        (folder / f"{contract.label}.xlsx").write_bytes(data)
    # a template sent back untouched: nothing in it is a record, so nothing is quarantined
    untouched = tmp_path / "landing" / "hazards" / "430182002"
    untouched.mkdir(parents=True)
    (untouched / "空模板.xlsx").write_bytes(build_template("hazards", profile, sender="430182002"))
    con, results = ingest()
    (empty,) = con.execute(
        "SELECT status, rows_loaded, rows_quarantined, reason FROM meta.files WHERE sender_code = '430182002'"
    ).fetchall()
    assert empty[:3] == ("rejected", 0, 0) and empty[3].startswith("文件中没有数据行"), empty
    files = con.execute(
        "SELECT feed, status, rows_total, rows_loaded, rows_quarantined, rows_skipped, reason "
        "FROM meta.files WHERE sender_code <> '430182002' ORDER BY feed"
    ).fetchall()
    assert [(f, s, t, lo, q, sk) for f, s, t, lo, q, sk, _ in files] == [
        (feed, "loaded", 4, 3, 0, 1)
        for feed in sorted(contracts)  # the title row above the header: skipped
    ], files
    for feed, rows in typed.items():
        contract = contracts[feed]
        names = contract.names
        loaded = con.execute(f"SELECT {', '.join(names)} FROM raw.{feed} ORDER BY _row_number").fetchall()
        codes = {"玉潭街道": "430182001", "道林镇": "430182101", "沩山乡": "430182218"}
        expected = [
            tuple(codes[row[n]] if contract.column(n).type == "township" else row[n] for n in names) for row in rows
        ]
        assert loaded == expected, feed
