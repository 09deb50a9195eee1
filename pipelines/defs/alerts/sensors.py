"""Under `dagster dev`, a failed run alerts the data team (under `safetywh run` the runner
does it: sensors do not run in process)."""

import dagster as dg

from pipelines.lib.alerts.run_failure import alert_run_failure
from warehouse.home import Home


@dg.run_failure_sensor(
    name="alert_data_team_on_run_failure",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="E-mails the data team (profile contacts.data_team) when a run fails: a broken system, not bad data.",
)
def alert_data_team_on_run_failure(context: dg.RunFailureSensorContext) -> None:
    messages = []
    for event in context.get_step_failure_events():
        error = event.step_failure_data.error if event.step_failure_data else None
        while error is not None and error.cause is not None:
            error = error.cause
        messages.append(f"{event.step_key}: {error.message.strip() if error else event.message}")
    error_text = "\n".join(messages) or (context.failure_event.message or "run failed")
    alert_id = alert_run_failure(Home.resolve(None), context.dagster_run.run_id, error_text)
    context.log.info(f"run-failure alert {alert_id or '(not written)'} for run {context.dagster_run.run_id}")
