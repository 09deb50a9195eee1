"""Every mart's rows, to compare two warehouses (or two states of one) table by table."""

from __future__ import annotations

from pathlib import Path

import duckdb


def marts(path: Path) -> dict[str, list[str]]:
    """Every mart's rows (as sorted reprs); a TIMESTAMP ``as_of`` is the wall clock of the
    build (lateness verdicts, rebuilt when the county-local hour changes), not data, and is
    left out (a daily mart's ``as_of`` is a DATE and is kept)."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1"
            ).fetchall()
        ]
        clocked = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = "
                "'marts' AND column_name = 'as_of' AND data_type LIKE 'TIMESTAMP%'"
            ).fetchall()
        }
        return {
            t: sorted(
                map(
                    repr,
                    con.execute(f'SELECT * {"EXCLUDE (as_of)" if t in clocked else ""} FROM marts."{t}"').fetchall(),
                )
            )
            for t in tables
        }


def differing(left: dict[str, list[str]], right: dict[str, list[str]]) -> list[str]:
    """The marts whose rows differ, or that only one side has: a short failure message
    (pytest's diff of two whole warehouses takes minutes)."""
    return sorted(t for t in left.keys() | right.keys() if left.get(t) != right.get(t))
