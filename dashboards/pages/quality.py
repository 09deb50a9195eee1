"""数据质量: per sender, reports due / on time / late / missing, files and rows, quarantined
rows and why, rejected files."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, ui
from dashboards.auth import Viewer
from dashboards.cards import metric_card
from dashboards.data import quality as q
from pipelines.lib import labels

BY_SENDER = "data_quality_by_sender"
DELIVERIES = "data_quality_deliveries"
FILES = "data_quality_files"
CELLS = "data_quality_quarantined_cells"


def pick_period(viewer: Viewer) -> tuple[str, object, object]:
    left, right = st.columns([2, 3])
    with left:
        period_type = st.segmented_control(
            "统计周期",
            options=list(q.DQ_PERIOD_TYPES),
            default="month",
            format_func=labels.words("period_unit").get,
            required=True,
            key="dq-type",
        )
    periods = q.periods(viewer, period_type)
    if periods.height == 0:
        st.info("还没有数据质量统计")
        st.stop()
    names = periods["period"].to_list()
    with right:
        period = st.selectbox(ui.label(BY_SENDER, "period"), names, index=0, key=f"dq-period-{period_type}")
    row = periods.filter(pl.col("period") == period).row(0, named=True)
    return period_type, period, row


def per_sender(viewer: Viewer, period_type: str, period: str) -> None:
    frame = q.by_sender(viewer, period_type, period).with_columns(
        pl.col("sender_kind").replace_strict(labels.words("sender_kind"), default=pl.col("sender_kind")),
        (pl.col("pass_rate") * 100).round(2),
        (pl.col("on_time_rate") * 100).round(2),
    )
    due = frame.filter(pl.col("files_due") > 0)
    columns = ui.percent_headers(
        ui.headers(
            BY_SENDER,
            [
                "sender_name",
                "sender_kind",
                "files_due",
                "files_on_time",
                "files_late",
                "files_missing",
                "files_pending",
                "events_reported",
                "events_late",
                "files_received",
                "files_rejected",
                "files_duplicate",
                "rows_loaded",
                "rows_quarantined",
                "pass_rate",
                "on_time_rate",
            ],
        ),
        "pass_rate",
        "on_time_rate",
    )
    if due.height:
        st.altair_chart(
            charts.stacked_bars(
                due,
                "sender_name",
                {c: columns[c] for c in ("files_on_time", "files_late", "files_missing")},
                "应报台账的报送情况（份）",
                colors=["#3a8d4f", "#e8a33d", "#c8412f"],
            ),
            width="stretch",
        )
    ui.table(
        frame,
        columns,
        key="dq-sender",
        file_name=f"数据质量_分报送单位_{period}",
        height=ui.rows_height(frame.height),
    )


def body(viewer: Viewer) -> None:
    st.title("数据质量")
    if not q.has_marts(viewer):
        st.warning("数据质量汇总表尚未生成，以下仅显示文件登记和隔离区的内容。")
        as_of = ui.as_of_picker(viewer)
        start, end = as_of.replace(month=1, day=1), as_of
        ui.table(
            q.files_by_sender(viewer, start, end),
            ui.headers(
                BY_SENDER,
                [
                    "sender_name",
                    "files_received",
                    "files_loaded",
                    "files_rejected",
                    "files_duplicate",
                    "rows_loaded",
                    "rows_quarantined",
                ],
            ),
            key="dq-files",
            file_name=f"文件登记_{as_of}",
        )
    else:
        period_type, period, row = pick_period(viewer)
        start, end = row["period_start"], row["period_end"]
        st.caption(
            f"{period}：{start:%Y-%m-%d} 至 {end:%Y-%m-%d}。应报 = 截止时间已过的定期报表（周报、月报）；"
            "事件（事故、火灾、转移）须在24小时内首报。"
        )
        t = q.totals(viewer, period_type, period)
        cols = st.columns(6)
        names = ui.headers(
            BY_SENDER,
            [
                "files_due",
                "files_on_time",
                "files_late",
                "files_missing",
                "files_rejected",
                "rows_quarantined",
                "rows_loaded",
            ],
        )
        for col, (key, unit) in zip(
            cols,
            (
                ("files_due", "份"),
                ("files_on_time", "份"),
                ("files_late", "份"),
                ("files_missing", "份"),
                ("files_rejected", "个"),
                ("rows_quarantined", "行"),
            ),
        ):
            metric_card(
                col,
                names[key],
                f"{t[key]} {unit}",
                help=f"{names['rows_loaded']} {t['rows_loaded']} 行" if key == "rows_quarantined" else None,
            )
        ui.section("分报送单位")
        per_sender(viewer, period_type, period)
        ui.section("迟报和缺报", "本期覆盖的报表中迟报或缺报的。")
        ui.table(
            q.late_or_missing(viewer, start, end).with_columns(
                pl.col("status").replace_strict(labels.words("delivery"), default=pl.col("status"))
            ),
            ui.headers(
                DELIVERIES, ["sender_name", "feed_label", "period", "due_at", "status", "delivered_at", "late_hours"]
            ),
            key="dq-late",
            file_name=f"迟报缺报_{period}",
            empty="本期没有迟报或缺报",
            height=300,
        )

    ui.section("隔离的数据行", "本期收到的文件中，违反《数据报送规范》而被隔离的行（个人信息已脱敏）。")
    ui.table(
        q.quarantine_summary(viewer, start, end),
        ui.headers(CELLS, ["sender_name", "feed", "rule_label", "column_header", "rows", "cells"]),
        key="dq-quarantine",
        file_name=f"隔离原因汇总_{start}_{end}",
        empty="本期没有被隔离的行",
    )
    with st.expander("逐条明细"):
        ui.table(
            q.quarantined_cells(viewer, start, end),
            cells := ui.headers(
                CELLS, ["received_at", "sender_name", "path", "row_number", "column_header", "value", "reason"]
            ),
            key="dq-cells",
            file_name=f"隔离明细_{start}_{end}",
            empty="本期没有被隔离的行",
            height=400,
            column_config=ui.long_text(cells["reason"], cells["path"]),
            row_height=ui.WRAP_ROW_PX,
        )
    ui.section("拒收的文件", "整个文件无法读取或不符合规范，未载入任何数据。")
    ui.table(
        q.rejected_files(viewer, start, end),
        files := ui.headers(FILES, ["received_at", "sender_name", "feed", "path", "reason"]),
        key="dq-rejected",
        file_name=f"拒收文件_{start}_{end}",
        empty="本期没有拒收的文件",
        column_config=ui.long_text(files["reason"], files["path"]),
        row_height=ui.WRAP_ROW_PX,
        height=600,
    )


ui.run_page(body)
