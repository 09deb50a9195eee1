"""Under the daemon (`safetywh serve`), poll the reporting mailbox (what `safetywh mailbox`
does): the ledgers it files under landing/ are new files, and the landing sensor
(pipelines/defs/landing/sensors.py) runs the pipeline for them like for any other file."""

from __future__ import annotations

import imaplib

import dagster as dg

POLL_SECONDS = 300
# a sensor evaluation is cut off after 60 s (DAGSTER_SENSOR_GRPC_TIMEOUT_SECONDS): a backlog
# is worked through a few messages per tick (`safetywh mailbox --once` takes them all)
MESSAGES_PER_TICK = 10


@dg.sensor(
    name="reporting_mailbox",
    minimum_interval_seconds=POLL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Files the ledgers e-mailed to the reporting mailbox (SAFETYWH_IMAP_*) under landing/<feed>/<sender>/, "
    "answers each sender with the receipt; the landing sensor then runs the pipeline. Skips while no IMAP host is set.",
)
def reporting_mailbox(context: dg.SensorEvaluationContext) -> dg.SkipReason:
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
    # no run of its own: what was filed is new in landing/, and the landing sensor's next tick runs it
    return dg.SkipReason(result.summary())
