"""Run one command and measure it: wall, CPU and peak memory.

The harness is GNU time (`/usr/bin/time -v`, Debian package `time`): wall clock, user and
system CPU, and the largest resident set of any single process of the command. A
pipeline run is two processes at once (Dagster and `dbt`), so a sampler also sums the
resident sets of the whole process tree every 50 ms: that sum is the machine's memory
need and what the 4 GB target is judged on. Without /usr/bin/time the same kernel figures
come from os.wait4 (GNU time reads them the same way).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measurement:
    wall_s: float
    user_s: float
    sys_s: float
    max_rss_mb: float  # largest single process (GNU time)
    tree_rss_mb: float  # largest sum over the process tree (sampled)
    exit_code: int
    load_before: float  # 1-minute load average when it started: other work on the machine

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.sys_s

    def as_dict(self) -> dict:
        return {**asdict(self), "cpu_s": round(self.cpu_s, 3)}


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def tree_rss_bytes(root: int) -> int:
    tree, total, stack = _children(), 0, [root]
    while stack:
        pid = stack.pop()
        stack += tree.get(pid, [])
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
    return total


class _Sampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.pid))
            self._halt.wait(self.every)

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return self.peak


def _parse_gnu_time(text: str) -> dict[str, float]:
    def field(label: str) -> str:
        match = re.search(rf"^\s*{re.escape(label)}:\s*(.+)$", text, re.MULTILINE)
        return match.group(1).strip() if match else "0"

    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    seconds = 0.0
    for part in wall.split(":"):
        seconds = seconds * 60 + float(part)
    return {
        "wall_s": seconds,
        "user_s": float(field("User time (seconds)")),
        "sys_s": float(field("System time (seconds)")),
        "max_rss_mb": int(field("Maximum resident set size (kbytes)")) / 1024,
    }


def measure(
    cmd: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | os.PathLike | None = None,
    log: Path | None = None,
    timeout: float | None = None,
) -> Measurement:
    """Run ``cmd`` to the end; its output goes to ``log`` (or nowhere)."""
    load = os.getloadavg()[0]
    out = open(log, "wb") if log else subprocess.DEVNULL
    report = tempfile.NamedTemporaryFile(prefix="gnu-time-", suffix=".txt", delete=False)
    report.close()
    wrapped = ["/usr/bin/time", "-v", "-o", report.name, *cmd] if Path("/usr/bin/time").exists() else cmd
    try:
        started = time.perf_counter()
        process = subprocess.Popen(wrapped, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        sampler = _Sampler(process.pid)
        sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0) if timeout is None else _wait4_timeout(process, timeout)
        finally:
            peak = sampler.stop()
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if wrapped is not cmd:
            figures = _parse_gnu_time(Path(report.name).read_text(errors="replace"))
        else:
            figures = {
                "wall_s": wall,
                "user_s": usage.ru_utime,
                "sys_s": usage.ru_stime,
                "max_rss_mb": usage.ru_maxrss / 1024,
            }
        return Measurement(
            wall_s=round(figures["wall_s"], 3),
            user_s=round(figures["user_s"], 3),
            sys_s=round(figures["sys_s"], 3),
            max_rss_mb=round(figures["max_rss_mb"], 1),
            tree_rss_mb=round(peak / 2**20, 1),
            exit_code=process.returncode,
            load_before=round(load, 2),
        )
    finally:
        if log:
            out.close()
        os.unlink(report.name)


def _wait4_timeout(process: subprocess.Popen, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            return pid, status, usage
        if time.monotonic() > deadline:
            process.kill()
            return os.wait4(process.pid, 0)
        time.sleep(0.05)
