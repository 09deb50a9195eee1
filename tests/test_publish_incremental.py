"""The published copy is updated table by table: a run replaces in the previous copy only the
tables it wrote (and the small registers), and the result equals a whole rebuild; anything
that makes the previous copy untrustworthy rebuilds it whole."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.lib.publish import MANIFEST, publish_changed, refresh_published_tables
from tests.test_hardening_published import personal_hits


def _tables(con, catalog):
    return sorted(
        con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = ? "
            "AND NOT (table_schema = ? AND table_name = ?)",
            [catalog, *MANIFEST],
        ).fetchall()
    )


def _differences(left, right) -> list[tuple[str, str]]:
    """Tables whose rows differ (as multisets) between two published copies, or present in one only."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{left}' AS l (READ_ONLY)")
        con.execute(f"ATTACH '{right}' AS r (READ_ONLY)")
        a, b = _tables(con, "l"), _tables(con, "r")
        out = sorted(set(a) ^ set(b))
        for s, t in set(a) & set(b):
            q = f'"{s}"."{t}"'
            n = con.execute(
                f"SELECT (SELECT count(*) FROM (FROM l.{q} EXCEPT ALL FROM r.{q})) + "
                f"(SELECT count(*) FROM (FROM r.{q} EXCEPT ALL FROM l.{q}))"
            ).fetchall()[0][0]
            if n:
                out.append((s, t))
        return out
    finally:
        con.close()


def _small_writer(path, run_id="run-1"):
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA staging; CREATE SCHEMA meta; CREATE SCHEMA raw")
    con.execute("CREATE TABLE marts.a AS SELECT 1 AS x; CREATE TABLE marts.b AS SELECT 2 AS y")
    con.execute("CREATE TABLE staging.s AS SELECT 'z' AS v; CREATE TABLE raw.secret AS SELECT '13712345678' AS phone")
    con.execute("CREATE TABLE meta.files AS SELECT 1 AS file_id, ? AS run_id", [run_id])
    con.close()


def test_incremental_replaces_only_what_the_run_wrote_and_falls_back_whole(tmp_path):
    writer, target = tmp_path / "w.duckdb", tmp_path / "published" / "w.duckdb"
    _small_writer(writer)
    first = publish_changed(writer, target, {("marts", "a")}, "run-1")
    assert (first.mode, first.reason) == ("full", "还没有副本")
    assert first.written == (("marts", "a"), ("marts", "b"), ("meta", "files"), ("staging", "s"))

    con = duckdb.connect(str(writer))  # run 2 rebuilds marts.a and registers a file
    con.execute("CREATE OR REPLACE TABLE marts.a AS SELECT 10 AS x; INSERT INTO meta.files VALUES (2, 'run-2')")
    con.close()
    second = publish_changed(writer, target, {("marts", "a"), ("raw", "hazards")}, "run-2")
    assert second.mode == "incremental"
    assert second.written == (("marts", "a"), ("meta", "files"))  # meta.* always; marts.b, staging.s kept
    assert _differences(target, _rebuilt(writer, tmp_path)) == []
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.execute("SELECT x FROM marts.a").fetchall() == [(10,)]
        assert dict(
            con.execute("SELECT table_schema || '.' || table_name, written_run FROM meta.published_tables").fetchall()
        ) == {"marts.a": "run-2", "marts.b": "run-1", "meta.files": "run-2", "staging.s": "run-1"}
        assert "raw" not in {r[0] for r in con.execute("SELECT table_schema FROM information_schema.tables").fetchall()}

    con = duckdb.connect(str(writer))  # a run that never published registered a file
    con.execute("INSERT INTO meta.files VALUES (3, 'killed-run')")
    con.close()
    third = publish_changed(writer, target, set(), "run-3")
    assert (third.mode, third.reason) == ("full", "有未发布的运行写过数仓")
    assert publish_changed(writer, target, set(), "run-4").mode == "incremental"

    refresh_published_tables(writer, target)  # what a failed run does: the next publish is whole
    assert publish_changed(writer, target, set(), "run-5").reason == "上次运行失败，副本未随数仓更新"

    con = duckdb.connect(str(writer))
    con.execute("ALTER TABLE marts.b ADD COLUMN z INTEGER")
    con.close()
    changed_columns = publish_changed(writer, target, set(), "run-6")
    assert (changed_columns.mode, changed_columns.reason) == ("full", "发布的表或列已变")
    assert _differences(target, _rebuilt(writer, tmp_path)) == []


def test_a_view_is_published_as_a_view_over_copies_of_what_it_reads(tmp_path):
    """dbt's views (the daily open-hazard lists) are not materialised in the copy: it gets the
    view and the tables the view reads (an intermediate table keeps its schema), no other
    intermediate table; a view over a view is created after it (its name sorts first); a run that rebuilt the table the
    view reads updates the view's rows."""
    writer, target = tmp_path / "w.duckdb", tmp_path / "published" / "w.duckdb"
    _small_writer(writer)
    con = duckdb.connect(str(writer))
    con.execute("CREATE SCHEMA intermediate")
    con.execute("CREATE TABLE intermediate.spans AS SELECT * FROM (VALUES (1, 3), (2, 2)) t(found, fixed)")
    con.execute("CREATE TABLE intermediate.unread AS SELECT 'x' AS v")
    con.execute("CREATE TABLE intermediate.days AS SELECT range AS d FROM range(1, 5)")
    con.execute(
        "CREATE VIEW marts.open_daily AS WITH s AS (SELECT * FROM intermediate.spans) "
        "SELECT d, found FROM s JOIN intermediate.days ON found <= d AND fixed > d"
    )
    con.execute("CREATE VIEW marts.a_open_first AS SELECT * FROM marts.open_daily WHERE found = 1")
    con.close()

    first = publish_changed(writer, target, set(), "run-1")
    assert first.mode == "full"
    with duckdb.connect(str(target), read_only=True) as con:
        views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        assert views == {"open_daily", "a_open_first"}
        assert sorted(
            con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'intermediate'").fetchall()
        ) == [("days",), ("spans",)]
        # spans (found, fixed): (1, 3) is open on days 1 and 2; (2, 2) on no day
        assert con.execute("SELECT d, found FROM marts.open_daily ORDER BY ALL").fetchall() == [(1, 1), (2, 1)]
        assert con.execute("SELECT count(*) FROM marts.a_open_first").fetchall() == [(2,)]

    con = duckdb.connect(str(writer))  # run 2 rebuilds the spans: hazard 2 stays open to day 4
    con.execute("CREATE OR REPLACE TABLE intermediate.spans AS SELECT * FROM (VALUES (1, 3), (2, 5)) t(found, fixed)")
    con.execute("INSERT INTO meta.files VALUES (2, 'run-2')")
    con.close()
    second = publish_changed(writer, target, {("intermediate", "spans"), ("marts", "open_daily")}, "run-2")
    assert second.mode == "incremental"
    assert ("intermediate", "spans") in second.written and ("intermediate", "days") not in second.written
    with duckdb.connect(str(target), read_only=True) as con:
        days = con.execute("SELECT d, found FROM marts.open_daily ORDER BY ALL").fetchall()
        assert days == [(1, 1), (2, 1), (2, 2), (3, 2), (4, 2)]
    assert _differences(target, _rebuilt(writer, tmp_path)) == []


def _rebuilt(writer, tmp_path):
    whole = tmp_path / "whole" / "w.duckdb"
    done = publish_changed(writer, whole)
    assert done.mode == "full"
    return whole


@pytest.mark.slow
def test_second_run_publishes_incrementally_and_equals_a_whole_rebuild(second_run, tmp_path):
    """Two real `safetywh run`s (tests/incremental.py): the second (one new weekly hazards
    ledger, mobiles in it) rewrites the hazards tables and the registers, not the relief ones,
    and its copy equals a rebuild."""
    published = second_run.home / "published" / "warehouse.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            f"SELECT table_schema, table_name, written_run = published_run FROM {MANIFEST[0]}.{MANIFEST[1]}"
        ).fetchall()
        new_rows = con.execute(
            "SELECT count(*) FROM records.hazards WHERE _source_path LIKE ?",
            [f"%{second_run.held.name}"],
        ).fetchall()[0][0]
    assert new_rows > 0
    written = {(s, t) for s, t, fresh in rows if fresh}
    assert {
        ("records", "hazards"),
        ("staging", "stg_ledgers__hazards"),
        ("meta", "files"),
        ("ref", "senders"),
    } <= written
    assert not written & {("records", "relief"), ("staging", "stg_ledgers__relief")}
    assert len(written) < len(rows)
    assert personal_hits(published) == {}
    assert _differences(published, _rebuilt(second_run.home / "warehouse.duckdb", tmp_path)) == []
