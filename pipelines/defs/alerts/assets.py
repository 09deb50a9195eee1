"""The alert concern: after dbt, tell each sender what is wrong with what it sent (and
what it has not sent), once; and tell the data team when a run fails."""

import dagster as dg

from pipelines.defs.alerts.sensors import alert_data_team_on_run_failure
from pipelines.defs.ingest.assets import FILES_KEY, QUARANTINE_KEY
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.alerts.outbox import process_alerts

OUTBOX_KEY = dg.AssetKey(["alerts", "outbox"])
# The lateness verdicts and the row problem episodes it reads are dbt models (marts/data_quality);
# depending on one key of the dbt multi-asset makes this step wait for the whole `dbt build`.
DELIVERIES_KEY = dg.AssetKey(["marts", "data_quality_deliveries"])
BY_SENDER_KEY = dg.AssetKey(["marts", "data_quality_by_sender"])
ROW_PROBLEMS_KEY = dg.AssetKey(["marts", "data_quality_row_problems"])


@dg.asset(
    key=OUTBOX_KEY,
    deps=[FILES_KEY, QUARANTINE_KEY, DELIVERIES_KEY, BY_SENDER_KEY, ROW_PROBLEMS_KEY],
    group_name="alerts",
    description=(
        "Data-quality alerts: one message per sender with new problems (quarantined rows, rejected files, "
        "missed deadlines) or newly resolved ones, written to <home>/outbox (.eml, .html, .xlsx) and sent by "
        "SMTP when SAFETYWH_SMTP_HOST is set. State in meta.alerts and meta.alert_problems."
    ),
    check_specs=[
        dg.AssetCheckSpec(
            "alerts_delivered",
            asset=OUTBOX_KEY,
            description="Warns when a message could not be sent (it stays queued and is retried on the next run).",
        )
    ],
)
def alerts_outbox(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    home = warehouse.resolved_home()
    with warehouse.connect() as con:
        result = process_alerts(con, home, warehouse.profile(), context.run_id, warehouse.now())
    context.log.info(
        f"{result.messages_created} alert(s) written ({result.new_problems} new problem(s), "
        f"{result.resolved_problems} resolved); sent {result.sent}, failed {result.failed}, "
        f"{result.queued} waiting" + ("" if result.smtp_configured else " (no SMTP configured: outbox only)")
    )
    return dg.MaterializeResult(
        metadata={
            "messages_created": result.messages_created,
            "new_problems": result.new_problems,
            "resolved_problems": result.resolved_problems,
            "sent": result.sent,
            "failed": result.failed,
            "waiting": result.queued,
            "smtp_configured": result.smtp_configured,
            "outbox": str(home.outbox),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="alerts_delivered",
                passed=result.failed == 0,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"failed": result.failed, "waiting": result.queued},
            )
        ],
    )


defs = dg.Definitions(assets=[alerts_outbox], sensors=[alert_data_team_on_run_failure])
