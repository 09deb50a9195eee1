"""Memory within a file: a file larger than a chunk (profile ``ingest.chunk_rows``) is read,
parsed, validated and staged chunk by chunk — a text file streamed from disk — and published
in one transaction, with counts, row numbers, footers and duplicate ids as in one frame."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.lib import ingest, reading
from pipelines.lib.contracts import get_contract
from pipelines.lib.inventory import register_new_files
from pipelines.lib.profile import load_profile
from pipelines.lib.profile_schema import validate_config
from tests.ledgers import headers, write_csv
from tests.test_hardening_profile import PACKAGED, config
from warehouse.layout import connect

NOW = dt.datetime(2026, 11, 29, 12, 0)
DATA_ROWS = 4996  # lines 3..4998: title on line 1, header on line 2
DUP_LINES = (10, 3500)  # the same hazard id in the first and the fourth chunk
BAD_LEVEL_LINE = 4990  # in the last full chunk (lines 4001-5000)


def hazard(line: int) -> list:
    found = dt.date(2023, 1, 1) + dt.timedelta(days=line % 200)
    hazard_id = "YT-DUP" if line in DUP_LINES else f"YT-{line:05d}"
    level = "特别" if line == BAD_LEVEL_LINE else "一般"
    return [
        hazard_id,
        found.isoformat(),
        "玉潭街道",
        None,
        level,
        "楼道堆放杂物",
        (found + dt.timedelta(days=7)).isoformat(),
        None,
        "张三",
        "13712345678",
        "否",
        "0.5",
    ]


def big_ledger(landing: Path, encoding: str = "utf-8", name: str = "台账.csv") -> Path:
    """5,001 lines: title, header, 4,996 records, 合计 (line 4999), a signature line ending the
    fifth chunk (line 5000) and a note's second line alone in the sixth (line 5001)."""
    rows = [hazard(line) for line in range(3, 3 + DATA_ROWS)]
    rows += [["合计"] + [None] * 11, ["填表人：张三"] + [None] * 11, ["（本表由乡镇安监站汇总）"] + [None] * 11]
    return write_csv(
        landing / "hazards" / "430182001" / name,
        headers("hazards"),
        rows,
        title="玉潭街道2023年隐患排查治理台账",
        encoding=encoding,
    )


def with_ingest(**settings):
    profile = load_profile()
    return dataclasses.replace(profile, config={**profile.config, "ingest": settings})


def run_ingest(landing: Path, db: Path, profile):
    con = connect(db)
    register_new_files(con, landing, profile, "r1", NOW)
    result = ingest.ingest_feed(con, get_contract("hazards"), profile, landing, "r1", NOW)
    return con, result


SNAPSHOT = {
    "files": "SELECT path, status, header_row, encoding, rows_total, rows_loaded, rows_quarantined, rows_skipped, "
    "reject_code FROM meta.files ORDER BY path",
    "quarantine": "SELECT path, row_number, record_id, column_name, column_header, value, rule, reason "
    "FROM meta.quarantine ORDER BY ALL",
    "skipped": "SELECT file_id, row_number, kind FROM meta.skipped_rows ORDER BY ALL",
    "raw": "SELECT * EXCLUDE (_loaded_at, _run_id) FROM raw.hazards ORDER BY _file_id, _row_number",
}


def snapshot(con) -> dict:
    return {name: con.execute(sql).fetchall() for name, sql in SNAPSHOT.items()}


def test_a_file_of_six_chunks_is_counted_and_quarantined_as_one_frame(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    big_ledger(landing)
    frames, chunks = [], []
    rows_to_frame, evaluate_chunk = reading.rows_to_frame, ingest.evaluate_chunk
    monkeypatch.setattr(reading, "rows_to_frame", lambda rows: frames.append(len(rows)) or rows_to_frame(rows))
    monkeypatch.setattr(
        ingest,
        "evaluate_chunk",
        lambda contract, profile, pending, pieces, *rest: (
            chunks.append([(p.offset, p.frame.height) for p in pieces])
            or evaluate_chunk(contract, profile, pending, pieces, *rest)
        ),
    )
    con, result = run_ingest(landing, tmp_path / "chunked.duckdb", with_ingest(chunk_rows=1000))

    # the reader never held more than a chunk: 5,001 lines read as 5 x 1,000 + 1
    assert frames == [1000, 1000, 1000, 1000, 1000, 1]
    assert chunks == [[(0, 1000)], [(1000, 1000)], [(2000, 1000)], [(3000, 1000)], [(4000, 1000)], [(5000, 1)]]
    total, loaded, quarantined, skipped = con.execute(
        "SELECT rows_total, rows_loaded, rows_quarantined, rows_skipped FROM meta.files"
    ).fetchone()
    # every line but the header; the two rows sharing an id and the bad level are quarantined;
    # title, 合计 and both footer lines (the second one in a chunk of its own) are skipped
    assert (total, loaded, quarantined, skipped) == (5000, DATA_ROWS - 3, 3, 4)
    assert total == loaded + quarantined + skipped
    assert con.execute(
        "SELECT row_number, column_name, rule, value FROM meta.quarantine ORDER BY row_number"
    ).fetchall() == [
        (10, "hazard_id", "duplicate_id", "YT-DUP"),
        (3500, "hazard_id", "duplicate_id", "YT-DUP"),
        (BAD_LEVEL_LINE, "level", "enum", "特别"),
    ]
    assert con.execute("SELECT row_number, kind FROM meta.skipped_rows ORDER BY row_number").fetchall() == [
        (1, "title"),
        (4999, "total"),
        (5000, "footer"),
        (5001, "footer"),
    ]
    assert con.execute("SELECT count(*), min(_row_number), max(_row_number) FROM raw.hazards").fetchone() == (
        DATA_ROWS - 3,
        3,
        4998,
    )
    assert con.execute("SELECT count(*) FROM raw.hazards WHERE hazard_id = 'YT-DUP'").fetchone() == (0,)
    assert (result.rows_loaded, result.rows_quarantined, result.rows_skipped, result.quarantined_cells) == (
        4993,
        3,
        4,
        3,
    )
    assert result.rules_broken == {"duplicate_id": 2, "enum": 1}
    chunked = snapshot(con)
    con.close()

    # the same file in one chunk gives the same rows, cells and counts
    monkeypatch.setattr(ingest, "evaluate_chunk", evaluate_chunk)
    frames.clear()
    con, _ = run_ingest(landing, tmp_path / "whole.duckdb", with_ingest(chunk_rows=100_000))
    assert frames == [5001]
    assert snapshot(con) == chunked
    con.close()


def test_gb18030_and_utf16_files_stream_in_chunks_too(tmp_path):
    landing = tmp_path / "landing"
    big_ledger(landing, "gb18030", "台账-gbk.csv")
    big_ledger(landing, "utf-16", "台账-utf16.csv")
    con, _ = run_ingest(landing, tmp_path / "w.duckdb", with_ingest(chunk_rows=1000))
    assert con.execute(
        "SELECT encoding, rows_total, rows_loaded, rows_quarantined, rows_skipped FROM meta.files ORDER BY encoding"
    ).fetchall() == [("gb18030", 5000, 4993, 3, 4), ("utf-16", 5000, 4993, 3, 4)]
    con.close()


def test_a_file_unreadable_half_way_is_rejected_whole_and_the_next_file_loads(tmp_path):
    """A cell beyond the CSV reader's limit in the third chunk: the chunks already appended
    are taken back, the file is rejected with a Chinese reason, the canary beside it loads."""
    landing = tmp_path / "landing"
    path = big_ledger(landing, name="a-坏.csv")
    lines = path.read_bytes().split(b"\r\n")
    lines[2500] = b'"' + b"x" * 200_000 + b'"' + lines[2500]
    path.write_bytes(b"\r\n".join(lines))
    write_csv(landing / "hazards" / "430182001" / "b-好.csv", headers("hazards"), [hazard(3), hazard(4)])
    con, result = run_ingest(landing, tmp_path / "w.duckdb", with_ingest(chunk_rows=1000))
    rows = con.execute(
        "SELECT path, status, reject_code, reason, rows_total, rows_loaded FROM meta.files ORDER BY path"
    ).fetchall()
    assert [r[:3] for r in rows] == [
        ("hazards/430182001/a-坏.csv", "rejected", "not_a_table"),
        ("hazards/430182001/b-好.csv", "loaded", None),
    ]
    assert rows[0][3].startswith("文件不是可读取的表格") and "CSV 无法解析" in rows[0][3]
    assert rows[1][4:] == (2, 2)
    bad_id = con.execute("SELECT file_id FROM meta.files WHERE status = 'rejected'").fetchone()[0]
    for table, column in (
        ("raw.hazards", "_file_id"),
        ("meta.quarantine", "file_id"),
        ("meta.skipped_rows", "file_id"),
    ):
        assert con.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", [bad_id]).fetchone() == (0,), table
    assert (result.loaded_files, result.rejected_files, result.rows_loaded) == (1, 1, 2)
    con.close()


def test_a_text_file_above_the_size_limit_is_rejected_in_chinese(tmp_path):
    landing = tmp_path / "landing"
    big_ledger(landing)  # about 0.4 MB
    con, _ = run_ingest(landing, tmp_path / "small-limit.duckdb", with_ingest(max_text_file_mb=0.1))
    status, code, reason = con.execute("SELECT status, reject_code, reason FROM meta.files").fetchone()
    assert (status, code) == ("rejected", "text_too_large")
    assert reason.startswith("文本文件过大，未予读取") and "超过上限 0.1 MB" in reason
    con.close()
    con, _ = run_ingest(landing, tmp_path / "default-limit.duckdb", with_ingest())
    assert con.execute("SELECT status, rows_loaded FROM meta.files").fetchone() == ("loaded", DATA_ROWS - 3)
    con.close()


@pytest.mark.parametrize(
    "settings, expected",
    [
        ({"chunk_rows": 10}, ["ingest.chunk_rows 应不小于 1000，当前为 10"]),
        ({"chunk_rows": "十万"}, ["ingest.chunk_rows 应为整数，当前为 '十万'"]),
        ({"max_text_file_mb": 0}, ["ingest.max_text_file_mb 应大于 0，当前为 0"]),
        ({"chunk_row": 5000}, ["未知的设置 ingest.chunk_row（拼写错误？）"]),
        ({"chunk_rows": 5000, "max_text_file_mb": 200}, []),
    ],
)
def test_the_ingest_settings_are_checked_by_the_profile_schema(settings, expected):
    data = config()
    data["ingest"] = settings
    assert validate_config(data, PACKAGED) == expected


KILLER = """
import os, sys
from pathlib import Path
from pipelines.lib import ingest
from tests.test_ingest_chunks import run_ingest, with_ingest
calls = []
evaluate = ingest.evaluate_chunk
def evaluate_then_die(*args):
    calls.append(1)
    if len(calls) == 4:  # three chunks of the file are appended, uncommitted
        os._exit(9)
    return evaluate(*args)
ingest.evaluate_chunk = evaluate_then_die
run_ingest(Path(sys.argv[1]), Path(sys.argv[2]), with_ingest(chunk_rows=1000))
"""


def test_a_run_killed_between_chunks_leaves_nothing_of_the_file(tmp_path):
    landing = tmp_path / "landing"
    big_ledger(landing)
    db = tmp_path / "w.duckdb"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(
        [sys.executable, "-c", KILLER, str(landing), str(db)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 9, done.stderr[-3000:]
    con = connect(db)
    assert con.execute(
        "SELECT (SELECT count(*) FROM raw.hazards), (SELECT count(*) FROM meta.quarantine), "
        "(SELECT count(*) FROM meta.skipped_rows), (SELECT count(*) FROM meta.files), "
        "(SELECT count(*) FROM meta.inbox)"
    ).fetchone() == (0, 0, 0, 0, 1)
    # the three chunks wait in the stage, which nothing reads
    # (lines 1-3000 but title and header: line 10 is not known as a duplicate before line 3500)
    assert con.execute("SELECT count(*) FROM ingest_stage.raw").fetchone() == (3000 - 2,)
    con.close()
    con, _ = run_ingest(landing, db, with_ingest(chunk_rows=1000))  # the next run loads it whole
    assert con.execute("SELECT status, rows_loaded, rows_quarantined FROM meta.files").fetchone() == (
        "loaded",
        DATA_ROWS - 3,
        3,
    )
    assert con.execute("SELECT count(*) FROM raw.hazards").fetchone() == (DATA_ROWS - 3,)
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'ingest_stage'").fetchone() == (0,)
    con.close()


def test_a_workbook_sheet_is_sliced_into_the_same_chunks(tmp_path, monkeypatch):
    """.xlsx is read whole (calamine; bounded by workbook_limits and 1,048,576 rows), then
    evaluated in chunks: the same rows, cells and Excel row numbers as in one chunk."""
    from tests.ledgers import write_xlsx

    rows = [hazard(line) for line in range(3, 2503)]
    for row in rows:  # real Excel dates
        row[1], row[6] = dt.date.fromisoformat(row[1]), dt.date.fromisoformat(row[6])
    rows[2400 - 3][0] = "YT-DUP"  # line 10's id again, in the third chunk
    rows[2450 - 3][4] = "特别"
    landing = tmp_path / "landing"
    write_xlsx(
        landing / "hazards" / "430182001" / "台账.xlsx",
        headers("hazards"),
        rows,
        title="玉潭街道隐患台账",
        total=["合计"],
    )
    chunks = []
    evaluate_chunk = ingest.evaluate_chunk
    monkeypatch.setattr(
        ingest,
        "evaluate_chunk",
        lambda contract, profile, pending, pieces, *rest: (
            chunks.append([(p.offset, p.frame.height) for p in pieces])
            or evaluate_chunk(contract, profile, pending, pieces, *rest)
        ),
    )
    con, _ = run_ingest(landing, tmp_path / "chunked.duckdb", with_ingest(chunk_rows=1000))
    assert chunks == [[(0, 1000)], [(1000, 1000)], [(2000, 503)]]  # 2,503 rows: title, header, 2,500 records, 合计
    assert con.execute(
        "SELECT file_format, rows_total, rows_loaded, rows_quarantined, rows_skipped FROM meta.files"
    ).fetchone() == ("xlsx", 2502, 2497, 3, 2)
    assert con.execute("SELECT row_number, rule FROM meta.quarantine ORDER BY row_number").fetchall() == [
        (10, "duplicate_id"),
        (2400, "duplicate_id"),
        (2450, "enum"),
    ]
    chunked = snapshot(con)
    con.close()
    monkeypatch.setattr(ingest, "evaluate_chunk", evaluate_chunk)
    con, _ = run_ingest(landing, tmp_path / "whole.duckdb", with_ingest(chunk_rows=100_000))
    assert snapshot(con) == chunked
    con.close()
