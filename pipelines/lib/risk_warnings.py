"""Risk warnings with acknowledgement (叫应, README "Early warning"): a Chinese message to each
township reaching 橙 or 红, once per change of its level, through the same outbox and SMTP
as the data-quality alerts; the township's clerk acknowledges it on the dashboard (one
click, who and when recorded); a warning not acknowledged within 24 hours is listed for
the leadership and in the bulletin.

State: meta.risk_levels (the level each township was last seen at) and meta.risk_warnings
(one row per message) in the writer's DuckDB, written by the alert step after dbt; the
acknowledgements in <home>/acknowledgements.sqlite, written by the dashboard (the
published copy is read-only and replaced on every run), so they survive a restart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import logging
import sqlite3
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.lib.alerts.message import Outgoing, write_outbox
from pipelines.lib.alerts.smtp import Delivery, SmtpSettings, deliver
from pipelines.lib.profile import Profile
from warehouse.home import Home

log = logging.getLogger(__name__)

ALERT_LEVELS = ("红", "橙")
ACK_HOURS = 24
ACK_FILE = "acknowledgements.sqlite"

DDL = """
CREATE SCHEMA IF NOT EXISTS meta;
-- The level each township was at when last looked at, one row per change.
CREATE TABLE IF NOT EXISTS meta.risk_levels (
    township_code VARCHAR NOT NULL,
    as_of         DATE NOT NULL,
    level         VARCHAR NOT NULL,
    score         INTEGER NOT NULL,
    recorded_at   TIMESTAMP NOT NULL
);
-- One row per warning message to a township at 橙 or 红.
CREATE TABLE IF NOT EXISTS meta.risk_warnings (
    warning_id      VARCHAR PRIMARY KEY,
    township_code   VARCHAR NOT NULL,
    township_name   VARCHAR NOT NULL,
    as_of           DATE NOT NULL,
    level           VARCHAR NOT NULL,
    previous_level  VARCHAR,
    score           INTEGER NOT NULL,
    main_indicators VARCHAR,
    recipient       VARCHAR,
    subject         VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL,          -- Asia/Shanghai wall clock
    run_id          VARCHAR,
    status          VARCHAR NOT NULL,            -- queued, sent, failed
    attempts        INTEGER NOT NULL,
    sent_at         TIMESTAMP,
    last_error      VARCHAR,
    message_id      VARCHAR NOT NULL,
    eml_path        VARCHAR NOT NULL,
    html_path       VARCHAR
);
"""


@dataclass
class WarningResult:
    created: int = 0
    sent: int = 0
    failed: int = 0


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def _has_risk(con: duckdb.DuckDBPyConnection) -> bool:
    return (
        con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' "
            "and table_name = 'township_risk'"
        ).fetchall()[0][0]
        > 0
    )


def issue_warnings(
    con: duckdb.DuckDBPyConnection, home: Home, profile: Profile, run_id: str, now: dt.datetime
) -> WarningResult:
    """Warn every township whose level changed to 橙 or 红 since it was last looked at (as of
    the latest date of marts.township_risk), then send what waits."""
    ensure_tables(con)
    result = WarningResult()
    if not _has_risk(con):
        return result
    changes = con.sql("""
        with current as (
            select * from marts.township_risk where as_of = (select max(as_of) from marts.township_risk)
        ),
        last as (
            select township_code, level from meta.risk_levels
            qualify row_number() over (partition by township_code order by recorded_at desc, as_of desc) = 1
        )
        select current.township_code, current.township_name, current.as_of, current.level, current.level_name,
               current.score, current.main_indicators, last.level as previous_level
        from current left join last using (township_code)
        where last.level is distinct from current.level
        order by current.township_code
    """).pl()
    if changes.height == 0:
        return _send(con, home, profile, now, result)
    clues = con.sql(
        "select township_code, self_report_drop__clue, zero_run__clue, late_report__clue, enforcement_unreported__clue "
        "from marts.township_signals where as_of = ?",
        params=[changes["as_of"][0]],
    ).pl()
    clue_by = {r["township_code"]: [v for k, v in r.items() if k != "township_code" and v] for r in clues.to_dicts()}
    bureau = profile.config["county"]["bureau"]
    from pipelines.lib.alerts.outbox import sender_identity

    from_name, from_address, reply_to = sender_identity(profile)
    rows, written = [], []
    try:
        for r in changes.to_dicts():
            if r["level"] not in ALERT_LEVELS:
                continue
            digest = hashlib.sha1(f"{r['township_code']}|{r['as_of']}|{r['level']}".encode()).hexdigest()[:8]
            warning_id = f"{now:%Y%m%d-%H%M%S}-risk-{r['township_code']}-{digest}"
            subject = f"【风险预警】{r['township_name']}风险等级为{r['level']}色（{r['level_name']}），请于{ACK_HOURS}小时内确认"
            text, body = _message(r, clue_by.get(r["township_code"], []), bureau)
            out = Outgoing(
                alert_id=warning_id,
                subject=subject,
                text=text,
                html=body,
                recipient=profile.sender_email(r["township_code"]),
                recipient_name=r["township_name"],
                from_address=from_address,
                from_name=from_name,
                reply_to=reply_to,
                created_at=now,
                timezone=profile.timezone,
            )
            files = write_outbox(home.outbox, out)
            written += files.paths(home.outbox)
            rows.append(
                {
                    "warning_id": warning_id,
                    "township_code": r["township_code"],
                    "township_name": r["township_name"],
                    "as_of": r["as_of"],
                    "level": r["level"],
                    "previous_level": r["previous_level"],
                    "score": r["score"],
                    "main_indicators": r["main_indicators"],
                    "recipient": out.recipient,
                    "subject": subject,
                    "created_at": now,
                    "run_id": run_id,
                    "status": "queued",
                    "attempts": 0,
                    "sent_at": None,
                    "last_error": None,
                    "message_id": out.message_id,
                    "eml_path": files.eml,
                    "html_path": files.html,
                }
            )
        levels = changes.select("township_code", "as_of", "level", "score").with_columns(
            pl.lit(now).alias("recorded_at")
        )
        con.execute("BEGIN TRANSACTION")
        try:
            con.register("_risk_levels_new", levels)
            con.execute("INSERT INTO meta.risk_levels BY NAME SELECT * FROM _risk_levels_new")
            if rows:
                con.register(
                    "_risk_warnings_new",
                    pl.DataFrame(
                        rows,
                        schema_overrides={
                            "previous_level": pl.String,
                            "recipient": pl.String,
                            "sent_at": pl.Datetime("us"),
                            "last_error": pl.String,
                            "main_indicators": pl.String,
                        },
                    ),
                )
                con.execute("INSERT INTO meta.risk_warnings BY NAME SELECT * FROM _risk_warnings_new")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    result.created = len(rows)
    return _send(con, home, profile, now, result)


def _message(r: dict, clues: list[str], bureau: str) -> tuple[str, str]:
    was = f"（上次为{r['previous_level']}色）" if r["previous_level"] else ""
    lines = [
        f"{r['township_name']}：",
        f"截至{r['as_of']:%Y年%m月%d日}，你乡镇（街道）风险预警等级为{r['level']}色（{r['level_name']}）{was}，"
        f"风险分值{r['score']}分。",
        f"主要指标：{r['main_indicators'] or '无'}。",
    ]
    if clues:
        lines.append("漏报瞒报线索（供核实，不作结论）：" + "；".join(clues) + "。")
    lines += [
        f"请登录数据驾驶舱“风险预警”页面，点击“确认收到”完成叫应；{ACK_HOURS}小时内未确认的，将报告局领导。",
        f"{bureau}",
    ]
    text = "\n\n".join(lines)
    body = "<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in lines) + "</body></html>"
    return text, body


def _send(
    con: duckdb.DuckDBPyConnection, home: Home, profile: Profile, now: dt.datetime, result: WarningResult
) -> WarningResult:
    """Send every queued or failed warning, as the data-quality alerts are sent."""
    settings = SmtpSettings.resolve(profile.config)
    if settings is None:
        return result
    from pipelines.lib.alerts.outbox import sender_identity

    _, from_address, _ = sender_identity(profile)
    envelope = settings.from_address or from_address
    pending = con.execute(
        "SELECT warning_id, recipient, eml_path FROM meta.risk_warnings "
        "WHERE status IN ('queued', 'failed') ORDER BY created_at, warning_id"
    ).fetchall()

    def deliveries():
        for warning_id, recipient, eml_path in pending:
            path = home.outbox / eml_path
            data = path.read_bytes() if path.is_file() else b""
            yield Delivery(warning_id, envelope, recipient if data else None, data)

    for sent in deliver(settings, deliveries()):
        if sent.ok:
            result.sent += 1
            con.execute(
                "UPDATE meta.risk_warnings SET status = 'sent', attempts = attempts + 1, sent_at = ?, "
                "last_error = NULL WHERE warning_id = ?",
                [now, sent.key],
            )
        else:
            result.failed += 1
            log.warning("risk warning %s not sent: %s", sent.key, sent.error)
            con.execute(
                "UPDATE meta.risk_warnings SET status = 'failed', attempts = attempts + 1, last_error = ? "
                "WHERE warning_id = ?",
                [sent.error, sent.key],
            )
    return result


# ---------------------------------------------------------------- acknowledgements (叫应)


def _ack_db(home: Home) -> sqlite3.Connection:
    home.root.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(home.root / ACK_FILE, timeout=10)
    con.execute(
        "CREATE TABLE IF NOT EXISTS acknowledgements (warning_id TEXT PRIMARY KEY, township_code TEXT NOT NULL, "
        "acknowledged_by TEXT NOT NULL, acknowledged_at TEXT NOT NULL)"
    )
    return con


def acknowledge(home: Home, warning_id: str, township_code: str, username: str, now: dt.datetime) -> bool:
    """Record that `username` (the login, never a form field) acknowledged a warning; False
    when it was acknowledged before (the first acknowledgement stands)."""
    con = _ack_db(home)
    try:
        with con:
            cur = con.execute(
                "INSERT OR IGNORE INTO acknowledgements VALUES (?, ?, ?, ?)",
                (warning_id, township_code, username, now.isoformat(timespec="seconds")),
            )
        return cur.rowcount == 1
    finally:
        con.close()


def acknowledgements(home: Home) -> pl.DataFrame:
    """Every acknowledgement: warning_id, township_code, acknowledged_by, acknowledged_at."""
    schema = {
        "warning_id": pl.String,
        "township_code": pl.String,
        "acknowledged_by": pl.String,
        "acknowledged_at": pl.Datetime("us"),
    }
    if not (home.root / ACK_FILE).exists():
        return pl.DataFrame(schema=schema)
    con = _ack_db(home)
    try:
        rows = con.execute(
            "SELECT warning_id, township_code, acknowledged_by, acknowledged_at FROM acknowledgements"
        ).fetchall()
    finally:
        con.close()
    return pl.DataFrame(
        [
            {"warning_id": w, "township_code": t, "acknowledged_by": b, "acknowledged_at": dt.datetime.fromisoformat(a)}
            for w, t, b, a in rows
        ],
        schema=schema,
    )


def warnings_with_acks(warnings: pl.DataFrame, acks: pl.DataFrame, now: dt.datetime) -> pl.DataFrame:
    """The warnings with who acknowledged them and when, and is_overdue: not acknowledged
    within 24 hours of being issued."""
    joined = warnings.join(acks.drop("township_code"), on="warning_id", how="left")
    return joined.with_columns(
        (pl.col("acknowledged_at").is_null() & (pl.col("created_at") + pl.duration(hours=ACK_HOURS) < now)).alias(
            "is_overdue"
        )
    )


# The columns of meta.risk_warnings as readers get them (an empty frame before the first warning).
WARNING_SCHEMA = {
    "warning_id": pl.String,
    "township_code": pl.String,
    "township_name": pl.String,
    "as_of": pl.Date,
    "level": pl.String,
    "previous_level": pl.String,
    "score": pl.Int32,
    "main_indicators": pl.String,
    "created_at": pl.Datetime("us"),
}


def read_warnings(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """meta.risk_warnings (empty when no warning was ever issued)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'meta' and table_name = 'risk_warnings'"
    ).fetchall()[0][0]
    if not exists:
        return pl.DataFrame(schema=WARNING_SCHEMA)
    return con.sql(
        f"select {', '.join(WARNING_SCHEMA)} from meta.risk_warnings order by created_at desc, township_code"
    ).pl()


def unacknowledged_overdue(con: duckdb.DuckDBPyConnection, home: Home, now: dt.datetime) -> pl.DataFrame:
    """The warnings not acknowledged within 24 hours, for the leadership and the bulletin."""
    return warnings_with_acks(read_warnings(con), acknowledgements(home), now).filter(pl.col("is_overdue"))
