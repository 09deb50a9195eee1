"""Great Expectations in a process of its own, imported while the run starts.

Importing GX takes ~3 s (scipy.stats, altair, its expectation registry: `python -X
importtime -c "import great_expectations"`), longer than validating a new weekly file. A run
that finds changed landing files therefore starts a forkserver that imports it on the
other core while this process imports Dagster and takes the inventory; each batch is then
validated by ``run_checks`` in a worker forked from that server (the same function, the
same result; the rows go over a pipe as Arrow). The pandas work of validation leaves this
process's GIL to the file readers too.

Without ``start()`` (tests, the CLI's other commands) ``validate`` runs in this process.
The server and its worker end with ``stop()``, or with this process: the forkserver exits
when its parent's pipe closes.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import polars as pl

from pipelines.lib.contracts import Contract
from pipelines.lib.validation import PlannedCheck, run_checks

# what the server imports before it forks a worker
PRELOAD = ["great_expectations", "great_expectations.expectations", "pipelines.lib.validation"]

_pool: ProcessPoolExecutor | None = None


def start() -> None:
    """Begin importing GX in the background; returns at once."""
    global _pool
    if _pool is not None:
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    from multiprocessing import forkserver

    forkserver.ensure_running()  # the server imports PRELOAD now, while the caller goes on
    _pool = ProcessPoolExecutor(max_workers=1, mp_context=context)


def stop() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


def validate(frame: pl.DataFrame, contract: Contract, checks: list[PlannedCheck]) -> pl.DataFrame:
    """``run_checks`` in the preloaded worker when one was started, else here."""
    if _pool is None or frame.is_empty():
        return run_checks(frame, contract, checks)
    try:
        return _pool.submit(run_checks, frame, contract, checks).result()
    except BrokenProcessPool:
        # the worker died (killed, out of memory): validate here rather than fail the run
        stop()
        return run_checks(frame, contract, checks)
