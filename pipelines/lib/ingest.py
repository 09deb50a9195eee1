"""Ingest the pending files of one feed: read, parse, validate, quarantine, load.

All pending files of a feed are validated together (one GX run per feed per run: a county
sends ~1,500 small files a year and per-file validation would cost minutes), in batches of
whole files of about 250,000 rows when more arrives at once (memory stays bounded), each
batch written in one DuckDB transaction, so a run killed half-way leaves no partial file.
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
from pipelines.lib.reading import SheetFrame, WorkbookLimits, read_book
from pipelines.lib.reasons import reason_table
from pipelines.lib.rules import Rejection
from pipelines.lib.validation import add_check_flags, plan_checks
from warehouse.layout import AUDIT_COLUMNS

log = logging.getLogger(__name__)

# Rows read before a batch of files is parsed, validated and loaded (SAFETYWH_INGEST_BATCH_ROWS).
BATCH_ROWS = 250_000
# Bytes of landing files read ahead of the batch being processed (a batch of ~250,000 rows
# is 20-40 MB of .xlsx / .csv): reading the next batch overlaps validating this one.
READ_AHEAD_BYTES = 48 * 2**20


FILE_STATS_SCHEMA = {
    "file_id": pl.Int64, "header_row": pl.Int32, "reject_code": pl.String, "reason": pl.String,
    "encoding": pl.String, "file_format": pl.String, "status": pl.String, "rows_total": pl.Int32,
    "rows_loaded": pl.Int32, "rows_quarantined": pl.Int32, "rows_skipped": pl.Int32,
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


def read_or_reject(path: Path, file_id: int, contract: Contract, data: bytes | None = None,
                   limits: WorkbookLimits | None = None) -> tuple[_Sheet | None, dict]:
    """Read one file (recognised by content; ``data``: its bytes, when they are not on disk
    yet) and find the sheet holding the feed's header; returns it, or None with the
    rejection details."""
    file_format = path.suffix.lower().lstrip(".") or None
    try:
        if data is None and not stat.S_ISREG(os.lstat(path).st_mode):  # swapped for a FIFO or a link since the inventory
            raise Rejection("not_regular")
        book = read_book(path, data, limits=limits)
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


def _read_all(pending: pl.DataFrame, landing: Path, contract: Contract, limits: WorkbookLimits | None = None):
    """Every pending file read, in order, by two threads that keep reading while the caller
    parses and validates a batch (calamine and the CSV decoder release the GIL; GX holds
    it): up to READ_AHEAD_BYTES of files are in flight or waiting, so memory stays bounded
    however large the files (a province's enterprise register sends 15,000-row sheets)."""
    entries = pending.select("path", "file_id", "size_bytes").iter_rows()
    window: deque = deque()
    in_window = 0
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        for path, file_id, size in entries:
            while window and in_window + (size or 0) > READ_AHEAD_BYTES:
                done, done_size = window.popleft()
                in_window -= done_size
                yield done.result()
            window.append((pool.submit(read_or_reject, landing / path, file_id, contract, None, limits), size or 0))
            in_window += size or 0
        while window:
            yield window.popleft()[0].result()


def _classified_rows(sheets: list[_Sheet], contract: Contract) -> pl.DataFrame:
    """Every row but the header of every sheet: _file_key, _row_number, _kind and the text
    cells of the contract columns (vectorised over all files: no Python loop per row)."""
    return classify_rows(
        [s.sheet.frame for s in sheets], [s.header for s in sheets], [s.file_id for s in sheets], contract,
        midnight_dates=[s.sheet.midnight_dates for s in sheets],
    )


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

    # Files are read one by one and processed in batches of whole files of about
    # BATCH_ROWS rows: memory stays bounded however much arrives at once (a province's
    # first load), and each batch is one transaction, so a file is never half-loaded.
    # Every check is per row or per file, so batches give what one pass would.
    sheets: list[_Sheet] = []
    file_rows: list[dict] = []
    rows_read = 0
    for entry, (sheet, details) in zip(pending.iter_rows(named=True), _read_all(pending, landing, contract, profile.workbook_limits())):
        file_rows.append(file_record(entry["file_id"], sheet, details))
        if sheet is not None:
            sheets.append(sheet)
            rows_read += sheet.sheet.frame.height
        if rows_read >= batch_rows():
            _ingest_batch(con, contract, profile, pending, sheets, file_rows, known_refs, result, run_id, now)
            sheets, file_rows, rows_read = [], [], 0
    if file_rows:
        _ingest_batch(con, contract, profile, pending, sheets, file_rows, known_refs, result, run_id, now)
    result.rules_broken = dict(sorted(result.rules_broken.items()))
    return result


def file_record(file_id: int, sheet: _Sheet | None, details: dict) -> dict:
    """A file's record as read (header row, format, encoding or rejection), before evaluation."""
    record = {"file_id": file_id, "header_row": None, **{k: None for k in ("reject_code", "reason", "encoding")}, **details}
    if sheet is not None:
        record["header_row"] = sheet.header.header_row
    return record


def batch_rows() -> int:
    text = os.environ.get("SAFETYWH_INGEST_BATCH_ROWS", str(BATCH_ROWS))
    if not text.strip().isdigit() or int(text) < 1:
        raise ValueError(f"SAFETYWH_INGEST_BATCH_ROWS must be a positive whole number of rows, not {text!r}")
    return int(text)


@dataclass
class BatchEvaluation:
    """What a batch of files would write: the per-file outcome (FILE_STATS_SCHEMA, in the
    order of the batch's file records), the rows that load, the broken cells and the
    skipped rows. Computed without touching DuckDB, so a portal check gives what a run gives."""

    stats: pl.DataFrame
    raw_rows: pl.DataFrame
    quarantine: pl.DataFrame
    skipped_rows: pl.DataFrame


def _ingest_batch(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    profile: Profile,
    pending: pl.DataFrame,
    sheets: list[_Sheet],
    file_rows: list[dict],
    known_refs: dict[str, pl.Series],
    result: FeedIngestResult,
    run_id: str,
    now: dt.datetime,
) -> None:
    """Evaluate the files of one batch and write the outcome in one transaction."""
    pending = pending.filter(pl.col("file_id").is_in([r["file_id"] for r in file_rows]))
    evaluation = evaluate_batch(contract, profile, pending, sheets, file_rows, known_refs, run_id, now)
    paths = dict(pending.select("file_id", "path").iter_rows())
    for row in evaluation.stats.iter_rows(named=True):
        if row["status"] != "loaded":
            result.rejected_files += 1
            continue
        result.loaded_files += 1
        result.rows_loaded += row["rows_loaded"]
        result.rows_quarantined += row["rows_quarantined"]
        result.rows_skipped += row["rows_skipped"]
        if row["rows_quarantined"]:
            result.files_with_quarantine.append(paths[row["file_id"]])
    quarantine = evaluation.quarantine
    result.quarantined_cells += quarantine.height
    for rule, n in quarantine.group_by("rule").len().iter_rows():
        result.rules_broken[rule] = result.rules_broken.get(rule, 0) + n
    _write(con, contract, pending, evaluation.stats, evaluation.raw_rows, quarantine, evaluation.skipped_rows, run_id, now)


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
    """Classify, parse, validate and quarantine the files of one batch (``pending``: their
    meta.inbox rows; ``file_rows``: one record per file as read). Pure: no DuckDB."""
    classified = _classified_rows(sheets, contract)
    headers = {s.file_id: (s.header, s.sheet.frame.height) for s in sheets}  # for a no_rows reason
    sheets.clear()  # the cells now live in ``classified``: free the sheets now
    counts = {
        key: (total, data)
        for key, total, data in classified.group_by("_file_key").agg(
            pl.len(), (pl.col("_kind") == "data").sum()
        ).iter_rows()
    }
    read = {r["file_id"] for r in file_rows if r["header_row"] is not None}
    # a sheet with a header but no data row is rejected whole (feeds.md: no_rows)
    empty = {file_id for file_id in read if counts.get(file_id, (0, 0))[1] == 0}
    if empty:
        kinds = classified.filter(pl.col("_file_key").is_in(list(empty))).group_by("_file_key", "_kind").len()
        for record in file_rows:
            if record["file_id"] in empty:
                seen = {kind: n for key, kind, n in kinds.iter_rows() if key == record["file_id"]}
                no_rows = no_data_rows(*headers[record["file_id"]], seen)
                record.update(reject_code=no_rows.code, reason=no_rows.reason, header_row=None, encoding=None)
        classified = classified.filter(~pl.col("_file_key").is_in(list(empty)))
    accepted = read - empty

    order = {file_id: i for i, file_id in enumerate(pending["file_id"])}
    skipped_rows = (
        classified.filter(pl.col("_kind") != "data")
        .select(pl.col("_file_key").alias("file_id"), pl.col("_row_number").alias("row_number"), pl.col("_kind").alias("kind"))
        .sort(pl.col("file_id").replace_strict(order, return_dtype=pl.Int64),
              pl.col("kind").replace_strict({k: i for i, k in enumerate(KINDS)}, return_dtype=pl.Int8), "row_number")
    )
    rows = classified.filter(pl.col("_kind") == "data").drop("_kind").with_row_index("_rid")
    del classified
    parsed = add_check_flags(parse_rows(rows, contract, profile.township_lookup()), contract)
    del rows
    checks = plan_checks(contract, now, _refs_in_batch(known_refs, parsed, contract))
    failures = gx_process.validate(parsed, contract, checks)

    bad_rids = failures.get_column("_rid").unique().implode()
    quarantine = _quarantine_frame(parsed, failures, contract, pending, run_id, now)

    # Per-file counts; rows total = loaded + quarantined + skipped holds by construction
    # and is re-checked by meta.files' CHECK constraint and the reconciliation asset.
    per_file = dict(
        (key, (ok, bad)) for key, ok, bad in parsed.group_by("_file_key").agg(
            (~pl.col("_rid").is_in(bad_rids)).sum().alias("loaded"), pl.col("_rid").is_in(bad_rids).sum().alias("bad")
        ).iter_rows()
    )
    raw_rows = _raw_frame(parsed.filter(~pl.col("_rid").is_in(bad_rids)), contract, pending, run_id, now)
    del parsed
    stats = []
    for record in file_rows:
        file_id = record["file_id"]
        if file_id not in accepted:
            stats.append({**record, "status": "rejected", "rows_total": 0, "rows_loaded": 0,
                          "rows_quarantined": 0, "rows_skipped": 0})
            continue
        total, data = counts[file_id]
        loaded, quarantined = per_file.get(file_id, (0, 0))
        stats.append({**record, "status": "loaded", "rows_total": total, "rows_loaded": loaded,
                      "rows_quarantined": quarantined, "rows_skipped": total - data})
    return BatchEvaluation(pl.DataFrame(stats, schema=FILE_STATS_SCHEMA), raw_rows, quarantine, skipped_rows)


def _raw_frame(good: pl.DataFrame, contract: Contract, pending: pl.DataFrame, run_id: str, now: dt.datetime) -> pl.DataFrame:
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
    parsed: pl.DataFrame, failures: pl.DataFrame, contract: Contract, pending: pl.DataFrame, run_id: str, now: dt.datetime
) -> pl.DataFrame:
    """One row per broken cell, with the value as sent (masked when personal) and the reason."""
    # only the rows with a broken cell: unpivoting every row would hold rows x columns cells
    failing = parsed.filter(pl.col("_rid").is_in(failures.get_column("_rid").unique().implode()))
    raw_values = failing.select(
        "_rid", "_file_key", "_row_number",
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


def _write(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    pending: pl.DataFrame,
    stats: pl.DataFrame,
    raw_rows: pl.DataFrame,
    quarantine: pl.DataFrame,
    skipped_rows: pl.DataFrame,
    run_id: str,
    now: dt.datetime,
) -> None:
    files = pending.join(stats, on="file_id", how="left").with_columns(
        pl.lit(now).alias("loaded_at"), pl.lit(run_id).alias("run_id")
    )
    raw_columns = ", ".join([f'"{n}"' for n in contract.names] + list(AUDIT_COLUMNS))
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("_files", files)
        con.execute(
            """INSERT INTO meta.files (file_id, path, feed, sender_code, sha256, size_bytes, mtime_ns, received_at,
                   loaded_at, run_id, status, file_format, encoding, header_row, rows_total, rows_loaded,
                   rows_quarantined, rows_skipped, reject_code, reason, duplicate_of)
               SELECT file_id, path, feed, sender_code, sha256, size_bytes, mtime_ns, received_at, loaded_at, run_id,
                   status, file_format, encoding, header_row, rows_total, rows_loaded, rows_quarantined, rows_skipped,
                   reject_code, reason, NULL FROM _files"""
        )
        if raw_rows.height:
            con.register("_raw", raw_rows)
            con.execute(f"INSERT INTO raw.{contract.feed} ({raw_columns}) SELECT {raw_columns} FROM _raw")
        if quarantine.height:
            con.register("_quarantine", quarantine)
            con.execute("INSERT INTO meta.quarantine BY NAME SELECT * FROM _quarantine")
        if skipped_rows.height:
            con.register("_skipped", skipped_rows)
            con.execute("INSERT INTO meta.skipped_rows BY NAME SELECT * FROM _skipped")
        con.execute("DELETE FROM meta.inbox WHERE file_id IN (SELECT file_id FROM _files)")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in ("_files", "_raw", "_quarantine", "_skipped"):
            try:
                con.unregister(name)
            except Exception:
                pass
