"""Retired: dbt selects what a run rebuilds (pipelines/lib/dbt_manifest.select_build).

Only ``clock_bucket`` is left, for pipelines/lib/run_state.py (owned by the `service` work,
which retires it); delete this file with it.
"""

from __future__ import annotations

import datetime as dt


def clock_bucket(now: dt.datetime) -> str:
    return now.strftime("%Y-%m-%dT%H")
