"""报送情况: a sender's reporting obligations (feeds.md deadlines) — received, on time, late,
missing — and its latest files, those waiting for the next run included. A leader sees
every sender's obligations."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from dashboards import ui
from dashboards.auth import Viewer
from dashboards.cards import metric_card
from dashboards.data import submission as q
from pipelines.lib import labels

DELIVERIES = "data_quality_deliveries"
STATUS_TEXT = labels.words("delivery")
STATUS_HEX = {STATUS_TEXT[k]: hex_ for k, hex_ in (("on_time", "#d7f0dc"), ("late", "#fde7c8"), ("missing", "#f9d3d3"))}
COUNTS = ["due", "received", "on_time", "late", "missing"]


def pick_range(viewer: Viewer) -> tuple[dt.date, dt.date] | None:
    first, last = q.delivery_range(viewer)
    if first is None:
        return None
    default_start = max(first, last - dt.timedelta(days=90))
    chosen = st.date_input(
        "截止日期所在期间",
        value=(default_start, last),
        min_value=first,
        max_value=last,
        key="deliveries-range",
        format="YYYY-MM-DD",
    )
    if not isinstance(chosen, tuple) or len(chosen) != 2:
        st.info("请选择起止日期")
        st.stop()
    return chosen


def body(viewer: Viewer) -> None:
    st.title("报送情况")
    if viewer.is_leader:
        st.caption(
            "全部报送单位的报送义务（按《数据报送规范》的截止时间）：周报周一12:00前报上周，"
            "事件24小时内首报，名录每月5日前，救助每月10日前报上月。"
        )
    else:
        st.caption(
            f"{q.sender_name(viewer)}（{q.sender_of(viewer)}）的报送义务：周报周一12:00前报上周，"
            "事件24小时内首报，名录每月5日前，救助每月10日前报上月。"
        )
    if not q.has_deliveries(viewer):
        st.warning("报送统计尚未生成：请先运行 `safetywh run`。")
    else:
        span = pick_range(viewer)
        if span is None:
            st.info("还没有报送义务记录")
        else:
            start, end = span
            counts = q.obligation_counts(viewer, start, end)
            total = (
                counts.select(pl.exclude("sender_code", "sender_name").sum()).row(0, named=True)
                if counts.height
                else {}
            )
            cols = st.columns(5)
            names = ui.headers(DELIVERIES, ["sender_name", *COUNTS, "pending"])
            for col, key in zip(cols, COUNTS):
                metric_card(col, names[key], f"{total.get(key) or 0} 份")
            if viewer.is_leader:
                ui.section("分报送单位")
                ui.table(
                    counts,
                    names,
                    key="deliveries-senders",
                    file_name=f"报送情况_分单位_{start}_{end}",
                    height=ui.rows_height(min(counts.height, 20)),
                )
            ui.section("报送义务明细", "每一期（周、月）或每一起事件一行。")
            frame = q.obligations(viewer, start, end).with_columns(
                pl.col("status").replace_strict(STATUS_TEXT, default=pl.col("status"))
            )
            shown = ["feed_label", "period", "record_id", "due_at", "status", "delivered_at", "late_hours"]
            columns = ui.headers(DELIVERIES, ["sender_name", *shown] if viewer.is_leader else shown)
            ui.table(
                frame,
                columns,
                key="deliveries",
                file_name=f"报送情况_{start}_{end}",
                colors={columns["status"]: STATUS_HEX},
                height=420,
                empty="该期间没有报送义务",
            )
    if not viewer.is_leader:
        ui.section("最近报送的文件", "“待处理”的文件已经收到，下次数据处理时入库。")
        files = q.recent_files(viewer).with_columns(
            pl.col("status").replace_strict(labels.words("status"), default=pl.col("status"))
        )
        ui.table(
            files,
            ui.headers(
                "data_quality_files",
                ["received_at", "feed_label", "path", "status", "rows_loaded", "rows_quarantined", "reason"],
            ),
            key="deliveries-files",
            file_name="最近报送的文件",
            empty="还没有报送过文件",
            height=420,
        )


ui.run_page(body)
