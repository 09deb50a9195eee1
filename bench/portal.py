"""The portal's check (数据报送): how long a sender waits for the answer on a 500-row ledger.

    python -m bench.portal [--home DIR] [--rows 500] [--repeat 5]

As the portal runs it: Great Expectations in the warm worker process (pipelines.lib.gx_process,
started and warmed once per server), each check reading the home's published copy
(duplicates, registered ids) and landing tree. The ledger is a township's weekly hazards
.xlsx with a title row, one 合计 row and every 50th row broken (an enum error). Prints one
JSON object: the worker's start-up (paid once per server) and the seconds of every check.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path


def ledger(folder: Path, rows: int) -> bytes:
    from tests.ledgers import headers, write_xlsx

    found = dt.date(2023, 4, 3)
    body = [
        [
            f"BENCH-{i:05d}",
            found.isoformat(),
            "玉潭街道",
            None,
            "特别" if i % 50 == 49 else "一般",
            "楼道堆放杂物",
            (found + dt.timedelta(days=7)).isoformat(),
            None,
            "张三",
            "13712345678",
            "否",
            "0.5",
        ]
        for i in range(rows)
    ]
    return write_xlsx(
        folder / "bench.xlsx", headers("hazards"), body, title="玉潭街道2023年第14周隐患排查治理台账", total=["合计"]
    ).read_bytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.portal")
    parser.add_argument("--home", help="a warehouse home (default: an empty one)")
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from pipelines.lib import gx_process
    from pipelines.lib.submission import check_submission

    scratch = Path(tempfile.mkdtemp(prefix="bench-portal-"))
    home = Path(args.home).resolve() if args.home else scratch / "home"
    data = ledger(scratch, args.rows)
    now = dt.datetime(2023, 4, 10, 9, 0)

    began = time.perf_counter()
    gx_process.start()
    first = check_submission(home, "hazards", "430182001", "bench.xlsx", data, now=now)
    startup = time.perf_counter() - began
    checks = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        result = check_submission(home, "hazards", "430182001", "bench.xlsx", data, now=now)
        checks.append(round(time.perf_counter() - began, 3))
    gx_process.stop()
    expected_bad = args.rows // 50
    if (first.rows_loaded, first.rows_quarantined) != (
        args.rows - expected_bad,
        expected_bad,
    ) or result.rows_quarantined != expected_bad:
        raise RuntimeError(f"unexpected check result: {first.summary()}")
    print(
        json.dumps(
            {
                "rows": args.rows,
                "worker_start_and_first_check_s": round(startup, 3),
                "check_s": checks,
                "summary": result.summary(),
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
