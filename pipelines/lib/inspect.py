"""What the CLI shows of a home: the file register, the quarantine, current records, all
from the published copy (pipelines/lib/publish.py), never the writer's file."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.lib.contracts import get_contract
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
    with open_reader(home) as con:
        try:
            return con.sql(f'SELECT * FROM records."{feed}" ORDER BY "{contract.record_id}"').pl()
        except duckdb.CatalogException:
            return pl.DataFrame(schema={c: pl.String for c in contract.names})
