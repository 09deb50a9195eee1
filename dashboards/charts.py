"""Altair charts of the pages (data already aggregated in DuckDB; only drawn here)."""

from __future__ import annotations

import altair as alt
import polars as pl

from pipelines.lib import labels

RANKING = "township_rankings"
# the fields of a chart's data, as its tooltips and legends show them (pipelines/vocabulary.yaml)
_CHART = labels.words("chart")
MONTH, YEAR, AMOUNT, DATE, SERIES, VALUE, CATEGORY, PART = (
    _CHART[k] for k in ("month", "year", "amount", "date", "series", "value", "category", "part")
)

_MONTHS = [f"{m}月" for m in range(1, 13)]


def monthly_by_year(frame: pl.DataFrame, title: str, value: str = "amount") -> alt.Chart:
    """Bars per month, one colour per year side by side (同比)."""
    data = frame.with_columns(
        (pl.col("month").cast(pl.String) + "月").alias(MONTH),
        (pl.col("year").cast(pl.String) + "年").alias(YEAR),
        pl.col(value).alias(AMOUNT),
    ).select(MONTH, YEAR, AMOUNT)
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            x=alt.X(f"{MONTH}:N", sort=_MONTHS, title=None, axis=alt.Axis(labelAngle=0)),
            xOffset=f"{YEAR}:N",
            y=alt.Y(f"{AMOUNT}:Q", title=None),
            color=alt.Color(f"{YEAR}:N", legend=alt.Legend(orient="top", title=None)),
            tooltip=[YEAR, MONTH, AMOUNT],
        )
        .properties(height=240)
    )


def rank_over_time(frame: pl.DataFrame) -> alt.Chart:
    """Rank per period, 1 at the top; one line per township."""
    h = labels.headers(["period", "township_name", "rank", "total", "band"], model=RANKING)
    data = frame.select(pl.col(c).alias(h[c]) for c in h)
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{h['period']}:N", sort=None, title=None, axis=alt.Axis(labelAngle=-45, labelOverlap=True)),
            y=alt.Y(f"{h['rank']}:Q", scale=alt.Scale(reverse=True, domainMin=1, nice=False), title=h["rank"]),
            color=alt.Color(f"{h['township_name']}:N", legend=alt.Legend(orient="top", title=None)),
            tooltip=list(h.values()),
        )
        .properties(height=300)
    )


def components_stacked(frame: pl.DataFrame) -> alt.Chart:
    """The five score components stacked per period (their sum is the total unless vetoed)."""
    from dashboards.ui import component_headers

    components = component_headers()
    period = labels.headers(["period"], model=RANKING)["period"]
    long = (
        frame.select(["period", *components])
        .unpivot(index="period", on=list(components), variable_name="component", value_name="得分")
        .with_columns(pl.col("component").replace_strict(components).alias(PART), pl.col("period").alias(period))
    )
    return (
        alt.Chart(long, title="得分构成")
        .mark_bar()
        .encode(
            x=alt.X(f"{period}:N", sort=None, title=None, axis=alt.Axis(labelAngle=-45, labelOverlap=True)),
            y=alt.Y("得分:Q", scale=alt.Scale(domain=[0, 100]), title="分"),
            color=alt.Color(f"{PART}:N", sort=list(components.values()), legend=alt.Legend(orient="top", title=None)),
            order=alt.Order("component:N"),
            tooltip=[period, PART, "得分"],
        )
        .properties(height=300)
    )


# A horizontal bar's band (Vega-Lite step sizing: the chart grows with the rows): tall
# enough that no label is dropped or overlaps (at 18 px the chart showed every other name).
BAND_PX = 24
# every name in full (the longest sender names are ~12 characters)
_NAMES = alt.Axis(labelOverlap=False, labelLimit=260, labelFontSize=12)


def bars(
    frame: pl.DataFrame,
    category: str,
    value: str,
    title: str,
    *,
    horizontal: bool = True,
    domain: tuple[float, float] | None = None,
) -> alt.Chart:
    data = frame.select(pl.col(category).alias(CATEGORY), pl.col(value).alias(VALUE))
    scale = alt.Scale(domain=list(domain)) if domain else alt.Undefined
    cat = (
        alt.Y(f"{CATEGORY}:N", sort="-x", title=None, axis=_NAMES)
        if horizontal
        else alt.X(f"{CATEGORY}:N", sort="-y", title=None, axis=alt.Axis(labelOverlap=False, labelAngle=-45))
    )
    val = alt.X(f"{VALUE}:Q", title=None, scale=scale) if horizontal else alt.Y(f"{VALUE}:Q", title=None, scale=scale)
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(**({"y": cat, "x": val} if horizontal else {"x": cat, "y": val}), tooltip=[CATEGORY, VALUE])
        .properties(height=alt.Step(BAND_PX) if horizontal else 260)
    )


def stacked_bars(
    frame: pl.DataFrame, category: str, parts: dict[str, str], title: str, colors: list[str] | None = None
) -> alt.Chart:
    """One horizontal bar per category, split into parts (e.g. on time / late / missing);
    categories keep the frame's order. ``parts``: column -> its name in the legend."""
    order = frame[category].to_list()
    long = (
        frame.select([category, *parts])
        .unpivot(index=category, on=list(parts), variable_name="part", value_name=AMOUNT)
        .with_columns(
            pl.col(category).alias(CATEGORY),
            pl.col("part").replace_strict(parts).alias(PART),
            pl.col("part").replace_strict({p: i for i, p in enumerate(parts)}, return_dtype=pl.Int32).alias("顺序"),
        )
    )
    scale = alt.Scale(domain=list(parts.values()), range=colors) if colors else alt.Undefined
    return (
        alt.Chart(long.select(CATEGORY, PART, AMOUNT, "顺序"), title=title)
        .mark_bar()
        .encode(
            y=alt.Y(f"{CATEGORY}:N", sort=order, title=None, axis=_NAMES),
            x=alt.X(f"{AMOUNT}:Q", title=None, axis=alt.Axis(tickMinStep=1, format="d")),  # counts
            color=alt.Color(
                f"{PART}:N", sort=list(parts.values()), scale=scale, legend=alt.Legend(orient="top", title=None)
            ),
            order=alt.Order("顺序:Q"),
            tooltip=[CATEGORY, PART, AMOUNT],
        )
        .properties(height=alt.Step(BAND_PX))
    )


def lines_over_time(frame: pl.DataFrame, date: str, series: dict[str, str], title: str) -> alt.Chart:
    """Several figures over time, one line each (``series``: column -> its name)."""
    long = (
        frame.select([date, *series])
        .unpivot(index=date, on=list(series), variable_name="s", value_name=VALUE)
        .with_columns(pl.col(date).alias(DATE), pl.col("s").replace_strict(series).alias(SERIES))
    )
    return (
        alt.Chart(long.select(DATE, SERIES, VALUE), title=title)
        .mark_line(interpolate="step-after", point=alt.OverlayMarkDef(size=20))
        .encode(
            x=alt.X(f"{DATE}:T", title=None, axis=alt.Axis(format="%Y-%m", labelOverlap=True)),
            y=alt.Y(f"{VALUE}:Q", title=None, axis=alt.Axis(tickMinStep=1, format="d")),  # counts
            color=alt.Color(f"{SERIES}:N", sort=list(series.values()), legend=alt.Legend(orient="top", title=None)),
            tooltip=[alt.Tooltip(f"{DATE}:T", format="%Y-%m-%d"), SERIES, VALUE],
        )
        .properties(height=260)
    )
