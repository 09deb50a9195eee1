"""The reporting mailbox: e-mailed ledgers filed into the landing folder (pipelines/lib/mailbox.py)."""

import dagster as dg

from pipelines.defs.mailbox.sensors import reporting_mailbox

defs = dg.Definitions(sensors=[reporting_mailbox])
