"""Peak memory of ingesting one large CSV: a township's hazards ledger of 2 M rows.

    python -m bench.big_file [--rows 2000000] [--chunk-rows N] [--workdir DIR]

Writes a UTF-8 hazards CSV (a title row, one 合计 row at the end, every 1,000th row with a
level outside the list), registers it in a new warehouse and ingests it (inventory, read,
classify, parse, Great Expectations, quarantine, load: ``ingest_feed``, as a run does,
without Dagster and dbt) in a process of its own, measured by bench/measure.py. Prints one
JSON object: rows, file size, peak RSS of that process, wall and CPU seconds, the chunk
size used and the file's counts (checked: loaded = rows - rows/1000, quarantined =
rows/1000, skipped = 2). ``--chunk-rows`` sets the profile's ``ingest.chunk_rows`` for the
run (default: the profile's own).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import shutil
import sys
import tempfile
from pathlib import Path

TOWNSHIPS = ("玉潭街道", "城郊街道", "历经铺街道", "白马桥街道", "双江口镇", "大成桥镇")


def write_ledger(path: Path, rows: int) -> Path:
    from tests.ledgers import headers

    path.parent.mkdir(parents=True, exist_ok=True)
    start = dt.date(2023, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        header = headers("hazards")
        writer.writerow(["宁乡市2023年隐患排查治理台账（汇总）"] + [""] * (len(header) - 1))
        writer.writerow(header)
        for i in range(rows):
            found = start + dt.timedelta(days=i % 300)
            writer.writerow(
                [
                    f"BIG-{i:07d}",
                    found.isoformat(),
                    TOWNSHIPS[i % len(TOWNSHIPS)],
                    "",
                    "特别" if i % 1000 == 999 else "一般",
                    "楼道堆放杂物，消防通道堵塞",
                    (found + dt.timedelta(days=7)).isoformat(),
                    "",
                    "张三",
                    "13712345678",
                    "否",
                    "0.5",
                ]
            )
        writer.writerow(["合计", "", "", "", "", "", "", "", "", "", "", str(rows * 0.5)])
    return path


def ingest_once(home: Path, chunk_rows: int | None) -> dict:
    """The child: inventory and hazards ingestion on the home's landing tree."""
    from pipelines.lib.contracts import get_contract
    from pipelines.lib.ingest import ingest_feed
    from pipelines.lib.inventory import register_new_files
    from pipelines.lib.profile import load_profile
    from warehouse.layout import connect

    profile = load_profile()
    if chunk_rows is not None:
        profile.config.setdefault("ingest", {})["chunk_rows"] = chunk_rows
    now = dt.datetime(2026, 11, 29, 12, 0)
    con = connect(home / "warehouse.duckdb")
    register_new_files(con, home / "landing", profile, "bench", now)
    result = ingest_feed(con, get_contract("hazards"), profile, home / "landing", "bench", now)
    row = con.execute(
        "SELECT rows_total, rows_loaded, rows_quarantined, rows_skipped FROM meta.files WHERE feed = 'hazards'"
    ).fetchone()
    con.close()
    return {
        "rows_total": row[0],
        "rows_loaded": row[1],
        "rows_quarantined": row[2],
        "rows_skipped": row[3],
        "result_loaded": result.rows_loaded,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.big_file")
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--chunk-rows", type=int, help="the profile's ingest.chunk_rows for this run")
    parser.add_argument("--workdir", type=Path, help="where the ledger and the home go (default: a new temp folder)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(ingest_once(args.child, args.chunk_rows)))
        return 0

    from bench.__main__ import ROOT, clean_env
    from bench.measure import measure

    work = (args.workdir or Path(tempfile.mkdtemp(prefix="bench-big-file-"))).resolve()
    ledger = work / "ledgers" / f"hazards-{args.rows}.csv"
    if not ledger.exists():
        write_ledger(ledger, args.rows)
    home = work / "home"
    shutil.rmtree(home, ignore_errors=True)
    target = home / "landing" / "hazards" / "430182001" / "2023年隐患汇总.csv"
    target.parent.mkdir(parents=True)
    target.hardlink_to(ledger)
    command = [sys.executable, "-m", "bench.big_file", "--child", str(home)]
    if args.chunk_rows is not None:
        command += ["--chunk-rows", str(args.chunk_rows)]
    log = work / "ingest.log"
    m = measure(command, env=clean_env(), cwd=ROOT, log=log)
    if m.exit_code:
        raise SystemExit(f"ingestion failed, see {log}")
    counts = json.loads(log.read_text("utf-8").strip().splitlines()[-1])
    bad = args.rows // 1000
    expected = {"rows_total": args.rows + 2, "rows_loaded": args.rows - bad, "rows_quarantined": bad, "rows_skipped": 2}
    if any(counts[k] != v for k, v in expected.items()):
        raise RuntimeError(f"unexpected counts: {counts}, expected {expected}")
    from pipelines.lib.ingest import chunk_rows
    from pipelines.lib.profile import load_profile

    print(
        json.dumps(
            {
                "rows": args.rows,
                "file_mb": round(ledger.stat().st_size / 2**20, 1),
                "chunk_rows": args.chunk_rows or chunk_rows(load_profile()),
                **m.as_dict(),
                "counts": counts,
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
