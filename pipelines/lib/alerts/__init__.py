"""Data-quality alerts back to the senders, and run-failure alerts to the data team.

After every run, :func:`pipelines.lib.alerts.outbox.process_alerts` finds the problems of
each sender (quarantined rows, rejected files, missed deadlines), keeps the ones never
reported before, notices the ones a resubmission fixed, writes ONE message per affected
sender to <home>/outbox (.eml, .html, .xlsx) and sends what is queued when SMTP is set up.
State lives in the warehouse (meta.alerts, meta.alert_problems), so a problem is reported
once across runs and restarts.
"""
