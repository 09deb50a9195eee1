"""The published copy holds what the dashboards and the CLI read and nothing personal: every
text column of every table is scanned for 18-digit ID numbers and 11-digit mobiles."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb
import polars as pl
import pytest

from pipelines.lib.masking import mask_expr, mask_sql
from tests.test_rules import ID_OLD_CODE

pytestmark = pytest.mark.slow
ID_NUMBER = r"(^|[^0-9A-Za-z])[1-9][0-9]{16}[0-9Xx]([^0-9A-Za-z]|$)"
MOBILE = r"(^|[^0-9A-Za-z])1[3-9][0-9]{9}([^0-9A-Za-z]|$)"
CLEAR = (ID_OLD_CODE, "13712345678", "13900001111", "李四", "王五")


def personal_hits(path) -> dict[str, int]:
    """(schema.table.column) -> cells holding an ID number, a mobile or a known clear value."""
    con = duckdb.connect(str(path), read_only=True)
    hits = {}
    try:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' and table_schema not in ('information_schema', 'pg_catalog')"
        ).fetchall()
        for schema, table, column in columns:
            q = f'"{column}"'
            known = " or ".join(f"contains({q}, '{v}')" for v in CLEAR)
            n = con.execute(
                f'select count(*) from "{schema}"."{table}" where regexp_matches({q}, \'{ID_NUMBER}\') '
                f"or regexp_matches({q}, '{MOBILE}') or {known}"
            ).fetchall()[0][0]
            if n:
                hits[f"{schema}.{table}.{column}"] = n
    finally:
        con.close()
    return hits


def test_writer_file_holds_the_personal_data(hostile_home):
    """The scan can fail: the same scan finds the clear values in the writer's raw schema."""
    hits = personal_hits(hostile_home / "warehouse.duckdb")
    assert hits.get("raw.relief.id_number") == 2 and hits.get("raw.hazards.phone") == 2  # H-2 is quarantined


def test_published_copy_has_no_personal_data(hostile_home):
    published = hostile_home / "published" / "warehouse.duckdb"
    assert personal_hits(published) == {}
    con = duckdb.connect(str(published), read_only=True)
    schemas = {r[0] for r in con.execute("select distinct table_schema from information_schema.tables").fetchall()}
    intermediate = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'intermediate'"
        ).fetchall()
    }
    con.close()
    assert "raw" not in schemas
    # only what the published views (the daily open-hazard lists) read (pipelines/lib/publish.py)
    assert intermediate == {"int_calendar__dates", "int_hazards__open_spans"}


def test_published_copy_holds_every_mart_and_what_the_cli_reads(hostile_home):
    def tables(path, schemas):
        con = duckdb.connect(str(path), read_only=True)
        try:
            return {
                tuple(r)
                for r in con.execute(
                    "select table_schema, table_name from information_schema.tables where table_schema in "
                    f"({', '.join(repr(s) for s in schemas)})"
                ).fetchall()
            }
        finally:
            con.close()

    writer = tables(hostile_home / "warehouse.duckdb", ("marts", "staging"))
    assert writer and writer <= tables(hostile_home / "published" / "warehouse.duckdb", ("marts", "staging"))
    env = {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB")}
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "records", "relief", "--format", "json", "--home", str(hostile_home)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    records = json.loads(done.stdout)
    assert [(r["relief_id"], r["id_number"], r["person_name"]) for r in records] == [
        ("JZ-1", ID_OLD_CODE[:4] + "*" * 10 + ID_OLD_CODE[-4:], "李*"),
        ("JZ-2", ID_OLD_CODE[:4] + "*" * 10 + ID_OLD_CODE[-4:], "@**"),
    ]


def test_sql_mask_is_the_polars_mask():
    values = [None, "", "a", "李四", "张三丰", "13712345678", ID_OLD_CODE, "4301241990010112X", "123456", "1234567"]
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    expected = frame.select(mask_expr(pl.col("v"))).to_series().to_list()
    assert duckdb.sql(f"select {mask_sql('v')} as m from frame").pl()["m"].to_list() == expected
