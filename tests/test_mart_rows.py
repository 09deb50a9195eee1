"""tests/mart_rows.py: the wall-clock ``as_of`` of a build is not a difference; data is."""

import duckdb

from tests.mart_rows import differing, marts


def test_a_rebuild_at_another_hour_is_no_difference_but_a_changed_row_is(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.verdicts AS SELECT TIMESTAMP '2026-12-08 08:59:00' AS as_of, 'late' AS status")
        con.execute("CREATE TABLE marts.daily AS SELECT DATE '2023-04-17' AS as_of, 3 AS open_hazards")
    before = marts(path)
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE marts.verdicts SET as_of = TIMESTAMP '2026-12-08 09:00:00'")
    assert differing(marts(path), before) == []
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE marts.daily SET as_of = DATE '2023-04-18'")
        con.execute("UPDATE marts.verdicts SET status = 'on_time'")
        con.execute("CREATE TABLE marts.added AS SELECT 1 AS x")
    assert differing(marts(path), before) == ["added", "daily", "verdicts"]
