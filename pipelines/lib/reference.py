"""Write the county profile into the ``ref`` schema, where dbt reads it as a source.

Targets, weights and bands are rows here, so changing the profile and re-running changes
the numbers with no code edit.
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from pipelines.lib.profile import Profile


def _flatten(prefix: str, value: Any, out: list[dict[str, Any]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), item, out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _flatten(f"{prefix}.{i}", item, out)
    else:
        number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        out.append({"key": prefix, "num_value": number, "text_value": None if number is not None else str(value)})


def settings_frame(profile: Profile) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    for section in ("targets", "ranking", "deadlines", "signals", "calendar"):
        _flatten(section, profile.config.get(section, {}), rows)
    _flatten("county", {k: v for k, v in profile.config["county"].items() if not isinstance(v, dict)}, rows)
    return pl.DataFrame(rows, schema={"key": pl.String, "num_value": pl.Float64, "text_value": pl.String})


def senders_frame(profile: Profile) -> pl.DataFrame:
    departments = profile.departments.select(
        "sender_code",
        pl.col("name").alias("sender_name"),
        "short_name",
        pl.lit("department").alias("sender_kind"),
        "alert_email",
        "feeds",  # departments.csv: feeds the department sends, ';'-separated (lateness tracking)
    )
    townships = profile.townships.select(
        pl.col("township_code").alias("sender_code"),
        pl.col("township_name").alias("sender_name"),
        "short_name",
        pl.lit("township").alias("sender_kind"),
        "alert_email",
        pl.lit(None, pl.String).alias("feeds"),  # townships: profile deadlines.township_feeds
    )
    return pl.concat([departments, townships])


def write_reference_tables(con: duckdb.DuckDBPyConnection, profile: Profile) -> dict[str, int]:
    """Replace ref.townships, ref.senders, ref.settings, ref.ranking_bands and ref.township_keys
    in one transaction. township_keys: every spelling of a township a ledger may hold -> its
    code, so dbt matches a quarantined township as written (玉潭) to the record loaded as its code."""
    frames = {
        "townships": profile.townships,
        "senders": senders_frame(profile),
        "settings": settings_frame(profile),
        "ranking_bands": pl.DataFrame(
            [{"min_total": float(b["min"]), "label": b["label"]} for b in profile.config["ranking"]["bands"]]
        ),
        "township_keys": profile.township_lookup(),
    }
    con.execute("BEGIN TRANSACTION")
    try:
        for name, frame in frames.items():
            con.register("_ref_frame", frame)
            con.execute(f"CREATE OR REPLACE TABLE ref.{name} AS SELECT * FROM _ref_frame")
            con.unregister("_ref_frame")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return {name: frame.height for name, frame in frames.items()}
