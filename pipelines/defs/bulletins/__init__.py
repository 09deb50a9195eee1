"""The publication concern: the weekly bulletin, monthly ranking and quarterly assessment
as Dagster assets partitioned by period, with their schedules (issue 6)."""
