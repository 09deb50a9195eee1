"""One asset per publication kind, partitioned by period, one job and one schedule each.

Materializing a partition calls pipelines.lib.bulletin.publish.publish (the function of
`safetywh publish`): it reads the marts as they stand, so re-materializing an old period
(a backfill) re-issues it from today's data, and the archive keeps every issued version.

Schedules (Asia/Shanghai, the profile's zone): the weekly bulletin Monday 14:00, after the
12:00 deadline of last week's ledgers; the monthly ranking on the 1st at 14:00; the
quarterly assessment on the 1st after each quarter at 15:00, after that month's ranking.
A tick is skipped, with the reason, when the published warehouse has no ranking for the
period yet (e.g. the demo data ends in 2023).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.defs.bulletins.partitions import build_partitions, timezone
from pipelines.defs.publish.assets import PUBLISHED_KEY
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.bulletin.periods import label_for_start, period_containing

# The marts a publication reads (keys of the dbt assets: schema / model).
MART_KEYS = [
    dg.AssetKey(["marts", name])
    for name in ("township_rankings", "kpi_scoreboard_daily", "major_and_supervised_hazards", "data_quality_by_sender")
]

KINDS = {
    # kind: (asset name, Chinese name, cron in the county's zone)
    "week": ("weekly_bulletin", "周通报", "0 14 * * 1"),
    "month": ("monthly_ranking", "月排名", "0 14 1 * *"),
    "quarter": ("quarterly_assessment", "季考核", "0 15 1 1,4,7,10 *"),
}

MAIL_FAILED = ("failed", "partly_sent")


class PublishConfig(dg.Config):
    send_mail: bool = True  # e-mail the leadership list when SMTP is configured


def _build_asset(kind: str, partitions: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    name, kind_cn, _ = KINDS[kind]
    key = dg.AssetKey(["publications", name])

    @dg.asset(
        key=key,
        partitions_def=partitions,
        deps=[PUBLISHED_KEY, *MART_KEYS],
        group_name="publications",
        description=(
            f"{kind_cn}: <home>/publications/<period>/ as .docx, .pdf and .xlsx (latest, archive/<version>/, "
            "manifest.json with sha256), e-mailed to contacts.leadership when SMTP is set up. Partition key = "
            "first day of the period (2023-04-03 = 2023-W14; 2023-04-01 = 2023-04 or 2023-Q2)."
        ),
        check_specs=[
            dg.AssetCheckSpec(
                "mail_delivered", asset=key, description="Warns when the e-mail to the leadership list failed."
            )
        ],
    )
    def publication(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, config: PublishConfig
    ) -> dg.MaterializeResult:
        from pipelines.lib.bulletin.publish import publish

        label = label_for_start(kind, context.partition_key)
        result = publish(warehouse.resolved_home(), label, now=warehouse.now(), send_mail=config.send_mail)
        version, doc = result.version, result.content["document"]
        context.log.info(f"{doc['title']}（{doc['doc_number']}）第{version.number}版 -> {result.folder}")
        mail_status = result.mail.get("status")
        return dg.MaterializeResult(
            metadata={
                "period": label,
                "doc_number": doc["doc_number"],
                "title": doc["title"],
                "version": version.number,
                "version_id": version.version_id,
                "data_as_of": result.content["period"]["as_of"],
                "period_complete": result.content["period"]["is_complete"],
                "same_as_previous": version.same_as_previous,
                "content_sha256": version.content_sha256,
                "docx": dg.MetadataValue.path(str(result.docx)),
                "pdf": dg.MetadataValue.path(str(result.pdf)),
                "xlsx": dg.MetadataValue.path(str(result.xlsx)),
                "archive": dg.MetadataValue.path(str(version.archive_dir)),
                "mail": mail_status,
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name="mail_delivered",
                    passed=mail_status not in MAIL_FAILED,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={"status": mail_status},
                )
            ],
        )

    return publication


def _build_schedule(kind: str, job, partitions: dg.TimeWindowPartitionsDefinition) -> dg.ScheduleDefinition:
    name, kind_cn, cron = KINDS[kind]

    @dg.schedule(
        name=f"{name}_schedule",
        cron_schedule=cron,
        execution_timezone=timezone(),
        job=job,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"{kind_cn}: publishes the period that has just ended.",
    )
    def publication_schedule(context: dg.ScheduleEvaluationContext):
        # the period that ended the day before the tick (Sunday's week, last month, last quarter)
        tick = context.scheduled_execution_time.astimezone(ZoneInfo(timezone()))
        period = period_containing(kind, tick.date() - dt.timedelta(days=1))
        key, label = period.partition_key, period.label
        if key < partitions.get_first_partition_key():
            return dg.SkipReason(f"{label} 早于报送起始日期，不发布")
        missing = _not_ranked_yet(kind, label)
        if missing:
            return dg.SkipReason(missing)
        return dg.RunRequest(run_key=f"{name}:{key}", partition_key=key, tags={"safetywh/period": label})

    return publication_schedule


def _not_ranked_yet(kind: str, label: str) -> "str | None":
    """Why the published copy cannot give this period's bulletin yet, or None. Reads only
    the dashboards' copy: a schedule tick must never take a lock the pipeline needs."""
    import duckdb

    from warehouse.home import Home

    path = Home.resolve().published_path
    if not path.exists():
        return None  # let the run say what is missing
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        rows = con.sql(
            "select count(*), max(period) from marts.township_rankings where period_type = ? and period <= ?",
            params=[kind, label],
        ).fetchall()
        has = con.sql(
            "select count(*) from marts.township_rankings where period_type = ? and period = ?", params=[kind, label]
        ).fetchall()[0][0]
    except duckdb.Error:
        return None
    finally:
        con.close()
    if has:
        return None
    return f"{label} 尚无排名数据（已有排名至 {rows[0][1] or '—'}），本期不发布"


def build_defs() -> dg.Definitions:
    partitions = build_partitions()
    assets, jobs, schedules = [], [], []
    for kind, (name, _, _) in KINDS.items():
        asset = _build_asset(kind, partitions[kind])
        job = dg.define_asset_job(
            f"{name}_job",
            selection=dg.AssetSelection.assets(asset),
            executor_def=dg.in_process_executor,
        )
        assets.append(asset)
        jobs.append(job)
        schedules.append(_build_schedule(kind, job, partitions[kind]))
    return dg.Definitions(assets=assets, jobs=jobs, schedules=schedules)


defs = build_defs()
