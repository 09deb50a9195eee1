"""Run the whole asset graph in process, as the only writer of a home."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipelines.lib import gx_process, run_inputs
from pipelines.lib.run_inputs import Verdict
from warehouse.file_lock import wait_until_free
from warehouse.home import Home


class WriterBusy(RuntimeError):
    pass


class ProfileUnreadable(RuntimeError):
    pass


class HomeNotWritable(RuntimeError):
    pass


def _check_writable(home: Home) -> None:
    """A read-only home (or warehouse file) is said in Chinese before anything starts."""
    try:
        home.ensure()
        fd, probe = tempfile.mkstemp(prefix=".write-test-", dir=home.root)
        os.close(fd)
        os.unlink(probe)
        if home.duckdb_path.exists():
            with open(home.duckdb_path, "r+b"):
                pass
    except OSError as exc:
        where = exc.filename or home.root
        raise HomeNotWritable(
            f"数仓目录不可写：{where}（{exc.strerror or type(exc).__name__}）。"
            "请检查目录与文件的权限，或用 --home 指定一个可写的目录"
        ) from exc


@contextmanager
def writer_lock(home: Home) -> Iterator[None]:
    """DuckDB allows one writer process: a second run fails fast with a clear message
    instead of a lock error half-way through."""
    home.lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(home.lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            raise WriterBusy(
                f"另一个运行正在写入 {home.root}（进程 {handle.read().strip() or '未知'}），请稍后再试"
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def writer_busy(home: Home) -> bool:
    """Whether a `safetywh run` holds the writer lock now (the service's sensor waits for it)."""
    try:
        with open(home.lock_path, "rb") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
    except FileNotFoundError:
        return False
    return False


def _tools_on_path() -> None:
    """dagster-dbt looks for `dbt` on PATH; put this interpreter's scripts there."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


@dataclass
class RunOutcome:
    run_id: str | None  # None: skipped, nothing ran
    success: bool
    error: str | None
    failed_checks: list[str]  # "raw/hazards:no_quarantined_rows"
    skipped: Verdict | None = None  # why no step had to run (pipelines/lib/run_inputs.py)
    changed: tuple[str, ...] = ()  # what made this run necessary (run_inputs.Inputs parts)


def run_pipeline(home: Home, verbose: bool = False, force: bool = False) -> RunOutcome:
    """Materialize every asset for ``home``, unless nothing it depends on changed since the
    last successful run (``force`` runs anyway). Bad data never fails a run; a failure here
    is a broken system, reported with the failing step's error."""
    from pipelines.lib.profile import ProfileInvalid, load_profile

    home.export_env()
    _tools_on_path()
    try:
        profile = load_profile()
    except ProfileInvalid as exc:
        raise ProfileUnreadable(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - any unreadable profile (file, YAML, CSV): every step needs it
        raise ProfileUnreadable(f"县情配置无法读取：{exc}") from exc
    # the same question the landing sensor asks, asked before anything is written
    inputs, found = run_inputs.current_verdict(home, profile.folder, profile.timezone)
    if found.skip and not force:
        return RunOutcome(None, True, None, [], skipped=found)
    _check_writable(home)
    with writer_lock(home):
        # another process holding the file would fail a step half-way: wait for it first
        wait_until_free(home.duckdb_path)
        if "landing" in found.changed:
            gx_process.start()  # new files to validate: import GX on the other core meanwhile
        try:
            outcome = _execute(home, verbose, inputs.tags())
        finally:
            gx_process.stop()
        outcome.changed = found.changed
        return outcome


def _execute(home: Home, verbose: bool, tags: dict[str, str]) -> RunOutcome:
    import dagster as dg

    from pipelines.lib.dagster_home import ensure_instance
    from pipelines.lib.dbt_manifest import ensure_manifest

    ensure_manifest()
    from pipelines.definitions import defs
    from pipelines.defs.jobs import RUN_JOB_NAME

    job = defs.resolve_job_def(RUN_JOB_NAME)
    # the home's instance, the one `safetywh serve` runs: its run history is the record
    # pipelines/lib/run_inputs.py compares the next run's inputs with
    instance = dg.DagsterInstance.from_config(ensure_instance(home))
    # Step logs (and dbt's, streamed through them) are for --verbose; the CLI prints a summary.
    run_config = {"loggers": {"console": {"config": {"log_level": "INFO" if verbose else "ERROR"}}}}
    # dagster-dbt echoes dbt's log to stdout; without --verbose it goes to a log file.
    home.logs.mkdir(parents=True, exist_ok=True)
    log_path = home.logs / "last-run.log"
    with (
        open(log_path, "w", encoding="utf-8") as log_file,
        contextlib.nullcontext() if verbose else contextlib.redirect_stdout(log_file),
    ):
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=run_config, tags=tags)
    error = None
    if not result.success:
        messages = []
        for event in result.all_events:
            if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
                error_info = event.step_failure_data.error
                while error_info.cause is not None:  # the user code's own error, not Dagster's wrapper
                    error_info = error_info.cause
                messages.append(f"{event.step_key}: {error_info.message.strip()}")
        error = "\n".join(messages) or "run failed"
        error += f"\n(full log: {log_path})"
        from pipelines.lib.alerts.run_failure import alert_run_failure

        alert_run_failure(home, result.run_id, error)  # the data team hears of it; never raises
    failed = sorted(
        f"{'/'.join(e.asset_key.path)}:{e.check_name}" for e in result.get_asset_check_evaluations() if not e.passed
    )
    instance.dispose()
    return RunOutcome(result.run_id, result.success, error, failed)
