"""The floor: the same landing files into the same tables with plain DuckDB SQL.

    python -m bench.plain_duckdb --landing DIR --db DIR/warehouse.duckdb --compiled DIR [--exclude PATH ...]

What the pipeline adds its orchestration, validation and bookkeeping to, measured side by
side with it (``python -m bench``). It does, in one process and one DuckDB connection:

1. reading — UTF-8 CSVs with DuckDB's ``read_csv`` (all files in one call, in parallel);
   GBK/GB18030/UTF-16 CSVs and ``.xlsx`` with a minimal reader of its own (Python decode /
   polars ``read_excel`` over calamine), because DuckDB cannot read either offline
   (``read_csv(encoding='gbk')`` and the ``excel`` extension need a download; stack-facts);
2. header, title, blank and 合计 rows found in SQL, cells typed in SQL (numbers, every date
   spelling of feeds.md, township names to codes), written to ``raw.<feed>`` with the audit
   columns, and ``meta.files`` / ``ref.*`` as the models need them;
3. every dbt model, as dbt compiled it (``dbt compile``), created directly in dependency
   order: staging views, intermediate and mart tables (the KPI scoreboard, the township
   ranking and the rest).

What it leaves out is exactly the pipeline's overhead: Dagster, Great Expectations and
quarantine (a broken cell here is just null), the inbox and per-file bookkeeping (an
identical resubmission is still read once), dbt's process, parse, tests and contracts,
the published copy and the alerts. Its numbers
therefore equal the pipeline's only on a landing tree without defects; its reading is
lenient where the pipeline is strict (a sheet's first row is row 1; NFKC is applied to
the full-width ASCII range only).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from pipelines.lib.contracts import Contract, load_contracts
from pipelines.lib.layout_detect import HEADER_SEARCH_ROWS, TOTAL_MARKERS, header_key
from pipelines.lib.profile import load_profile
from pipelines.lib.reference import write_reference_tables
from warehouse.layout import ensure_layout

WIDTH = 24  # cells read per row (the widest contract has 12 columns)
CELLS = [f"c{i}" for i in range(WIDTH)]
FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
HALF = "".join(chr(c) for c in range(0x21, 0x7F)) + " "
DATE_PATTERN = r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?$"


def q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def fold(expr: str) -> str:
    return f"translate({expr}, {q(FULL)}, {q(HALF)})"


def clean(expr: str) -> str:
    return f"nullif(regexp_replace({expr}, '^\\s+|\\s+$', '', 'g'), '')"


def typed(cell: str, kind: str) -> str:
    text = clean(cell)
    if kind in ("text", "enum"):
        return text
    if kind == "code":
        return f"upper(regexp_replace({fold(text)}, '\\s', '', 'g'))"
    if kind in ("num", "int"):
        n = f"regexp_replace({fold(text)}, '[,\\s]', '', 'g')"
        num = f"(CASE WHEN regexp_full_match({n}, '[+-]?(\\d+(\\.\\d*)?|\\.\\d+)') THEN TRY_CAST({n} AS DOUBLE) END)"
        if kind == "num":
            return num
        return f"(CASE WHEN {num} = floor({num}) THEN TRY_CAST({num} AS BIGINT) END)"
    if kind in ("date", "ts"):
        d = fold(text)
        s = f"regexp_replace({d}, '^(\\d{{4}})\\.(\\d{{1,2}})\\.(\\d{{1,2}})', '\\1-\\2-\\3')"
        s = f"replace(replace(replace(regexp_replace({s}, '[年月/]', '-', 'g'), '日', ' '), 'T', ' '), '  ', ' ')"
        s = f"trim(regexp_replace(regexp_replace({s}, '^(\\d{{4}})(\\d{{2}})(\\d{{2}})(\\s|$)', '\\1-\\2-\\3\\4'), '\\s+', ' ', 'g'))"
        p = f"regexp_extract({s}, {q(DATE_PATTERN)}, ['y', 'mo', 'd', 'h', 'mi', 'se'])"
        pad = lambda part: f"lpad(coalesce(nullif({p}.{part}, ''), '0'), 2, '0')"  # noqa: E731
        text_ts = f"({p}.y || '-' || {pad('mo')} || '-' || {pad('d')} || ' ' || {pad('h')} || ':' || {pad('mi')} || ':' || {pad('se')})"
        serial = (
            f"(TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(TRY_CAST({d} AS DOUBLE) * 86400000000) AS BIGINT)))"
        )
        ts = f"(CASE WHEN regexp_full_match({d}, '\\d{{5}}(\\.\\d+)?') THEN {serial} ELSE TRY_CAST({text_ts} AS TIMESTAMP) END)"
        return ts if kind == "ts" else f"CAST({ts} AS DATE)"
    raise ValueError(kind)


def typed_key(expr: str) -> str:
    """A township as written -> the key of the township lookup."""
    return f"regexp_replace({fold(clean(expr))}, '\\s', '', 'g')"


def header_norm(expr: str) -> str:
    return f"lower(regexp_replace(regexp_replace({fold(expr)}, '\\s+', '', 'g'), '^[*※]+|[*※]+$', '', 'g'))"


# ------------------------------------------------------------------ reading


def list_files(landing: Path, exclude: set[str], contracts: dict[str, Contract], tz: str) -> pl.DataFrame:
    rows = []
    for feed in sorted(contracts):
        for path in sorted((landing / feed).glob("*/*")):
            rel = path.relative_to(landing).as_posix()
            if rel in exclude or path.name.startswith((".", "~$")):
                continue
            st = path.stat()
            received = dt.datetime.fromtimestamp(st.st_mtime_ns / 1e9, ZoneInfo(tz)).replace(tzinfo=None, microsecond=0)
            rows.append(
                {
                    "path": rel,
                    "feed": feed,
                    "sender_code": path.parent.name,
                    "size_bytes": st.st_size,
                    "mtime_ns": st.st_mtime_ns,
                    "received_at": received,
                    "suffix": path.suffix.lower(),
                    "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                }
            )
    # an identical copy sent again is read once (the first received)
    return (
        pl.DataFrame(rows)
        .sort("received_at", "path")
        .with_columns(
            pl.int_range(1, pl.len() + 1).alias("file_id"),
            pl.col("path").cum_count().over("sha256").gt(1).alias("duplicate"),
        )
    )


def _frame_cells(frame: pl.DataFrame, file: str) -> pl.DataFrame:
    frame = frame.select([pl.col(c).cast(pl.String).alias(f"c{i}") for i, c in enumerate(frame.columns[:WIDTH])])
    return frame.with_columns(pl.lit(file).alias("file"))


def read_cells(con: duckdb.DuckDBPyConnection, landing: Path, files: pl.DataFrame) -> None:
    """Every row of every file into table ``cells`` (file, rownum, c0..c23), in file order."""
    utf8, others = [], []
    for rel, suffix in files.filter(~pl.col("duplicate")).select("path", "suffix").iter_rows():
        if suffix == ".csv":
            data = (landing / rel).read_bytes()
            try:
                data.decode("utf-8")
                utf8.append(rel)
            except UnicodeDecodeError:
                others.append((rel, data))
        elif suffix == ".xlsx":
            others.append((rel, None))
    cols = ", ".join(f"{c} VARCHAR" for c in CELLS)
    con.execute(f"CREATE OR REPLACE TABLE cells_in (file VARCHAR, {cols})")
    if utf8:
        spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in CELLS) + "}"
        paths = [str(landing / rel) for rel in utf8]
        con.execute(
            f"""INSERT INTO cells_in SELECT filename, {", ".join(CELLS)} FROM read_csv(?, header = false, columns = {spec},
                    null_padding = true, filename = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
                    strict_mode = false)""",
            [paths],
        )
        con.execute(
            f"UPDATE cells_in SET file = substr(file, {len(str(landing)) + 2}) WHERE file LIKE ?", [str(landing) + "/%"]
        )
    frames = []
    for rel, data in others:
        try:
            if data is None:  # xlsx: calamine (fastexcel), empty rows kept so row numbers hold
                import fastexcel

                frame = (
                    fastexcel.read_excel((landing / rel).read_bytes())
                    .load_sheet(0, header_row=None, dtypes="string")
                    .to_polars()
                )
            else:  # not UTF-8: decode here, parse with polars
                text = None
                for encoding in ("utf-16", "gb18030") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("gb18030",):
                    try:
                        text = data.decode(encoding)
                        break
                    except UnicodeDecodeError:
                        continue
                if text is None:
                    continue
                sep = "\t" if text[:4096].count("\t") > text[:4096].count(",") else ","
                frame = pl.read_csv(
                    io.BytesIO(text.encode()),
                    has_header=False,
                    infer_schema=False,
                    separator=sep,
                    truncate_ragged_lines=True,
                )
        except Exception:  # noqa: BLE001 - the floor skips what it cannot read
            continue
        frames.append(_frame_cells(frame, rel))
    if frames:
        batch = pl.concat(frames, how="diagonal")
        batch = batch.select(
            "file", *[pl.col(c) if c in batch.columns else pl.lit(None, pl.String).alias(c) for c in CELLS]
        )
        con.register("_cells_batch", batch)
        con.execute("INSERT INTO cells_in SELECT * FROM _cells_batch")
        con.unregister("_cells_batch")
    con.execute(
        "CREATE OR REPLACE TABLE cells AS SELECT file, CAST(row_number() OVER (PARTITION BY file ORDER BY rowid) AS INTEGER) "
        "AS rownum, * EXCLUDE (file) FROM cells_in"
    )
    con.execute("DROP TABLE cells_in")
    # the cells where a header may be, and their header keys (normalised once per distinct text)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE head_cells AS
        SELECT file, rownum, CAST(substr(pos, 2) AS INTEGER) AS pos, cell
        FROM (UNPIVOT (SELECT * FROM cells WHERE rownum <= {HEADER_SEARCH_ROWS}) ON {", ".join(CELLS)} INTO NAME pos VALUE cell)""")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE head_keys AS SELECT cell, {header_norm('cell')} AS key "
        "FROM (SELECT DISTINCT cell FROM head_cells)"
    )


# ------------------------------------------------------------------ per feed


def load_feed(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    feed = contract.feed
    keys = {}
    for column in contract.columns:
        keys[header_key(column.header)] = column.name
        keys[header_key(column.name)] = column.name
    con.execute("CREATE OR REPLACE TEMP TABLE header_keys (key VARCHAR, name VARCHAR)")
    con.executemany("INSERT INTO header_keys VALUES (?, ?)", list(keys.items()))
    required = [c.name for c in contract.required]
    nonblank = [f"nullif(trim({c}), '')" for c in CELLS]
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE positions AS
        WITH matched AS (
            SELECT head_cells.file, head_cells.rownum, head_cells.pos, header_keys.name
            FROM head_cells
            JOIN files ON files.path = head_cells.file AND files.feed = {q(feed)}
            JOIN head_keys USING (cell)
            JOIN header_keys ON header_keys.key = head_keys.key
        ),
        hits AS (
            SELECT file, rownum, count(DISTINCT name) AS hits FROM matched GROUP BY file, rownum
        ),
        best AS (
            SELECT file, rownum FROM hits QUALIFY row_number() OVER (PARTITION BY file ORDER BY hits DESC, rownum) = 1
        )
        SELECT file, best.rownum AS header_row, name, min(pos) AS pos
        FROM matched JOIN best USING (file, rownum) GROUP BY ALL
    """)
    pivot = ", ".join(f'max(pos) FILTER (WHERE name = {q(c.name)}) AS "p_{c.name}"' for c in contract.columns)
    have_required = " AND ".join(f'"p_{n}" IS NOT NULL' for n in required) or "true"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE layouts AS
        SELECT file, any_value(header_row) AS header_row, {pivot} FROM positions GROUP BY file
        HAVING {have_required}
    """)

    def cell(name: str) -> str:
        whens = " ".join(f"WHEN {i} THEN c{i}" for i in range(WIDTH))
        return f'(CASE layouts."p_{name}" {whens} END)'

    first = f"coalesce({', '.join(nonblank)})"
    total = " OR ".join(f"starts_with(regexp_replace({first}, '\\s', '', 'g'), {q(m)})" for m in TOTAL_MARKERS)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE feed_rows AS
        SELECT cells.file, cells.rownum, layouts.header_row,
               CASE WHEN {first} IS NULL THEN 'blank' WHEN cells.rownum < layouts.header_row THEN 'title'
                    WHEN {total} THEN 'total' ELSE 'data' END AS _kind,
               {", ".join(f'{cell(c.name)} AS "{c.name}"' for c in contract.columns)}
        FROM cells JOIN layouts USING (file)
        WHERE cells.rownum <> layouts.header_row
    """)
    columns = ", ".join(f'"{c.name}"' for c in contract.columns)
    # a typed value depends on the text alone: type each distinct text once, join it back
    lookups, values, joins = [], [], []
    for i, c in enumerate(contract.columns):
        cell = f'feed_rows."{c.name}"'
        if c.type in ("text", "enum"):
            values.append(typed(cell, c.type))
            continue
        if c.type == "township":
            value = f"(SELECT township_code FROM township_keys WHERE township_keys.key = {typed_key('t')})"
        else:
            value = typed("t", c.type)
        lookups.append(
            f'd{i} AS (SELECT t, {value} AS v FROM (SELECT DISTINCT "{c.name}" AS t FROM feed_rows '
            f"WHERE _kind = 'data' AND \"{c.name}\" IS NOT NULL))"
        )
        joins.append(f"LEFT JOIN d{i} ON d{i}.t = {cell}")
        values.append(f"d{i}.v")
    con.execute(f"""
        INSERT INTO raw.{feed} ({columns}, _file_id, _source_path, _file_sha256, _row_number, _sender_code,
                                 _received_at, _loaded_at, _run_id)
        {"WITH " + ", ".join(lookups) if lookups else ""}
        SELECT {", ".join(values)}, files.file_id, files.path, '', feed_rows.rownum, files.sender_code,
               files.received_at, now()::TIMESTAMP, 'plain'
        FROM feed_rows JOIN files ON files.path = feed_rows.file {" ".join(joins)}
        WHERE feed_rows._kind = 'data'
        ORDER BY files.file_id, feed_rows.rownum
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE feed_counts_{feed} AS
        SELECT file, any_value(header_row) AS header_row, count(*) AS rows_total,
               count(*) FILTER (WHERE _kind = 'data') AS rows_loaded
        FROM feed_rows GROUP BY file
    """)


def write_files(con: duckdb.DuckDBPyConnection, feeds: list[str]) -> None:
    counts = " UNION ALL ".join(f"SELECT * FROM feed_counts_{f}" for f in feeds)
    con.execute(f"""
        INSERT INTO meta.files
        WITH counted AS (
            SELECT files.*, c.header_row, coalesce(c.rows_loaded, 0) > 0 AS ok,
                   coalesce(c.rows_total, 0) AS total, coalesce(c.rows_loaded, 0) AS loaded
            FROM files LEFT JOIN ({counts}) AS c ON c.file = files.path
        )
        SELECT file_id, path, feed, sender_code, sha256, size_bytes, mtime_ns, received_at, now()::TIMESTAMP, 'plain',
               CASE WHEN duplicate THEN 'duplicate' WHEN ok THEN 'loaded' ELSE 'rejected' END, ltrim(suffix, '.'), NULL,
               CASE WHEN ok THEN header_row END, CASE WHEN ok THEN total ELSE 0 END, CASE WHEN ok THEN loaded ELSE 0 END, 0,
               CASE WHEN ok THEN total - loaded ELSE 0 END, CASE WHEN NOT ok AND NOT duplicate THEN 'not_a_table' END,
               NULL, NULL
        FROM counted
    """)


# ------------------------------------------------------------------ models


def run_models(con: duckdb.DuckDBPyConnection, compiled: Path) -> list[str]:
    """Every dbt model, as compiled by dbt, in dependency order (no tests, no contracts)."""
    from graphlib import TopologicalSorter

    manifest = json.loads((compiled / "manifest.json").read_text("utf-8"))
    models = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    graph = {uid: [d for d in n["depends_on"]["nodes"] if d in models] for uid, n in models.items()}
    done = []
    for uid in TopologicalSorter(graph).static_order():
        node = models[uid]
        sql_path = compiled / "compiled" / node["package_name"] / node["original_file_path"]
        sql = sql_path.read_text("utf-8")
        kind = "VIEW" if node["config"]["materialized"] == "view" else "TABLE"
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{node["schema"]}"')
        con.execute(f'CREATE OR REPLACE {kind} "{node["schema"]}"."{node["alias"] or node["name"]}" AS {sql}')
        done.append(node["name"])
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.plain_duckdb", description=__doc__.split("\n\n")[0])
    parser.add_argument("--landing", required=True, type=Path)
    parser.add_argument(
        "--db",
        required=True,
        type=Path,
        help="DuckDB file to create (named warehouse.duckdb: the compiled SQL names its catalog)",
    )
    parser.add_argument("--compiled", required=True, type=Path, help="dbt target folder of `dbt compile`")
    parser.add_argument("--exclude", action="append", default=[], help="landing-relative path to leave out")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    for stale in (args.db, args.db.with_name(args.db.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = duckdb.connect(str(args.db))
    ensure_layout(con)  # the same meta / raw / ref DDL (empty tables)
    profile = load_profile()
    write_reference_tables(con, profile)
    con.register("_township_keys", profile.township_lookup())
    con.execute(
        f"CREATE TEMP TABLE township_keys AS SELECT DISTINCT ON (key) {typed_key('key')} AS key, township_code "
        "FROM _township_keys"
    )
    contracts = load_contracts()
    files = list_files(args.landing, set(args.exclude), contracts, profile.timezone)
    con.register("_files", files)
    con.execute("CREATE TEMP TABLE files AS SELECT * FROM _files")
    read_cells(con, args.landing, files)
    read_done = time.perf_counter()
    for contract in contracts.values():
        load_feed(con, contract)
    write_files(con, list(contracts))
    load_done = time.perf_counter()
    models = run_models(con, args.compiled)
    con.close()
    end = time.perf_counter()
    rows = {
        "files": files.height,
        "models": len(models),
        "read_s": round(read_done - began, 2),
        "load_s": round(load_done - read_done, 2),
        "models_s": round(end - load_done, 2),
        "total_s": round(end - began, 2),
    }
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
