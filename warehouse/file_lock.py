"""Waiting for the writer's DuckDB file when another process holds it.

DuckDB lets one process write a file, and any other process's connection to it, a
read-only one included, makes opening it fail at once with "Could not set lock on file"
(stack-facts). A run that meets such a lock (someone's DuckDB shell, a notebook) waits,
says so in Chinese, and gives up after ``SAFETYWH_LOCK_WAIT_SECONDS`` (default 120) with a
clear message before it writes anything, instead of failing half-way with DuckDB's English
error.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

LOCK_ERROR = "Could not set lock on file"
DEFAULT_WAIT_SECONDS = 120.0
POLL_SECONDS = 0.5


class WarehouseLocked(RuntimeError):
    """The writer's file stayed held by another process for the whole bound."""


def wait_seconds() -> float:
    text = os.environ.get("SAFETYWH_LOCK_WAIT_SECONDS", "").strip()
    if not text:
        return DEFAULT_WAIT_SECONDS
    try:
        value = float(text)
    except ValueError:
        value = -1
    if value < 0:
        raise WarehouseLocked(f"SAFETYWH_LOCK_WAIT_SECONDS 应为不小于 0 的秒数，当前为 {text!r}")
    return value


def _holder(message: str) -> str:
    found = re.search(r"PID (\d+)", message)
    return f"进程 {found.group(1)}" if found else "另一个进程"


def _tell(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def connect_when_free(
    path: Path,
    connect: Callable[[], duckdb.DuckDBPyConnection],
    bound: float | None = None,
    tell: Callable[[str], None] = _tell,
) -> duckdb.DuckDBPyConnection:
    """``connect()``, retried while another process holds ``path``, for at most ``bound`` seconds."""
    bound = wait_seconds() if bound is None else bound
    deadline = time.monotonic() + bound
    told = False
    while True:
        try:
            con = connect()
            if told:
                tell("数仓文件已释放，继续运行。")
            return con
        except duckdb.IOException as exc:
            if LOCK_ERROR not in str(exc):
                raise
            holder = _holder(str(exc))
            if time.monotonic() >= deadline:
                raise WarehouseLocked(
                    f"数仓文件 {path} 被{holder}占用，已等待 {bound:g} 秒仍未释放，本次运行未写入任何数据。"
                    "请关闭直接打开该文件的程序（DuckDB 命令行、笔记本等；查询请使用 published/ 下的只读副本）后重试。"
                ) from exc
            if not told:
                tell(f"数仓文件 {path} 正被{holder}占用（只读连接也会阻止写入），等待其释放，最多 {bound:g} 秒……")
                told = True
            time.sleep(POLL_SECONDS)


def wait_until_free(path: Path, bound: float | None = None) -> None:
    """Block until this process could open ``path`` for writing (then let go of it)."""
    if not path.exists():
        return
    try:
        connect_when_free(path, lambda: duckdb.connect(str(path)), bound).close()
    except duckdb.Error:
        return  # not a lock (a damaged file): the step that opens it fails, reported and alerted
