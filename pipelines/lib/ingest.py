"""Ingest the pending files of one feed: read, parse, validate, quarantine, load.

Rows are processed in chunks of at most ``ingest.chunk_rows`` rows (county profile): the
small files of a feed are validated together (one GX run per chunk: a county sends ~1,500
small files a year and per-file validation would cost minutes), and a file larger than a
chunk is read (a text file streamed from disk), parsed, validated and appended chunk by
chunk, so peak memory is set by the chunk size, not by the largest file. Chunks are
staged, and published into raw/meta by one transaction only between files (``_Writer``),
so a run killed half-way leaves no partial file; a file's counts, quarantined row numbers
and duplicate record ids come out as if it had been evaluated in one frame.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import stat
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib import gx_process
from pipelines.lib.contracts import Contract
from pipelines.lib.layout_detect import KINDS, SheetHeader, classify_rows, find_sheet, no_data_rows
from pipelines.lib.masking import mask_expr
from pipelines.lib.parsing import parse_rows
from pipelines.lib.profile import Profile
from pipelines.lib.profile_schema import Ingest
from pipelines.lib.reading import SheetFrame, TextReading, WorkbookLimits, read_book
from pipelines.lib.reasons import reason_table
from pipelines.lib.rules import Rejection
from pipelines.lib.validation import add_check_flags, plan_checks
from warehouse.layout import AUDIT_COLUMNS

log = logging.getLogger(__name__)

# Bytes of landing files read ahead of the batch being processed (a batch of ~250,000 rows
# is 20-40 MB of .xlsx / .csv): reading the next batch overlaps validating this one.
READ_AHEAD_BYTES = 48 * 2**20


FILE_STATS_SCHEMA = {
    "file_id": pl.Int64,
    "header_row": pl.Int32,
    "reject_code": pl.String,
    "reason": pl.String,
    "encoding": pl.String,
    "file_format": pl.String,
    "status": pl.String,
    "rows_total": pl.Int32,
    "rows_loaded": pl.Int32,
    "rows_quarantined": pl.Int32,
    "rows_skipped": pl.Int32,
}


@dataclass
class FeedIngestResult:
    feed: str
    files: int = 0
    loaded_files: int = 0
    rejected_files: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_skipped: int = 0
    quarantined_cells: int = 0
    rules_broken: dict[str, int] = field(default_factory=dict)
    files_with_quarantine: list[str] = field(default_factory=list)


def _pending(con: duckdb.DuckDBPyConnection, feed: str) -> pl.DataFrame:
    return con.sql("SELECT * FROM meta.inbox WHERE feed = ? ORDER BY received_at, path", params=[feed]).pl()


@dataclass
class _Sheet:
    file_id: int
    sheet: SheetFrame
    header: SheetHeader


def read_or_reject(
    path: Path,
    file_id: int,
    contract: Contract,
    data: bytes | None = None,
    limits: WorkbookLimits | None = None,
    text: TextReading | None = None,
) -> tuple[_Sheet | None, dict]:
    """Read one file (recognised by content; ``data``: its bytes, when they are not on disk
    yet) and find the sheet holding the feed's header; returns it, or None with the
    rejection details. ``text``: a text file is read in chunks (the sheet's ``more``)."""
    file_format = path.suffix.lower().lstrip(".") or None
    try:
        if data is None and not stat.S_ISREG(
            os.lstat(path).st_mode
        ):  # swapped for a FIFO or a link since the inventory
            raise Rejection("not_regular")
        book = read_book(path, data, limits=limits, text=text)
        file_format = book.file_format
        sheet, header = find_sheet(book, contract)
        return _Sheet(file_id, sheet, header), {"file_format": sheet.file_format, "encoding": sheet.encoding}
    except Rejection as rejection:
        return None, {"reject_code": rejection.code, "reason": rejection.reason, "file_format": file_format}
    except Exception as exc:  # noqa: BLE001 - one file's surprise must reject that file, never stop the run
        rejection = _unexpected(exc)
        # the class only: a reader's message may quote cells (personal data stays out of logs)
        log.warning("file %s rejected: %s while reading it", file_id, type(exc).__name__)
        return None, {"reject_code": rejection.code, "reason": rejection.reason, "file_format": file_format}


def _unexpected(exc: Exception) -> Rejection:
    if isinstance(exc, FileNotFoundError):
        return Rejection("vanished")
    if isinstance(exc, OSError):
        return Rejection("unreadable", exc.strerror or type(exc).__name__)
    return Rejection("unreadable", f"读取时出错（{type(exc).__name__}），请重新导出后报送")


def _read_all(
    pending: pl.DataFrame,
    landing: Path,
    contract: Contract,
    limits: WorkbookLimits | None = None,
    text: TextReading | None = None,
):
    """Every pending file read, in order, by two threads that keep reading while the caller
    parses and validates a batch (calamine and the CSV decoder release the GIL; GX holds
    it): up to READ_AHEAD_BYTES of files are in flight or waiting, so memory stays bounded
    however large the files (a province's enterprise register sends 15,000-row sheets). A
    text file is read here only up to its first chunk; the caller reads on."""
    entries = pending.select("path", "file_id", "size_bytes").iter_rows()
    window: deque = deque()
    in_window = 0
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        for path, file_id, size in entries:
            while window and in_window + (size or 0) > READ_AHEAD_BYTES:
                done, done_size = window.popleft()
                in_window -= done_size
                yield done.result()
            window.append(
                (pool.submit(read_or_reject, landing / path, file_id, contract, None, limits, text), size or 0)
            )
            in_window += size or 0
        while window:
            yield window.popleft()[0].result()


def registered_ids(con: duckdb.DuckDBPyConnection, contract: Contract) -> dict[str, pl.Series]:
    refs: dict[str, pl.Series] = {}
    for column in contract.columns:
        if column.references:
            feed, key = column.references["feed"], column.references["column"]
            refs[feed] = con.sql(f'SELECT DISTINCT "{key}" AS id FROM raw.{feed} WHERE "{key}" IS NOT NULL').pl()["id"]
    return refs


# Stands for "the register has ids, none of them in this batch": no real id is empty.
NO_ID_IN_BATCH = ""


def _refs_in_batch(known_refs: dict[str, pl.Series], parsed: pl.DataFrame, contract: Contract) -> dict[str, list[str]]:
    """The registered ids this batch names. A value is in the register exactly when it is in
    this subset, and GX deep-copies an expectation's value_set several times: the province's
    enterprise register holds ~1.4 M codes, a weekly file names a few hundred (a 1,400-row
    file took 2 s to validate against the whole register)."""
    subsets: dict[str, list[str]] = {}
    for column in contract.columns:
        if not column.references or not len(known_refs.get(column.references["feed"], [])):
            continue
        feed = column.references["feed"]
        named = parsed.get_column(column.name).drop_nulls().unique()
        seen = named.filter(named.is_in(known_refs[feed].implode())).to_list()
        subsets[feed] = sorted(set(subsets.get(feed, [])) | set(seen)) or [NO_ID_IN_BATCH]
    return subsets


def _settings(profile: Profile) -> Ingest:
    """The profile's ``ingest`` section with its defaults (pipelines/lib/profile_schema.py)."""
    return Ingest.model_validate(profile.config.get("ingest") or {})


def chunk_rows(profile: Profile) -> int:
    """Rows parsed, validated and appended at a time (profile ``ingest.chunk_rows``)."""
    return _settings(profile).chunk_rows


def text_reading(profile: Profile) -> TextReading:
    settings = _settings(profile)
    return TextReading(chunk_rows=settings.chunk_rows, max_file_mb=settings.max_text_file_mb)


def batch_rows(default: int = Ingest().chunk_rows) -> int:
    """Rows after which the transaction commits, at the end of a file (SAFETYWH_INGEST_BATCH_ROWS;
    by default a chunk): a file is never split over two transactions."""
    text = os.environ.get("SAFETYWH_INGEST_BATCH_ROWS", str(default))
    if not text.strip().isdigit() or int(text) < 1:
        raise ValueError(f"SAFETYWH_INGEST_BATCH_ROWS must be a positive whole number of rows, not {text!r}")
    return int(text)


@dataclass
class _Piece:
    """Rows of one sheet evaluated in a chunk: ``offset`` rows of the sheet come before them."""

    file_id: int
    frame: pl.DataFrame
    header: SheetHeader
    offset: int
    midnight_dates: bool
    split: bool  # the sheet spans more than one chunk: its record ids are compared across chunks


def _pieces(sheet: _Sheet, size: int):
    """A sheet in pieces of at most ``size`` rows: a workbook's sheet (read whole, bounded by
    workbook_limits) sliced, a text file's chunks as the reader streams them."""
    frame, more = sheet.sheet.frame, sheet.sheet.more
    split = more is not None or frame.height > size
    for at in range(0, max(frame.height, 1), size):
        yield _Piece(sheet.file_id, frame.slice(at, size), sheet.header, at, sheet.sheet.midnight_dates, split)
    offset = frame.height
    sheet.sheet.frame = frame.clear()  # the first rows are in their piece now
    del frame
    for chunk in more or ():
        yield _Piece(sheet.file_id, chunk, sheet.header, offset, sheet.sheet.midnight_dates, True)
        offset += chunk.height


@dataclass
class _Tally:
    """A file's outcome summed over its chunks."""

    record: dict
    path: str
    total: int = 0
    data: int = 0
    loaded: int = 0
    quarantined: int = 0
    footer_seen: bool = False
    split: bool = False
    rules: dict[str, int] = field(default_factory=dict)
    header: SheetHeader | None = None
    last_row: int = 0  # the last sheet row read: a no_rows reason names the rows searched
    kinds: dict[str, int] = field(default_factory=dict)  # rows per kind, for the same reason

    def add(self, counts: dict) -> None:
        self.total += counts["total"]
        self.data += counts["data"]
        self.loaded += counts["loaded"]
        self.quarantined += counts["quarantined"]
        self.footer_seen |= counts["footer"]
        self.last_row = max(self.last_row, counts["last_row"])
        for kind, n in counts["kinds"].items():
            self.kinds[kind] = self.kinds.get(kind, 0) + n

    def no_rows(self) -> Rejection:
        if self.header is None:
            return Rejection("no_rows")
        return no_data_rows(self.header, self.last_row, self.kinds)

    def reject(self, rejection: Rejection) -> None:
        self.record.update(reject_code=rejection.code, reason=rejection.reason, header_row=None, encoding=None)
        self.total = self.data = self.loaded = self.quarantined = 0
        self.rules = {}

    @property
    def accepted(self) -> bool:
        return self.record["header_row"] is not None

    def stats(self) -> dict:
        if not self.accepted:
            return {
                **self.record,
                "status": "rejected",
                "rows_total": 0,
                "rows_loaded": 0,
                "rows_quarantined": 0,
                "rows_skipped": 0,
            }
        return {
            **self.record,
            "status": "loaded",
            "rows_total": self.total,
            "rows_loaded": self.loaded,
            "rows_quarantined": self.quarantined,
            "rows_skipped": self.total - self.data,
        }


def ingest_feed(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    profile: Profile,
    landing: Path,
    run_id: str,
    now: dt.datetime,
) -> FeedIngestResult:
    result = FeedIngestResult(contract.feed)
    pending = _pending(con, contract.feed)
    if pending.is_empty():
        return result
    result.files = pending.height
    known_refs = registered_ids(con, contract)
    size = chunk_rows(profile)
    commit_after = batch_rows(size)
    writer = _Writer(con, contract, pending, run_id, now)
    paths = dict(pending.select("file_id", "path").iter_rows())
    tallies: dict[int, _Tally] = {}  # the files of the open transaction, in order
    queued: list[_Piece] = []  # rows waiting for the next chunk
    complete: list[int] = []  # files read to their end whose last rows may still be queued
    rows_in_transaction = 0

    def evaluate_queued() -> None:
        nonlocal queued
        if queued:
            chunk = evaluate_chunk(
                contract,
                profile,
                pending,
                queued,
                [tallies[p.file_id].footer_seen for p in queued],
                known_refs,
                run_id,
                now,
            )
            queued = []
            writer.append(chunk)
            for file_id, counts in chunk.counts.items():
                tallies[file_id].add(counts)
            for (file_id, rule), n in chunk.cells.items():
                tallies[file_id].rules[rule] = tallies[file_id].rules.get(rule, 0) + n
        for file_id in complete:
            _settle(writer, tallies[file_id])
        complete.clear()

    def commit() -> None:
        nonlocal tallies, rows_in_transaction
        evaluate_queued()
        if not tallies:
            return
        stats = [t.stats() for t in tallies.values()]
        writer.commit(pl.DataFrame(stats, schema=FILE_STATS_SCHEMA))
        for tally, row in zip(tallies.values(), stats):
            _count(result, tally, row)
        tallies, rows_in_transaction = {}, 0

    try:
        for entry, (sheet, details) in zip(
            pending.iter_rows(named=True),
            _read_all(pending, landing, contract, profile.workbook_limits(), text_reading(profile)),
        ):
            file_id = entry["file_id"]
            tally = tallies[file_id] = _Tally(file_record(file_id, sheet, details), paths[file_id])
            if sheet is None:
                continue
            tally.header = sheet.header
            pieces = _pieces(sheet, size)
            while True:
                try:
                    piece = next(pieces, None)
                except Exception as exc:  # noqa: BLE001 - a chunk unreadable half-way rejects its file whole
                    rejection = exc if isinstance(exc, Rejection) else _unexpected(exc)
                    log.warning("file %s rejected: %s while reading a chunk", file_id, type(exc).__name__)
                    queued = [p for p in queued if p.file_id != file_id]
                    writer.discard(file_id)
                    tally.reject(rejection)
                    break
                if piece is None:
                    complete.append(file_id)
                    break
                tally.split |= piece.split
                if queued and sum(p.frame.height for p in queued) + piece.frame.height > size:
                    evaluate_queued()
                queued.append(piece)
                rows_in_transaction += piece.frame.height
                if sum(p.frame.height for p in queued) >= size:
                    evaluate_queued()
            if rows_in_transaction >= commit_after:
                commit()
        commit()
    finally:
        writer.close()
    result.rules_broken = dict(sorted(result.rules_broken.items()))
    return result


def _settle(writer: _Writer, tally: _Tally) -> None:
    """A file read to its end and evaluated: its record ids compared across its chunks (a
    duplicate is quarantined wherever it is, as in one frame), and a file without a data
    row rejected whole (feeds.md: no_rows) — its skipped rows are not kept."""
    file_id = tally.record["file_id"]
    if not tally.accepted:
        return
    if tally.split:
        moved, cells = writer.settle_duplicates(file_id)
        tally.loaded -= moved
        tally.quarantined += moved
        if cells:
            tally.rules["duplicate_id"] = tally.rules.get("duplicate_id", 0) + cells
    if tally.data == 0:
        writer.discard(file_id)
        tally.reject(tally.no_rows())


def _count(result: FeedIngestResult, tally: _Tally, row: dict) -> None:
    if row["status"] != "loaded":
        result.rejected_files += 1
        return
    result.loaded_files += 1
    result.rows_loaded += row["rows_loaded"]
    result.rows_quarantined += row["rows_quarantined"]
    result.rows_skipped += row["rows_skipped"]
    if row["rows_quarantined"]:
        result.files_with_quarantine.append(tally.path)
    for rule, n in tally.rules.items():
        result.quarantined_cells += n
        result.rules_broken[rule] = result.rules_broken.get(rule, 0) + n


def file_record(file_id: int, sheet: _Sheet | None, details: dict) -> dict:
    """A file's record as read (header row, format, encoding or rejection), before evaluation."""
    record = {
        "file_id": file_id,
        "header_row": None,
        **{k: None for k in ("reject_code", "reason", "encoding")},
        **details,
    }
    if sheet is not None:
        record["header_row"] = sheet.header.header_row
    return record


@dataclass
class ChunkEvaluation:
    """What a chunk of rows would write: the rows that load, the broken cells, the skipped
    rows, the record ids of split files (compared across chunks when the file ends), and per
    file its counts in this chunk (total, data, loaded, quarantined, whether a footer row was
    seen) and its broken cells per rule. Computed without touching DuckDB."""

    raw_rows: pl.DataFrame
    quarantine: pl.DataFrame
    skipped_rows: pl.DataFrame
    ids: pl.DataFrame
    counts: dict[int, dict]
    cells: dict[tuple[int, str], int]


def evaluate_chunk(
    contract: Contract,
    profile: Profile,
    pending: pl.DataFrame,
    pieces: list[_Piece],
    footer_before: list[bool],
    known_refs: dict[str, pl.Series],
    run_id: str,
    now: dt.datetime,
) -> ChunkEvaluation:
    """Classify, parse, validate and quarantine one chunk (``pieces``: rows of one or more
    sheets, at most one piece of each; ``pending``: the files' meta.inbox rows). Pure: no DuckDB."""
    classified = classify_rows(
        [p.frame for p in pieces],
        [p.header for p in pieces],
        [p.file_id for p in pieces],
        contract,
        midnight_dates=[p.midnight_dates for p in pieces],
        row_offsets=[p.offset for p in pieces],
        footer_before=footer_before,
    )
    split = [p.file_id for p in pieces if p.split]
    pieces.clear()  # the cells now live in ``classified``: free the frames now
    counts = {
        key: {
            "total": total,
            "data": data,
            "footer": footer,
            "last_row": last_row,
            "kinds": {},
            "loaded": 0,
            "quarantined": 0,
        }
        for key, total, data, footer, last_row in classified.group_by("_file_key")
        .agg(
            pl.len(),
            (pl.col("_kind") == "data").sum().alias("data"),
            (pl.col("_kind") == "footer").any().alias("footer"),
            pl.col("_row_number").max().alias("last_row"),
        )
        .iter_rows()
    }
    for key, kind, n in classified.group_by("_file_key", "_kind").len().iter_rows():
        counts[key]["kinds"][kind] = n
    order = {file_id: i for i, file_id in enumerate(pending["file_id"])}
    skipped_rows = (
        classified.filter(pl.col("_kind") != "data")
        .select(
            pl.col("_file_key").alias("file_id"),
            pl.col("_row_number").alias("row_number"),
            pl.col("_kind").alias("kind"),
        )
        .sort(
            pl.col("file_id").replace_strict(order, return_dtype=pl.Int64),
            pl.col("kind").replace_strict({k: i for i, k in enumerate(KINDS)}, return_dtype=pl.Int8),
            "row_number",
        )
    )
    rows = classified.filter(pl.col("_kind") == "data").drop("_kind").with_row_index("_rid")
    del classified
    parsed = add_check_flags(parse_rows(rows, contract, profile.township_lookup()), contract)
    del rows
    checks = plan_checks(contract, now, _refs_in_batch(known_refs, parsed, contract))
    failures = gx_process.validate(parsed, contract, checks)

    bad_rids = failures.get_column("_rid").unique().implode()
    quarantine = _quarantine_frame(parsed, failures, contract, pending, run_id, now)
    cells = {(f, r): n for f, r, n in quarantine.group_by("file_id", "rule").len().iter_rows()}
    for key, ok, bad in (
        parsed.group_by("_file_key")
        .agg((~pl.col("_rid").is_in(bad_rids)).sum().alias("loaded"), pl.col("_rid").is_in(bad_rids).sum().alias("bad"))
        .iter_rows()
    ):
        counts[key].update(loaded=ok, quarantined=bad)
    ids = _split_ids(parsed, failures, contract, split, bad_rids)
    raw_rows = _raw_frame(parsed.filter(~pl.col("_rid").is_in(bad_rids)), contract, pending, run_id, now)
    return ChunkEvaluation(raw_rows, quarantine, skipped_rows, ids, counts, cells)


def _split_ids(
    parsed: pl.DataFrame, failures: pl.DataFrame, contract: Contract, split: list[int], bad_rids
) -> pl.DataFrame:
    """The record ids of the data rows of split files: the id as checked (typed), as sent
    (masked when personal, as the quarantine shows it), whether the row loaded and whether
    this chunk's validation already found it a duplicate."""
    key, raw = contract.record_id, f"{contract.record_id}__raw"
    flagged = failures.filter(pl.col("rule") == "duplicate_id").get_column("_rid").unique().implode()
    shown = mask_expr(pl.col(raw)) if key in contract.personal else pl.col(raw)
    return parsed.filter(pl.col("_file_key").is_in(split) & pl.col(key).is_not_null()).select(
        pl.col("_file_key").alias("file_id"),
        pl.col(key).cast(pl.String).alias("record_id"),
        shown.alias("value"),
        pl.col("_row_number").alias("row_number"),
        (~pl.col("_rid").is_in(bad_rids)).alias("loaded"),
        pl.col("_rid").is_in(flagged).alias("flagged"),
    )


@dataclass
class BatchEvaluation:
    """What a batch of files would write: the per-file outcome (FILE_STATS_SCHEMA, in the
    order of the batch's file records), the rows that load, the broken cells and the
    skipped rows. Computed without touching DuckDB, so a portal check gives what a run gives."""

    stats: pl.DataFrame
    raw_rows: pl.DataFrame
    quarantine: pl.DataFrame
    skipped_rows: pl.DataFrame


def evaluate_batch(
    contract: Contract,
    profile: Profile,
    pending: pl.DataFrame,
    sheets: list[_Sheet],
    file_rows: list[dict],
    known_refs: dict[str, pl.Series],
    run_id: str,
    now: dt.datetime,
) -> BatchEvaluation:
    """The portal's check: whole sheets (read without chunks) evaluated as one chunk, with
    the outcome a run gives (``pending``: their meta.inbox rows; ``file_rows``: one record
    per file as read). Pure: no DuckDB."""
    pieces = [_Piece(s.file_id, s.sheet.frame, s.header, 0, s.sheet.midnight_dates, False) for s in sheets]
    headers = {s.file_id: s.header for s in sheets}
    sheets.clear()
    chunk = evaluate_chunk(contract, profile, pending, pieces, [False] * len(pieces), known_refs, run_id, now)
    stats, empty = [], []
    for record in file_rows:
        tally = _Tally(record, "", header=headers.get(record["file_id"]))
        counts = chunk.counts.get(record["file_id"])
        if tally.accepted:
            if counts:
                tally.add(counts)
            if tally.data == 0:  # a sheet with a header but no data row is rejected whole (feeds.md: no_rows)
                tally.reject(tally.no_rows())
                empty.append(record["file_id"])
        stats.append(tally.stats())
    skipped = chunk.skipped_rows.filter(~pl.col("file_id").is_in(empty))
    return BatchEvaluation(pl.DataFrame(stats, schema=FILE_STATS_SCHEMA), chunk.raw_rows, chunk.quarantine, skipped)


def _raw_frame(
    good: pl.DataFrame, contract: Contract, pending: pl.DataFrame, run_id: str, now: dt.datetime
) -> pl.DataFrame:
    files = pending.select(
        pl.col("file_id").alias("_file_key"),
        pl.col("path").alias("_source_path"),
        pl.col("sha256").alias("_file_sha256"),
        pl.col("sender_code").alias("_sender_code"),
        pl.col("received_at").alias("_received_at"),
    )
    return good.join(files, on="_file_key", how="left").select(
        *contract.names,
        pl.col("_file_key").alias("_file_id"),
        "_source_path",
        "_file_sha256",
        "_row_number",
        "_sender_code",
        "_received_at",
        pl.lit(now).alias("_loaded_at"),
        pl.lit(run_id).alias("_run_id"),
    )


def _quarantine_frame(
    parsed: pl.DataFrame,
    failures: pl.DataFrame,
    contract: Contract,
    pending: pl.DataFrame,
    run_id: str,
    now: dt.datetime,
) -> pl.DataFrame:
    """One row per broken cell, with the value as sent (masked when personal) and the reason."""
    # only the rows with a broken cell: unpivoting every row would hold rows x columns cells
    failing = parsed.filter(pl.col("_rid").is_in(failures.get_column("_rid").unique().implode()))
    raw_values = failing.select(
        "_rid",
        "_file_key",
        "_row_number",
        pl.col(f"{contract.record_id}__raw").alias("record_id"),
        *[pl.col(f"{c.name}__raw").alias(c.name) for c in contract.columns],
    ).unpivot(index=["_rid", "_file_key", "_row_number", "record_id"], variable_name="column", value_name="value")
    personal = contract.personal
    frame = (
        failures.join(raw_values, on=["_rid", "column"], how="left")
        .join(reason_table(contract), on=["column", "rule"], how="left")
        .join(pending.select(pl.col("file_id").alias("_file_key"), "path", "sender_code"), on="_file_key", how="left")
        .with_columns(
            pl.col("column").is_in(personal).alias("is_personal"),
        )
        .with_columns(
            pl.when(pl.col("is_personal")).then(mask_expr(pl.col("value"))).otherwise(pl.col("value")).alias("value"),
        )
    )
    return frame.select(
        pl.col("_file_key").alias("file_id"),
        pl.lit(contract.feed).alias("feed"),
        "sender_code",
        "path",
        pl.col("_row_number").alias("row_number"),
        "record_id",
        pl.col("column").alias("column_name"),
        "column_header",
        "value",
        "is_personal",
        "rule",
        "reason",
        pl.lit(run_id).alias("run_id"),
        pl.lit(now).alias("quarantined_at"),
    ).sort("file_id", "row_number", "column_name")


# DuckDB's memory limit while a feed is ingested (restored after): the blocks written are
# otherwise kept cached up to 80 % of RAM (~35 MB per 100,000 hazards rows).
INGEST_MEMORY_LIMIT = "512MB"
# Where a file's chunks wait for the transaction that publishes them (dropped after each feed).
STAGE = "ingest_stage"


class _Writer:
    """Stages chunks and publishes them with the files' records in one transaction.

    Each chunk is appended to the stage tables and committed there (DuckDB keeps ~0.4 KB per
    row resident for rows appended inside an open transaction, so a 2 M-row file in one
    transaction would hold ~0.8 GB however small its chunks); at the end of a batch of files
    one transaction moves the staged rows into raw.<feed>, meta.quarantine and
    meta.skipped_rows, writes meta.files and settles the inbox (one INSERT ... SELECT per
    table: DuckDB streams it within its memory limit). A killed run leaves rows only in the
    stage, which nothing reads and the next ingestion drops: never part of a file in raw or
    meta."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, contract: Contract, pending: pl.DataFrame, run_id: str, now: dt.datetime
    ):
        self.con, self.contract, self.pending, self.run_id, self.now = con, contract, pending, run_id, now
        self.raw_columns = ", ".join([f'"{n}"' for n in contract.names] + list(AUDIT_COLUMNS))
        self.memory_limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        con.execute(f"SET memory_limit = '{INGEST_MEMORY_LIMIT}'")
        con.execute(f"DROP SCHEMA IF EXISTS {STAGE} CASCADE")  # what a killed run left
        con.execute(f"CREATE SCHEMA {STAGE}")
        con.execute(f"CREATE TABLE {STAGE}.raw AS SELECT {self.raw_columns} FROM raw.{contract.feed} LIMIT 0")
        con.execute(f"CREATE TABLE {STAGE}.quarantine AS SELECT * FROM meta.quarantine LIMIT 0")
        con.execute(f"CREATE TABLE {STAGE}.skipped_rows AS SELECT * FROM meta.skipped_rows LIMIT 0")
        con.execute(
            f"CREATE TABLE {STAGE}.ids (file_id BIGINT, record_id VARCHAR, value VARCHAR, row_number INTEGER, "
            "loaded BOOLEAN, flagged BOOLEAN)"
        )

    def _insert(self, sql: str, frame: pl.DataFrame) -> None:
        if frame.height:
            self.con.register("_chunk", frame)
            try:
                self.con.execute(sql)
            finally:
                self.con.unregister("_chunk")

    def append(self, chunk: ChunkEvaluation) -> None:
        self._insert(f"INSERT INTO {STAGE}.raw SELECT {self.raw_columns} FROM _chunk", chunk.raw_rows)
        self._insert(f"INSERT INTO {STAGE}.quarantine BY NAME SELECT * FROM _chunk", chunk.quarantine)
        self._insert(f"INSERT INTO {STAGE}.skipped_rows BY NAME SELECT * FROM _chunk", chunk.skipped_rows)
        self._insert(f"INSERT INTO {STAGE}.ids BY NAME SELECT * FROM _chunk", chunk.ids)

    def discard(self, file_id: int) -> None:
        """Take back what was staged for a file (rejected half-way, or without a data row)."""
        for table, column in (
            ("raw", "_file_id"),
            ("quarantine", "file_id"),
            ("skipped_rows", "file_id"),
            ("ids", "file_id"),
        ):
            self.con.execute(f"DELETE FROM {STAGE}.{table} WHERE {column} = ?", [file_id])

    def settle_duplicates(self, file_id: int) -> tuple[int, int]:
        """A record id that appears in two chunks of a file is a duplicate as in one frame:
        every row carrying it gets the duplicate_id cell (unless its chunk gave it one), and
        those that had loaded leave the raw rows. Returns (rows moved from loaded to
        quarantined, cells added)."""
        con, contract = self.con, self.contract
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _ingest_dups AS
               SELECT i.* FROM {STAGE}.ids i
               WHERE i.file_id = $1 AND NOT i.flagged AND i.record_id IN (
                   SELECT record_id FROM {STAGE}.ids WHERE file_id = $1 GROUP BY record_id HAVING count(*) > 1)""",
            [file_id],
        )
        moved, cells = con.execute("SELECT count(*) FILTER (WHERE loaded), count(*) FROM _ingest_dups").fetchall()[0]
        if cells:
            con.execute(
                f"DELETE FROM {STAGE}.raw WHERE _file_id = ? AND _row_number IN "
                "(SELECT row_number FROM _ingest_dups WHERE loaded)",
                [file_id],
            )
            reason = reason_table(contract).filter(
                (pl.col("column") == contract.record_id) & (pl.col("rule") == "duplicate_id")
            )
            inbox = self.pending.filter(pl.col("file_id") == file_id)
            con.execute(
                f"""INSERT INTO {STAGE}.quarantine BY NAME
                   SELECT d.file_id, ? AS feed, ? AS sender_code, ? AS path, d.row_number, d.value AS record_id,
                          ? AS column_name, ? AS column_header, d.value, ? AS is_personal, 'duplicate_id' AS rule,
                          ? AS reason, ? AS run_id, ?::TIMESTAMP AS quarantined_at
                   FROM _ingest_dups d""",
                [
                    contract.feed,
                    inbox["sender_code"][0],
                    inbox["path"][0],
                    contract.record_id,
                    reason["column_header"][0],
                    contract.record_id in contract.personal,
                    reason["reason"][0],
                    self.run_id,
                    self.now,
                ],
            )
        con.execute("DROP TABLE _ingest_dups")
        con.execute(f"DELETE FROM {STAGE}.ids WHERE file_id = ?", [file_id])
        return moved, cells

    def commit(self, stats: pl.DataFrame) -> None:
        """The staged rows and the files' records published in one transaction, the inbox settled."""
        con = self.con
        files = self.pending.join(stats, on="file_id", how="inner").with_columns(
            pl.lit(self.now).alias("loaded_at"), pl.lit(self.run_id).alias("run_id")
        )
        con.register("_files", files)
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                """INSERT INTO meta.files (file_id, path, feed, sender_code, sha256, size_bytes, mtime_ns, received_at,
                       loaded_at, run_id, status, file_format, encoding, header_row, rows_total, rows_loaded,
                       rows_quarantined, rows_skipped, reject_code, reason, duplicate_of)
                   SELECT file_id, path, feed, sender_code, sha256, size_bytes, mtime_ns, received_at, loaded_at, run_id,
                       status, file_format, encoding, header_row, rows_total, rows_loaded, rows_quarantined, rows_skipped,
                       reject_code, reason, NULL FROM _files"""
            )
            con.execute(
                f"INSERT INTO raw.{self.contract.feed} ({self.raw_columns}) SELECT {self.raw_columns} FROM {STAGE}.raw"
            )
            con.execute(f"INSERT INTO meta.quarantine BY NAME SELECT * FROM {STAGE}.quarantine")
            con.execute(f"INSERT INTO meta.skipped_rows BY NAME SELECT * FROM {STAGE}.skipped_rows")
            con.execute("DELETE FROM meta.inbox WHERE file_id IN (SELECT file_id FROM _files)")
            for table in ("raw", "quarantine", "skipped_rows", "ids"):
                con.execute(f"DELETE FROM {STAGE}.{table}")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("_files")

    def close(self) -> None:
        """The stage dropped and DuckDB's memory limit restored (after success or failure)."""
        try:
            self.con.execute(f"DROP SCHEMA IF EXISTS {STAGE} CASCADE")
        finally:
            self.con.execute(f"SET memory_limit = '{self.memory_limit}'")
