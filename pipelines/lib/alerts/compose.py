"""Decide what each sender is told this run, and prepare the message data.

New problems are those whose key was never stored; a problem already fixed when first
seen (a broken file and its correction in the same run) is not worth telling. Stored
open problems whose fix has arrived are told as resolved. Missing deadlines are open
problems (resolved by a late file); lateness seen after the fact is a closed notice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import duckdb
import polars as pl

from pipelines.lib.alerts.problems import DATA_TEAM
from pipelines.lib.alerts.render import render_line
from pipelines.lib.contracts import load_contracts

BODY_LIMIT = 20  # row problems listed in the body; the attachment has them all
FEED_LIMIT = 8  # missed or late periods listed in the body per feed
NOTICE_KINDS = ("late", "event_late")


@dataclass
class SenderBatch:
    sender_code: str
    new: list[dict[str, Any]]
    resolved: list[dict[str, Any]]


def plan(con: duckdb.DuckDBPyConnection, current: pl.DataFrame) -> list[SenderBatch]:
    stored = con.sql("SELECT * FROM meta.alert_problems").pl()
    known = set(stored["problem_key"].to_list())
    fixed_now = pl.col("fixed_file_id").is_not_null() | (
        pl.col("cadence").is_not_null() & (pl.col("status") != "missing")
    )

    fresh = current.filter(~pl.col("problem_key").is_in(list(known)))
    new = fresh.filter(
        (pl.col("kind").is_in(["row", "file"]) & pl.col("fixed_file_id").is_null())
        | (pl.col("kind") == "missing")
        | (pl.col("kind").is_in(list(NOTICE_KINDS)) & (pl.col("status") == "late"))
    ).with_columns(
        pl.when(pl.col("kind").is_in(list(NOTICE_KINDS)))
        .then(pl.lit("closed"))
        .otherwise(pl.lit("open"))
        .alias("state")
    )

    open_keys = stored.filter(pl.col("state") == "open")["problem_key"].to_list()
    fixes = current.filter(pl.col("problem_key").is_in(open_keys) & fixed_now).select(
        "problem_key",
        "fixed_file_id",
        "fixed_path",
        "fixed_received_at",
        pl.col("delivered_at").alias("fix_delivered_at"),
        pl.col("late_seconds").alias("fix_late_seconds"),
        pl.col("status").alias("fix_status"),
    )
    resolved = stored.join(fixes, on="problem_key", how="inner").with_columns(
        pl.coalesce("fix_delivered_at", "delivered_at").alias("delivered_at"),
        pl.coalesce("fix_late_seconds", "late_seconds").alias("late_seconds"),
        pl.col("fix_status").alias("status"),
    )

    batches: dict[str, SenderBatch] = {}
    for row in new.iter_rows(named=True):
        batches.setdefault(row["sender_code"], SenderBatch(row["sender_code"], [], [])).new.append(row)
    for row in resolved.iter_rows(named=True):
        batches.setdefault(row["sender_code"], SenderBatch(row["sender_code"], [], [])).resolved.append(row)
    return [batches[code] for code in sorted(batches)]


def _feed_label(feed: str | None) -> str | None:
    contracts = load_contracts()
    return contracts[feed].label if feed in contracts else None


def decorate(p: dict[str, Any]) -> dict[str, Any]:
    """Add what the templates show: labels, file names, row numbers as a list."""
    out = dict(p)
    out["feed_label"] = _feed_label(p.get("feed"))
    # the data team is told where a misplaced file lies: the folder is what is wrong
    whole_path = p.get("sender_code") == DATA_TEAM
    out["file_name"] = (p["path"] if whole_path else PurePosixPath(p["path"]).name) if p.get("path") else None
    out["rows"] = [int(n) for n in (p.get("row_numbers") or "").split(",") if n]
    fixed = p.get("fixed_path")
    out["fixed_file_name"] = PurePosixPath(fixed).name if fixed else None
    return out


def _sort_key(p: dict[str, Any]) -> tuple:
    return (p.get("received_at") or dt.datetime.min, p.get("path") or "", p["rows"][:1], p.get("column_name") or "")


def _by_feed(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Deadline problems grouped by feed for the body: the first FEED_LIMIT of each."""
    groups: list[dict[str, Any]] = []
    for p in items:
        if not groups or groups[-1]["feed"] != p["feed"]:
            groups.append({"feed": p["feed"], "feed_label": p["feed_label"], "cadence": p["cadence"], "all": []})
        groups[-1]["all"].append(p)
    for group in groups:
        group["shown"] = group["all"][:FEED_LIMIT]
        group["omitted"] = len(group["all"]) - len(group["shown"])
    return groups


def alert_id_for(sender_code: str, now: dt.datetime, keys: list[str]) -> str:
    digest = hashlib.sha1("\n".join(sorted(keys)).encode("utf-8")).hexdigest()[:8]
    return f"{now:%Y%m%d-%H%M%S}-{sender_code}-{digest}"


def message_context(
    batch: SenderBatch, sender: dict[str, Any], *, bureau: str, data_team: str, now: dt.datetime, attachment_name: str
) -> dict[str, Any]:
    new = [decorate(p) for p in batch.new]
    rows = sorted((p for p in new if p["kind"] == "row"), key=_sort_key)
    files = sorted((p for p in new if p["kind"] == "file"), key=_sort_key)
    # the most recent missed periods first: those the clerk can still do something about
    missing = sorted((p for p in new if p["kind"] == "missing"), key=lambda p: (p["feed"], -p["due_at"].timestamp()))
    late = sorted((p for p in new if p["kind"] in NOTICE_KINDS), key=lambda p: (p["feed"], p["due_at"]))
    resolved = sorted((decorate(p) for p in batch.resolved), key=lambda p: (p["kind"], p["problem_key"]))

    # the body lists the first BODY_LIMIT row problems, grouped by file
    row_files: list[dict[str, Any]] = []
    for p in rows[:BODY_LIMIT]:
        if not row_files or row_files[-1]["path"] != p["path"]:
            row_files.append(
                {
                    "path": p["path"],
                    "file_name": p["file_name"],
                    "feed_label": p["feed_label"],
                    "received_at": p["received_at"],
                    "problems": [],
                }
            )
        row_files[-1]["problems"].append(p)
    counts = {
        "rows": len({(p["file_id"], n) for p in rows for n in p["rows"]}),
        "row_files": len({p["file_id"] for p in rows}),
        "files": len(files),
        "missing": len(missing),
        "late": len(late),
        "resolved": len(resolved),
        "new": len(new),
    }
    ctx = {
        "bureau": bureau,
        "data_team": data_team,
        "sender": sender,
        "created_at": now,
        "counts": counts,
        "row_files": row_files,
        "rows_omitted": max(0, len(rows) - BODY_LIMIT),
        "all_rows": rows,
        "files": files,
        "missing": missing,
        "late": late,
        "resolved": resolved,
        "missing_groups": _by_feed(missing),
        "late_groups": _by_feed(late),
        "attachment_name": attachment_name,
    }
    ctx["subject"] = render_line("subject.txt.j2", **ctx)
    return ctx
