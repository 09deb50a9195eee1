"""The summary `safetywh run` prints: what landed, what was quarantined and why."""

from __future__ import annotations

import sys

import polars as pl

from pipelines.lib.output import emit
from pipelines.lib.readers import open_reader
from warehouse.home import Home


def run_summary(home: Home, run_id: str | None) -> dict[str, pl.DataFrame]:
    """``run_id`` None: no run happened (nothing had changed), so no file was received."""
    with open_reader(home) as con:
        by_feed = con.sql(
            """SELECT coalesce(feed, '（未知）') AS 数据类别, count(*) AS 文件数,
                      count(*) FILTER (status = 'loaded') AS 已入库,
                      count(*) FILTER (status = 'rejected') AS 已拒收,
                      count(*) FILTER (status = 'duplicate') AS 重复文件,
                      sum(rows_loaded) AS 入库行, sum(rows_quarantined) AS 隔离行, sum(rows_skipped) AS 跳过行
               FROM meta.files WHERE run_id = ? GROUP BY ALL ORDER BY 1""",
            params=[run_id],
        ).pl()
        rejected = con.sql(
            "SELECT path AS 文件, reason AS 拒收原因 FROM meta.files WHERE run_id = ? AND status = 'rejected' ORDER BY path",
            params=[run_id],
        ).pl()
        reasons = con.sql(
            """SELECT feed AS 数据类别, column_header AS 列, rule AS 规则, count(*) AS 单元格数,
                      count(DISTINCT (file_id, row_number)) AS 行数
               FROM meta.quarantine WHERE run_id = ? GROUP BY ALL ORDER BY 单元格数 DESC, 1, 2 LIMIT 20""",
            params=[run_id],
        ).pl()
        examples = _latest_dates(con)
    return {"by_feed": by_feed, "rejected": rejected, "reasons": reasons, "examples": examples}


def _latest_dates(con) -> tuple[str, str]:
    """The latest scoreboard date and the latest complete ranking week, for the example
    commands (a home whose dbt build failed has no marts: placeholders then)."""
    try:
        rows = con.sql(
            """SELECT (SELECT max(as_of) FROM marts.kpi_scoreboard_daily),
                      (SELECT max(period) FROM marts.township_rankings WHERE period_type = 'week' AND is_complete)"""
        ).fetchall()
    except Exception:  # noqa: BLE001 - no marts yet: the commands are still worth showing
        rows = [(None, None)]
    as_of, week = rows[0]
    return (str(as_of) if as_of else "YYYY-MM-DD", week or "YYYY-Www")


# What a run without a new file did instead, by what made it run (run_state.Inputs parts).
NO_FILE_REASONS = (
    ("profile", "县情配置有变化，已按新配置重新计算指标与排名"),
    ("settings", "SAFETYWH_* 设置有变化，已按新设置重新运行"),
    ("code", "程序或 dbt 模型有变化，已重新计算"),
    ("hour", "已跨整点，已重新判定逾期与迟报"),
)


def print_summary(home: Home, run_id: str | None, stream=None, changed: tuple[str, ...] = ()) -> None:
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
        emit(parts["by_feed"], "table", stream)
        if parts["rejected"].height:
            stream.write(f"\n拒收的文件（{parts['rejected'].height} 个，整份未入库）：\n")
            emit(parts["rejected"], "table", stream)
        if parts["reasons"].height:
            stream.write("\n隔离原因（前 20 项，明细见 `safetywh quarantine`）：\n")
            emit(parts["reasons"], "table", stream)
    stream.write(
        f"\n结果位置：\n  数仓（写入）：{home.duckdb_path}\n  只读副本（看板）：{home.published_path}\n"
        f"  数据质量提醒（发件箱）：{home.outbox}\n"
        f"  查看文件与隔离明细：safetywh files | quarantine | records <feed> --home {home.root}\n"
        f"  指标与排名：safetywh kpis --as-of {as_of} | ranking --period {week} --home {home.root}\n"
        f"  看板：safetywh dashboard --home {home.root}（http://127.0.0.1:8501）\n"
        f"  通报：safetywh publish --period {week} --home {home.root}\n"
    )
