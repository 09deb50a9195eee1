"""Counts always reconcile: every row of every file is loaded, quarantined or skipped,
and the raw tables hold exactly the rows the file register says were loaded."""

from __future__ import annotations

import duckdb

from pipelines.lib.contracts import load_contracts


def reconciliation_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    problems = [
        f"{path}: total {t} != loaded {loaded} + quarantined {q} + skipped {s}"
        for path, t, loaded, q, s in con.execute(
            "SELECT path, rows_total, rows_loaded, rows_quarantined, rows_skipped FROM meta.files "
            "WHERE rows_total <> rows_loaded + rows_quarantined + rows_skipped"
        ).fetchall()
    ]
    raw_counts = " UNION ALL ".join(
        f"SELECT _file_id AS file_id, count(*) AS n FROM raw.{feed} GROUP BY 1" for feed in load_contracts()
    )
    problems += [
        f"{path}: register says {expected} row(s) loaded, raw tables hold {actual}"
        for path, expected, actual in con.execute(
            f"""SELECT f.path, f.rows_loaded, coalesce(r.n, 0) FROM meta.files f
                LEFT JOIN ({raw_counts}) r USING (file_id)
                WHERE f.rows_loaded <> coalesce(r.n, 0)"""
        ).fetchall()
    ]
    problems += [
        f"{path}: register says {expected} row(s) quarantined, quarantine holds {actual}"
        for path, expected, actual in con.execute(
            """SELECT f.path, f.rows_quarantined, coalesce(q.n, 0) FROM meta.files f
               LEFT JOIN (SELECT file_id, count(DISTINCT row_number) AS n FROM meta.quarantine GROUP BY 1) q USING (file_id)
               WHERE f.rows_quarantined <> coalesce(q.n, 0)"""
        ).fetchall()
    ]
    return problems
