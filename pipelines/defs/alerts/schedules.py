"""Under the daemon, retry the alerts an SMTP server did not accept (meta.alerts status
queued or failed): a run of the run job sends every waiting message (outbox.send_pending)."""

from __future__ import annotations

import dagster as dg

from pipelines.lib.run_inputs import JOB_NAME, SOURCE_TAG

RETRY_CRON = "*/10 * * * *"


@dg.schedule(
    name="alerts_retry",
    cron_schedule=RETRY_CRON,
    job_name=JOB_NAME,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every 10 minutes: when the last successful run left alerts unsent (SMTP down), or the warehouse "
    "was written since by a command, runs the pipeline again. New files are the landing sensor's.",
)
def alerts_retry(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    from pipelines.lib import run_inputs
    from pipelines.lib.profile import load_profile
    from pipelines.lib.runner import writer_busy
    from warehouse.home import Home

    home = Home.resolve(None)
    if writer_busy(home):
        return dg.SkipReason("另一个运行正在写入：下次再试")
    profile = load_profile()
    inputs, found = run_inputs.current_verdict(home, profile.folder, profile.timezone)
    if found.unfinished:
        return dg.SkipReason("有正在排队或运行的运行：下次再试")
    if found.skip or found.changed or found.last_run_id is None:
        return dg.SkipReason(found.reason if found.skip else "有新的输入：由 landing_folder 传感器处理")
    return dg.RunRequest(
        run_key=f"retry-{context.scheduled_execution_time:%Y%m%dT%H%M}",
        tags=inputs.tags() | {SOURCE_TAG: "alerts_retry"},
    )
