"""A run that can change nothing is recognised before Dagster starts (pipelines/lib/run_inputs.py):
every input it depends on, each changed in turn, makes the next run a real one. The record is
the last successful run in the home's Dagster instance (its tags), stored here by Dagster itself."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest

from pipelines.lib import run_inputs
from pipelines.lib.dbt_manifest import state_dir, target_dir
from warehouse.home import Home

NOW = dt.datetime(2026, 11, 29, 10, 5)
TZ = "Asia/Shanghai"


def record(home: Home, inputs, status: str = "SUCCESS", retries_pending: bool = False) -> str:
    """A run of the run job in the home's instance, as the run itself leaves it: the tags it
    was launched with and, when it finished, those its last step adds."""
    import dagster as dg
    from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus

    from pipelines.lib.dagster_home import ensure_instance

    tags = inputs.tags() | (run_inputs.left_behind(home, retries_pending) if status == "SUCCESS" else {})
    run_id = str(uuid.uuid4())
    with dg.DagsterInstance.from_config(ensure_instance(home)) as instance:
        instance.add_run(
            DagsterRun(job_name=run_inputs.JOB_NAME, run_id=run_id, status=DagsterRunStatus[status], tags=tags)
        )
    return run_id


@pytest.fixture
def setup(tmp_path, monkeypatch):
    """A home with one landing file, a warehouse and its published copy, a code folder and a
    profile folder of its own, and the record of a successful run made from them."""
    for name in [k for k in os.environ if k.startswith("SAFETYWH_")]:
        monkeypatch.delenv(name)
    home = Home(tmp_path / "home")
    (home.landing / "hazards" / "430182001").mkdir(parents=True)
    (home.landing / "hazards" / "430182001" / "w01.csv").write_text("隐患编号\nH-1\n", "utf-8")
    home.duckdb_path.write_bytes(b"warehouse")
    home.published_path.parent.mkdir(parents=True)
    home.published_path.write_bytes(b"warehouse")
    code, profile = tmp_path / "code", tmp_path / "profile"
    code.mkdir()
    (code / "model.sql").write_text("select 1")
    profile.mkdir()
    (profile / "profile.yaml").write_text("county: {timezone: Asia/Shanghai}")

    def inputs(now=NOW):
        return run_inputs.current_inputs(home, profile, TZ, now, code_roots=[code])

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    run_id = record(home, inputs())
    return home, code, profile, inputs, run_id


def test_nothing_changed_is_skipped(setup):
    home, _, _, inputs, run_id = setup
    verdict = run_inputs.what_is_new(home, inputs())
    assert verdict.skip and verdict.last_run_id == run_id


def test_no_instance_runs(tmp_path):
    home = Home(tmp_path / "home")
    verdict = run_inputs.what_is_new(home, run_inputs.Inputs("l", "c", "p", "s", "h"))
    assert not verdict.skip and "landing" in verdict.changed


@pytest.mark.parametrize("status", ["STARTED", "FAILURE", "CANCELED"])
def test_a_later_run_that_did_not_succeed_is_no_record(setup, status):
    """A failed, cancelled or killed (still STARTED) run of new inputs is not a finished one;
    the failures of the current inputs are counted (the sensor tries them again once)."""
    home, _, _, inputs, run_id = setup
    ledger = home.landing / "hazards" / "430182001" / "w02.csv"
    ledger.write_text("隐患编号\nH-2\n", "utf-8")
    record(home, inputs(), status=status)
    verdict = run_inputs.what_is_new(home, inputs())
    assert not verdict.skip and verdict.changed == ("landing",) and verdict.last_run_id == run_id
    assert verdict.failures == (0 if status == "STARTED" else 1)
    assert verdict.unfinished == (1 if status == "STARTED" else 0)  # the sensor waits for a run under way


def test_reading_the_record_writes_nothing(setup):
    home, _, _, inputs, _ = setup
    files = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in home.root.rglob("*") if p.is_file()}
    assert run_inputs.what_is_new(home, inputs()).skip
    assert {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in home.root.rglob("*") if p.is_file()} == files


@pytest.mark.parametrize(
    "change, reason",
    [
        ("new_file", "收件目录有新的或变动的文件"),
        ("touched_file", "收件目录有新的或变动的文件"),
        ("removed_file", "收件目录有新的或变动的文件"),
        ("code", "程序或 dbt 模型有变化"),
        ("profile", "县情配置有变化"),
        ("setting", "SAFETYWH_* 设置有变化"),
        ("hour", "已跨整点"),
    ],
)
def test_a_changed_input_runs(setup, monkeypatch, change, reason):
    home, code, profile, inputs, _ = setup
    ledger = home.landing / "hazards" / "430182001" / "w01.csv"
    now = NOW
    if change == "new_file":
        (ledger.parent / "w02.csv").write_text("隐患编号\nH-2\n", "utf-8")
    elif change == "touched_file":  # the same name sent again: a new modification time
        os.utime(ledger, ns=(ledger.stat().st_atime_ns, ledger.stat().st_mtime_ns + 1_000_000_000))
    elif change == "removed_file":
        ledger.unlink()
    elif change == "code":
        (code / "model.sql").write_text("select 2")
    elif change == "profile":
        (profile / "townships.csv").write_text("township_code\n")
    elif change == "setting":
        monkeypatch.setenv("SAFETYWH_SMTP_HOST", "127.0.0.1")
    elif change == "hour":
        now = NOW + dt.timedelta(hours=1)
    verdict = run_inputs.what_is_new(home, inputs(now))
    assert not verdict.skip
    assert reason in verdict.reason
    part = {
        "new_file": "landing",
        "touched_file": "landing",
        "removed_file": "landing",
        "code": "code",
        "profile": "profile",
        "setting": "settings",
        "hour": "hour",
    }[change]
    assert verdict.changed == (part,)  # a changed landing is what starts the validation worker


def test_a_later_minute_of_the_same_hour_is_skipped(setup):
    home, _, _, inputs, _ = setup
    assert run_inputs.what_is_new(home, inputs(NOW + dt.timedelta(minutes=50))).skip


def test_alerts_waiting_for_a_retry_run(setup):
    home, _, _, inputs, _ = setup
    record(home, inputs(), retries_pending=True)
    verdict = run_inputs.what_is_new(home, inputs())
    assert not verdict.skip and "待重发" in verdict.reason


@pytest.mark.parametrize("changed", ["warehouse", "published"])
def test_a_warehouse_written_since_runs(setup, changed):
    """A command that wrote to the warehouse, or a copy put back by hand: not what the run left."""
    home, _, _, inputs, _ = setup
    path = home.duckdb_path if changed == "warehouse" else home.published_path
    path.write_bytes(b"something else")
    verdict = run_inputs.what_is_new(home, inputs())
    assert not verdict.skip and "有变动" in verdict.reason


def test_an_unreadable_record_runs(setup):
    home, _, _, inputs, _ = setup
    run_inputs.runs_db(home).write_bytes(b"not a database")
    assert not run_inputs.what_is_new(home, inputs()).skip


def test_an_unreadable_profile_is_refused_before_the_run(tmp_path):
    """Every step reads the county profile: a missing or broken one is a clear error (exit 2),
    not a traceback from inside Dagster."""
    import subprocess
    import sys

    broken = tmp_path / "profile"
    broken.mkdir()
    (broken / "profile.yaml").write_text("county: [unclosed", "utf-8")
    (tmp_path / "home" / "landing").mkdir(parents=True)
    for folder in (tmp_path / "missing", broken):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAFETYWH_")}
        env["SAFETYWH_PROFILE"] = str(folder)
        done = subprocess.run(
            [sys.executable, "-m", "pipelines", "run", "--home", str(tmp_path / "home")],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.returncode == 2, done.stderr
        assert "错误：县情配置无法读取" in done.stderr and "Traceback" not in done.stderr


def test_a_home_inside_the_code_counts_only_the_code(tmp_path):
    """The default home is ./warehouse, inside the `warehouse` package: what a run writes
    there (landing, warehouse file, published copy, outbox, logs, its record) is not code."""
    package = tmp_path / "warehouse"
    package.mkdir()
    (package / "layout.py").write_text("DDL = 1\n")
    home = Home(package)
    profile = tmp_path / "profile"
    profile.mkdir()

    def inputs():
        return run_inputs.current_inputs(home, profile, TZ, NOW, code_roots=[package])

    before = inputs()
    for path in (
        home.landing / "hazards" / "430182001" / "w01.csv",
        home.duckdb_path,
        home.published_path,
        home.outbox / "a.eml",
        home.logs / "last-run.log",
        home.lock_path,
        run_inputs.runs_db(home),
        target_dir(home) / "partial_parse.msgpack",
        state_dir(home) / "manifest.json",
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("written by a run")
    after = inputs()
    assert after.code == before.code
    assert after.landing != before.landing  # the landing is an input of its own
    (package / "layout.py").write_text("DDL = 2\n")
    assert inputs().code != before.code
