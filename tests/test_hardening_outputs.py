"""Formula injection: every CSV and XLSX the product writes neutralises sender text that a
spreadsheet would run (OWASP: a leading ' before = + - @ tab CR); numbers stay numbers.
One test per output, on a home whose ledgers carry =HYPERLINK("http://x","y")."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from pipelines.lib.safe_cells import safe_frame, safe_text
from tests.conftest import PAYLOAD

pytestmark = pytest.mark.slow
SAFE = "'" + PAYLOAD


def safetywh(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB")}
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args, "--home", str(home)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


def xlsx_cells(data: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def assert_inert(cells: list) -> None:
    """The payload is there, inert; no text cell starts a formula (a number such as -1 in a
    CSV is a number: spreadsheets read it as one)."""
    assert SAFE in cells
    assert not [c for c in cells if isinstance(c, str) and c[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(c)]


def test_safe_text_and_frame_neutralise_text_only():
    assert [safe_text(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "—", "正常", None, -1.5, 3)] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "—",
        "正常",
        None,
        -1.5,
        3,
    ]
    frame = pl.DataFrame(
        {"text": ["-2", PAYLOAD, "ok", None], "number": [-2.5, 1.0, 0.0, None], "count": [-1, 2, 3, 4]}
    )
    safe = safe_frame(frame)
    assert safe["text"].to_list() == ["'-2", SAFE, "ok", None]
    assert safe["number"].to_list() == [-2.5, 1.0, 0.0, None] and safe.schema["number"] == pl.Float64
    assert safe["count"].to_list() == [-1, 2, 3, 4]


def test_cli_csv_is_inert(hostile_home):
    records = safetywh("records", "hazards", "--format", "csv", home=hostile_home)
    assert records.returncode == 0, records.stderr
    assert_inert(csv_cells(records.stdout))
    assert "'+1 通道堵塞" in csv_cells(records.stdout)
    quarantine = safetywh("quarantine", "--format", "csv", home=hostile_home)
    assert quarantine.returncode == 0, quarantine.stderr
    assert_inert(csv_cells(quarantine.stdout))
    relief = safetywh("records", "relief", "--format", "csv", home=hostile_home)
    assert "'@**" in csv_cells(relief.stdout)  # "@王五", masked, then neutralised
    # json is not a spreadsheet format: the text stays as sent
    as_json = json.loads(safetywh("records", "hazards", "--format", "json", home=hostile_home).stdout)
    assert PAYLOAD in [r["description"] for r in as_json]


def test_alert_workbook_is_inert(hostile_home):
    workbooks = sorted((hostile_home / "outbox").rglob("*.xlsx"))
    assert workbooks
    cells = [c.value for path in workbooks for c in xlsx_cells(path.read_bytes())]
    assert_inert(cells)


def test_bulletin_workbook_is_inert(hostile_home):
    done = safetywh("publish", "--period", "2023-W14", "--no-mail", home=hostile_home)
    assert done.returncode == 0, done.stderr
    xlsx = next(p for p in done.stdout.split() if p.endswith(".xlsx"))
    cells = xlsx_cells(Path(xlsx).read_bytes())
    assert_inert([c.value for c in cells])
    # numbers are still number cells (the supervised hazard's funds, the ranking's points)
    assert any(c.data_type == "n" and isinstance(c.value, (int, float)) for c in cells)


def test_dashboard_downloads_are_inert(hostile_home):
    from dashboards.ui import _csv_bytes, _xlsx_bytes

    con = duckdb.connect(str(hostile_home / "published" / "warehouse.duckdb"), read_only=True)
    frame = con.sql(
        "select hazard_id, description, funds_10k_cny, -days_open as minus_days from marts.major_and_supervised_hazards"
    ).pl()
    con.close()
    assert PAYLOAD in frame["description"].to_list()
    assert_inert(csv_cells(_csv_bytes(frame).decode("utf-8")))
    cells = xlsx_cells(_xlsx_bytes(frame, "隐患"))
    assert_inert([c.value for c in cells])
    negative = [c for c in cells if c.column == 4 and c.row > 1]
    assert negative and all(c.data_type == "n" and c.value <= 0 for c in negative)  # a negative number stays a number
