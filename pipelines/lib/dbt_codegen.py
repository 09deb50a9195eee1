"""Generate the dbt side of the feed contracts: sources, staging models and their docs.

Run by ``safetywh dbt-codegen``; tests/test_dbt_codegen.py fails when the committed files
drift from the contracts, so adding a feed means adding a contract and regenerating.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pipelines.lib.contracts import Column, Contract, load_contracts
from warehouse.layout import AUDIT_COLUMNS

HEADER = "# GENERATED from pipelines/contracts by `safetywh dbt-codegen`; do not edit by hand.\n"
INGEST_ASSET_PREFIX = "raw"

AUDIT_DOCS = {
    "_file_id": "meta.files.file_id of the file the row came from.",
    "_source_path": "Path of that file under <home>/landing.",
    "_file_sha256": "SHA-256 of that file.",
    "_row_number": "Spreadsheet row number in that file (1-based, title and header rows counted).",
    "_sender_code": "Sender code: the folder the file arrived in.",
    "_received_at": "When the file was received (its modification time, Asia/Shanghai).",
    "_loaded_at": "When the row was loaded (Asia/Shanghai).",
    "_run_id": "Dagster run that loaded the row.",
}


def sources_doc(contracts: dict[str, Contract]) -> dict[str, Any]:
    tables = []
    for contract in contracts.values():
        columns = []
        for c in contract.columns:
            columns.append(
                {
                    "name": c.name,
                    "description": f"{c.header}: {c.description}",
                    "data_type": c.duckdb_type.lower(),
                    "meta": {
                        "header": c.header,
                        "contract_type": c.type,
                        "required": c.required,
                        "personal": c.personal,
                    },
                }
            )
        columns += [
            {"name": name, "description": AUDIT_DOCS[name], "data_type": typ.lower()}
            for name, typ in AUDIT_COLUMNS.items()
        ]
        tables.append(
            {
                "name": contract.feed,
                "description": f"{contract.label}: {contract.description} Every loaded version of every record.",
                "meta": {
                    "record_id": contract.record_id,
                    "label": contract.label,
                    "cadence": contract.cadence,
                    **({"event_time": contract.event_time} if contract.event_time else {}),
                    "dagster": {"asset_key": [INGEST_ASSET_PREFIX, contract.feed]},
                },
                "columns": columns,
            }
        )
    return {
        "version": 2,
        "sources": [
            {
                "name": "ledgers",
                "description": "Departmental and township ledgers as loaded by the ingestion assets (raw schema).",
                "schema": "raw",
                "tables": tables,
            }
        ],
    }


def staging_models_doc(contracts: dict[str, Contract]) -> dict[str, Any]:
    models = []
    for contract in contracts.values():
        columns = []
        for c in contract.columns:
            if c.personal:
                continue
            name = staged_name(c)
            column: dict[str, Any] = {"name": name, "description": f"{c.header}: {c.description}"}
            tests: list[Any] = []
            if c.name == contract.record_id:
                tests += ["not_null", "unique"]
            if c.type == "township":
                tests.append(
                    {"relationships": {"arguments": {"to": "ref('stg_profile__townships')", "field": "township_code"}}}
                )
            if tests:
                column["data_tests"] = tests
            columns.append(column)
        columns += [
            {"name": "version_count", "description": "How many versions of this record were received."},
            {"name": "file_id", "description": "File the current version came from (meta.files)."},
            {"name": "source_row_number", "description": "Spreadsheet row of the current version in that file."},
            {"name": "sender_code", "description": "Sender of the current version."},
            {"name": "source_path", "description": "Path of the file of the current version."},
            {"name": "received_at", "description": "When the current version was received (Asia/Shanghai)."},
        ]
        models.append(
            {
                "name": f"stg_ledgers__{contract.feed}",
                "description": f"{contract.label}: the latest version of each record, personal data left out.",
                "columns": columns,
            }
        )
    return {"version": 2, "models": models}


def staged_name(column: Column) -> str:
    """A column's name in staging: a township is staged as its code (macros/stage_ledger.sql)."""
    return "township_code" if column.type == "township" else column.name


def staging_sql(contract: Contract) -> str:
    # incremental by record (macros/stage_ledger.sql): dbt needs the key, by its staged
    # name (the depot register's record id is its township), when it parses
    key = staged_name(next(c for c in contract.columns if c.name == contract.record_id))
    return (
        f"{{{{ config(materialized='incremental', incremental_strategy='delete+insert', "
        f"unique_key='{key}') }}}}\n{{{{ stage_ledger('{contract.feed}') }}}}\n"
    )


def record_versions_sql(contracts: dict[str, Contract]) -> str:
    """Every loaded version of every record, (feed, sender, record id, file): where the alert
    problem episodes (data_quality_row_problems) see a record come again, broken or not.
    Literal source() calls, so dbt and Dagster know it reads every ledger."""
    parts = [
        f"select '{c.feed}' as feed, _sender_code as sender_code,\n"
        f'       trim(cast("{c.record_id}" as varchar)) as record_id, _file_id as file_id\n'
        f"from {{{{ source('ledgers', '{c.feed}') }}}}"
        for c in contracts.values()
    ]
    return HEADER.replace("# ", "-- ", 1) + "{{ config(materialized='view') }}\n" + "\nunion all\n".join(parts) + "\n"


def rendered(project_dir: Path) -> dict[Path, str]:
    """Every generated file, by path, with its content."""
    contracts = load_contracts()
    staging = project_dir / "models" / "staging" / "ledgers"
    dump = lambda doc: HEADER + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)  # noqa: E731
    files = {
        staging / "_ledgers__sources.yml": dump(sources_doc(contracts)),
        staging / "_ledgers__models.yml": dump(staging_models_doc(contracts)),
    }
    for contract in contracts.values():
        files[staging / f"stg_ledgers__{contract.feed}.sql"] = staging_sql(contract)
    data_quality = project_dir / "models" / "intermediate" / "data_quality"
    files[data_quality / "int_data_quality__record_versions.sql"] = record_versions_sql(contracts)
    return files


def write(project_dir: Path) -> list[Path]:
    changed = []
    for path, content in rendered(project_dir).items():
        if not path.exists() or path.read_text("utf-8") != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, "utf-8")
            changed.append(path)
    return changed
