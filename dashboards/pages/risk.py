"""风险预警: the 29 townships by risk level (a sorted colour grid: no boundary file is
available, so no map is pretended), the under-reporting clues in one Chinese sentence each,
each township's level over the weeks, and the backtest of the level. A township clerk sees
its own township's level, indicators and clues only.
"""

from __future__ import annotations

import datetime as dt
import html

import altair as alt
import polars as pl
import streamlit as st

from dashboards import ui
from dashboards.auth import Viewer
from dashboards.data import risk as q

RISK = "township_risk"
LEVEL_HEX = {"红": "#d93025", "橙": "#f28c28", "黄": "#f6c343", "蓝": "#4a7bd0"}
LEVEL_TEXT_HEX = {"红": "#ffffff", "橙": "#ffffff", "黄": "#3b3b3b", "蓝": "#ffffff"}
CLUE_NOTE = "线索是供督导核实的提示，不是结论：请向乡镇了解情况后再作判断。"


def tiles(frame: pl.DataFrame) -> None:
    """The townships as coloured tiles, highest level and score first (HTML escaped)."""
    cells = []
    for r in frame.iter_rows(named=True):
        top = (r["main_indicators"] or "无计分指标").split("；")[0]
        cells.append(
            f'<div style="background:{LEVEL_HEX[r["level"]]};color:{LEVEL_TEXT_HEX[r["level"]]};border-radius:6px;'
            f'padding:8px 10px;min-height:86px">'
            f'<div style="font-weight:700;font-size:15px">{html.escape(r["township_name"])}</div>'
            f'<div style="font-size:13px">{html.escape(r["level"])}（{html.escape(r["level_name"])}）· {r["score"]}分'
            f"{'· 挂牌督办' if r['is_floored'] else ''}</div>"
            f'<div style="font-size:12px;opacity:.9">{html.escape(top)}</div></div>'
        )
    st.html(
        '<div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px">'
        + "".join(cells)
        + "</div>"
    )


def legend(frame: pl.DataFrame) -> None:
    counts = dict(frame.group_by("level").len().iter_rows())
    cols = st.columns(4)
    for col, (level, name) in zip(cols, (("红", "重大风险"), ("橙", "较大风险"), ("黄", "一般风险"), ("蓝", "低风险"))):
        col.metric(f"{level}（{name}）", f"{counts.get(level, 0)} 个乡镇", border=True)


def clue_list(frame: pl.DataFrame, with_township: bool) -> None:
    if frame.height == 0:
        st.info("本期没有触发的漏报瞒报线索")
        return
    for r in frame.iter_rows(named=True):
        who = f"**{r['township_name']}** · " if with_township else ""
        st.markdown(f"- {who}{r['signal_label']}：{r['clue']}")


def trend_chart(frame: pl.DataFrame) -> alt.Chart:
    h = ui.headers(RISK, ["township_name", "level", "score"])
    data = frame.with_columns(pl.col("as_of").dt.strftime("%Y-%m-%d").alias("date")).to_pandas()
    return (
        alt.Chart(data)
        .mark_rect()
        .encode(
            x=alt.X("date:O", title="截至（周日）", axis=alt.Axis(labelAngle=-60)),
            y=alt.Y(
                "township_name:N",
                title=None,
                axis=alt.Axis(labelOverlap=False),
                sort=alt.EncodingSortField("score", op="max", order="descending"),
            ),
            color=alt.Color(
                "level:N", title=h["level"], scale=alt.Scale(domain=list(LEVEL_HEX), range=list(LEVEL_HEX.values()))
            ),
            tooltip=[
                alt.Tooltip("township_name:N", title=h["township_name"]),
                alt.Tooltip("date:O", title="截至"),
                alt.Tooltip("level:N", title=h["level"]),
                alt.Tooltip("score:Q", title=h["score"]),
            ],
        )
        .properties(height=max(120, 24 * frame["township_code"].n_unique()))
    )


def ack_text(r: dict) -> str:
    if r["acknowledged_at"] is not None:
        return f"已确认（{r['acknowledged_by']}，{r['acknowledged_at']:%Y-%m-%d %H:%M}）"
    return "超过24小时未确认" if r["is_overdue"] else "待确认"


def overdue_warnings(viewer: Viewer) -> None:
    ui.section("预警叫应", "橙色、红色预警发出后，乡镇须在24小时内在本页确认收到；下列为超过24小时仍未确认的预警。")
    frame = q.warnings(viewer)
    late = frame.filter(pl.col("is_overdue"))
    if late.height == 0:
        st.success("没有超过24小时未确认的预警" if frame.height else "尚未发出预警")
    else:
        ui.table(
            late,
            ui.headers(RISK, ["township_name", "level", "score", "created_at", "main_indicators"]),
            key="risk-overdue",
            file_name="未确认预警",
        )
    with st.expander(f"全部预警（{frame.height}条）"):
        ui.table(
            frame.with_columns(pl.Series("status", [ack_text(r) for r in frame.to_dicts()], dtype=pl.String)),
            ui.headers(RISK, ["township_name", "level", "previous_level", "score", "created_at", "status"]),
            key="risk-warnings",
            file_name="预警记录",
        )


def own_warnings(viewer: Viewer) -> None:
    ui.section("预警叫应", "收到橙色、红色预警后，请在24小时内点击“确认收到”。")
    frame = q.warnings(viewer, viewer.township_code)
    if frame.height == 0:
        st.info("本乡镇没有收到预警")
        return
    for r in frame.to_dicts():
        with st.container(border=True):
            st.markdown(
                f"**{r['created_at']:%Y-%m-%d %H:%M}** 预警：截至 {r['as_of']:%Y-%m-%d} 风险等级 "
                f"**{r['level']}**（{r['score']}分）。{r['main_indicators'] or ''}"
            )
            if r["acknowledged_at"] is None:
                if st.button("确认收到", key=f"ack-{r['warning_id']}", type="primary"):
                    q.acknowledge(viewer, r["warning_id"])
                    st.rerun()
                if r["is_overdue"]:
                    st.caption("已超过24小时未确认，已列入报告局领导的清单。")
            else:
                st.caption(ack_text(r))


def own_trend_chart(frame: pl.DataFrame) -> alt.Chart:
    """One township: its score each Sunday, coloured by level."""
    h = ui.headers(RISK, ["level", "score"])
    data = frame.with_columns(pl.col("as_of").dt.strftime("%Y-%m-%d").alias("date")).to_pandas()
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("date:O", title="截至（周日）", axis=alt.Axis(labelAngle=-60)),
            y=alt.Y("score:Q", title=h["score"]),
            color=alt.Color(
                "level:N", title=h["level"], scale=alt.Scale(domain=list(LEVEL_HEX), range=list(LEVEL_HEX.values()))
            ),
            tooltip=[
                alt.Tooltip("date:O", title="截至"),
                alt.Tooltip("level:N", title=h["level"]),
                alt.Tooltip("score:Q", title=h["score"]),
            ],
        )
        .properties(height=220)
    )


def county(viewer: Viewer, as_of: dt.date) -> None:
    frame = q.levels(viewer, as_of)
    ui.section(
        "乡镇风险等级",
        f"截至 {as_of:%Y-%m-%d}，按等级和分值排序。分值 ≥40 红、25-39 橙、10-24 黄、<10 蓝；"
        "有挂牌督办重大隐患逾期的乡镇至少为橙。",
    )
    legend(frame)
    tiles(frame)
    ui.section("漏报瞒报线索", CLUE_NOTE)
    clue_list(q.clues(viewer, as_of), with_township=True)
    overdue_warnings(viewer)
    ui.section("等级变化", "近26周每个周日的等级。")
    st.altair_chart(trend_chart(q.trend(viewer, as_of - dt.timedelta(weeks=26))), width="stretch")
    summary, weekly = q.backtest(viewer)
    ui.section(
        "预警命中率",
        "每周末处于橙、红等级的乡镇，在其后4周发生的事故占全部事故的比例，"
        "与处于橙、红等级的乡镇周数占比相比（提升倍数 > 1 说明等级确有预警作用）。",
    )
    if summary.height and summary.item(0, "weeks"):
        s = summary.row(0, named=True)
        cols = st.columns(3)
        cols[0].metric(
            "事故落在橙红乡镇的比例",
            "—" if s["hit_share"] is None else f"{100 * s['hit_share']:.1f}%",
            help=f"{s['accidents_in_alert']} / {s['accidents_after']} 起",
            border=True,
        )
        cols[1].metric(
            "橙红乡镇周数占比",
            "—" if s["alert_share"] is None else f"{100 * s['alert_share']:.1f}%",
            help=f"{s['township_weeks_in_alert']} / {s['township_weeks']}",
            border=True,
        )
        cols[2].metric(
            "提升倍数",
            "—" if s["lift"] is None else f"{s['lift']:.2f}",
            border=True,
            help=f"{s['weeks']} 周（{s['first_week_end']} 至 {s['last_week_end']}）",
        )
    ui.table(
        weekly,
        ui.headers(
            "risk_backtest_weekly", ["week", "township_weeks_in_alert", "accidents_after", "accidents_in_alert"]
        ),
        key="risk-backtest",
        file_name="预警命中率",
        height=300,
        empty="数据不足4周，尚无回测",
    )
    ui.section("全部乡镇", None)
    levels = ui.headers(RISK, ["township_name", "level", "level_name", "score", "main_indicators"])
    ui.table(
        frame.drop("level_rank"),
        levels,
        key="risk-levels",
        file_name=f"风险预警_{as_of}",
        colors={levels["level"]: dict(LEVEL_HEX)},
    )


def township(viewer: Viewer, code: str, as_of: dt.date) -> None:
    frame = q.levels(viewer, as_of, code)
    if frame.height == 0:
        st.info("该日期没有本乡镇的风险预警结果")
        return
    r = frame.row(0, named=True)
    own_warnings(viewer)
    ui.section(f"{r['township_name']}风险等级", f"截至 {as_of:%Y-%m-%d}")
    tiles(frame)
    ui.table(
        q.indicators(viewer, as_of, code),
        ui.headers("township_risk_indicators", ["label", "figure", "unit", "points"]),
        key="risk-indicators",
        file_name=f"风险指标_{code}_{as_of}",
        empty="没有计分指标",
    )
    ui.section("漏报瞒报线索", CLUE_NOTE)
    clue_list(q.clues(viewer, as_of, code), with_township=False)
    ui.section("等级变化", "近26周每个周日的分值和等级。")
    st.altair_chart(own_trend_chart(q.trend(viewer, as_of - dt.timedelta(weeks=26), code)), width="stretch")


def body(viewer: Viewer) -> None:
    st.title("风险预警")
    dates = q.risk_dates(viewer)
    as_of = st.selectbox(
        "截至日期（每周日及最新数据日）", options=dates, format_func=lambda d: f"{d:%Y-%m-%d}", key="risk-as-of"
    )
    if viewer.is_leader:
        county(viewer, as_of)
    else:
        township(viewer, viewer.township_code, as_of)


ui.run_page(body)
