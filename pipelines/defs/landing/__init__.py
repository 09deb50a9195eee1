"""The landing concern: a sensor that starts the run job when something new is in <home>/landing."""

import dagster as dg

from pipelines.defs.landing.sensors import landing_folder

defs = dg.Definitions(sensors=[landing_folder])
