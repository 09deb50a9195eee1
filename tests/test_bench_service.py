"""bench/service.py's account of a run's stored events, on a real instance of the project's
dagster.yaml (SQLite under a temporary DAGSTER_HOME)."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg

from bench.service import run_events

ROOT = Path(__file__).resolve().parent.parent


@dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="first")])
def first():
    yield dg.Output(1)
    yield dg.AssetCheckResult(passed=True)


@dg.asset(deps=[first])
def second() -> None:
    pass


def test_the_planned_events_are_counted_among_the_runs_events(tmp_path, monkeypatch):
    shutil.copy(ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with dg.DagsterInstance.get() as instance:
        assert dg.materialize([first, second], instance=instance).success
        stored = len(instance.all_logs(instance.get_runs(limit=1)[0].run_id))
    ev = run_events(tmp_path)
    # two assets and one check: three planned events, written before the run starts
    assert ev["planned_events"] == 3
    assert ev["events"] == stored > 3
    # the span is rounded to 10 ms: the per-event figure is within 10/3 ms of span / 3
    assert abs(ev["ms_per_planned_event"] - 1000 * ev["planned_to_enqueued_s"] / 3) <= 10 / 3 + 0.1
