"""Recognise a run that can change nothing, before starting Dagster.

What a run writes is a function of:

- the landing tree: a file is new when its (path, size, mtime) has not been seen
  (pipelines/lib/inventory.py);
- the code and the configuration: this repository's packages and dbt project, the county
  profile folder, the ``SAFETYWH_*`` settings and the installed versions of the stack;
- the county-local hour: the lateness verdicts read the clock and are rebuilt once an hour
  (pipelines/lib/dbt_state.py);
- the warehouse itself: alerts waiting for an SMTP server are retried on every run.

When none of these changed since the last successful run, and the warehouse file and its
published copy are still the files that run left behind, a run would ingest nothing, skip
dbt, write no alert and publish the same bytes again. `safetywh run` then says so and
stops, instead of spending ~8 s on imports and Dagster's bookkeeping for nothing
(`--force` runs every step anyway). The record is written only after a successful run and
removed when a run starts, so a failed or killed run is never mistaken for a finished one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from pipelines.lib.dbt_state import clock_bucket
from pipelines.lib.inventory import scan_landing
from pipelines.paths import DBT_PROJECT_DIR, REPO_ROOT
from warehouse.home import Home

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


def _digest(lines: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def _home_parts(home: Home) -> set[str]:
    """What a run writes into its home. The default home is ./warehouse, inside the
    `warehouse` package: its data must not count as code."""
    return {str(p) for p in (home.landing, home.outbox, home.publications, home.logs, home.dagster_home,
                             home.published_path.parent, home.duckdb_path, home.lock_path, state_path(home))}


def _tree(root: Path, skip: set[str]) -> Iterable[str]:
    """(path, size, mtime) of every file below ``root``: an edit changes the mtime."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in NOT_CODE and os.path.join(dirpath, d) not in skip)
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            if name.endswith((".pyc", ".duckdb", ".wal")) or name.startswith(".last-run.") or full in skip:
                continue
            st = os.stat(full)
            yield f"{os.path.relpath(full, root)}\0{st.st_size}\0{st.st_mtime_ns}"


def current_inputs(home: Home, profile_folder: Path, timezone: str, now: dt.datetime | None = None,
                   code_roots: Iterable[Path] = CODE_ROOTS) -> Inputs:
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


def _file_stamp(path: Path) -> str | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}"


def state_path(home: Home) -> Path:
    return home.root / ".last-run.json"


def forget(home: Home) -> None:
    """A run is starting: until it succeeds, nothing may be skipped."""
    state_path(home).unlink(missing_ok=True)


def remember(home: Home, inputs: Inputs, run_id: str, finished_at: dt.datetime, retries_pending: bool) -> None:
    """After a successful run: what it started from and the files it left behind."""
    record = {
        **inputs.__dict__,
        "run_id": run_id,
        "finished_at": finished_at.isoformat(sep=" ", timespec="seconds"),
        "retries_pending": retries_pending,
        "warehouse": _file_stamp(home.duckdb_path),
        "published": _file_stamp(home.published_path),
    }
    path = state_path(home)
    tmp = path.with_name(f".last-run.{os.getpid()}.json")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
    os.replace(tmp, path)


@dataclass(frozen=True)
class Verdict:
    skip: bool
    reason: str  # Chinese, for the user
    last_run_id: str | None = None
    last_finished_at: str | None = None
    changed: tuple[str, ...] = ()  # the parts of Inputs that changed (all of them: no record)


PART_NAMES = {"landing": "收件目录有新的或变动的文件", "code": "程序或 dbt 模型有变化", "profile": "县情配置有变化",
              "settings": "SAFETYWH_* 设置有变化", "hour": "已跨整点（需重算逾期判定）"}


def _last_record(home: Home) -> dict | None:
    """The record of the last successful run, if any (and readable)."""
    try:
        return json.loads(state_path(home).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def verdict(home: Home, inputs: Inputs) -> Verdict:
    """Skip only when every input and both output files are what the last successful run saw."""
    last = _last_record(home)
    if last is None:
        return Verdict(False, "没有上次成功运行的记录", changed=tuple(PART_NAMES))
    changed = inputs.changed_since(last)
    if changed:
        return Verdict(False, "；".join(PART_NAMES[p] for p in changed), changed=tuple(changed))
    if last.get("retries_pending"):
        return Verdict(False, "有待重发的提醒邮件")
    if last.get("warehouse") != _file_stamp(home.duckdb_path) or last.get("published") != _file_stamp(home.published_path):
        return Verdict(False, "数仓文件或只读副本在上次运行后有变动")
    return Verdict(True, "没有新文件，程序、配置与整点均未变化", last.get("run_id"), last.get("finished_at"))
