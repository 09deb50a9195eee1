"""A sender's submission, checked as a run would see it and landed atomically.

``check_submission`` answers "what will the warehouse do with this file?" with the code a
run uses (``ingest.read_or_reject`` and ``ingest.evaluate_batch``), read-only: it never
opens the writer's DuckDB file; registered ids and earlier files come from the published
copy, opened read-only. ``land_submission`` writes the file into
``landing/<feed>/<sender>/`` (a temporary file in ``<home>/.incoming/``, outside the
landing tree the run scans — a hidden name in landing is a rejection — fsync, then one
atomic link), so the next run sees the whole file or none of it, and returns the
receipt (回执). The portal and the mailbox call both; the sender always comes from the
caller's authentication, never from the file or a form.

Before reading, a submission passes the intake gates a folder drop never meets: a size
limit, a cap on what a workbook may expand to, no macros (profile ``submissions:``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from pipelines.lib.contracts import get_contract, load_contracts
from pipelines.lib.ingest import evaluate_batch, file_record, read_or_reject, registered_ids
from pipelines.lib.inventory import classify_path, received_at, scan_landing, sha256_of
from pipelines.lib.profile import Profile, load_profile
from pipelines.lib.rules import FILE_REJECTIONS
from warehouse.home import Home

DEFAULT_MAX_UPLOAD_MB = 20
DEFAULT_MAX_EXPANDED_MB = 200
STATUSES = ("would_load", "would_reject", "duplicate")
# The id a file under check carries in the evaluation (real ids come from a sequence, >= 1).
CHECK_FILE_ID = 0

# OLE2 (.xls / .et) and zip (.xlsx) workbooks, by their first bytes
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# the VBA project's storage name inside an OLE2 workbook (directory entries are UTF-16LE)
_OLE2_VBA = "_VBA_PROJECT".encode("utf-16-le")
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"|?*\\/]')


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_expanded_bytes: int

    @classmethod
    def of(cls, profile: Profile) -> Limits:
        """``submissions.max_upload_mb`` / ``max_expanded_mb`` of the profile (MB = 2**20 bytes)."""
        settings = profile.config.get("submissions") or {}
        upload = float(settings.get("max_upload_mb", DEFAULT_MAX_UPLOAD_MB))
        expanded = float(settings.get("max_expanded_mb", DEFAULT_MAX_EXPANDED_MB))
        if upload <= 0 or expanded <= 0:
            raise ValueError("profile submissions.max_upload_mb and max_expanded_mb must be positive")
        return cls(int(upload * 2**20), int(expanded * 2**20))


@dataclass(frozen=True)
class Problem:
    """One quarantined cell, as the sender must fix it."""

    row_number: int  # Excel row, 1-based, title and header rows counted
    column: str  # canonical name
    column_header: str  # Chinese header
    value: str | None  # as sent, masked when personal
    is_personal: bool
    rule: str
    reason: str  # Chinese: what is wrong and how to fix it


@dataclass
class CheckResult:
    feed: str
    sender: str
    filename: str  # the name it lands under (safe_filename)
    sha256: str
    size_bytes: int
    status: str  # would_load | would_reject | duplicate
    rows_total: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    reject_code: str | None = None
    reason: str | None = None
    duplicate_of: str | None = None  # landing path of the identical file already received
    header_row: int | None = None
    file_format: str | None = None
    encoding: str | None = None
    checked_at: dt.datetime | None = None

    @property
    def can_land(self) -> bool:
        return self.status == "would_load"

    def summary(self) -> str:
        """One Chinese sentence: what the next run will do with the file."""
        if self.status == "would_reject":
            return f"文件将被拒收，不会入库：{self.reason}"
        if self.status == "duplicate":
            return f"与已报送的文件 {self.duplicate_of} 内容完全相同，无需重复报送（不会重复入库）"
        text = f"将入库 {self.rows_loaded} 行，隔离 {self.rows_quarantined} 行，跳过 {self.rows_skipped} 行（标题、空白、合计等），共 {self.rows_total} 行"
        if self.rows_quarantined:
            text += f"；{len(self.problems)} 处单元格需要修改，修改后请重新报送"
        return text


@dataclass
class Receipt:
    """回执: what was received and what the next run will do with it."""

    landed: bool
    feed: str
    sender: str
    filename: str | None  # the name as landed (None when nothing landed)
    path: str | None  # relative to landing: <feed>/<sender>/<filename>
    sha256: str
    size_bytes: int
    received_at: dt.datetime  # Asia/Shanghai wall clock (the landed file's modification time)
    check: CheckResult

    @property
    def summary(self) -> str:
        return self.check.summary()

    def text(self) -> str:
        """The receipt as the sender reads it (portal, e-mail reply)."""
        lines = ["数据报送回执" if self.landed else "数据报送未被接收"]
        lines.append(f"数据类别：{get_contract(self.feed).label}（{self.feed}）")
        lines.append(f"报送单位：{load_profile().sender_name(self.sender)}（{self.sender}）")
        lines.append(f"文件名：{self.filename or self.check.filename}")
        lines.append(f"SHA-256：{self.sha256}")
        lines.append(f"{'接收' if self.landed else '处理'}时间：{self.received_at:%Y-%m-%d %H:%M:%S}（北京时间）")
        lines.append(f"处理结果：{self.summary}")
        if not self.landed:
            lines.append("文件未保存，请修改后重新报送。")
        return "\n".join(lines)


class SubmissionError(ValueError):
    """A submission addressed to something that is not a sender or not a feed (Chinese)."""


def now_local(profile: Profile) -> dt.datetime:
    return dt.datetime.now(ZoneInfo(profile.timezone)).replace(tzinfo=None, microsecond=0)


def safe_filename(filename: str, feed: str) -> str:
    """The name a submission lands under: the last path part only (a browser or a mail
    client may send ``C:\\Users\\..\\台账.xlsx``), no control or reserved characters, no
    leading dot, underscore, ``~`` or ``$`` (the inventory ignores such names as hidden,
    notes or Excel lock files), at most 120 characters with the extension kept."""
    name = unicodedata.normalize("NFC", str(filename or "")).replace("\\", "/").split("/")[-1]
    name = _UNSAFE_NAME.sub("_", name).strip()
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem.lstrip("._~$ \u3000").rstrip(". ") or f"{feed}报送"
    suffix = suffix.strip()[:10]
    stem = stem[: 120 - len(suffix) - 1]
    return f"{stem}.{suffix}" if suffix else stem


def _sender_feeds(profile: Profile, sender: str) -> list[str]:
    """The feeds a sender reports: a department's from departments.csv, a township's from the
    contracts that name ``townships`` among their owners."""
    contracts = load_contracts()
    departments = profile.departments.filter(pl.col("sender_code") == sender)
    if departments.height:  # in departments.csv's order
        return [f for f in (departments["feeds"][0] or "").split(";") if f in contracts]
    if sender in profile.township_codes:  # the scheduled ones (hazards) first
        scheduled = (profile.config.get("deadlines") or {}).get("township_feeds") or []
        owned = [f for f, c in contracts.items() if "townships" in c.owners]
        return sorted(owned, key=lambda f: (f not in scheduled, owned.index(f)))
    return []


def sender_feeds(sender: str, profile: Profile | None = None) -> list[str]:
    return _sender_feeds(profile or load_profile(), sender)


def _gate(data: bytes, suffix: str, limits: Limits) -> str | None:
    """Why a submission is refused before it is read (Chinese), or None."""
    if len(data) > limits.max_bytes:
        return (
            f"文件大小 {len(data) / 2**20:.1f} MB，超过报送上限 {limits.max_bytes / 2**20:g} MB："
            "请删除多余的工作表或格式后重新报送，或分多个文件报送"
        )
    if not data:
        return "文件是空的（0 字节），请选择填好的台账文件"
    if data.startswith(_ZIP_MAGIC):
        try:
            book = zipfile.ZipFile(io.BytesIO(data))
            names = book.infolist()
        except zipfile.BadZipFile:
            return None  # the reader says what is wrong with it
        if any(PurePosixPath(i.filename).name.lower() == "vbaproject.bin" for i in names):
            return "工作簿含有宏（VBA），为安全起见不予接收：请在 Excel 中“另存为” Excel 工作簿（.xlsx）后重新报送"
        expanded = sum(i.file_size for i in names)
        if expanded > limits.max_expanded_bytes:
            return (
                f"工作簿解压后达 {expanded / 2**20:.0f} MB，超过上限 {limits.max_expanded_bytes / 2**20:g} MB，"
                "可能已损坏或含有大量空白格式：请复制数据到新工作簿，另存为 .xlsx 后重新报送"
            )
    elif data.startswith(_OLE2_MAGIC) and _OLE2_VBA in data:
        return "工作簿含有宏（VBA），为安全起见不予接收：请在 Excel 中“另存为” Excel 工作簿（.xlsx）后重新报送"
    if suffix in (".xlsm", ".xltm", ".xlam"):
        return "启用宏的工作簿（.xlsm）不予接收：请在 Excel 中“另存为” Excel 工作簿（.xlsx）后重新报送"
    return None


def _published(home: Home) -> duckdb.DuckDBPyConnection | None:
    """The published copy attached read-only in a private in-memory database (no lock on
    the writer's file; a fresh instance sees the file now at that path), or None."""
    path = home.published_path
    if not path.is_file():
        return None
    con = duckdb.connect(":memory:")
    escaped = str(path).replace("'", "''")
    con.execute(f"ATTACH '{escaped}' AS wh (READ_ONLY)")
    con.execute("USE wh")
    return con


def _duplicate_of(home: Home, con: duckdb.DuckDBPyConnection | None, sha256: str, size: int) -> str | None:
    """The landing path of a file with this content already received, or None: the
    published register first, then landed files not yet run (only same-size ones are hashed)."""
    if con is not None:
        try:
            hit = con.execute(
                "SELECT path FROM meta.files WHERE sha256 = ? AND status <> 'duplicate' ORDER BY received_at, path LIMIT 1",
                [sha256],
            ).fetchall()
        except duckdb.CatalogException:
            hit = []
        if hit:
            return hit[0][0]
    for found in scan_landing(home.landing):
        if found.size_bytes == size and sha256_of(home.landing / found.path) == sha256:
            return found.path
    return None


def _known_ids(con: duckdb.DuckDBPyConnection | None, contract) -> dict[str, pl.Series]:
    if con is None:
        return {}
    try:
        return registered_ids(con, contract)
    except duckdb.CatalogException:  # published before that register existed
        return {}


def _validate_address(profile: Profile, feed: str, sender: str, name: str) -> None:
    _, _, reject = classify_path(f"{feed}/{sender}/{name}", profile)
    if reject == "unknown_feed":
        raise SubmissionError(f"数据类别 {feed!r} 不存在")
    if reject == "unknown_sender":
        raise SubmissionError(f"报送单位代码 {sender!r} 不在本县名录中")
    if reject:
        raise SubmissionError(FILE_REJECTIONS[reject])


def check_submission(
    home: Home | str | os.PathLike,
    feed: str,
    sender: str,
    filename: str,
    data: bytes,
    now: dt.datetime | None = None,
    profile: Profile | None = None,
) -> CheckResult:
    """What the next run would do with this file from this sender, computed by the run's
    own reading and evaluation, without writing anything."""
    home = home if isinstance(home, Home) else Home.resolve(home)
    profile = profile or load_profile()
    name = safe_filename(filename, feed)
    _validate_address(profile, feed, sender, name)
    now = now or now_local(profile)
    sha = hashlib.sha256(data).hexdigest()
    base = dict(feed=feed, sender=sender, filename=name, sha256=sha, size_bytes=len(data), checked_at=now)

    refused = _gate(data, Path(name).suffix.lower(), Limits.of(profile))
    if refused:
        return CheckResult(**base, status="would_reject", reject_code="not_a_table", reason=refused)

    con = _published(home)
    try:
        duplicate = _duplicate_of(home, con, sha, len(data))
        if duplicate:
            return CheckResult(**base, status="duplicate", duplicate_of=duplicate)
        contract = get_contract(feed)
        known = _known_ids(con, contract)
    finally:
        if con is not None:
            con.close()

    path = f"{feed}/{sender}/{name}"
    sheet, details = read_or_reject(Path(name), CHECK_FILE_ID, contract, data, profile.workbook_limits())
    record = file_record(CHECK_FILE_ID, sheet, details)
    pending = pl.DataFrame(
        {
            "file_id": [CHECK_FILE_ID],
            "path": [path],
            "feed": [feed],
            "sender_code": [sender],
            "sha256": [sha],
            "received_at": [now],
        },
        schema={
            "file_id": pl.Int64,
            "path": pl.String,
            "feed": pl.String,
            "sender_code": pl.String,
            "sha256": pl.String,
            "received_at": pl.Datetime("us"),
        },
    )
    evaluation = evaluate_batch(contract, profile, pending, [sheet] if sheet else [], [record], known, "check", now)
    stats = evaluation.stats.row(0, named=True)
    problems = [
        Problem(
            r["row_number"], r["column_name"], r["column_header"], r["value"], r["is_personal"], r["rule"], r["reason"]
        )
        for r in evaluation.quarantine.iter_rows(named=True)
    ]
    return CheckResult(
        **base,
        status="would_load" if stats["status"] == "loaded" else "would_reject",
        rows_total=stats["rows_total"],
        rows_loaded=stats["rows_loaded"],
        rows_quarantined=stats["rows_quarantined"],
        rows_skipped=stats["rows_skipped"],
        problems=problems,
        reject_code=stats["reject_code"],
        reason=stats["reason"],
        header_row=stats["header_row"],
        file_format=stats["file_format"],
        encoding=stats["encoding"],
    )


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _numbered(name: str, n: int) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}({n}).{suffix}" if dot and stem else f"{name}({n})"


def write_atomically(
    folder: Path, name: str, data: bytes, mtime: float | None = None, staging: Path | None = None
) -> str:
    """Write ``data`` as ``folder/name`` (``name(2)``, ``name(3)``… when taken) so that no
    reader ever sees part of it and no file is overwritten; returns the name used.
    ``mtime`` (POSIX seconds) is set before the file appears: it is the received time.
    ``staging`` holds the temporary file (same file system as ``folder``; default
    ``folder`` itself): landing's scan records a hidden name as a rejection, so a
    submission stages outside the landing tree."""
    folder.mkdir(parents=True, exist_ok=True)
    staging = staging or folder
    staging.mkdir(parents=True, exist_ok=True)
    temporary = staging / f".{name}.{os.getpid()}.{os.urandom(4).hex()}.part"
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            if mtime is not None:
                os.utime(handle.fileno(), (mtime, mtime))
            os.fsync(handle.fileno())
        for n in range(1, 10_000):
            candidate = name if n == 1 else _numbered(name, n)
            try:
                # a hard link appears atomically and, unlike a rename, refuses an existing name
                os.link(temporary, folder / candidate)
            except FileExistsError:
                continue
            _fsync_dir(folder)
            return candidate
        raise FileExistsError(f"{folder}: no free name for {name}")
    finally:
        temporary.unlink(missing_ok=True)


def land_submission(
    home: Home | str | os.PathLike,
    feed: str,
    sender: str,
    filename: str,
    data: bytes,
    now: dt.datetime | None = None,
    profile: Profile | None = None,
) -> Receipt:
    """Check the file and, when the next run would load it, land it under
    ``landing/<feed>/<sender>/``; a file that would be rejected or that duplicates one
    already received does not land. The receipt says which, and why."""
    home = home if isinstance(home, Home) else Home.resolve(home)
    profile = profile or load_profile()
    check = check_submission(home, feed, sender, filename, data, now=now, profile=profile)
    if not check.can_land:
        return Receipt(False, feed, sender, None, None, check.sha256, check.size_bytes, check.checked_at, check)
    folder = home.landing / feed / sender
    # an explicit ``now`` (a mail's arrival, a test's clock) is the received time; else the write's
    mtime = now.replace(tzinfo=ZoneInfo(profile.timezone)).timestamp() if now is not None else None
    landed = write_atomically(folder, check.filename, data, mtime, staging=home.root / ".incoming")
    if landed != check.filename:
        check.filename = landed
    received = received_at((folder / landed).stat().st_mtime_ns, profile.timezone)  # as the run will read it
    return Receipt(
        True, feed, sender, landed, f"{feed}/{sender}/{landed}", check.sha256, check.size_bytes, received, check
    )


# ------------------------------------------------------------------ the marked workbook

MARK_FILL = "FFF4C7C3"  # light red, as Excel's "bad" cell style
_HEADER_SPACE = re.compile(r"[\s*＊※]")


def _header_key(text) -> str:
    return _HEADER_SPACE.sub("", unicodedata.normalize("NFKC", str(text or "")))


def marked_workbook(result: CheckResult, data: bytes) -> bytes:
    """The sender's workbook with every quarantined cell filled red and commented with the
    reason and the fix, so the clerk corrects the file they sent. A text file (CSV) or an
    old .xls comes back as an .xlsx of the cells the warehouse read (no cell is a formula)."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    book = None
    if data.startswith(_ZIP_MAGIC):
        try:
            book = openpyxl.load_workbook(io.BytesIO(data))
        except Exception:  # noqa: BLE001 - whatever openpyxl cannot open is rebuilt from the cells read
            book = None
    if book is not None:
        sheet = _ledger_sheet(book, result)
    else:
        from pipelines.lib.reading import read_sheet_frame

        rows = read_sheet_frame(Path(result.filename), data).rows()
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "台账"
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    cell = sheet.cell(r, c)
                    cell.value = value
                    cell.data_type = "s"  # text as sent: "=..." stays text, never a formula
    positions = _header_positions(sheet, result.header_row)
    fill = PatternFill("solid", start_color=MARK_FILL, end_color=MARK_FILL)
    by_cell: dict[tuple[int, int], list[str]] = {}
    for problem in result.problems:
        column = positions.get(_header_key(problem.column_header))
        if column is not None:
            by_cell.setdefault((problem.row_number, column), []).append(problem.reason)
    for (row, column), reasons in by_cell.items():
        cell = sheet.cell(row, column)
        cell.fill = fill
        comment = Comment("\n".join(reasons), "宁乡市应急管理局数据质量")
        comment.width, comment.height = 320, 60 + 40 * len(reasons)
        cell.comment = comment
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header_positions(sheet, header_row: int | None) -> dict[str, int]:
    """Chinese header (white space and required markers removed) -> column number; the row
    above the header too (a two-row header's ungrouped columns are merged down)."""
    positions: dict[str, int] = {}
    if not header_row:
        return positions
    for row in (header_row, header_row - 1):
        if row < 1:
            continue
        for cell in sheet[row]:
            if cell.value is not None:
                positions.setdefault(_header_key(cell.value), cell.column)
    return positions


def _ledger_sheet(book, result: CheckResult):
    """The sheet holding the feed's header at the header row the check found."""
    wanted = {_header_key(p.column_header) for p in result.problems}
    for sheet in book.worksheets:
        if wanted & set(_header_positions(sheet, result.header_row)):
            return sheet
    return book.worksheets[0]
