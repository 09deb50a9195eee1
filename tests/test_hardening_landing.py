"""Poison pills in landing/: entries that are not a readable file are settled (rejected with
a Chinese reason, registered once, addressed to the data team) and the canary ledger beside
each one loads. Real symlinks, FIFOs and sockets in a tmp dir; the end-to-end test runs
`safetywh run` as a user does."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pipelines.lib.alerts.problems import DATA_TEAM, file_problems
from pipelines.lib.inventory import register_new_files, scan_landing
from pipelines.lib.profile import load_profile
from pipelines.lib.reference import write_reference_tables
from pipelines.lib.rules import FILE_REJECTIONS
from tests.conftest import ingest_landing
from tests.ledgers import headers, write_csv
from tests.test_rules import CLEAN, ledger_row

YUTAN = Path("hazards", "430182001")


def canary(landing: Path) -> Path:
    """One clean hazards ledger of 玉潭街道 (2 rows) that must load whatever lies beside it."""
    rows = [ledger_row("hazards", {**CLEAN["hazards"], "hazard_id": f"H-C{i}"}) for i in (1, 2)]
    return write_csv(landing / YUTAN / "canary.csv", headers("hazards"), rows)


def files_by_path(con) -> dict[str, tuple]:
    return {
        row[0]: row[1:]
        for row in con.execute(
            "SELECT path, status, reject_code, reason, sender_code, rows_loaded FROM meta.files"
        ).fetchall()
    }


def settle(tmp_path: Path, make_bad) -> tuple[dict, str]:
    """Canary + one bad entry, ingested twice: returns the register and the bad entry's path."""
    landing = tmp_path / "landing"
    canary(landing)
    bad = make_bad(landing)
    con, results = ingest_landing(landing, tmp_path / "w.duckdb")
    assert results["hazards"].rows_loaded == 2
    first = files_by_path(con)
    # settled: a second inventory registers nothing new
    again = register_new_files(
        con, landing, load_profile(), "second", __import__("datetime").datetime(2026, 11, 29, 13)
    )
    assert again.new_files == 0 and again.rejected == 0
    write_reference_tables(con, load_profile())
    problems = file_problems(con)
    con.close()
    return first, bad, problems


def _symlink_dangling(landing: Path) -> str:
    (landing / YUTAN / "gone.xlsx").symlink_to(landing / "nowhere.xlsx")
    return f"{YUTAN.as_posix()}/gone.xlsx"


def _symlink_loop(landing: Path) -> str:
    a, b = landing / YUTAN / "a.xlsx", landing / YUTAN / "b.xlsx"
    a.symlink_to(b)
    b.symlink_to(a)
    return f"{YUTAN.as_posix()}/a.xlsx"


def _symlink_to_file(landing: Path) -> str:
    (landing / YUTAN / "passwd.csv").symlink_to("/etc/passwd")
    return f"{YUTAN.as_posix()}/passwd.csv"


def _symlinked_sender(landing: Path) -> str:
    (landing / "hazards" / "430182002").symlink_to(landing / YUTAN, target_is_directory=True)
    return "hazards/430182002"


def _fifo(landing: Path) -> str:
    os.mkfifo(landing / YUTAN / "pipe.csv")
    return f"{YUTAN.as_posix()}/pipe.csv"


def _hidden(landing: Path) -> str:
    write_csv(landing / YUTAN / ".hidden.csv", headers("hazards"), [ledger_row("hazards", CLEAN["hazards"])])
    return f"{YUTAN.as_posix()}/.hidden.csv"


def _dotdot(landing: Path) -> str:
    (landing / YUTAN / "..x.csv").write_text("a\n", "utf-8")
    return f"{YUTAN.as_posix()}/..x.csv"


def _hidden_folder(landing: Path) -> str:
    (landing / "hazards" / ".git").mkdir()
    (landing / "hazards" / ".git" / "x.csv").write_text("a\n", "utf-8")
    return "hazards/.git"


def _gbk_name(landing: Path) -> str:
    name = "隐患台账.csv".encode("gbk")
    with open(os.path.join(os.fsencode(landing / YUTAN), name), "wb") as handle:
        handle.write(b"a\n")
    return f"{YUTAN.as_posix()}/隐患台账.csv"


def _unreadable_folder(landing: Path) -> str:
    folder = landing / "hazards" / "430182003"
    folder.mkdir()
    (folder / "x.csv").write_text("a\n", "utf-8")
    folder.chmod(0)
    return "hazards/430182003"


CASES = {
    "dangling symlink": (_symlink_dangling, "symlink"),
    "symlink loop": (_symlink_loop, "symlink"),
    "symlink to a file outside landing": (_symlink_to_file, "symlink"),
    "symlinked sender folder": (_symlinked_sender, "symlink"),
    "fifo": (_fifo, "not_regular"),
    "hidden file": (_hidden, "hidden_name"),
    "name starting with ..": (_dotdot, "hidden_name"),
    "hidden folder": (_hidden_folder, "hidden_name"),
    "GBK file name": (_gbk_name, "bad_name"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_poison_entry_is_settled_and_canary_loads(tmp_path, case):
    make_bad, code = CASES[case]
    (tmp_path / "landing" / YUTAN).mkdir(parents=True)
    files, bad, problems = settle(tmp_path, make_bad)
    assert files[f"{YUTAN.as_posix()}/canary.csv"][0] == "loaded"
    status, reject_code, reason, sender, rows = files[bad]
    assert (status, reject_code, sender, rows) == ("rejected", code, None, 0)
    assert reason.startswith(FILE_REJECTIONS[code])
    mine = problems.filter(problems["path"] == bad)
    assert mine.height == 1 and mine["sender_code"][0] == DATA_TEAM


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a folder without permissions")
def test_unreadable_folder_is_settled(tmp_path):
    (tmp_path / "landing" / YUTAN).mkdir(parents=True)
    try:
        files, bad, _ = settle(tmp_path, _unreadable_folder)
    finally:
        (tmp_path / "landing" / "hazards" / "430182003").chmod(0o755)
    assert files[bad][:2] == ("rejected", "unreadable")
    assert files[f"{YUTAN.as_posix()}/canary.csv"][0] == "loaded"


def test_socket_is_settled(tmp_path):
    landing = tmp_path / "landing"
    (landing / YUTAN).mkdir(parents=True)
    sock = socket.socket(socket.AF_UNIX)
    try:
        files, bad, _ = settle(
            tmp_path, lambda lnd: (sock.bind(str(lnd / YUTAN / "s.csv")), f"{YUTAN.as_posix()}/s.csv")[1]
        )
    finally:
        sock.close()
    assert files[bad][:2] == ("rejected", "not_regular")


def test_file_vanishing_between_scan_and_read(tmp_path, monkeypatch):
    """An upload tool renames its temp file after the scan: the entry is settled as vanished."""
    from pipelines.lib import inventory

    landing = tmp_path / "landing"
    canary(landing)
    temp = write_csv(landing / YUTAN / "upload.tmp.csv", headers("hazards"), [ledger_row("hazards", CLEAN["hazards"])])
    real_scan = inventory.scan_landing

    def scan_then_rename(folder):
        found = real_scan(folder)
        temp.rename(landing / YUTAN / "上传完成.csv.part")  # gone from where the scan saw it
        return found

    monkeypatch.setattr(inventory, "scan_landing", scan_then_rename)
    con, results = ingest_landing(landing, tmp_path / "w.duckdb")
    files = files_by_path(con)
    assert files[f"{YUTAN.as_posix()}/upload.tmp.csv"][:2] == ("rejected", "vanished")
    assert results["hazards"].rows_loaded == 2


def test_file_vanishing_between_inventory_and_ingest(tmp_path):
    """Registered, then deleted before its feed is read: rejected, the run goes on."""
    import datetime as dt

    from pipelines.lib.contracts import get_contract
    from pipelines.lib.ingest import ingest_feed
    from warehouse.layout import connect

    landing = tmp_path / "landing"
    canary(landing)
    doomed = write_csv(
        landing / YUTAN / "doomed.csv",
        headers("hazards"),
        [ledger_row("hazards", {**CLEAN["hazards"], "hazard_id": "H-D"})],
    )
    con = connect(tmp_path / "w.duckdb")
    now = dt.datetime(2026, 11, 29, 12)
    register_new_files(con, landing, load_profile(), "r", now)
    doomed.unlink()
    result = ingest_feed(con, get_contract("hazards"), load_profile(), landing, "r", now)
    assert result.rows_loaded == 2 and result.rejected_files == 1
    assert files_by_path(con)[f"{YUTAN.as_posix()}/doomed.csv"][:2] == ("rejected", "vanished")


def test_scan_never_opens_a_fifo(tmp_path):
    """The scan and the inventory finish with a FIFO no writer ever opens (a blocking open would hang)."""
    landing = tmp_path / "landing"
    canary(landing)
    os.mkfifo(landing / YUTAN / "block.csv")
    done = threading.Event()
    thread = threading.Thread(
        target=lambda: (ingest_landing(landing, tmp_path / "w.duckdb")[0].close(), done.set()), daemon=True
    )
    thread.start()
    thread.join(60)
    assert done.is_set(), "the inventory blocked on a FIFO"


def test_lock_files_and_generator_notes_stay_ignored(tmp_path):
    landing = tmp_path / "landing"
    canary(landing)
    (landing / YUTAN / "~$canary.xlsx").write_bytes(b"lock")
    (landing / "_generator").mkdir()
    (landing / "_generator" / "defects.csv").write_text("x\n", "utf-8")
    assert [f.path for f in scan_landing(landing)] == [f"{YUTAN.as_posix()}/canary.csv"]


def test_run_survives_every_poison_pill(tmp_path):
    """`safetywh run` (a real process) with a FIFO, a dangling symlink, a loop, a hidden file and a
    symlinked sender folder beside the canary: exit 0, the canary's rows in the marts, and a
    second run finds nothing new."""
    home = tmp_path / "home"
    landing = home / "landing"
    canary(landing)
    for make in (_fifo, _symlink_dangling, _symlink_loop, _hidden, _symlinked_sender):
        make(landing)
    env = {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB")}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--home", str(home)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    files = subprocess.run(
        [sys.executable, "-m", "pipelines", "files", "--home", str(home), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    import json

    register = {f["path"]: f for f in json.loads(files.stdout)}
    assert register[f"{YUTAN.as_posix()}/canary.csv"]["status"] == "loaded"
    assert register[f"{YUTAN.as_posix()}/canary.csv"]["rows_loaded"] == 2
    rejected = sorted(p for p, f in register.items() if f["status"] == "rejected")
    assert rejected == sorted(
        [f"{YUTAN.as_posix()}/{n}" for n in ("pipe.csv", "gone.xlsx", "a.xlsx", "b.xlsx", ".hidden.csv")]
        + ["hazards/430182002"]
    )
    again = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--home", str(home)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert "数据未变化" in again.stdout or "未变化" in again.stdout, again.stdout
    assert time.monotonic() - started < 600
