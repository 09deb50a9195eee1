"""Drop → rows visible in the published copy, with `safetywh serve` running.

On a home holding every generated file but the held-back weekly hazards ledger (the one
`python -m bench` holds back), after one `safetywh run`: start `safetywh serve
--no-dashboard`, wait until the landing sensor has skipped once (the service is idle and
has the record), hard-link the held-back file into landing/, and poll the published copy
until that file is registered in it (the copy is written last, so its rows are visible).
The service's log gives where the time went: the sensor's request, the run worker's start
(process start and definitions import), the ingestion steps, `dbt build`, the publish step.

    python -m bench.service [--scale 1] [--repeat 1] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.__main__ import (
    RESULTS,
    ROOT,
    clean_env,
    held_back_file,
    landing_for,
    link_tree,
    log,
)

STAMP = r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \+0000"
PHASES = {  # name: a line of the service's log that ends it
    "sensor_request": r"landing_folder - 请求运行",
    "worker_started": r"RUN_START - Started execution of run",
    "dbt_started": r"dbt_models - Running dbt command",
    "dbt_done": r"dbt_models - STEP_SUCCESS",
    "published": r"published__warehouse - STEP_SUCCESS",
}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _published_has(home: Path, path: str) -> bool:
    import duckdb

    target = home / "published" / "warehouse.duckdb"
    try:
        with duckdb.connect(str(target), read_only=True) as con:
            return con.execute("SELECT count(*) FROM meta.files WHERE path = ?", [path]).fetchall()[0][0] > 0
    except (duckdb.Error, FileNotFoundError):
        return False


def _phases(text: str, since: float) -> dict[str, float]:
    """Seconds after the drop at which each phase's line was logged (log stamps are whole seconds, UTC)."""
    out = {}
    for name, pattern in PHASES.items():
        for match in re.finditer(STAMP + r"[^\n]*" + pattern, text):
            at = dt.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC).timestamp()
            if at >= int(since):
                out[name] = round(at - since, 1)
                break
    return out


def run_events(dagster_home: Path) -> dict:
    """The newest run's events as Dagster stored them (its instance API, SQLite here): how
    many, and the seconds from its first planned event to the first event after them
    (PIPELINE_ENQUEUED under the service). Dagster writes one planned event per asset and per
    asset check of the job before it queues the run, each one a write of its own, so that
    span is most of "request → run submitted"."""
    import dagster as dg

    previous = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(dagster_home)  # dagster.yaml's storage reads it
    try:
        with dg.DagsterInstance.get() as instance:
            run = instance.get_runs(limit=1)[0]
            entries = instance.all_logs(run.run_id)
    finally:
        if previous is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = previous
    kinds = [e.dagster_event_type.value if e.dagster_event_type else None for e in entries]
    is_planned = [bool(k and k.endswith("_PLANNED")) for k in kinds]
    first = is_planned.index(True)
    after = next(e for e, p in zip(entries[first:], is_planned[first:], strict=True) if not p)
    span = after.timestamp - entries[first].timestamp
    return {
        "events": len(entries),
        "planned_events": sum(is_planned),
        "planned_to_enqueued_s": round(span, 2),
        "ms_per_planned_event": round(1000 * span / sum(is_planned), 1),
    }


def measure_drop(work: Path, scale: float, bound: float = 900) -> dict:
    landing, meta, _ = landing_for(work, scale)
    held = held_back_file(landing)
    home = work / f"home-s{scale:g}-service"
    shutil.rmtree(home, ignore_errors=True)
    (home / "landing").mkdir(parents=True)
    link_tree(landing, home / "landing", {held})
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log(f"scale {scale:g}: service bench, first run")
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--home", str(home)],
        env=clean_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"safetywh run failed:\n{done.stderr[-3000:]}")
    service_log = logs / f"service-s{scale:g}.log"
    with open(service_log, "w+") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pipelines",
                "serve",
                "--home",
                str(home),
                "--no-dashboard",
                "--port",
                str(_free_port()),
            ],
            env=clean_env(),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            started = time.monotonic()
            # idle: the sensor found nothing new (not merely a run it already asked for)
            while "Sensor landing_folder skipped: 没有新文件" not in service_log.read_text("utf-8", "replace"):
                if proc.poll() is not None or time.monotonic() - started > bound:
                    raise SystemExit(f"the service did not become idle, see {service_log}")
                time.sleep(0.5)
            idle_after = time.monotonic() - started
            log(f"scale {scale:g}: service idle after {idle_after:.1f} s; dropping {held}")
            load = os.getloadavg()[0]
            dropped = time.time()
            t0 = time.monotonic()
            (home / "landing" / held).parent.mkdir(parents=True, exist_ok=True)
            os.link(landing / held, home / "landing" / held)
            while not _published_has(home, held):
                if proc.poll() is not None or time.monotonic() - t0 > bound:
                    raise SystemExit(f"the dropped file was not published within {bound} s, see {service_log}")
                time.sleep(0.2)
            visible = round(time.monotonic() - t0, 2)
        finally:
            proc.send_signal(signal.SIGTERM)
            stop_started = time.monotonic()
            proc.wait(timeout=30)
            stopped = round(time.monotonic() - stop_started, 2)
    text = service_log.read_text("utf-8", "replace")
    return {
        "scale": scale,
        "held_back_file": held,
        "drop_to_visible_s": visible,
        "service_start_to_idle_s": round(idle_after, 1),
        "stop_s": stopped,
        "load_before": round(load, 2),
        "phases_s": _phases(text, dropped),
        "run_events": run_events(home / "dagster"),
        "log": str(service_log),
        "files": sum(meta["files"].values()),
        "rows": sum(meta["rows"].values()),
    }


def row(result: dict) -> str:
    """The benchmark table's row (bench/__main__.py table)."""
    p = result["phases_s"]
    where = ", ".join(f"{k} at {v:g} s" for k, v in p.items())
    ev = result["run_events"]
    where += (
        f"; {ev['events']} run events, {ev['planned_events']} of them planned events "
        f"stored in {ev['planned_to_enqueued_s']:g} s before the run was queued"
    )
    return (
        f"| {result['scale']:g} | {result['rows']:,} | {result['files']:,} | service: drop → rows visible in the published "
        f"copy | {result['drop_to_visible_s']:.1f} | | | {where} (load {result['load_before']:.1f}) |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.service", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workdir", type=Path, default=RESULTS / "work")
    args = parser.parse_args(argv)
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    result = measure_drop(work, args.scale)
    print(row(result))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
