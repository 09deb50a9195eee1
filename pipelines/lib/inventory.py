"""Find new files under <home>/landing, hash them, and settle what needs no reading.

A file is new when its (path, size, mtime) has not been seen. The content last registered
at the same path found again with a new mtime (a ``touch``) is no sending: it goes to
meta.touches, not meta.files, and is credited as nothing. Identical content already
received under another name is a sending, recorded as ``duplicate``; a file outside
``landing/<feed>/<sender>/`` or from an unknown sender is rejected; the rest wait in
meta.inbox for their feed's ingestion step. All in one transaction.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from pipelines.lib.contracts import load_contracts
from pipelines.lib.profile import Profile
from pipelines.lib.rules import FILE_REJECTIONS, Rejection

# Never registered: Excel's lock files (``~$…``, open workbooks) and the generator's notes
# (top-level ``_generator/``). Every other entry is registered: a readable file is read, and
# anything else (a symlink, a FIFO, a hidden or undecodable name, ...) is settled as rejected
# once, so it can neither stop a run nor stay pending for every later run.
EXCEL_LOCK_PREFIX = "~$"
GENERATOR_FOLDER = "_generator"


@dataclass(frozen=True)
class FoundFile:
    path: str  # relative to landing, forward slashes
    size_bytes: int
    mtime_ns: int
    problem: str | None = None  # a FILE_REJECTIONS code: an entry that is not read at all
    detail: str = ""


def _entry_text(name: str) -> str | None:
    """The name as text, or None when it is not UTF-8 (a Windows zip's GBK name)."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return None


def _shown_name(name: str) -> str:
    raw = os.fsencode(name)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


def scan_landing(landing: Path) -> list[FoundFile]:
    """Every entry under ``landing`` by lstat (symlinks are never followed, nothing is
    opened: a FIFO cannot block the scan)."""
    found: list[FoundFile] = []
    if not landing.is_dir():
        return found
    stack: list[tuple[str, str]] = [(str(landing), "")]
    while stack:
        folder, rel = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name, reverse=True)
        except FileNotFoundError:
            continue  # removed since its parent was listed
        except OSError as exc:
            if rel:
                found.append(
                    FoundFile(rel, 0, 0, "unreadable", f"文件夹无法打开（{exc.strerror or type(exc).__name__}）")
                )
            continue
        for entry in entries:
            name = entry.name
            if name.startswith(EXCEL_LOCK_PREFIX) or (not rel and name == GENERATOR_FOLDER):
                continue
            text = _entry_text(name)
            path = f"{rel}/{text if text is not None else _shown_name(name)}" if rel else (text or _shown_name(name))
            try:
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # gone between the listing and the stat: there is nothing to settle
            except OSError as exc:
                found.append(FoundFile(path, 0, 0, "unreadable", exc.strerror or type(exc).__name__))
                continue
            size, mtime = st.st_size, st.st_mtime_ns
            if text is None:
                found.append(FoundFile(path, size, mtime, "bad_name"))
            elif name.startswith("."):
                found.append(FoundFile(path, size, mtime, "hidden_name"))
            elif stat.S_ISLNK(st.st_mode):
                found.append(FoundFile(path, size, mtime, "symlink", _link_state(entry.path)))
            elif stat.S_ISDIR(st.st_mode):
                stack.append((entry.path, path))
            elif stat.S_ISREG(st.st_mode):
                found.append(FoundFile(path, size, mtime))
            else:
                found.append(FoundFile(path, size, mtime, "not_regular", _special_kind(st.st_mode)))
    found.sort(key=lambda f: f.path)
    return found


def _link_state(path: str) -> str:
    try:
        os.stat(path)
    except FileNotFoundError:
        return "链接指向的目标不存在"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "链接循环指向自身"
        return "链接目标无法访问"
    return "链接指向文件夹（报送单位的文件夹不能是链接）" if os.path.isdir(path) else ""


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "命名管道"
    if stat.S_ISSOCK(mode):
        return "套接字"
    if stat.S_ISBLK(mode) or stat.S_ISCHR(mode):
        return "设备文件"
    return ""


def received_at(mtime_ns: int, timezone: str) -> dt.datetime:
    """The file's modification time as wall clock in the county's zone (feeds.md)."""
    return dt.datetime.fromtimestamp(mtime_ns / 1e9, ZoneInfo(timezone)).replace(tzinfo=None, microsecond=0)


class Unreadable(Exception):
    """A landing entry that cannot be hashed; ``code`` is a FILE_REJECTIONS code."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code, self.detail = code, detail


def sha256_of(path: Path) -> str:
    """The file's sha256. Opened without following a symlink and without blocking (a FIFO
    swapped in after the scan opens at once and is refused by its fstat)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError as exc:
        raise Unreadable("vanished") from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Unreadable("symlink") from exc
        raise Unreadable("unreadable", exc.strerror or type(exc).__name__) from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Unreadable("not_regular", _special_kind(os.fstat(fd).st_mode))
        digest = hashlib.sha256()
        with os.fdopen(fd, "rb", closefd=False) as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()
    except OSError as exc:
        raise Unreadable("unreadable", exc.strerror or type(exc).__name__) from exc
    finally:
        os.close(fd)


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
    touched: int = 0  # files found again unchanged under the same path: not new files


def register_new_files(
    con: duckdb.DuckDBPyConnection, landing: Path, profile: Profile, run_id: str, now: dt.datetime
) -> InventoryResult:
    seen = {
        (p, s, m)
        for p, s, m in con.execute(
            "SELECT path, size_bytes, mtime_ns FROM meta.files UNION ALL SELECT path, size_bytes, mtime_ns FROM meta.inbox "
            "UNION ALL SELECT path, size_bytes, mtime_ns FROM meta.touches"
        ).fetchall()
    }
    new = [f for f in scan_landing(landing) if (f.path, f.size_bytes, f.mtime_ns) not in seen]
    if not new:
        return InventoryResult(0, con.execute("SELECT count(*) FROM meta.inbox").fetchall()[0][0], 0, 0)

    known_sha: dict[str, int] = dict(
        con.execute(
            "SELECT sha256, min(file_id) FROM (SELECT sha256, file_id FROM meta.files WHERE status <> 'duplicate' "
            "AND sha256 <> '' UNION ALL SELECT sha256, file_id FROM meta.inbox) GROUP BY sha256"
        ).fetchall()
    )
    # the content last registered at each path: the same content there again is a touch
    at_path: dict[str, tuple[str, int]] = {
        path: (sha, file_id)
        for path, sha, file_id in con.execute(
            "SELECT path, arg_max(sha256, file_id), max(file_id) FROM (SELECT path, sha256, file_id FROM meta.files "
            "UNION ALL SELECT path, sha256, file_id FROM meta.inbox) GROUP BY path"
        ).fetchall()
    }
    rows, touches = [], []
    for f in new:
        row = {
            "path": f.path,
            "size_bytes": f.size_bytes,
            "mtime_ns": f.mtime_ns,
            "received_at": received_at(f.mtime_ns, profile.timezone),
            "sha256": "",
            "problem": f.problem,
            "detail": f.detail,
        }
        if f.problem is None:
            try:
                row["sha256"] = sha256_of(landing / f.path)
            except Unreadable as exc:
                row["problem"], row["detail"] = exc.code, exc.detail
            last = at_path.get(f.path)
            if last and row["sha256"] and last[0] == row["sha256"]:
                # same path, same content, new mtime: not a sending (ranking.md counts files sent)
                touches.append(
                    {
                        "path": f.path,
                        "size_bytes": f.size_bytes,
                        "mtime_ns": f.mtime_ns,
                        "file_id": last[1],
                        "run_id": run_id,
                    }
                )
                continue
        rows.append(row)
    # Earlier received first, then path (feeds.md): the first copy of a content is the original.
    rows.sort(key=lambda r: (r["received_at"], r["path"]))
    files, inbox = [], []
    duplicates = rejected = 0
    # one round trip for all ids: a query per file costs seconds on a year of files
    ids = [r[0] for r in con.execute("SELECT nextval('meta.file_id_seq') FROM range(?)", [len(rows)]).fetchall()]
    for file_id, row in zip(ids, rows):
        problem, detail = row.pop("problem"), row.pop("detail")
        feed, sender, reject = classify_path(row["path"], profile)
        base = {**row, "file_id": file_id, "feed": feed, "sender_code": sender, "run_id": run_id}
        if problem is not None:
            # Not a file anyone can be told they sent: the data team hears of it (alerts
            # address a rejected entry without a known sender to contacts.data_team), and
            # the township is not credited with a sending.
            rejected += 1
            files.append(
                {
                    **base,
                    "sender_code": None,
                    "status": "rejected",
                    "duplicate_of": None,
                    "reject_code": problem,
                    "reason": Rejection(problem, detail).reason,
                }
            )
            continue
        if row["sha256"] in known_sha:
            duplicates += 1
            files.append(
                {
                    **base,
                    "status": "duplicate",
                    "duplicate_of": known_sha[row["sha256"]],
                    "reject_code": None,
                    "reason": None,
                }
            )
            continue
        known_sha[row["sha256"]] = file_id
        if reject:
            rejected += 1
            files.append(
                {
                    **base,
                    "status": "rejected",
                    "duplicate_of": None,
                    "reject_code": reject,
                    "reason": FILE_REJECTIONS[reject],
                }
            )
        else:
            inbox.append(base)

    con.execute("BEGIN TRANSACTION")
    try:
        if touches:
            frame = pl.DataFrame(touches).with_columns(pl.lit(now).alias("found_at"))
            con.register("_touches", frame)
            con.execute("INSERT INTO meta.touches BY NAME SELECT * FROM _touches")
            con.unregister("_touches")
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
    return InventoryResult(len(rows), pending, duplicates, rejected, len(touches))
