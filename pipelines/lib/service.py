"""`safetywh serve`: the Dagster daemon, the Dagster webserver and the dashboards as child
processes on the home's instance, stopped together.

Each child is started in a process group of its own (``start_new_session``): what the
daemon starts (its code server, the run worker, the worker's `dbt`) is in the daemon's
group, so one signal to the group reaches them all. Stopping sends SIGTERM to every
group, waits up to ``STOP_SECONDS`` and sends SIGKILL to whatever is left. A run killed
half-way leaves nothing half-written: DuckDB rolls back an unfinished transaction, and the
published copy is swapped in whole (os.replace) or not at all. Its Dagster run stays
"started" with no process behind it; the next start marks it failed, and the landing
sensor runs those inputs again.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipelines.paths import REPO_ROOT
from warehouse.home import Home

# SIGTERM, then SIGKILL: every process is gone within 10 s of the request. The daemon and the
# webserver often take longer than this to stop on a loaded machine (measured: > 8 s at load 18).
STOP_SECONDS = 5.0
DEFINITIONS = ("-m", "pipelines.definitions")


@dataclass
class Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen | None = None


class ServiceBusy(RuntimeError):
    pass


def children(home: Home, address: str, port: int, dashboard_port: int | None) -> list[Child]:
    bindir = Path(sys.executable).parent
    out = [
        Child("dagster-daemon", [str(bindir / "dagster-daemon"), "run", *DEFINITIONS]),
        Child("dagster-webserver", [str(bindir / "dagster-webserver"), "-h", address, "-p", str(port), *DEFINITIONS]),
    ]
    if dashboard_port is not None:
        out.append(
            Child(
                "dashboard",
                [
                    sys.executable,
                    "-m",
                    "pipelines",
                    "dashboard",
                    "--home",
                    str(home.root),
                    "--port",
                    str(dashboard_port),
                    "--address",
                    address,
                ],
            )
        )
    return out


@contextmanager
def service_lock(home: Home):
    """One service per home: two daemons would both launch runs into one DuckDB file."""
    path = home.dagster_home / ".serve.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ServiceBusy(f"{home.root} 的服务已在运行（safetywh serve）") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def settle_abandoned_runs(home: Home) -> list[str]:
    """Runs of the run job still 'started' although no process runs them (the service was
    killed): marked failed, so the landing sensor tries their inputs again. Only when no
    `safetywh run` holds the writer lock (its run is alive)."""
    import dagster as dg

    from pipelines.lib.run_inputs import JOB_NAME
    from pipelines.lib.runner import writer_busy

    if writer_busy(home):
        return []
    settled = []
    statuses = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        for run in instance.get_runs(filters=dg.RunsFilter(job_name=JOB_NAME, statuses=statuses)):
            instance.report_run_failed(run, "服务停止时该运行尚未结束（进程已不在）：标记为失败，由传感器重新运行")
            settled.append(run.run_id)
    return settled


def _alive_in_group(pgid: int) -> bool:
    """A process of the group that is not a zombie (a grandchild whose parent died waits for
    PID 1 to reap it, which a container's PID 1 may never do: it runs nothing)."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) ": state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def stop(kids: list[Child], say: Callable[[str], None], bound: float = STOP_SECONDS) -> None:
    """SIGTERM to every child's group, then SIGKILL after ``bound`` seconds."""
    started = [k for k in kids if k.proc is not None]
    for kid in started:
        try:
            os.killpg(kid.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        for kid in started:
            kid.proc.poll()
        if not any(_alive_in_group(k.proc.pid) for k in started):
            break
        time.sleep(0.1)
    for kid in started:
        if _alive_in_group(kid.proc.pid):
            say(f"{kid.name}（进程组 {kid.proc.pid}）{bound:g} 秒内未退出：强制结束")
            try:
                os.killpg(kid.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 1
    for kid in started:
        try:
            kid.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass


def serve(home: Home, kids: list[Child], say: Callable[[str], None]) -> int:
    """Start every child, wait for a signal or a child's death, stop them all."""
    stopping: list[int] = []

    def on_signal(signum, _frame):
        stopping.append(signum)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    code = 0
    try:
        for kid in kids:
            kid.proc = subprocess.Popen(
                kid.argv, cwd=REPO_ROOT, env=os.environ.copy(), start_new_session=True, stdin=subprocess.DEVNULL
            )
            say(f"已启动 {kid.name}（进程 {kid.proc.pid}）")
        while not stopping:
            dead = [k for k in kids if k.proc.poll() is not None]
            if dead:
                say("；".join(f"{k.name} 意外退出（退出码 {k.proc.returncode}）" for k in dead) + "：停止服务")
                code = 1
                break
            time.sleep(0.2)
        else:
            say(f"收到{signal.Signals(stopping[0]).name}信号：正在停止全部进程（最多 {STOP_SECONDS:g} 秒）")
    finally:
        stop(kids, say)
        for s, handler in previous.items():
            signal.signal(s, handler)
    say("服务已停止")
    return code
