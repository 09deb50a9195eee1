"""Find new files under <home>/landing, hash them, and settle what needs no reading.

A file is new when its (path, size, mtime) has not been seen. Identical content already
received (under any name) is recorded as ``duplicate``; a file outside
``landing/<feed>/<sender>/`` or from an unknown sender is rejected; the rest wait in
meta.inbox for their feed's ingestion step. All in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from pipelines.lib.contracts import load_contracts
from pipelines.lib.profile import Profile
from pipelines.lib.rules import FILE_REJECTIONS

IGNORED_PREFIXES = (".", "_", "~$")  # hidden files, the generator's notes, Excel lock files


@dataclass(frozen=True)
class FoundFile:
    path: str  # relative to landing, forward slashes
    size_bytes: int
    mtime_ns: int


def scan_landing(landing: Path) -> list[FoundFile]:
    found: list[FoundFile] = []
    if not landing.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(landing):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(IGNORED_PREFIXES))
        for name in sorted(filenames):
            if name.startswith(IGNORED_PREFIXES):
                continue
            full = Path(dirpath, name)
            st = full.stat()
            found.append(FoundFile(full.relative_to(landing).as_posix(), st.st_size, st.st_mtime_ns))
    return found


def received_at(mtime_ns: int, timezone: str) -> dt.datetime:
    """The file's modification time as wall clock in the county's zone (feeds.md)."""
    return dt.datetime.fromtimestamp(mtime_ns / 1e9, ZoneInfo(timezone)).replace(tzinfo=None, microsecond=0)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def classify_path(path: str, profile: Profile) -> tuple[str | None, str | None, str | None]:
    """(feed, sender, rejection code or None) from landing/<feed>/<sender>/<file>."""
    parts = path.split("/")
    feed = parts[0] if len(parts) > 1 else None
    if len(parts) < 3:
        return (feed if feed in load_contracts() else None), None, "bad_path"
    sender = parts[1]
    if feed not in load_contracts():
        return None, sender, "unknown_feed"
    if sender not in profile.sender_codes:
        return feed, sender, "unknown_sender"
    return feed, sender, None


@dataclass
class InventoryResult:
    new_files: int
    pending: int
    duplicates: int
    rejected: int


def register_new_files(
    con: duckdb.DuckDBPyConnection, landing: Path, profile: Profile, run_id: str, now: dt.datetime
) -> InventoryResult:
    seen = {
        (p, s, m)
        for p, s, m in con.execute(
            "SELECT path, size_bytes, mtime_ns FROM meta.files UNION ALL SELECT path, size_bytes, mtime_ns FROM meta.inbox"
        ).fetchall()
    }
    new = [f for f in scan_landing(landing) if (f.path, f.size_bytes, f.mtime_ns) not in seen]
    if not new:
        return InventoryResult(0, con.execute("SELECT count(*) FROM meta.inbox").fetchall()[0][0], 0, 0)

    known_sha: dict[str, int] = dict(
        con.execute(
            "SELECT sha256, min(file_id) FROM (SELECT sha256, file_id FROM meta.files WHERE status <> 'duplicate' "
            "UNION ALL SELECT sha256, file_id FROM meta.inbox) GROUP BY sha256"
        ).fetchall()
    )
    rows = []
    for f in new:
        rows.append(
            {
                "path": f.path,
                "size_bytes": f.size_bytes,
                "mtime_ns": f.mtime_ns,
                "received_at": received_at(f.mtime_ns, profile.timezone),
                "sha256": sha256_of(landing / f.path),
            }
        )
    # Earlier received first, then path (feeds.md): the first copy of a content is the original.
    rows.sort(key=lambda r: (r["received_at"], r["path"]))
    files, inbox = [], []
    duplicates = rejected = 0
    # one round trip for all ids: a query per file costs seconds on a year of files
    ids = [r[0] for r in con.execute("SELECT nextval('meta.file_id_seq') FROM range(?)", [len(rows)]).fetchall()]
    for file_id, row in zip(ids, rows):
        feed, sender, reject = classify_path(row["path"], profile)
        base = {**row, "file_id": file_id, "feed": feed, "sender_code": sender, "run_id": run_id}
        if row["sha256"] in known_sha:
            duplicates += 1
            files.append({**base, "status": "duplicate", "duplicate_of": known_sha[row["sha256"]],
                          "reject_code": None, "reason": None})
            continue
        known_sha[row["sha256"]] = file_id
        if reject:
            rejected += 1
            files.append({**base, "status": "rejected", "duplicate_of": None,
                          "reject_code": reject, "reason": FILE_REJECTIONS[reject]})
        else:
            inbox.append(base)

    con.execute("BEGIN TRANSACTION")
    try:
        if files:
            frame = pl.DataFrame(files).with_columns(pl.lit(now).alias("loaded_at"))
            con.register("_new_files", frame)
            con.execute(
                """INSERT INTO meta.files (file_id, path, feed, sender_code, sha256, size_bytes, mtime_ns, received_at,
                       loaded_at, run_id, status, rows_total, rows_loaded, rows_quarantined, rows_skipped,
                       reject_code, reason, duplicate_of)
                   SELECT file_id, path, feed, sender_code, sha256, size_bytes, mtime_ns, received_at, loaded_at, run_id,
                       status, 0, 0, 0, 0, reject_code, reason, duplicate_of FROM _new_files"""
            )
            con.unregister("_new_files")
        if inbox:
            frame = pl.DataFrame(inbox).with_columns(pl.lit(now).alias("found_at"))
            con.register("_new_inbox", frame)
            con.execute(
                """INSERT INTO meta.inbox SELECT file_id, path, feed, sender_code, sha256, size_bytes, mtime_ns,
                       received_at, found_at, run_id FROM _new_inbox"""
            )
            con.unregister("_new_inbox")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    pending = con.execute("SELECT count(*) FROM meta.inbox").fetchall()[0][0]
    return InventoryResult(len(new), pending, duplicates, rejected)
