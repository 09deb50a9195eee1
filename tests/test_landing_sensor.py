"""The landing sensor and the alerts_retry schedule ask run_inputs.what_is_new, against the
last successful run in the home's Dagster instance: what each answers, input by input."""

import datetime as dt
import os

import dagster as dg
import pytest

from pipelines.lib import run_inputs
from pipelines.lib.profile import load_profile
from tests.test_run_inputs import record
from warehouse.home import Home


@pytest.fixture
def home(tmp_path, monkeypatch):
    for name in [k for k in os.environ if k.startswith("SAFETYWH_") or k == "DAGSTER_HOME"]:
        monkeypatch.delenv(name)
    home = Home(tmp_path / "home")
    (home.landing / "hazards" / "430182001").mkdir(parents=True)
    (home.landing / "hazards" / "430182001" / "w14.csv").write_text("隐患编号\nH-1\n", "utf-8")
    monkeypatch.setenv("SAFETYWH_HOME", str(home.root))
    return home


def inputs(home: Home) -> run_inputs.Inputs:
    profile = load_profile()
    return run_inputs.current_inputs(home, profile.folder, profile.timezone)


def sensor(cursor: str | None = None):
    from pipelines.defs.landing.sensors import landing_folder

    return landing_folder(dg.build_sensor_context(cursor=cursor))


def schedule():
    from pipelines.defs.alerts.schedules import alerts_retry

    return alerts_retry(dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 12, 4, 22, 10)))


def test_no_successful_run_asks_for_one_with_the_inputs_digest_as_run_key_and_cursor(home):
    asked = sensor()
    assert isinstance(asked, dg.SensorResult) and len(asked.run_requests) == 1
    request = asked.run_requests[0]
    assert request.run_key == inputs(home).key == asked.cursor
    assert (
        request.tags[run_inputs.KEY_TAG] == request.run_key and request.tags["safetywh/landing"] == inputs(home).landing
    )
    # the same tick again (the cursor says it was asked): no second request
    assert isinstance(sensor(cursor=asked.cursor), dg.SkipReason)


def test_nothing_new_since_the_last_success_is_skipped_and_a_new_file_is_asked_for(home):
    record(home, inputs(home))
    skipped = sensor()
    assert isinstance(skipped, dg.SkipReason) and "没有新文件" in skipped.skip_message
    assert isinstance(schedule(), dg.SkipReason)
    (home.landing / "hazards" / "430182001" / "w15.csv").write_text("隐患编号\nH-2\n", "utf-8")
    asked = sensor()
    assert isinstance(asked, dg.SensorResult) and asked.run_requests[0].run_key == inputs(home).key
    assert isinstance(schedule(), dg.SkipReason)  # new files are the sensor's, not the retry's


def test_a_run_under_way_makes_the_sensor_wait(home):
    record(home, inputs(home))
    (home.landing / "hazards" / "430182001" / "w15.csv").write_text("隐患编号\nH-2\n", "utf-8")
    record(home, inputs(home), status="STARTED")
    waiting = sensor()
    assert isinstance(waiting, dg.SkipReason) and "等待正在排队或运行" in waiting.skip_message


def test_failed_inputs_are_tried_once_more_then_left(home):
    record(home, inputs(home), status="FAILURE")
    again = sensor()
    assert isinstance(again, dg.SensorResult) and again.run_requests[0].run_key == inputs(home).key + "-2"
    record(home, inputs(home), status="FAILURE")
    left = sensor()
    assert isinstance(left, dg.SkipReason) and "已运行失败 2 次" in left.skip_message


def test_alerts_waiting_for_a_retry_are_the_schedules(home):
    record(home, inputs(home), retries_pending=True)
    skipped = sensor()
    assert isinstance(skipped, dg.SkipReason) and "alerts_retry" in skipped.skip_message
    retry = schedule()
    assert isinstance(retry, dg.RunRequest) and retry.run_key == "retry-20261204T2210"
    assert retry.tags["safetywh/source"] == "alerts_retry"


def test_every_trigger_is_on_by_default():
    from pipelines.definitions import defs

    repo = defs.get_repository_def()
    for sensor_def in repo.sensor_defs:
        assert sensor_def.default_status == dg.DefaultSensorStatus.RUNNING, sensor_def.name
    for schedule_def in repo.schedule_defs:
        assert schedule_def.default_status == dg.DefaultScheduleStatus.RUNNING, schedule_def.name
    assert {"landing_folder", "reporting_mailbox"} <= {s.name for s in repo.sensor_defs}
    assert {"alerts_retry", "weekly_bulletin_schedule"} <= {s.name for s in repo.schedule_defs}
