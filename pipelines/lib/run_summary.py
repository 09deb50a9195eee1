"""The summary `safetywh run` prints: what landed, what was quarantined and why, how many
alert e-mails were written and whether they went out, and commands that run as printed."""

from __future__ import annotations

import shlex
import sys

import duckdb

from pipelines.lib.labels import label_frame
from pipelines.lib.output import emit
from pipelines.lib.readers import open_reader
from warehouse.home import Home


def run_summary(home: Home, run_id: str | None) -> dict:
    """``run_id`` None: no run happened (nothing had changed), so no file was received."""
    with open_reader(home) as con:
        by_feed = con.sql(
            """SELECT feed, count(*) AS files,
                      count(*) FILTER (status = 'loaded') AS n_loaded,
                      count(*) FILTER (status = 'rejected') AS n_rejected,
                      count(*) FILTER (status = 'duplicate') AS n_duplicate,
                      sum(rows_loaded) AS rows_loaded, sum(rows_quarantined) AS rows_quarantined,
                      sum(rows_skipped) AS rows_skipped
               FROM meta.files WHERE run_id = ? GROUP BY ALL ORDER BY 1""",
            params=[run_id],
        ).pl()
        rejected = con.sql(
            "SELECT path AS file, reason FROM meta.files WHERE run_id = ? AND status = 'rejected' ORDER BY path",
            params=[run_id],
        ).pl()
        reasons = con.sql(
            """SELECT feed, column_header AS column, rule, count(*) AS cells,
                      count(DISTINCT (file_id, row_number)) AS rows
               FROM meta.quarantine WHERE run_id = ? GROUP BY ALL ORDER BY cells DESC, 1, 2 LIMIT 20""",
            params=[run_id],
        ).pl()
        alerts = _alerts(con, run_id)
        examples = _latest_dates(con)
        horizon = _after_horizon(con)
    return {
        "by_feed": by_feed,
        "rejected": rejected,
        "reasons": reasons,
        "examples": examples,
        "alerts": alerts,
        "horizon": horizon,
    }


def _alerts(con, run_id: str | None) -> dict[str, int]:
    """Alert e-mails this run wrote to the outbox, those it sent, and all still waiting."""
    try:
        written, sent, waiting = con.execute(
            """SELECT count(*) FILTER (run_id = ?), count(*) FILTER (run_id = ? AND status = 'sent'),
                      count(*) FILTER (status IN ('queued', 'failed'))
               FROM meta.alerts""",
            [run_id, run_id],
        ).fetchall()[0]
    except duckdb.CatalogException:  # no alert was ever made in this home
        written = sent = waiting = 0
    return {"written": written, "sent": sent, "waiting": waiting}


def _latest_dates(con) -> tuple[str | None, str | None]:
    """The latest scoreboard date and the latest complete ranking week, for the example
    commands (a home whose dbt build failed has no marts: those commands are left out)."""
    try:
        rows = con.sql(
            """SELECT (SELECT max(as_of) FROM marts.kpi_scoreboard_daily),
                      (SELECT max(period) FROM marts.township_rankings WHERE period_type = 'week' AND is_complete)"""
        ).fetchall()
    except duckdb.Error:
        rows = [(None, None)]
    as_of, week = rows[0]
    return (str(as_of) if as_of else None, week or None)


def _after_horizon(con) -> tuple[int, str | None, str | None]:
    """(facts dated after the profile's calendar horizon, the latest of them, the horizon):
    marts.calendar_coverage; (0, None, None) without it."""
    try:
        rows = con.execute(
            "SELECT facts_after_horizon, latest_fact_on, calendar_horizon FROM marts.calendar_coverage"
        ).fetchall()
    except duckdb.Error:
        return 0, None, None
    if not rows or not rows[0][0]:
        return 0, None, None
    count, latest, horizon = rows[0]
    return int(count), str(latest), str(horizon)


def horizon_line(after: tuple[int, str | None, str | None]) -> str:
    """The warning for facts the calendar does not reach ("" when there is none)."""
    count, latest, horizon = after
    if not count:
        return ""
    return (
        f"注意：有 {count} 个发生日期晚于日历截止日 {horizon}（最晚 {latest}），未计入任何指标、排名和看板："
        "请在县情配置 profile.yaml 中把 calendar.horizon 延后（如到明年年底）后重新运行。\n"
    )


def _smtp_configured() -> bool:
    from pipelines.lib.alerts.smtp import SmtpSettings
    from pipelines.lib.profile import load_profile

    try:
        return SmtpSettings.resolve(load_profile().config) is not None
    except Exception:  # noqa: BLE001 - a broken SMTP setting is reported by the run itself
        return False


def alert_lines(alerts: dict[str, int], outbox, smtp: bool) -> str:
    written, sent, waiting = alerts["written"], alerts["sent"], alerts["waiting"]
    text = f"数据质量提醒：本次写入发件箱 {written} 封（{outbox}）"
    if not smtp:
        text += "；未配置 SMTP（环境变量 SAFETYWH_SMTP_HOST 等，见 README），均未发送"
        if waiting:
            text += f"，发件箱中共 {waiting} 封待发送，配置后下次运行自动发送"
    else:
        text += f"，已发送 {sent} 封"
        if waiting:
            text += f"，{waiting} 封待发送或发送失败（下次运行重试）"
    return text + "。\n"


# What a run without a new file did instead, by what made it run (run_inputs.Inputs parts).
NO_FILE_REASONS = (
    ("profile", "县情配置有变化，已按新配置重新计算指标与排名"),
    ("settings", "SAFETYWH_* 设置有变化，已按新设置重新运行"),
    ("code", "程序或 dbt 模型有变化，已重新计算"),
    ("hour", "已跨整点，已重新判定逾期与迟报"),
)


def print_summary(home: Home, run_id: str | None, stream=None, changed: tuple[str, ...] = ()) -> None:
    from pipelines.cli import command_prefix

    stream = stream or sys.stdout
    parts = run_summary(home, run_id)
    as_of, week = parts["examples"]
    if parts["by_feed"].is_empty():
        # every reason when the run had no record to compare with means nothing in particular
        said = [text for part, text in NO_FILE_REASONS if part in changed] if "landing" not in changed else []
        if said:
            stream.write(f"本次运行没有发现新文件；{'；'.join(said)}。\n")
        else:
            stream.write("本次运行没有发现新文件，数据未变化。\n")
    else:
        stream.write("\n本次运行收到的文件：\n")
        emit(label_frame(parts["by_feed"]), "table", stream)
        if parts["rejected"].height:
            stream.write(f"\n拒收的文件（{parts['rejected'].height} 个，整份未入库）：\n")
            emit(label_frame(parts["rejected"]), "table", stream)
        if parts["reasons"].height:
            stream.write("\n隔离原因（前 20 项，明细见下方 quarantine 命令）：\n")
            emit(label_frame(parts["reasons"]), "table", stream)
    if warning := horizon_line(parts["horizon"]):
        stream.write("\n" + warning)
    stream.write("\n" + alert_lines(parts["alerts"], home.outbox, _smtp_configured()))
    stream.write(f"\n结果位置：\n  数仓（写入）：{home.duckdb_path}\n  只读副本（看板）：{home.published_path}\n")
    run = command_prefix()
    at = f"--home {shlex.quote(str(home.root))}"
    commands = [
        ("收到的文件", f"{run} files {at}"),
        ("隔离明细", f"{run} quarantine {at}"),
        ("某类数据的现行记录", f"{run} records hazards --format table {at}"),
    ]
    if as_of:
        commands.append(("安全生产指标", f"{run} kpis --as-of {as_of} {at}"))
    if week:
        commands += [
            ("乡镇排名", f"{run} ranking --period {week} {at}"),
            ("周通报", f"{run} publish --period {week} {at}"),
        ]
    commands += [
        ("数据质量提醒", f"{run} alerts {at}"),
        ("看板（浏览器打开 http://127.0.0.1:8501）", f"{run} dashboard {at}"),
    ]
    stream.write("\n接下来可运行（可直接复制）：\n")
    for what, command in commands:
        stream.write(f"  {what}：\n    {command}\n")
    if run != "safetywh" and run.endswith("/safetywh"):
        activate = shlex.quote(run.rsplit("/", 1)[0] + "/activate")
        stream.write(f"  （先运行 source {activate}，之后可直接输入 safetywh）\n")
