"""`python -m bench` (or `make bench`): how fast and how big the warehouse runs.

For every scale (`safetywh generate --scale F`, seed 7, 2022-2023) it measures, in one run
so the ratios compare like with like on the same machine at the same time:

- generate: the generator filling the landing tree (once; the tree is kept for later runs);
- plain DuckDB: bench/plain_duckdb.py, the same files into the same tables and models with
  plain DuckDB SQL — the floor the pipeline's overhead adds to;
- pipeline cold: `safetywh run` on a new home holding every file but one;
- pipeline warm: the same again, nothing new;
- pipeline + 1 file: the held-back file (the latest weekly hazards ledger of a township)
  arrives, and the pipeline runs again (the calendar does not move: other townships sent
  that week already, so the daily marts whose inputs did not change are kept);
- pipeline + next week's first file: a township's hazards ledger of the week after the
  data (one new hazard) arrives: the calendar moves and every daily mart is rebuilt;
- fixed costs (first scale only): the Dagster definitions and a `dbt build` of one model,
  each alone (bench/stack_floor.py): the least any run with a new file can take here;
- dashboard: the cockpit's and the ranking's first render with cold caches and a filter
  change (AppTest, bench/dashboard.py), on the published copy;
- portal: the 数据报送 check of a 500-row ledger with the warm validation worker
  (bench/portal.py), against the same home;
- one large file (once): the peak memory of ingesting a 2 M-row hazards CSV with the
  profile's chunk size (bench/big_file.py).

Each command runs under GNU time (`/usr/bin/time -v`): wall, user+system CPU, the largest
single process's peak RSS; a sampler adds the peak RSS of the whole process tree (Dagster
and dbt together). Medians over --repeat runs. The table is printed and written, with the
machine, versions and every single measurement, to bench/results/bench-<time>.json (and
latest.json). The 1-minute load average before each command is recorded: other work on
the machine slows wall times; CPU seconds are less sensitive to it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from bench import signals_share, stack_floor
from bench.measure import Measurement, measure

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DBT_DIR = ROOT / "dbt_project"
SEED = 7
TARGETS = {
    "cold_s": 60.0,
    "floor_ratio": 2.0,
    "rss_mb": 4096.0,
    "warm_ratio": 0.10,
    "new_file_ratio": 0.20,
    "first_render_s": 1.0,
    "filter_change_s": 0.3,
    "portal_check_s": 2.0,
    "signals_share": 0.10,
}


def log(message: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB", "DAGSTER_HOME")}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    versions = {}
    for package in (
        "dagster",
        "dagster-dbt",
        "dbt-core",
        "dbt-duckdb",
        "duckdb",
        "polars",
        "great-expectations",
        "streamlit",
    ):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            pass
    os_name = platform.platform()
    try:
        os_name = next(
            line.split("=", 1)[1].strip('"')
            for line in Path("/etc/os-release").read_text().splitlines()
            if line.startswith("PRETTY_NAME=")
        )
    except (OSError, StopIteration):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem / 2**20, 1),
        "os": os_name,
        "python": platform.python_version(),
        "versions": versions,
    }


# ------------------------------------------------------------------ preparation


def landing_for(work: Path, scale: float) -> tuple[Path, dict, Measurement | None]:
    """The generated landing tree of a scale, generated once and kept."""
    landing = work / f"landing-s{scale:g}"
    summary = landing / "_generator" / "summary.json"
    if summary.exists():
        meta = json.loads(summary.read_text("utf-8"))
        if meta.get("scale") == scale and meta.get("seed") == SEED:
            return landing, meta, None
    log(f"scale {scale:g}: generating the landing tree")
    shutil.rmtree(landing, ignore_errors=True)
    landing.parent.mkdir(parents=True, exist_ok=True)
    m = measure(
        [
            sys.executable,
            "-m",
            "pipelines",
            "generate",
            "--out",
            str(landing),
            "--seed",
            str(SEED),
            "--scale",
            str(scale),
        ],
        env=clean_env(),
        cwd=ROOT,
        log=work / f"generate-s{scale:g}.log",
    )
    if m.exit_code:
        raise SystemExit(f"generate failed, see {work / f'generate-s{scale:g}.log'}")
    return landing, json.loads(summary.read_text("utf-8")), m


def held_back_file(landing: Path) -> str:
    """The latest weekly hazards ledger a township sent: the 'one new weekly file'."""
    resent = ("重", "更正", "修", "副本", "bak", "(", "v2")  # resubmissions and copies: not a regular weekly file
    candidates = [
        p
        for p in (landing / "hazards").glob("*/*")
        if p.parent.name.isdigit() and p.suffix in (".xlsx", ".csv") and not any(mark in p.stem for mark in resent)
    ]
    latest = max(candidates, key=lambda p: (p.stat().st_mtime_ns, p.as_posix()))
    return latest.relative_to(landing).as_posix()


def link_tree(landing: Path, target: Path, leave_out: set[str]) -> None:
    """A home's landing as hard links (same bytes and modification times, no copy)."""
    for path in landing.rglob("*"):
        rel = path.relative_to(landing)
        if rel.parts[0] == "_generator" or rel.as_posix() in leave_out:
            continue
        if path.is_dir():
            (target / rel).mkdir(parents=True, exist_ok=True)
        else:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target / rel)


def compile_models(work: Path) -> Path:
    """`dbt compile` into a folder of the bench's own (the floor runs the compiled SQL)."""
    target = work / "dbt-compiled"
    db = work / "dbt-compile" / "warehouse.duckdb"  # the compiled SQL names the catalog "warehouse"
    db.parent.mkdir(parents=True, exist_ok=True)
    env = {**clean_env(), "SAFETYWH_DUCKDB": str(db)}
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "compile",
            "--profiles-dir",
            str(DBT_DIR),
            "--target-path",
            str(target),
            "--quiet",
        ],
        cwd=DBT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"dbt compile failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return target


# ------------------------------------------------------------------ runs


def next_week_file(home: Path) -> Path:
    """A township's hazards ledger for the week after the data: one hazard found three days
    after the latest fact date, at a registered enterprise. Its date moves the calendar."""
    import duckdb

    from pipelines.lib.contracts import get_contract

    con = duckdb.connect(str(home / "published" / "warehouse.duckdb"), read_only=True)
    try:
        latest = con.execute("SELECT latest_data_on FROM marts.calendar_coverage").fetchall()[0][0]
        township, credit = con.execute(
            "SELECT township_code, credit_code FROM staging.stg_ledgers__hazards "
            "WHERE credit_code IS NOT NULL ORDER BY received_at DESC, hazard_id LIMIT 1"
        ).fetchall()[0]
    finally:
        con.close()
    found = latest + dt.timedelta(days=3)
    year, week, _ = found.isocalendar()
    values = {
        "hazard_id": f"BENCH-{found:%Y%m%d}",
        "found_on": found.isoformat(),
        "township": township,
        "credit_code": credit,
        "level": "一般",
        "description": "消防器材过期",
        "deadline": (found + dt.timedelta(days=30)).isoformat(),
        "responsible_person": "张三",
        "phone": "18114430813",
        "is_supervised": "否",
        "funds_10k_cny": "1.5",
    }
    columns = get_contract("hazards").columns
    path = home / "landing" / "hazards" / township / f"hazards-{township}-{year}W{week:02d}.csv"
    path.write_text(
        ",".join(c.header for c in columns) + "\n" + ",".join(values.get(c.name, "") for c in columns) + "\n", "utf-8"
    )
    return path


def last_build(home: Path) -> dict:
    """What the last successful dbt build selected (pipelines/lib/dbt_manifest.remember_build)."""
    try:
        return json.loads((home / "dbt" / "target" / "state" / "built_from.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def dbt_mode(home: Path, before: dict) -> str:
    last = last_build(home)
    if not last or last.get("run_id") == before.get("run_id"):
        return "skip"
    args = last.get("args", [])
    if "--select" in args:
        return "partial: " + args[args.index("--select") + 1]
    return "full"


def run_pipeline(home: Path, label: str, logs: Path) -> dict:
    before = last_build(home)
    m = measure(
        [sys.executable, "-m", "pipelines", "run", "--home", str(home)],
        env=clean_env(),
        cwd=ROOT,
        log=logs / f"{label}.log",
    )
    if m.exit_code:
        raise SystemExit(f"{label}: safetywh run failed (exit {m.exit_code}), see {logs / f'{label}.log'}")
    # a run that could change nothing stops before Dagster starts (pipelines/lib/run_inputs.py)
    stopped = "未重新运行" in (logs / f"{label}.log").read_text("utf-8", errors="replace")
    return {**m.as_dict(), "dbt": "no run (nothing changed)" if stopped else dbt_mode(home, before)}


def bench_scale(
    scale: float, work: Path, repeat: int, plain: bool, dashboard: bool, compiled: Path | None, floor: bool = False
) -> dict:
    landing, meta, generated = landing_for(work, scale)
    held = held_back_file(landing)
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    out: dict = {
        "scale": scale,
        "files": sum(meta["files"].values()),
        "rows": sum(meta["rows"].values()),
        "landing_mb": round(sum(p.stat().st_size for p in landing.rglob("*") if p.is_file()) / 2**20, 1),
        "held_back_file": held,
        "runs": {"plain": [], "cold": [], "warm": [], "new_file": [], "new_week": []},
    }
    if generated:
        out["generate"] = generated.as_dict()
    for r in range(repeat):
        if plain and compiled:
            log(f"scale {scale:g} #{r + 1}: plain DuckDB")
            db = work / f"plain-s{scale:g}" / "warehouse.duckdb"
            m = measure(
                [
                    sys.executable,
                    "-m",
                    "bench.plain_duckdb",
                    "--landing",
                    str(landing),
                    "--db",
                    str(db),
                    "--compiled",
                    str(compiled),
                    "--exclude",
                    held,
                ],
                env=clean_env(),
                cwd=ROOT,
                log=logs / f"plain-s{scale:g}-{r}.log",
            )
            if m.exit_code:
                raise SystemExit(f"plain DuckDB failed, see {logs / f'plain-s{scale:g}-{r}.log'}")
            out["runs"]["plain"].append(m.as_dict())
            shutil.rmtree(db.parent, ignore_errors=True)
        home = work / f"home-s{scale:g}"
        shutil.rmtree(home, ignore_errors=True)
        link_tree(landing, home / "landing", {held})
        log(f"scale {scale:g} #{r + 1}: pipeline cold")
        out["runs"]["cold"].append(run_pipeline(home, f"cold-s{scale:g}-{r}", logs))
        out.setdefault("signals", []).append(signals_share.share(home, out["runs"]["cold"][-1]["wall_s"]))
        log(f"scale {scale:g} #{r + 1}: pipeline warm (no new file)")
        out["runs"]["warm"].append(run_pipeline(home, f"warm-s{scale:g}-{r}", logs))
        (home / "landing" / held).parent.mkdir(parents=True, exist_ok=True)
        os.link(landing / held, home / "landing" / held)
        log(f"scale {scale:g} #{r + 1}: pipeline with one new weekly file")
        out["runs"]["new_file"].append(run_pipeline(home, f"new-file-s{scale:g}-{r}", logs))
        next_week_file(home)
        log(f"scale {scale:g} #{r + 1}: pipeline with the first file of the next week")
        out["runs"]["new_week"].append(run_pipeline(home, f"new-week-s{scale:g}-{r}", logs))
    if floor:
        out["runs"] |= {"floor_definitions": [], "floor_dbt": []}
        for r in range(repeat):
            log(f"scale {scale:g} #{r + 1}: the stack's fixed costs (definitions, dbt build of one model)")
            out["runs"]["floor_definitions"].append(
                stack_floor.definitions(clean_env(), ROOT, logs / f"floor-definitions-{r}.log").as_dict()
            )
            out["runs"]["floor_dbt"].append(
                stack_floor.dbt_one_model(
                    work / f"home-s{scale:g}", work / "floor", clean_env(), logs / f"floor-dbt-{r}.log"
                ).as_dict()
            )
    if dashboard:
        log(f"scale {scale:g}: dashboard (AppTest)")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.dashboard",
                "--home",
                str(work / f"home-s{scale:g}"),
                "--repeat",
                str(max(3, repeat)),
            ],
            cwd=ROOT,
            env=clean_env(),
            capture_output=True,
            text=True,
        )
        if done.returncode:
            out["dashboard"] = {"error": (done.stderr or done.stdout)[-2000:]}
        else:
            out["dashboard"] = json.loads(done.stdout.strip().splitlines()[-1])
        log(f"scale {scale:g}: portal check of a 500-row ledger")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.portal",
                "--home",
                str(work / f"home-s{scale:g}"),
                "--repeat",
                str(max(5, repeat)),
            ],
            cwd=ROOT,
            env=clean_env(),
            capture_output=True,
            text=True,
        )
        out["portal"] = (
            {"error": (done.stderr or done.stdout)[-2000:]}
            if done.returncode
            else json.loads(done.stdout.strip().splitlines()[-1])
        )
    out["summary"] = summarize(out)
    return out


# ------------------------------------------------------------------ report


def med(runs: list[dict], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return round(statistics.median(values), 3) if values else None


def summarize(out: dict) -> dict:
    runs = out["runs"]
    s = {
        kind: {k: med(runs[kind], k) for k in ("wall_s", "cpu_s", "max_rss_mb", "tree_rss_mb")}
        for kind in runs
        if runs[kind]
    }
    cold = s.get("cold", {}).get("wall_s")
    if cold:
        for kind in ("warm", "new_file", "new_week"):
            if kind in s:
                s[kind]["ratio_to_cold"] = round(s[kind]["wall_s"] / cold, 3)
                s[kind]["cpu_ratio_to_cold"] = round(s[kind]["cpu_s"] / s["cold"]["cpu_s"], 3)
        if "plain" in s:
            s["cold"]["ratio_to_plain"] = round(cold / s["plain"]["wall_s"], 2)
            s["cold"]["cpu_ratio_to_plain"] = round(s["cold"]["cpu_s"] / s["plain"]["cpu_s"], 2)
    for kind in ("warm", "new_file", "new_week"):
        modes = [r.get("dbt") for r in runs.get(kind, [])]
        if modes and kind in s:
            s[kind]["dbt"] = "/".join(sorted(set(modes)))
    shares = [x for x in out.get("signals", []) if x.get("share_of_cold") is not None]
    if shares:
        s["signals"] = {
            "models": shares[0]["signals_models"],
            "signals_s": med(shares, "signals_s"),
            "share_of_cold": med(shares, "share_of_cold"),
        }
    dash = out.get("dashboard")
    if dash and "error" not in dash:
        s["dashboard"] = {
            page: {k: round(statistics.median(v), 3) for k, v in dash[page].items()} for page in ("overview", "ranking")
        }
    portal = out.get("portal")
    if portal and "error" not in portal:
        s["portal"] = {
            "rows": portal["rows"],
            "check_s": round(statistics.median(portal["check_s"]), 3),
            "slowest_s": max(portal["check_s"]),
            "start_s": portal["worker_start_and_first_check_s"],
        }
    return s


def fmt(value, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}{unit}"


def table(results: dict) -> str:
    lines = [
        "| scale | rows | files | what | wall s (median) | CPU s | peak RSS, tree / largest process (MB) | ratio |",
        "|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for out in results["scales"]:
        s, head = out["summary"], f"| {out['scale']:g} | {out['rows']:,} | {out['files']:,} "
        if "generate" in out:
            g = out["generate"]
            lines.append(
                head
                + f"| generate | {fmt(g['wall_s'])} | {fmt(g['cpu_s'])} | {fmt(g['tree_rss_mb'], digits=0)} / {fmt(g['max_rss_mb'], digits=0)} | |"
            )
        names = {
            "plain": "plain DuckDB (floor)",
            "cold": "pipeline cold",
            "warm": "pipeline warm (no new file)",
            "new_file": "pipeline + 1 weekly file",
            "new_week": "pipeline + next week's first file",
        }
        for kind, name in names.items():
            if kind not in s:
                continue
            k = s[kind]
            ratio = ""
            if kind == "cold" and "ratio_to_plain" in k:
                ratio = f"{k['ratio_to_plain']:.2f}x floor (CPU {k['cpu_ratio_to_plain']:.2f}x)"
            elif "ratio_to_cold" in k:
                ratio = f"{100 * k['ratio_to_cold']:.1f} % of cold (CPU {100 * k['cpu_ratio_to_cold']:.1f} %), dbt: {k.get('dbt')}"
            lines.append(
                head + f"| {name} | {fmt(k['wall_s'])} | {fmt(k['cpu_s'])} | "
                f"{fmt(k['tree_rss_mb'], digits=0)} / {fmt(k['max_rss_mb'], digits=0)} | {ratio} |"
            )
        if "signals" in s:
            g = s["signals"]
            lines.append(
                head + f"| in the cold run: the {g['models']} signals and risk models (sum of dbt's node times) | "
                f"{fmt(g['signals_s'])} | | | {100 * g['share_of_cold']:.1f} % of cold (target < 10 %) |"
            )
        if "service" in out:
            from bench import service

            lines.append(service.row(out["service"]))
        if "floor_definitions" in s and "floor_dbt" in s:
            a, b = s["floor_definitions"], s["floor_dbt"]
            total = a["wall_s"] + b["wall_s"]
            share = (
                f"{100 * total / s['cold']['wall_s']:.1f} % of cold: no run with a file goes below it"
                if "cold" in s
                else ""
            )
            lines.append(
                head + f"| fixed costs: Dagster definitions + dbt build of one model | {fmt(a['wall_s'])} + "
                f"{fmt(b['wall_s'])} = {fmt(total)} | {fmt(a['cpu_s'] + b['cpu_s'])} | "
                f"{fmt(a['tree_rss_mb'], digits=0)} / {fmt(b['tree_rss_mb'], digits=0)} | {share} |"
            )
        if "dashboard" in s:
            d = s["dashboard"]
            lines.append(
                head
                + f"| dashboard first render: cockpit / ranking | {fmt(d['overview']['first_render_s'], digits=2)} / "
                f"{fmt(d['ranking']['first_render_s'], digits=2)} | | | cold caches, AppTest |"
            )
            lines.append(
                head
                + f"| dashboard filter change: cockpit / ranking | {fmt(d['overview']['filter_change_s'], digits=2)} / "
                f"{fmt(d['ranking']['filter_change_s'], digits=2)} | | | new date / new period |"
            )
        elif out.get("dashboard", {}).get("error"):
            lines.append(head + "| dashboard | failed | | | see JSON |")
        if "portal" in s:
            p = s["portal"]
            lines.append(
                head + f"| portal check of a {p['rows']}-row ledger (数据报送) | {fmt(p['check_s'], digits=2)} | | | "
                f"slowest {fmt(p['slowest_s'], digits=2)}; warm GX worker (start + first check {fmt(p['start_s'])}, once per server) |"
            )
        elif out.get("portal", {}).get("error"):
            lines.append(head + "| portal check | failed | | | see JSON |")
    big = results.get("big_file")
    if big and "error" not in big:
        lines.append(
            f"| — | {big['rows']:,} | 1 | one {big['file_mb']:.0f} MB CSV ingested, chunks of {big['chunk_rows']:,} rows "
            f"| {fmt(big['wall_s'])} | {fmt(big['cpu_s'])} | {fmt(big['tree_rss_mb'], digits=0)} / "
            f"{fmt(big['max_rss_mb'], digits=0)} | bench/big_file.py: read, validate, load, no dbt |"
        )
    elif big:
        lines.append("| — | | 1 | one large CSV | failed | | | see JSON |")
    m = results["machine"]
    lines.append("")
    lines.append(
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, {m['os']}, Python {m['python']}; "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items())
        + "."
    )
    loads = [r["load_before"] for out in results["scales"] for runs in out["runs"].values() for r in runs]
    if loads:
        lines.append(
            f"Load average before the runs: {min(loads):.1f}-{max(loads):.1f} (other work on the machine; "
            f"wall times under load exceed the CPU times). Medians of {results['repeat']} run(s) "
            f"({results['repeat_large']} at scale >= 10). {results['started']}."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    parser.add_argument("--scales", default="1,10", help="comma-separated generator scales (default 1,10)")
    parser.add_argument(
        "--with-100",
        action="store_true",
        help="add --scale 100 (~4 M rows: ~6 min on 2 cores, plus ~5 min to generate the tree the first time)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement below scale 10 (default 3)")
    parser.add_argument("--repeat-large", type=int, default=1, help="runs per measurement at scale >= 10 (default 1)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=RESULTS / "work",
        help="generated landing trees (kept), homes and logs (default bench/results/work)",
    )
    parser.add_argument("--no-plain", action="store_true", help="skip the plain DuckDB floor")
    parser.add_argument("--no-dashboard", action="store_true", help="skip the AppTest timings")
    parser.add_argument(
        "--no-big-file", action="store_true", help="skip the 2 M-row CSV's peak memory (bench/big_file.py)"
    )
    parser.add_argument(
        "--no-service",
        action="store_true",
        help="skip the service row (bench/service.py: drop -> rows visible in the published copy)",
    )
    parser.add_argument(
        "--json", type=Path, help="where to write the results (default bench/results/bench-<time>.json)"
    )
    args = parser.parse_args(argv)

    scales = [float(s) for s in args.scales.split(",") if s.strip()]
    if args.with_100 and 100.0 not in scales:
        scales.append(100.0)
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now().astimezone()
    results = {
        "started": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "repeat": args.repeat,
        "repeat_large": args.repeat_large,
        "targets": TARGETS,
        "scales": [],
    }
    compiled = None if args.no_plain else compile_models(work)
    dashboard = not args.no_dashboard and (ROOT / "dashboards" / "pages" / "overview.py").exists()
    for scale in scales:
        repeat = args.repeat if scale < 10 else args.repeat_large
        results["scales"].append(
            bench_scale(scale, work, repeat, not args.no_plain, dashboard, compiled, floor=scale == scales[0])
        )
        if not args.no_service:
            from bench import service

            log(f"scale {scale:g}: the service, drop -> rows visible in the published copy")
            results["scales"][-1]["service"] = service.measure_drop(work, scale)
        # written after every scale: a long run leaves what it measured so far
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = args.json or RESULTS / f"bench-{started:%Y%m%d-%H%M%S}.json"
        results["table"] = table(results)
        path.write_text(json.dumps(results, ensure_ascii=False, indent=2), "utf-8")
        shutil.copyfile(path, RESULTS / "latest.json")
    if not args.no_big_file:
        log("one 2 M-row CSV: peak memory of its ingestion")
        done = subprocess.run(
            [sys.executable, "-m", "bench.big_file", "--workdir", str(work / "big-file")],
            cwd=ROOT,
            env=clean_env(),
            capture_output=True,
            text=True,
        )
        results["big_file"] = (
            {"error": (done.stderr or done.stdout)[-2000:]}
            if done.returncode
            else json.loads(done.stdout.strip().splitlines()[-1])
        )
        results["table"] = table(results)
        path.write_text(json.dumps(results, ensure_ascii=False, indent=2), "utf-8")
        shutil.copyfile(path, RESULTS / "latest.json")
    print(results["table"])
    print(f"\nwritten: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
