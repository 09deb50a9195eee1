"""数据质量: per sender, reports due / on time / late / missing, files and rows, quarantined
rows and why, rejected files."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, ui
from dashboards.auth import Viewer
from dashboards.data import quality as q

KIND_TEXT = {"department": "部门", "township": "乡镇"}


def pick_period(viewer: Viewer) -> tuple[str, object, object]:
    left, right = st.columns([2, 3])
    with left:
        period_type = st.segmented_control("统计周期", options=list(q.DQ_PERIOD_TYPES), default="month",
                                           format_func={"week": "周", "month": "月", "quarter": "季度",
                                                        "year": "年"}.get, required=True, key="dq-type")
    periods = q.periods(viewer, period_type)
    if periods.height == 0:
        st.info("还没有数据质量统计")
        st.stop()
    labels = periods["period"].to_list()
    with right:
        period = st.selectbox("期次", labels, index=0, key=f"dq-period-{period_type}")
    row = periods.filter(pl.col("period") == period).row(0, named=True)
    return period_type, period, row


def per_sender(viewer: Viewer, period_type: str, period: str) -> None:
    frame = q.by_sender(viewer, period_type, period).with_columns(
        pl.col("sender_kind").replace_strict(KIND_TEXT, default=pl.col("sender_kind")),
        (pl.col("pass_rate") * 100).round(2), (pl.col("on_time_rate") * 100).round(2),
    )
    due = frame.filter(pl.col("files_due") > 0)
    if due.height:
        st.altair_chart(charts.stacked_bars(
            due, "sender_name", {"files_on_time": "按时", "files_late": "迟报", "files_missing": "缺报"},
            "应报台账的报送情况（份）", colors=["#3a8d4f", "#e8a33d", "#c8412f"]), width="stretch")
    ui.table(
        frame,
        {"sender_name": "报送单位", "sender_kind": "类型", "files_due": "应报", "files_on_time": "按时",
         "files_late": "迟报", "files_missing": "缺报", "files_pending": "未到期", "events_reported": "事件报告",
         "events_late": "事件迟报", "files_received": "收到文件", "files_rejected": "拒收", "files_duplicate": "重复",
         "rows_loaded": "载入行", "rows_quarantined": "隔离行", "pass_rate": "合格率(%)", "on_time_rate": "及时率(%)"},
        key="dq-sender", file_name=f"数据质量_分报送单位_{period}", height=ui.rows_height(frame.height),
    )


def body(viewer: Viewer) -> None:
    st.title("数据质量")
    if not q.has_marts(viewer):
        st.warning("数据质量汇总表尚未生成，以下仅显示文件登记和隔离区的内容。")
        as_of = ui.as_of_picker(viewer)
        start, end = as_of.replace(month=1, day=1), as_of
        ui.table(q.files_by_sender(viewer, start, end),
                 {"sender_name": "报送单位", "files_received": "收到文件", "files_loaded": "载入", "files_rejected": "拒收",
                  "files_duplicate": "重复", "rows_loaded": "载入行", "rows_quarantined": "隔离行"},
                 key="dq-files", file_name=f"文件登记_{as_of}")
    else:
        period_type, period, row = pick_period(viewer)
        start, end = row["period_start"], row["period_end"]
        st.caption(f"{period}：{start:%Y-%m-%d} 至 {end:%Y-%m-%d}。应报 = 截止时间已过的定期报表（周报、月报）；"
                   "事件（事故、火灾、转移）须在24小时内首报。")
        t = q.totals(viewer, period_type, period)
        cols = st.columns(6)
        cols[0].metric("应报", f"{t['files_due']} 份", border=True)
        cols[1].metric("按时", f"{t['files_on_time']} 份", border=True)
        cols[2].metric("迟报", f"{t['files_late']} 份", border=True)
        cols[3].metric("缺报", f"{t['files_missing']} 份", border=True)
        cols[4].metric("拒收文件", f"{t['files_rejected']} 个", border=True)
        cols[5].metric("隔离行", f"{t['rows_quarantined']} 行", border=True,
                       help=f"载入 {t['rows_loaded']} 行")
        ui.section("分报送单位")
        per_sender(viewer, period_type, period)
        ui.section("迟报和缺报", "本期覆盖的报表中迟报或缺报的。")
        ui.table(
            q.late_or_missing(viewer, start, end).with_columns(
                pl.col("status").replace_strict({"late": "迟报", "missing": "缺报"}, default=pl.col("status"))),
            {"sender_name": "报送单位", "feed_label": "台账", "period": "所属期", "due_at": "截止时间",
             "status": "情况", "delivered_at": "收到时间", "late_hours": "迟报(小时)"},
            key="dq-late", file_name=f"迟报缺报_{period}", empty="本期没有迟报或缺报", height=300,
        )

    ui.section("隔离的数据行", "本期收到的文件中，违反《数据报送规范》而被隔离的行（个人信息已脱敏）。")
    ui.table(
        q.quarantine_summary(viewer, start, end),
        {"sender_name": "报送单位", "feed": "台账", "rule_label": "问题类型", "column_header": "列",
         "rows": "隔离行数", "cells": "问题单元格"},
        key="dq-quarantine", file_name=f"隔离原因汇总_{start}_{end}", empty="本期没有被隔离的行",
    )
    with st.expander("逐条明细"):
        ui.table(
            q.quarantined_cells(viewer, start, end),
            {"received_at": "收到时间", "sender_name": "报送单位", "path": "文件", "row_number": "行号",
             "column_header": "列", "value": "填写内容", "reason": "原因"},
            key="dq-cells", file_name=f"隔离明细_{start}_{end}", empty="本期没有被隔离的行", height=400,
            column_config=ui.long_text("原因", "文件"), row_height=ui.WRAP_ROW_PX,
        )
    ui.section("拒收的文件", "整个文件无法读取或不符合规范，未载入任何数据。")
    ui.table(
        q.rejected_files(viewer, start, end),
        {"received_at": "收到时间", "sender_name": "报送单位", "feed": "台账", "path": "文件", "reason": "原因"},
        key="dq-rejected", file_name=f"拒收文件_{start}_{end}", empty="本期没有拒收的文件",
        column_config=ui.long_text("原因", "文件"), row_height=ui.WRAP_ROW_PX, height=600,
    )


ui.run_page(body)
