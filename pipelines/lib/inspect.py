"""What the CLI shows of a home: the file register, the quarantine, current records."""

from __future__ import annotations

import polars as pl

from pipelines.lib.contracts import get_contract
from pipelines.lib.masking import mask_expr
from pipelines.lib.readers import open_reader
from warehouse.home import Home


def _where(filters: dict[str, str | None]) -> tuple[str, list[str]]:
    used = {k: v for k, v in filters.items() if v}
    if not used:
        return "", []
    return "WHERE " + " AND ".join(f"{k} = ?" for k in used), list(used.values())


def files_frame(home: Home, feed: str | None = None, status: str | None = None) -> pl.DataFrame:
    where, params = _where({"feed": feed, "status": status})
    with open_reader(home) as con:
        return con.sql(
            f"""SELECT file_id, path, feed, sender_code AS sender, sha256, received_at, status,
                       rows_total, rows_loaded, rows_quarantined, rows_skipped, reason, duplicate_of
                FROM meta.files {where} ORDER BY received_at, path""",
            params=params,
        ).pl()


def quarantine_frame(home: Home, feed: str | None = None, sender: str | None = None) -> pl.DataFrame:
    where, params = _where({"feed": feed, "sender_code": sender})
    with open_reader(home) as con:
        return con.sql(
            f"""SELECT path AS file, feed, sender_code AS sender, row_number AS row, column_header AS column,
                       column_name, value, rule, reason
                FROM meta.quarantine {where} ORDER BY path, row_number, column_name, rule""",
            params=params,
        ).pl()


def records_frame(home: Home, feed: str) -> pl.DataFrame:
    """The current version of every record, canonical names, township as its code;
    personal columns are masked."""
    contract = get_contract(feed)
    columns = ", ".join(f'r."{c}"' for c in contract.names)
    with open_reader(home) as con:
        frame = con.sql(
            f"""SELECT {columns}, s.sender_code AS _sender, s.source_path AS _source_path,
                       s.received_at AS _received_at, s.version_count AS _versions
                FROM staging.stg_ledgers__{feed} s
                JOIN raw.{feed} r ON r._file_id = s.file_id AND r._row_number = s.source_row_number
                ORDER BY r."{contract.record_id}" """
        ).pl()
    return frame.with_columns([mask_expr(pl.col(c)).alias(c) for c in contract.personal])
