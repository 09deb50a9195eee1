"""Where the dbt models use SQL that only DuckDB speaks, and whether a tool can carry it over.

    python -m bench.portability [--compiled DIR] [--markdown]

1. Scans every model and macro of dbt_project/ for DuckDB-only constructs (the list below,
   each with its Trino spelling), outside the adapter-dispatched macros of
   macros/cross_db.sql, and counts them per file.
2. With --compiled (a `dbt compile` target folder), transpiles every compiled model from
   DuckDB to Trino with sqlglot (installed with dagster-dbt) and reports what it cannot
   carry over. sqlglot rewrites syntax (QUALIFY, list literals, ::); it cannot vouch for
   semantics (integer division, ISO-week formats), which the table flags by hand.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

DBT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
DISPATCHED = {"cross_db.sql"}  # macros that are adapter.dispatch()ed: DuckDB SQL belongs there

# construct -> (regex on the SQL, what Trino says instead)
DUCKDB_ONLY: dict[str, tuple[str, str]] = {
    "QUALIFY": (r"\bqualify\b", "a subquery filtering row_number() (safetywh.latest_rows)"),
    "GROUP BY ALL": (r"\bgroup\s+by\s+all\b", "the grouping columns spelled out"),
    "ASOF JOIN": (r"\basof\s+(left\s+)?join\b", "a join on the greatest lower bound (max() over a range join)"),
    "x::type cast": (r"::\s*[a-z]", "CAST(x AS type) ({{ dbt.cast() }} / {{ dbt.safe_cast() }})"),
    "list literal / index [..]": (
        r"\[[^\]\n{%]*\]\s*\[|\[\s*'[^']*'\s*(,\s*'[^']*'\s*)+\]",
        "ARRAY[...] and element_at() (safetywh.list_element)",
    ),
    "list()/list_* functions": (r"\blist(_\w+)?\s*\(", "array_agg() / array functions"),
    "generate_series / range": (r"\b(generate_series|range)\s*\(", "sequence() + UNNEST (safetywh.date_series)"),
    "strftime": (r"\bstrftime\s*\(", "date_format() / format() (safetywh.period_label)"),
    "printf / format": (r"\b(printf|format)\s*\(", "format() with Java format strings"),
    "make_date / make_timestamp": (r"\bmake_(date|timestamp)\s*\(", "date(concat(...)) or date_add from a base date"),
    "INTERVAL n unit (unquoted)": (
        r"\binterval\s+\d+\s+(day|month|year|hour|week)s?\b",
        "INTERVAL 'n' UNIT ({{ dbt.dateadd() }})",
    ),
    "to_days/to_hours/to_months": (
        r"\bto_(days|hours|months|years|minutes)\s*\(",
        "INTERVAL or date_add() (safetywh.add_days)",
    ),
    "isodow / dayofweek": (r"\b(isodow|dayofweek)\s*\(", "day_of_week()"),
    "timezone(zone, ts)": (r"\btimezone\s*\(", "ts AT TIME ZONE zone"),
    "SELECT * EXCLUDE / REPLACE": (r"\*\s*(exclude|replace)\s*\(", "explicit column lists"),
    "regexp_full_match / regexp_matches": (r"\bregexp_(full_match|matches)\s*\(", "regexp_like() with anchors"),
    "struct / row field access": (r"\bstruct_pack\s*\(|\{\s*'[a-z_]+'\s*:", "ROW(...) and field access"),
    "UNION BY NAME": (r"\bunion\s+(all\s+)?by\s+name\b", "the same column list in every branch"),
    "epoch()": (r"\bepoch(_ms|_us|_ns)?\s*\(", "date_diff('second', a, b) ({{ dbt.datediff() }})"),
    "arg_min / arg_max": (r"\barg_(min|max)\s*\(", "min_by() / max_by() (DuckDB has them too)"),
    "string_split / str_split": (
        r"\b(string_split|str_split|string_to_array)\s*\(",
        "split() (safetywh.split_to_list)",
    ),
    "COLUMNS(*) / UNPIVOT": (r"\bcolumns\s*\(|\bunpivot\b", "explicit column lists"),
}
# Semantics a transpiler does not see: read these models by hand before running elsewhere.
SEMANTIC = {
    "integer / integer": "DuckDB's / is exact division (1 / 2 = 0.5); Trino's truncates on integers (1 / 2 = 0): "
    "cast one side to double (the ranking's rates and quotas divide counts)",
    "ISO week label": "strftime '%G-W%V' has no Trino format code: build it from year_of_week() and week()",
    "date - date": "DuckDB returns an integer of days; Trino needs date_diff('day', a, b)",
}


def scan(project: Path = DBT_DIR) -> dict[str, Counter]:
    """File (relative to the project) -> construct -> occurrences, outside dispatched macros."""
    found: dict[str, Counter] = {}
    for folder in ("models", "macros", "tests"):
        for path in sorted((project / folder).rglob("*.sql")):
            if path.name in DISPATCHED:
                continue
            text = re.sub(r"\{#.*?#\}", "", path.read_text("utf-8"), flags=re.S)  # Jinja comments
            text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.S)  # Jinja statements: not SQL
            text = re.sub(r"--[^\n]*", "", text)
            counts = Counter()
            for name, (pattern, _) in DUCKDB_ONLY.items():
                n = len(re.findall(pattern, text, flags=re.IGNORECASE))
                if n:
                    counts[name] = n
            if counts:
                found[path.relative_to(project).as_posix()] = counts
    return found


def transpile_check(compiled: Path) -> list[tuple[str, str]]:
    """(model, error) for every compiled model sqlglot cannot carry from DuckDB to Trino."""
    import sqlglot
    from sqlglot import ErrorLevel

    failures = []
    for path in sorted((compiled / "compiled").rglob("*.sql")):
        if "/models/" not in path.as_posix() or path.parent.suffix == ".yml":
            continue
        try:
            sqlglot.transpile(path.read_text("utf-8"), read="duckdb", write="trino", unsupported_level=ErrorLevel.RAISE)
        except Exception as exc:  # noqa: BLE001 - report any failure
            failures.append((path.name, str(exc).splitlines()[0][:200]))
    return failures


def markdown(found: dict[str, Counter]) -> str:
    totals = Counter()
    for counts in found.values():
        totals.update(counts)
    lines = ["| DuckDB-only construct | uses | files | Trino |", "|---|---:|---:|---|"]
    for name, (_, trino) in DUCKDB_ONLY.items():
        if totals[name]:
            files = sum(1 for c in found.values() if c[name])
            lines.append(f"| {name} | {totals[name]} | {files} | {trino} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.portability")
    parser.add_argument("--compiled", type=Path, help="a `dbt compile` target folder: also transpile with sqlglot")
    parser.add_argument("--markdown", action="store_true", help="print the summary table only")
    args = parser.parse_args(argv)
    found = scan()
    if args.markdown:
        print(markdown(found))
        return 0
    for path, counts in found.items():
        print(f"{path}: " + ", ".join(f"{k} x{v}" for k, v in counts.most_common()))
    print()
    print(markdown(found))
    print("\nSemantics to check by hand:")
    for name, text in SEMANTIC.items():
        print(f"- {name}: {text}")
    if args.compiled:
        failures = transpile_check(args.compiled)
        models = sum(1 for p in (args.compiled / "compiled").rglob("*.sql") if "/models/" in p.as_posix())
        print(f"\nsqlglot DuckDB -> Trino: {models - len(failures)} of {models} compiled files transpile")
        for name, error in failures:
            print(f"  {name}: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
