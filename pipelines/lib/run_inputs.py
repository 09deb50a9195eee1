"""What a run starts from, and whether it is new since the last successful run.

What a run writes is a function of:

- the landing tree: a file is new when its (path, size, mtime) has not been seen
  (pipelines/lib/inventory.py);
- the code and the configuration: this repository's packages and dbt project, the county
  profile folder, the ``SAFETYWH_*`` settings and the installed versions of the stack;
- the county-local hour: the lateness verdicts read the clock and are rebuilt once an hour;
- the warehouse itself: alerts waiting for an SMTP server are retried.

The one question both triggers ask — the landing sensor (pipelines/defs/landing/sensors.py)
and `safetywh run` — is `what_is_new()`. It compares these fingerprints with the tags of
the last successful run of the run job in the home's Dagster instance (``<home>/dagster``):
the run is launched with them (``safetywh/<part>`` tags, and the sensor's ``run_key``) and
its last step adds what it left behind (the files' stamps, whether alerts wait for a retry).
A failed or killed run is no SUCCESS, so it is never mistaken for a finished one.

Dagster's own API answers the same question (``instance.get_runs``), but importing dagster
costs 1.2 s here, more than the whole no-change `safetywh run` may take (1 s): so the
record is read from the instance's SQLite run storage directly (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from pipelines.lib.inventory import scan_landing
from pipelines.paths import DBT_PROJECT_DIR, REPO_ROOT
from warehouse.home import Home

# The run job (pipelines/defs/jobs.py): named here so that reading its record needs no dagster.
JOB_NAME = "safetywh_run"
TAG_PREFIX = "safetywh/"
KEY_TAG = TAG_PREFIX + "inputs"  # the digest of every part: the sensor's run_key
SOURCE_TAG = TAG_PREFIX + "source"  # who requested the run: "landing" for the landing sensor
# added by the run's last step (pipelines/defs/publish/assets.py)
LEFT_TAGS = ("warehouse", "published", "retries_pending")
# a run of the same inputs that failed is tried once more, then waits for a change (or the next hour)
MAX_ATTEMPTS = 2

# The code a run executes; dbt's own output folders are results, not code.
CODE_ROOTS = (REPO_ROOT / "pipelines", REPO_ROOT / "warehouse", DBT_PROJECT_DIR)
NOT_CODE = {"target", "logs", "dbt_packages", "__pycache__", ".pytest_cache"}
STACK = ("dagster", "dagster-dbt", "dbt-core", "dbt-duckdb", "duckdb", "polars", "great-expectations")


@dataclass(frozen=True)
class Inputs:
    """Fingerprints of everything a run's outcome depends on, by part (so a message can say
    which part changed)."""

    landing: str
    code: str
    profile: str
    settings: str
    hour: str

    def changed_since(self, last: dict) -> list[str]:
        return [part for part, value in self.__dict__.items() if last.get(part) != value]

    @property
    def key(self) -> str:
        return _digest(f"{part}={value}" for part, value in self.__dict__.items())[:32]

    def tags(self) -> dict[str, str]:
        """The run's tags: what it started from."""
        return {KEY_TAG: self.key, **{TAG_PREFIX + part: value for part, value in self.__dict__.items()}}


def clock_bucket(now: dt.datetime) -> str:
    return now.strftime("%Y-%m-%dT%H")


def _digest(lines: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def _home_parts(home: Home) -> set[str]:
    """What a run writes into its home. The default home is ./warehouse, inside the
    `warehouse` package: its data must not count as code."""
    return {
        str(p)
        for p in (
            home.landing,
            home.outbox,
            home.publications,
            home.logs,
            home.dagster_home,
            home.published_path.parent,
            home.duckdb_path,
            home.lock_path,
        )
    }


def _tree(root: Path, skip: set[str]) -> Iterable[str]:
    """(path, size, mtime) of every file below ``root``: an edit changes the mtime."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in NOT_CODE and os.path.join(dirpath, d) not in skip)
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            if name.endswith((".pyc", ".duckdb", ".wal")) or full in skip:
                continue
            st = os.stat(full)
            yield f"{os.path.relpath(full, root)}\0{st.st_size}\0{st.st_mtime_ns}"


def current_inputs(
    home: Home,
    profile_folder: Path,
    timezone: str,
    now: dt.datetime | None = None,
    code_roots: Iterable[Path] = CODE_ROOTS,
) -> Inputs:
    now = now or dt.datetime.now(ZoneInfo(timezone)).replace(tzinfo=None)
    landing = _digest(f"{f.path}\0{f.size_bytes}\0{f.mtime_ns}" for f in scan_landing(home.landing))
    code, skip = [], _home_parts(home)
    # the packaged profile lies inside pipelines/: it is the profile, not code
    profile_dir = str(Path(profile_folder).resolve())
    for root in code_roots:
        code.append(f"# {root}")
        code += _tree(Path(root).resolve(), skip | {profile_dir})
    profile = _digest(_tree(Path(profile_dir), skip))
    for package in STACK:
        try:
            code.append(f"{package}=={importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            code.append(f"{package} missing")
    # every setting the pipeline reads is a SAFETYWH_* variable (README, configuration)
    settings = _digest(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("SAFETYWH_"))
    return Inputs(landing=landing, code=_digest(code), profile=profile, settings=settings, hour=clock_bucket(now))


def file_stamp(path: Path) -> str:
    try:
        st = path.stat()
    except FileNotFoundError:
        return "none"
    return f"{st.st_size}:{st.st_mtime_ns}"


def left_behind(home: Home, retries_pending: bool) -> dict[str, str]:
    """The tags the run's last step adds: the files it left and whether alerts wait."""
    return {
        TAG_PREFIX + "warehouse": file_stamp(home.duckdb_path),
        TAG_PREFIX + "published": file_stamp(home.published_path),
        TAG_PREFIX + "retries_pending": "1" if retries_pending else "0",
    }


def retries_pending(home: Home, profile) -> bool:
    """Alerts wait in the outbox for an SMTP server; with one configured, a run retries them."""
    import duckdb

    from pipelines.lib.alerts.outbox import waiting
    from pipelines.lib.alerts.smtp import SmtpSettings
    from warehouse.layout import connect

    if SmtpSettings.resolve(profile.config) is None:
        return False
    with connect(home.duckdb_path, read_only=True) as con:
        try:
            return waiting(con) > 0
        except duckdb.CatalogException:
            return False


def runs_db(home: Home) -> Path:
    """The run storage of the home's instance (SqliteStorage: <base_dir>/history/runs.db)."""
    return home.dagster_home / "history" / "runs.db"


@dataclass(frozen=True)
class Record:
    """The last successful run of the run job, and how often the current inputs failed."""

    run_id: str | None
    finished_at: str | None
    tags: dict[str, str]
    failures: int = 0  # runs of the current inputs that ended FAILURE or CANCELED
    unfinished: int = 0  # runs of the job queued or under way


def read_record(home: Home, key: str | None = None, timezone: str = "Asia/Shanghai") -> Record | None:
    """Read from Dagster's SQLite run storage without importing dagster (tables ``runs`` and
    ``run_tags``, unchanged since Dagster 0.x). None when there is no instance or no success."""
    path = runs_db(home)
    if not path.is_file():
        return None
    wal = path.with_name(path.name + "-wal")
    # Dagster's SQLite is in WAL mode: a reader writes its marks into the -shm file. With the
    # WAL empty every commit is in the main file, and reading it as immutable writes nothing
    # (a no-change `safetywh run` leaves every file of the home as it was).
    settled = not wal.exists() or wal.stat().st_size == 0
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro{'&immutable=1' if settled else ''}", uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        row = con.execute(
            "SELECT run_id, end_time FROM runs WHERE pipeline_name = ? AND status = 'SUCCESS' "
            "ORDER BY end_time DESC, id DESC LIMIT 1",
            [JOB_NAME],
        ).fetchone()
        failures = 0
        if key is not None:
            failures = con.execute(
                "SELECT count(*) FROM runs JOIN run_tags USING (run_id) WHERE pipeline_name = ? "
                "AND status IN ('FAILURE', 'CANCELED') AND key = ? AND value = ?",
                [JOB_NAME, KEY_TAG, key],
            ).fetchone()[0]
        unfinished = con.execute(
            "SELECT count(*) FROM runs WHERE pipeline_name = ? AND status IN ('QUEUED', 'NOT_STARTED', 'STARTING', "
            "'STARTED', 'CANCELING')",
            [JOB_NAME],
        ).fetchone()[0]
        if row is None:
            return Record(None, None, {}, failures, unfinished)
        tags = {
            k[len(TAG_PREFIX) :]: v
            for k, v in con.execute(
                "SELECT key, value FROM run_tags WHERE run_id = ? AND key LIKE 'safetywh/%'", [row[0]]
            ).fetchall()
        }
    except sqlite3.Error:
        return None
    finally:
        con.close()
    finished = (
        dt.datetime.fromtimestamp(row[1], ZoneInfo(timezone))
        .replace(tzinfo=None)
        .isoformat(sep=" ", timespec="seconds")
        if row[1]
        else None
    )
    return Record(row[0], finished, tags, failures, unfinished)


@dataclass(frozen=True)
class Verdict:
    skip: bool
    reason: str  # Chinese, for the user
    last_run_id: str | None = None
    last_finished_at: str | None = None
    changed: tuple[str, ...] = ()  # the parts of Inputs that changed (all of them: no record)
    key: str = ""  # the inputs' digest: the sensor's run_key
    failures: int = 0
    unfinished: int = 0  # runs of the job queued or under way (the sensor waits for them)


PART_NAMES = {
    "landing": "收件目录有新的或变动的文件",
    "code": "程序或 dbt 模型有变化",
    "profile": "县情配置有变化",
    "settings": "SAFETYWH_* 设置有变化",
    "hour": "已跨整点（需重算逾期判定）",
}


def what_is_new(home: Home, inputs: Inputs, timezone: str = "Asia/Shanghai") -> Verdict:
    """Skip only when every input and both output files are what the last successful run saw."""
    last = read_record(home, inputs.key, timezone)
    failures, unfinished = (last.failures, last.unfinished) if last else (0, 0)
    if last is None or last.run_id is None:
        return Verdict(
            False,
            "没有上次成功运行的记录",
            changed=tuple(PART_NAMES),
            key=inputs.key,
            failures=failures,
            unfinished=unfinished,
        )
    common = {
        "last_run_id": last.run_id,
        "last_finished_at": last.finished_at,
        "key": inputs.key,
        "failures": failures,
        "unfinished": unfinished,
    }
    changed = inputs.changed_since(last.tags)
    if changed:
        return Verdict(False, "；".join(PART_NAMES[p] for p in changed), changed=tuple(changed), **common)
    if last.tags.get("retries_pending") != "0":
        return Verdict(False, "有待重发的提醒邮件", **common)
    if last.tags.get("warehouse") != file_stamp(home.duckdb_path) or last.tags.get("published") != file_stamp(
        home.published_path
    ):
        return Verdict(False, "数仓文件或只读副本在上次运行后有变动", **common)
    return Verdict(True, "没有新文件，程序、配置与整点均未变化", **common)


def current_verdict(home: Home, profile_folder: Path, timezone: str) -> tuple[Inputs, Verdict]:
    inputs = current_inputs(home, profile_folder, timezone)
    return inputs, what_is_new(home, inputs, timezone)
