"""乡镇排名: the ranking of a week, month or quarter; red list; named townships; rank over time."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, ui
from dashboards.auth import Viewer
from dashboards.cards import metric_card
from dashboards.data import ranking as q


def ranking_table() -> dict[str, str]:
    headers = ui.headers(ui.RANKING, ["rank", "movement", "township_name", "total"])
    return headers | ui.component_headers() | ui.headers(ui.RANKING, ["band", "vetoed"])


def ranking_view(frame: pl.DataFrame) -> pl.DataFrame:
    """Movement as ↑3 / ↓2 / —, a veto as ✕ and its reason (blank when none)."""
    return frame.with_columns(
        pl.col("movement").map_elements(ui.movement_text, return_dtype=pl.String, skip_nulls=False),
        pl.when(pl.col("vetoed"))
        .then(pl.lit("✕ ") + pl.col("veto_reason").fill_null(""))
        .otherwise(pl.lit(""))
        .alias("vetoed"),
    )


def body(viewer: Viewer) -> None:
    st.title("乡镇排名")
    period_type, period, info = ui.period_picker(viewer, key="ranking")
    row = info.row(0, named=True)
    st.caption(
        f"{ui.PERIOD_TYPE_TEXT[period_type]} {period}：{row['period_start']:%Y-%m-%d} 至 {row['period_end']:%Y-%m-%d}"
        + ("" if row["is_complete"] else "（本期尚未结束，按已有数据计）")
    )

    frame = ranking_view(q.ranking(viewer, period_type, period))
    counts = q.summary(viewer, period_type, period)
    cols = st.columns(4)
    metric_card(cols[0], ui.figure("townships"), f"{counts['townships']} 个")
    metric_card(cols[1], ui.figure("average_total"), ui.fmt_value(counts["average_total"], None))
    metric_card(cols[2], ui.figure("red_list"), f"{counts['red_list']} 个")
    metric_card(cols[3], ui.label(ui.RANKING, "vetoed"), f"{counts['vetoed']} 个")

    if not viewer.is_leader:
        own = frame.filter(pl.col("township_code") == viewer.township_code)
        if own.height:
            mine = own.row(0, named=True)
            st.info(
                f"本乡镇（{mine['township_name']}）本期排名第 {mine['rank']} 名，总分 {mine['total']:.2f}，"
                f"{ui.label(ui.RANKING, 'band')}：{mine['band']}。"
            )

    ui.section(
        "排名表",
        "升降为与上一期相比的名次变化；一票否决的乡镇总分记 0，排在最后。"
        + ("" if viewer.is_leader else "本乡镇所在行以黄色标出。"),
    )
    columns = ranking_table()
    total, town = columns["total"], columns["township_name"]
    total_max = {
        total: st.column_config.ProgressColumn(total, min_value=0, max_value=100, format="%.2f"),
        town: st.column_config.TextColumn(town, width=110),
    }  # 白马桥街道 whole
    ui.table(
        frame,
        columns,
        key="ranking-table",
        file_name=f"乡镇排名_{period}",
        column_config=total_max,
        colors={columns["band"]: ui.band_hex(), columns["movement"]: ui.movement_color},
        height=ui.rows_height(frame.height),
        highlight=None if viewer.is_leader else pl.col("township_code") == viewer.township_code,
    )

    red, named = st.columns(2)
    with red:
        ui.section(ui.label(ui.RANKING, "red_list"), "本期未发生生产安全事故的乡镇。")
        red_names = frame.filter(pl.col("red_list")).sort("township_code")["township_name"].to_list()
        st.markdown("、".join(red_names) if red_names else "本期无")
    with named:
        ui.section("通报乡镇", "得分最低的三个名次（含并列）及一票否决的乡镇，附失分最多的一项。")
        ui.table(
            frame.filter(pl.col("named")),
            ui.headers(
                ui.RANKING,
                [
                    "rank",
                    "township_name",
                    "total",
                    "band",
                    "weakest_component_label",
                    "weakest_component_lost",
                    "vetoed",
                ],
            ),
            key="named-table",
            file_name=f"通报乡镇_{period}",
            empty="本期无通报乡镇",
        )

    ui.section("排名变化")
    codes = frame.sort("township_code")["township_code"].to_list()
    names = dict(zip(frame["township_code"].to_list(), frame["township_name"].to_list()))
    default = [viewer.township_code] if viewer.township_code in codes else frame["township_code"].head(1).to_list()
    chosen = st.multiselect(
        "乡镇（可多选）",
        options=codes,
        default=default,
        format_func=names.get,
        key=f"history-{period_type}",
        max_selections=5,
    )
    history = q.rank_history(viewer, period_type, tuple(chosen))
    if history.height:
        st.altair_chart(charts.rank_over_time(history), width="stretch")


ui.run_page(body)
