"""Altair charts of the pages (data already aggregated in DuckDB; only drawn here)."""

from __future__ import annotations

import altair as alt
import polars as pl

COMPONENTS = {
    "s_acc": "事故控制(30)",
    "s_haz": "隐患治理(25)",
    "s_enf": "执法检查(15)",
    "s_prep": "应急准备(15)",
    "s_rep": "信息报送(15)",
}
_MONTHS = [f"{m}月" for m in range(1, 13)]


def monthly_by_year(frame: pl.DataFrame, title: str, value: str = "amount") -> alt.Chart:
    """Bars per month, one colour per year side by side (同比)."""
    data = frame.with_columns(
        (pl.col("month").cast(pl.String) + "月").alias("月份"),
        (pl.col("year").cast(pl.String) + "年").alias("年度"),
        pl.col(value).alias("数量"),
    ).select("月份", "年度", "数量")
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            x=alt.X("月份:N", sort=_MONTHS, title=None, axis=alt.Axis(labelAngle=0)),
            xOffset="年度:N",
            y=alt.Y("数量:Q", title=None),
            color=alt.Color("年度:N", legend=alt.Legend(orient="top", title=None)),
            tooltip=["年度", "月份", "数量"],
        )
        .properties(height=240)
    )


def rank_over_time(frame: pl.DataFrame) -> alt.Chart:
    """Rank per period, 1 at the top; one line per township."""
    data = frame.select(
        pl.col("period").alias("期次"), pl.col("township_name").alias("乡镇"),
        pl.col("rank").alias("排名"), pl.col("total").alias("总分"), pl.col("band").alias("等级"),
    )
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("期次:N", sort=None, title=None, axis=alt.Axis(labelAngle=-45, labelOverlap=True)),
            y=alt.Y("排名:Q", scale=alt.Scale(reverse=True, domainMin=1, nice=False), title="名次"),
            color=alt.Color("乡镇:N", legend=alt.Legend(orient="top", title=None)),
            tooltip=["期次", "乡镇", "排名", "总分", "等级"],
        )
        .properties(height=300)
    )


def components_stacked(frame: pl.DataFrame) -> alt.Chart:
    """The five score components stacked per period (their sum is the total unless vetoed)."""
    long = frame.select(["period", *COMPONENTS]).unpivot(
        index="period", on=list(COMPONENTS), variable_name="component", value_name="得分"
    ).with_columns(pl.col("component").replace_strict(COMPONENTS).alias("分项"), pl.col("period").alias("期次"))
    return (
        alt.Chart(long, title="得分构成")
        .mark_bar()
        .encode(
            x=alt.X("期次:N", sort=None, title=None, axis=alt.Axis(labelAngle=-45, labelOverlap=True)),
            y=alt.Y("得分:Q", scale=alt.Scale(domain=[0, 100]), title="分"),
            color=alt.Color("分项:N", sort=list(COMPONENTS.values()), legend=alt.Legend(orient="top", title=None)),
            order=alt.Order("component:N"),
            tooltip=["期次", "分项", "得分"],
        )
        .properties(height=300)
    )


# A horizontal bar's band (Vega-Lite step sizing: the chart grows with the rows): tall
# enough that no label is dropped or overlaps (at 18 px the chart showed every other name).
BAND_PX = 24
# every name in full (the longest sender names are ~12 characters)
_NAMES = alt.Axis(labelOverlap=False, labelLimit=260, labelFontSize=12)


def bars(frame: pl.DataFrame, category: str, value: str, title: str, *, horizontal: bool = True,
         domain: tuple[float, float] | None = None) -> alt.Chart:
    data = frame.select(pl.col(category).alias("类别"), pl.col(value).alias("数值"))
    scale = alt.Scale(domain=list(domain)) if domain else alt.Undefined
    cat = (alt.Y("类别:N", sort="-x", title=None, axis=_NAMES) if horizontal
           else alt.X("类别:N", sort="-y", title=None, axis=alt.Axis(labelOverlap=False, labelAngle=-45)))
    val = alt.X("数值:Q", title=None, scale=scale) if horizontal else alt.Y("数值:Q", title=None, scale=scale)
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(**({"y": cat, "x": val} if horizontal else {"x": cat, "y": val}), tooltip=["类别", "数值"])
        .properties(height=alt.Step(BAND_PX) if horizontal else 260)
    )


def stacked_bars(frame: pl.DataFrame, category: str, parts: dict[str, str], title: str,
                 colors: list[str] | None = None) -> alt.Chart:
    """One horizontal bar per category, split into parts (e.g. on time / late / missing);
    categories keep the frame's order. ``parts``: column -> its name in the legend."""
    order = frame[category].to_list()
    long = frame.select([category, *parts]).unpivot(index=category, on=list(parts), variable_name="part",
                                                   value_name="数量").with_columns(
        pl.col(category).alias("类别"), pl.col("part").replace_strict(parts).alias("分项"),
        pl.col("part").replace_strict({p: i for i, p in enumerate(parts)}, return_dtype=pl.Int32).alias("顺序"),
    )
    scale = alt.Scale(domain=list(parts.values()), range=colors) if colors else alt.Undefined
    return (
        alt.Chart(long.select("类别", "分项", "数量", "顺序"), title=title)
        .mark_bar()
        .encode(
            y=alt.Y("类别:N", sort=order, title=None, axis=_NAMES),
            x=alt.X("数量:Q", title=None, axis=alt.Axis(tickMinStep=1, format="d")),  # counts
            color=alt.Color("分项:N", sort=list(parts.values()), scale=scale,
                            legend=alt.Legend(orient="top", title=None)),
            order=alt.Order("顺序:Q"),
            tooltip=["类别", "分项", "数量"],
        )
        .properties(height=alt.Step(BAND_PX))
    )


def lines_over_time(frame: pl.DataFrame, date: str, series: dict[str, str], title: str) -> alt.Chart:
    """Several figures over time, one line each (``series``: column -> its name)."""
    long = frame.select([date, *series]).unpivot(index=date, on=list(series), variable_name="s",
                                                value_name="数值").with_columns(
        pl.col(date).alias("日期"), pl.col("s").replace_strict(series).alias("指标"))
    return (
        alt.Chart(long.select("日期", "指标", "数值"), title=title)
        .mark_line(interpolate="step-after", point=alt.OverlayMarkDef(size=20))
        .encode(
            x=alt.X("日期:T", title=None, axis=alt.Axis(format="%Y-%m", labelOverlap=True)),
            y=alt.Y("数值:Q", title=None, axis=alt.Axis(tickMinStep=1, format="d")),  # counts
            color=alt.Color("指标:N", sort=list(series.values()), legend=alt.Legend(orient="top", title=None)),
            tooltip=[alt.Tooltip("日期:T", format="%Y-%m-%d"), "指标", "数值"],
        )
        .properties(height=260)
    )
