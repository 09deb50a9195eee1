"""Ingestion assets: the county profile, the landing inventory, one raw asset per feed
contract, and the file register that reconciles them."""

import dagster as dg

from pipelines.defs.resources import WarehouseResource
from pipelines.lib.contracts import Contract, load_contracts
from pipelines.lib.ingest import ingest_feed
from pipelines.lib.inventory import register_new_files
from pipelines.lib.reconcile import reconciliation_problems
from pipelines.lib.reference import write_reference_tables

GROUP = "ingest"
PROFILE_TABLES = ("townships", "senders", "settings", "ranking_bands", "township_keys")
PROFILE_KEYS = [dg.AssetKey(["ref", t]) for t in PROFILE_TABLES]
INVENTORY_KEY = dg.AssetKey(["meta", "landing_inventory"])
FILES_KEY = dg.AssetKey(["meta", "files"])
QUARANTINE_KEY = dg.AssetKey(["meta", "quarantine"])


def raw_key(feed: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", feed])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(key, group_name=GROUP, description=f"County profile table ref.{key.path[-1]}.")
        for key in PROFILE_KEYS
    ],
    name="county_profile",
)
def county_profile(warehouse: WarehouseResource):
    with warehouse.connect() as con:
        counts = write_reference_tables(con, warehouse.profile())
    for key in PROFILE_KEYS:
        yield dg.MaterializeResult(asset_key=key, metadata={"rows": counts[key.path[-1]]})


@dg.asset(
    key=INVENTORY_KEY,
    deps=PROFILE_KEYS,
    group_name=GROUP,
    description="New files under <home>/landing: hashed, duplicates and misplaced files settled, the rest queued.",
)
def landing_inventory(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    home = warehouse.resolved_home()
    with warehouse.connect() as con:
        result = register_new_files(con, home.landing, warehouse.profile(), context.run_id, warehouse.now())
    context.log.info(
        f"{result.new_files} new file(s): {result.duplicates} duplicate(s), {result.rejected} rejected unread; "
        f"{result.pending} waiting for ingestion; {result.touched} touched (same content, same path: not new)"
    )
    return dg.MaterializeResult(metadata=vars(result))


def build_raw_asset(contract: Contract) -> dg.AssetsDefinition:
    deps = [INVENTORY_KEY, *PROFILE_KEYS]
    deps += [raw_key(c.references["feed"]) for c in contract.columns if c.references]
    check = dg.AssetCheckSpec(
        "no_quarantined_rows",
        asset=raw_key(contract.feed),
        description="Fails (warning) when a file received in this run had rows quarantined.",
    )

    @dg.asset(
        key=raw_key(contract.feed),
        deps=deps,
        group_name=GROUP,
        check_specs=[check],
        description=f"{contract.label} ({contract.feed}): every loaded version of every record. {contract.description}",
        metadata={"contract": f"pipelines/contracts/{contract.feed}.yaml", "record_id": contract.record_id},
    )
    def _raw(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        home = warehouse.resolved_home()
        with warehouse.connect() as con:
            result = ingest_feed(con, contract, warehouse.profile(), home.landing, context.run_id, warehouse.now())
        if result.files:
            context.log.info(
                f"{contract.feed}: {result.files} file(s), {result.rows_loaded} row(s) loaded, "
                f"{result.rows_quarantined} quarantined, {result.rows_skipped} skipped, {result.rejected_files} file(s) rejected"
            )
        return dg.MaterializeResult(
            metadata={
                "files": result.files,
                "files_rejected": result.rejected_files,
                "rows_loaded": result.rows_loaded,
                "rows_quarantined": result.rows_quarantined,
                "rows_skipped": result.rows_skipped,
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name="no_quarantined_rows",
                    passed=result.rows_quarantined == 0,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={
                        "rows_quarantined": result.rows_quarantined,
                        "rules_broken": dg.MetadataValue.json(result.rules_broken),
                        "files": dg.MetadataValue.json(result.files_with_quarantine[:50]),
                    },
                )
            ],
        )

    return _raw


raw_assets = [build_raw_asset(contract) for contract in load_contracts().values()]


@dg.multi_asset(
    name="file_register",
    specs=[
        dg.AssetSpec(
            FILES_KEY,
            group_name=GROUP,
            deps=[raw_key(feed) for feed in load_contracts()],
            description="Every file received: status, reason, rows total / loaded / quarantined / skipped.",
        ),
        dg.AssetSpec(
            QUARANTINE_KEY,
            group_name=GROUP,
            deps=[raw_key(feed) for feed in load_contracts()],
            description="Every broken cell of a quarantined row: file, Excel row, column, value, rule.",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "counts_reconcile",
            asset=FILES_KEY,
            blocking=True,
            description="Rows total = loaded + quarantined + skipped, and the raw tables agree.",
        )
    ],
)
def file_register(warehouse: WarehouseResource):
    with warehouse.connect() as con:
        problems = reconciliation_problems(con)
        totals = con.execute(
            "SELECT status, count(*), sum(rows_loaded), sum(rows_quarantined), sum(rows_skipped) FROM meta.files GROUP BY ALL"
        ).fetchall()
        cells = con.execute("SELECT count(*) FROM meta.quarantine").fetchall()[0][0]
    yield dg.MaterializeResult(asset_key=QUARANTINE_KEY, metadata={"cells": cells})
    yield dg.MaterializeResult(
        asset_key=FILES_KEY,
        metadata={f"files_{s}": n for s, n, *_ in totals},
        check_results=[
            dg.AssetCheckResult(
                check_name="counts_reconcile",
                passed=not problems,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={"problems": dg.MetadataValue.json(problems[:50])},
            )
        ],
    )


defs = dg.Definitions(assets=[county_profile, landing_inventory, *raw_assets, file_register])
