"""The published copy: what the dashboards and the CLI's read commands read, and nothing
personal.

It holds every table of the ``marts`` and ``staging`` schemas (the dashboards read marts,
the bulletin reads staging; staging leaves personal columns out) and their views as views:
a dbt view (the daily open-hazard lists: 7.6 M hazard-days at province scale, read one
date at a time) is re-created in the copy over copies of the tables it reads, which keep
their schema (``intermediate.int_hazards__open_spans``), instead of being materialised
(9.6 s of a hazards drop's publish at scale 100). It also holds the register tables the
CLI lists (``meta.files``, ``meta.quarantine``, ``meta.alerts``, ``meta.alert_problems``,
``meta.runs``, the risk warnings ``meta.risk_warnings`` of the 风险预警 page; quarantined values are masked when stored), ``ref.senders``, and
``records.<feed>``: the current version of every record with personal columns masked
(what `safetywh records` prints). The ``raw`` schema (every version as sent, personal data
in clear) never leaves the writer's file. Written to a temp file beside the target and
swapped in with ``os.replace`` (atomic; open readers keep their snapshot).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.lib.contracts import load_contracts
from pipelines.lib.masking import mask_sql

WHOLE_SCHEMAS = ("marts", "staging")
TABLES = (
    ("meta", "files"),
    ("meta", "quarantine"),
    ("meta", "alerts"),
    ("meta", "alert_problems"),
    ("meta", "runs"),
    ("meta", "risk_warnings"),
    ("ref", "senders"),
)
RECORDS_SCHEMA = "records"


def _attach_source(con: duckdb.DuckDBPyConnection, source: Path) -> set[tuple[str, str]]:
    """Attach the writer's file read-only as ``src``; its (schema, table) pairs."""
    escaped = str(source).replace("'", "''")
    con.execute(f"ATTACH '{escaped}' AS src (READ_ONLY)")
    return set(
        con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = 'src'"
        ).fetchall()
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def records_sql(feed: str, catalog: str) -> str:
    """The current version of every record of ``feed``: canonical names, personal columns masked."""
    contract = load_contracts()[feed]
    personal = set(contract.personal)
    columns = ", ".join(
        (f"{mask_sql(f'r.{_quote(c)}')} AS {_quote(c)}" if c in personal else f"r.{_quote(c)}") for c in contract.names
    )
    return (
        f"SELECT {columns}, s.sender_code AS _sender, s.source_path AS _source_path, "
        f"s.received_at AS _received_at, s.version_count AS _versions "
        f"FROM {catalog}.staging.stg_ledgers__{feed} s "
        f"JOIN {catalog}.raw.{feed} r ON r._file_id = s.file_id AND r._row_number = s.source_row_number"
    )


MANIFEST = ("meta", "published_tables")  # what the copy holds, as of which code and run
GROWTH_LIMIT = 2.0  # a copy past twice its content (tables replaced leave free blocks) is rebuilt whole


@dataclass(frozen=True)
class Published:
    path: Path
    mode: str  # "full" or "incremental"
    reason: str
    written: tuple[tuple[str, str], ...]  # the (schema, table) pairs (re)written, sorted


def code_fingerprint() -> str:
    """This module, the masking and the feed contracts: what a published table is made with.
    A copy published by other code is rebuilt whole."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve()
    for path in (here, here.with_name("masking.py"), *sorted((here.parent.parent / "contracts").glob("*.yaml"))):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _relations_read(con: duckdb.DuckDBPyConnection, select: str) -> set[tuple[str, str]]:
    """The schema-qualified relations a SELECT reads (DuckDB's parser: ``json_serialize_sql``).
    A name without a schema is a CTE: dbt's ``ref`` always names the schema."""
    tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [select]).fetchall()[0][0])
    if tree.get("error"):
        raise ValueError(f"cannot read the view's query: {tree.get('error_message')}")
    found: set[tuple[str, str]] = set()
    stack: list = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE" and node.get("schema_name"):
                found.add((node["schema_name"], node["table_name"]))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _views(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[str, set[tuple[str, str]]]]:
    """The views of the published schemas in ``src`` -> (their CREATE VIEW statement, the
    relations they read)."""
    out = {}
    for schema, name, sql in con.execute(
        "SELECT schema_name, view_name, sql FROM duckdb_views() WHERE database_name = 'src' AND NOT internal "
        f"AND schema_name IN ({', '.join('?' * len(WHOLE_SCHEMAS))})",
        list(WHOLE_SCHEMAS),
    ).fetchall():
        head, _, select = sql.partition(" AS ")  # DuckDB's own text: CREATE VIEW <schema>.<name> AS <query>;
        if not head.startswith("CREATE VIEW ") or not select:
            raise ValueError(f"unexpected definition of the view {schema}.{name}: {sql[:80]}")
        out[(schema, name)] = (sql, _relations_read(con, select.rstrip().rstrip(";")))
    return out


def _wanted(
    con: duckdb.DuckDBPyConnection, present: set[tuple[str, str]], views: dict[tuple[str, str], tuple]
) -> dict[tuple[str, str], str]:
    """Every table and view to publish -> its column signature (name and type, in order; a
    view's starts with ``VIEW``), from ``src``: the published schemas, the tables their views
    read, the registers. ``records.<feed>`` carries its staging table's signature (its own
    follows from the contract, which the code fingerprint covers)."""
    copied = {t for t in present if t[0] in WHOLE_SCHEMAS} | (set(TABLES) & present)
    copied |= {t for _, reads in views.values() for t in reads if t in present}
    columns: dict[tuple[str, str], str] = dict(
        ((s, t), sig)
        for s, t, sig in con.execute(
            "SELECT table_schema, table_name, string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) "
            "FROM information_schema.columns WHERE table_catalog = 'src' GROUP BY ALL"
        ).fetchall()
    )
    out = {t: ("VIEW " if t in views else "") + columns.get(t, "") for t in copied}
    for feed in load_contracts():
        if ("staging", f"stg_ledgers__{feed}") in present and ("raw", feed) in present:
            out[(RECORDS_SCHEMA, feed)] = columns.get(("staging", f"stg_ledgers__{feed}"), "")
    return out


def _write(con: duckdb.DuckDBPyConnection, table: tuple[str, str], replace: bool, views: dict) -> None:
    schema, name = table
    if table in views:
        # bound in the copy: the relations it reads are there under the same names
        con.execute(f"DROP VIEW IF EXISTS {_quote(schema)}.{_quote(name)}")
        con.execute(views[table][0])
        return
    select = (
        records_sql(name, "src") if schema == RECORDS_SCHEMA else f"SELECT * FROM src.{_quote(schema)}.{_quote(name)}"
    )
    verb = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE"
    con.execute(f"{verb} {_quote(schema)}.{_quote(name)} AS {select}")


def _tables_then_views(written, views: dict) -> list[tuple[str, str]]:
    """``written`` in an order that creates a view after what it reads."""
    order = [t for t in written if t not in views]
    pending = [t for t in written if t in views]
    while pending:
        ready = [v for v in pending if not (views[v][1] & set(pending))]
        if not ready:
            raise ValueError(f"views that read each other: {sorted(pending)}")
        order += ready
        pending = [v for v in pending if v not in ready]
    return order


def _incremental_blocker(
    con: duckdb.DuckDBPyConnection, wanted: dict[tuple[str, str], str], code: str, run_id: str
) -> str | None:
    """Why the copy (attached as the main database, the writer as ``src``) cannot be updated
    table by table; None when it can."""
    has_manifest = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog <> 'src' "
        "AND table_schema = ? AND table_name = ?",
        list(MANIFEST),
    ).fetchall()[0][0]
    if not has_manifest:
        return "上一版副本没有发布清单"
    rows = con.execute(
        f"SELECT table_schema, table_name, columns, code, stale FROM {MANIFEST[0]}.{MANIFEST[1]}"
    ).fetchall()
    if any(r[4] for r in rows):
        return "上次运行失败，副本未随数仓更新"
    if {r[3] for r in rows} != {code}:
        return "发布代码或台账契约已变"
    if {(r[0], r[1]): r[2] for r in rows} != wanted:
        return "发布的表或列已变"
    used, free = con.execute(
        "SELECT used_blocks, free_blocks FROM pragma_database_size() WHERE database_name = current_database()"
    ).fetchall()[0]
    if (used + free) > GROWTH_LIMIT * max(used, 1):
        return "副本空闲块过多"
    # a run that wrote the warehouse but did not publish (killed, or failed without its hook)
    # left tables this run does not know changed: its files are in the writer's register only
    if ("meta", "files") in wanted:
        other = con.execute(
            "SELECT count(*) FROM src.meta.files s ANTI JOIN meta.files p USING (file_id) WHERE s.run_id <> ?", [run_id]
        ).fetchall()[0][0]
        if other:
            return "有未发布的运行写过数仓"
    return None


def publish_changed(
    source: Path, target: Path, changed: set[tuple[str, str]] | None = None, run_id: str = ""
) -> Published:
    """Publish the writer's file ``source`` to ``target``.

    ``changed`` names the tables (``(schema, table)``; ``("records", feed)`` for a feed whose
    records changed) that this run wrote; then the previous copy (PII-free by construction)
    is copied and only those tables, and the small register tables, are replaced in it.
    None, or a previous copy that cannot be trusted to match the writer apart from those
    tables, rebuilds the copy whole. Either way the new copy is swapped in atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".publish-", suffix=".duckdb", dir=target.parent)
    os.close(fd)
    os.unlink(tmp)  # DuckDB creates the file itself (an empty file is not a database)
    code = code_fingerprint()
    try:
        mode, reason = "full", "未给出本次运行改动的表" if changed is None else "还没有副本"
        if changed is not None and target.exists():
            shutil.copyfile(target, tmp)
            mode = "incremental"
        con = duckdb.connect(tmp)
        try:
            present = _attach_source(con, source)
            views = _views(con)
            wanted = _wanted(con, present, views)
            if mode == "incremental":
                blocker = _incremental_blocker(con, wanted, code, run_id)
                if blocker:
                    con.close()
                    os.unlink(tmp)
                    con = duckdb.connect(tmp)
                    _attach_source(con, source)
                    mode, reason = "full", blocker
            if mode == "incremental":
                feeds_changed = {t for s, t in changed if s == "raw"} | {
                    t.removeprefix("stg_ledgers__") for s, t in changed if s == "staging"
                }
                written = sorted(
                    t
                    for t in wanted
                    if t in changed or t in set(TABLES) or (t[0] == RECORDS_SCHEMA and t[1] in feeds_changed)
                )
                reason = f"本次运行改动 {len(written)} 张表"
            else:
                written = sorted(wanted)
            con.execute("BEGIN TRANSACTION")  # one commit, not one per table (~100 tables)
            for schema in sorted({s for s, _ in wanted} | {RECORDS_SCHEMA, MANIFEST[0]}):
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
            for table in _tables_then_views(written, views):
                _write(con, table, mode == "incremental", views)
            last_written = {}
            if mode == "incremental":
                last_written = {
                    (r[0], r[1]): r[2]
                    for r in con.execute(
                        f"SELECT table_schema, table_name, written_run FROM {MANIFEST[0]}.{MANIFEST[1]}"
                    ).fetchall()
                }
            fresh = set(written)
            con.execute(
                f"CREATE OR REPLACE TABLE {MANIFEST[0]}.{MANIFEST[1]} (table_schema VARCHAR, table_name VARCHAR, "
                "columns VARCHAR, code VARCHAR, written_run VARCHAR, published_run VARCHAR, stale BOOLEAN)"
            )
            con.executemany(
                f"INSERT INTO {MANIFEST[0]}.{MANIFEST[1]} VALUES (?, ?, ?, ?, ?, ?, false)",
                [
                    [s, t, sig, code, run_id if (s, t) in fresh else last_written.get((s, t), ""), run_id]
                    for (s, t), sig in sorted(wanted.items())
                ],
            )
            con.execute("COMMIT")
            con.execute("DETACH src")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        shutil.copymode(source, tmp)  # a dashboard run by another user must read it
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, tmp + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return Published(target, mode, reason, tuple(written))


def publish_reader_copy(source: Path, target: Path) -> Path:
    """The whole copy, rebuilt from the writer's file."""
    return publish_changed(source, target).path


ALERT_TABLES = (("meta", "alerts"), ("meta", "alert_problems"))


def refresh_published_tables(source: Path, target: Path, tables=ALERT_TABLES) -> Path:
    """Replace a few register tables of the published copy from the writer's file, the rest
    as published: a failed run's alert to the data team is listed by `safetywh alerts`
    although the failed run published nothing (its marts may be half-built)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".publish-", suffix=".duckdb", dir=target.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        if target.exists():
            shutil.copyfile(target, tmp)
        con = duckdb.connect(tmp)
        try:
            present = _attach_source(con, source)
            for schema, name in tables:
                if (schema, name) in present:
                    con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
                    con.execute(
                        f"CREATE OR REPLACE TABLE {_quote(schema)}.{_quote(name)} AS "
                        f"SELECT * FROM src.{_quote(schema)}.{_quote(name)}"
                    )
            # the failed run may have rebuilt marts this copy lacks: the next publish is whole
            if (MANIFEST[0], MANIFEST[1]) in set(
                con.execute(
                    "SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog <> 'src'"
                ).fetchall()
            ):
                con.execute(f"UPDATE {MANIFEST[0]}.{MANIFEST[1]} SET stale = true")
            con.execute("DETACH src")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        shutil.copymode(source, tmp)
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, tmp + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return target
