"""Under `dagster dev`, poll the reporting mailbox (what `safetywh mailbox` does) and start
a run when ledgers were filed, so an e-mailed ledger is read without anyone running a command."""

from __future__ import annotations

import hashlib
import imaplib

import dagster as dg

from pipelines.defs.jobs import RUN_JOB_NAME

POLL_SECONDS = 300
# a sensor evaluation is cut off after 60 s (DAGSTER_SENSOR_GRPC_TIMEOUT_SECONDS): a backlog
# is worked through a few messages per tick (`safetywh mailbox --once` takes them all)
MESSAGES_PER_TICK = 10


@dg.sensor(
    name="reporting_mailbox",
    job_name=RUN_JOB_NAME,
    minimum_interval_seconds=POLL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Files the ledgers e-mailed to the reporting mailbox (SAFETYWH_IMAP_*) under landing/<feed>/<sender>/, "
    "answers each sender with the receipt, and runs the pipeline when something was filed. Skips while no IMAP host is set.",
)
def reporting_mailbox(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    from pipelines.lib.mailbox import ImapConfigError, MailboxBusy, poll_mailbox
    from pipelines.lib.profile import load_profile
    from warehouse.home import Home

    try:
        result = poll_mailbox(Home.resolve(None), load_profile(), max_messages=MESSAGES_PER_TICK)
    except (ImapConfigError, MailboxBusy) as exc:
        return dg.SkipReason(str(exc))
    except (imaplib.IMAP4.error, OSError) as exc:
        return dg.SkipReason(f"报送邮箱连接失败：{type(exc).__name__}: {exc}")
    if not result.configured:
        return dg.SkipReason(result.summary())
    context.log.info(result.summary())
    if not result.filed:
        return dg.SkipReason(result.summary())
    run_key = "mailbox-" + hashlib.sha256("\n".join(sorted(result.filed)).encode("utf-8")).hexdigest()[:16]
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=run_key, tags={"safetywh/source": "mailbox"})])
