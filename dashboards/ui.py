"""Shared page widgets: tables with CSV/XLSX downloads, pickers, number wording, errors.

Only presentation here (renaming, formatting, colours); every figure is computed in
DuckDB by dashboards.data.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Callable, Mapping
from contextlib import contextmanager

import polars as pl
import streamlit as st

from dashboards.auth import AccessDenied, Viewer
from dashboards.data import common
from dashboards.data.source import NoData
from pipelines.lib import labels
from pipelines.lib.safe_cells import safe_frame

STATUS_COLOR = {"met": "green", "on_track": "green", "at_risk": "orange", "breached": "red"}
_STATUS_BG = {"met": "#d7f0dc", "on_track": "#d7f0dc", "at_risk": "#fde7c8", "breached": "#f9d3d3"}
STATUS_TEXT = {key: labels.word("status", key) for key in STATUS_COLOR}  # the words of the registry
STATUS_HEX = {STATUS_TEXT[key]: hex_ for key, hex_ in _STATUS_BG.items()}
BAND_PALETTE = ("#d7f0dc", "#e3ecfa", "#fde7c8")  # best band first; the last for any lower band
VETO_HEX = "#f9d3d3"
RANKING = "township_rankings"
PERIOD_TYPE_TEXT = labels.words("period_type")
COUNT_UNITS = {"起", "人", "个", "项", "次", "件"}
HIGHLIGHT_HEX = "#fff1a8"  # a clerk's own row
LONG_TEXT_PX = 420
WRAP_ROW_PX = 72  # three lines of text


def viewer() -> Viewer:
    """The logged-in account (app.py shows no page without one)."""
    from dashboards.session import current_viewer

    found = current_viewer()
    if found is None:
        raise AccessDenied("请先登录")
    return found


@contextmanager
def guarded():
    """Show the query layer's refusals and missing data as messages, not tracebacks."""
    try:
        yield
    except AccessDenied as exc:
        st.error(f"无权访问：{exc}")
    except NoData as exc:
        st.warning(str(exc))


# ------------------------------------------------------------------ numbers


def fmt_value(value, unit: str | None) -> str:
    """As `safetywh kpis` prints (the rule of pipelines/lib/bulletin/wording.py): counts
    whole, percentages 1 decimal, ‰ 4, others 2; null is —."""
    if value is None:
        return "—"
    if unit in COUNT_UNITS and float(value).is_integer():
        return f"{int(value)}"
    if unit == "‰":
        return f"{value:.4f}"
    if unit == "%":
        return f"{value:.1f}"
    return f"{value:.2f}"


def fmt_with_unit(value, unit: str | None) -> str:
    text = fmt_value(value, unit)
    if text == "—" or not unit:
        return text
    return f"{text}{unit}" if unit in ("%", "‰") else f"{text} {unit}"


def movement_text(movement) -> str:
    """↑3 moved up three places, ↓2 down, — unchanged; blank when there is no previous period."""
    if movement is None:
        return ""
    if movement > 0:
        return f"↑{movement}"
    if movement < 0:
        return f"↓{-movement}"
    return "—"


# ------------------------------------------------------------------ tables


def headers(model: str | None, columns: list[str], feed: str | None = None) -> dict[str, str]:
    """Table headers in display order, from the one registry (pipelines.lib.labels): the
    mart's `meta: {label}`, the contract header of a ledger column, the vocabulary's word."""
    return labels.headers(columns, model=model, feed=feed)


def label(model: str, column: str) -> str:
    """The header of one mart column (a column_config key, a colour map's column)."""
    return labels.headers([column], model=model)[column]


def unit(model: str, column: str) -> str:
    """The unit of a mart column's figure (dbt `meta: {unit}`)."""
    return labels.mart_column_unit(model, column)


def figure_unit(key: str) -> str:
    """The unit of a page's own count (the vocabulary's `figure_unit`)."""
    return labels.word("figure_unit", key)


def component_headers() -> dict[str, str]:
    """The ranking's score components, each with its full points: 事故控制(30) (label from the
    ranking mart, points from the county profile's weights)."""
    from pipelines.lib.bulletin.settings import COMPONENTS
    from pipelines.lib.profile import load_profile

    weights = (load_profile().config.get("ranking") or {}).get("weights") or {}
    return {
        key: f"{label(RANKING, key)}({float(weights[weight]):g})" if weight in weights else label(RANKING, key)
        for key, weight, _ in COMPONENTS
    }


def figure(key: str) -> str:
    """The name of a card whose figure is no mart column (a count a page's query makes):
    pipelines/vocabulary.yaml `figure`."""
    found = labels.words("figure").get(key)
    if found is None:
        raise labels.LabelError(f"卡片“{key}”没有中文名称：请在 vocabulary.yaml 的 figure 中补上")
    return found


def percent_headers(headers: dict[str, str], *shares: str) -> dict[str, str]:
    """Headers of shares shown as percentages (a mart keeps 0.975, a page shows 97.5): label(%)."""
    return {c: f"{h}(%)" if c in shares else h for c, h in headers.items()}


@functools.cache
def band_hex() -> dict[str, str]:
    """Band (等次) -> background colour, for the bands of the county profile and its veto label."""
    from pipelines.lib.profile import load_profile

    ranking = load_profile().config.get("ranking") or {}
    bands = sorted(ranking.get("bands") or [], key=lambda b: -float(b.get("min", b.get("min_total", 0))))
    colors = {b["label"]: BAND_PALETTE[min(i, len(BAND_PALETTE) - 1)] for i, b in enumerate(bands)}
    if ranking.get("veto_label"):
        colors[ranking["veto_label"]] = VETO_HEX
    return colors


def _display(frame: pl.DataFrame, columns: Mapping[str, str]) -> pl.DataFrame:
    """Select and rename to Chinese headers; booleans read 是/否."""
    view = frame.select(list(columns))
    bools = [name for name, dtype in view.schema.items() if dtype == pl.Boolean]
    if bools:
        view = view.with_columns(
            pl.when(pl.col(name))
            .then(pl.lit(labels.word("value", "true")))
            .when(pl.col(name).not_())
            .then(pl.lit(labels.word("value", "false")))
            .alias(name)
            for name in bools
        )
    return view.rename(dict(columns))


def _type_config(view: pl.DataFrame) -> dict[str, object]:
    """Dates as 2023-04-01 and times to the minute (not 2023-04-01 00:00:00)."""
    config: dict[str, object] = {}
    for name, dtype in view.schema.items():
        if dtype == pl.Date:
            config[name] = st.column_config.DateColumn(name, format="YYYY-MM-DD")
        elif isinstance(dtype, pl.Datetime):
            config[name] = st.column_config.DatetimeColumn(name, format="YYYY-MM-DD HH:mm")
    return config


def _csv_bytes(frame: pl.DataFrame) -> bytes:
    # BOM: Excel on Windows opens a UTF-8 CSV with Chinese headers correctly only with it
    return "\ufeff".encode("utf-8") + safe_frame(frame).write_csv().encode("utf-8")


def _xlsx_bytes(frame: pl.DataFrame, sheet: str) -> bytes:
    buffer = io.BytesIO()
    safe_frame(frame).write_excel(buffer, worksheet=sheet[:31], autofit=True)
    return buffer.getvalue()


def table(
    frame: pl.DataFrame,
    columns: Mapping[str, str],
    *,
    key: str,
    file_name: str,
    column_config: Mapping[str, object] | None = None,
    colors: Mapping[str, Mapping[str, str] | Callable[[object], str]] | None = None,
    height: int | str = "auto",
    empty: str = "没有记录",
    decimals: int = 2,
    highlight: pl.Expr | None = None,
    row_height: int | None = None,
) -> pl.DataFrame:
    """A table with Chinese headers and CSV / XLSX download buttons.

    ``colors``: Chinese column -> {cell text: background colour} or a function of the cell
    returning a CSS colour (e.g. status, band, movement). ``highlight``: rows where this
    expression of the frame holds are shaded (a clerk's own township). Files are built only
    when a button is clicked (deferred download data)."""
    marked = frame.select(highlight.fill_null(False)).to_series().to_list() if highlight is not None else None
    view = _display(frame, columns)
    if view.height == 0:
        st.info(empty)
        return view
    if isinstance(height, int):
        height = min(height, rows_height(view.height, row_height))  # no blank rows under a short table
    shown = view
    config = _type_config(view) | dict(column_config or {})
    if colors or (marked and any(marked)):
        # a Styler shows its own text, so dates become text here; the downloads keep types
        dates = [n for n, t in view.schema.items() if t == pl.Date]
        styled = view.with_columns(pl.col(n).dt.strftime("%Y-%m-%d") for n in dates)
        styler = styled.to_pandas().style.format(precision=decimals, na_rep="—")
        if marked and any(marked):
            styler = styler.apply(
                lambda row: [f"background-color: {HIGHLIGHT_HEX}" if marked[row.name] else ""] * len(row), axis=1
            )
        colors = colors or {}
        for column, palette in colors.items():
            pick = palette if callable(palette) else (lambda cell, p=palette: p.get(cell, ""))
            styler = styler.map(lambda cell, f=pick: f"background-color: {f(cell)}" if f(cell) else "", subset=[column])
        shown = styler
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=height,
        column_config=config,
        key=key,
        placeholder="—",
        row_height=row_height,
    )
    with st.container(horizontal=True):
        st.download_button(
            "下载 CSV",
            data=lambda: _csv_bytes(view),
            file_name=f"{file_name}.csv",
            mime="text/csv",
            key=f"{key}-csv",
            on_click="ignore",
            icon=":material/download:",
        )
        st.download_button(
            "下载 Excel",
            data=lambda: _xlsx_bytes(view, file_name),
            file_name=f"{file_name}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}-xlsx",
            on_click="ignore",
            icon=":material/download:",
        )
    return view


def long_text(*columns: str) -> dict[str, object]:
    """Column config for long text (reasons, file paths, descriptions): wide, and wrapped in
    rows of WRAP_ROW_PX (Streamlit wraps text only in rows taller than 4rem), so a reason is
    read whole instead of cut at the column's edge. Pass ``row_height=WRAP_ROW_PX`` too."""
    return {name: st.column_config.TextColumn(name, width=LONG_TEXT_PX) for name in columns}


def rows_height(rows: int, row_height: int | None = None) -> int:
    """Height showing every row without an inner scroll bar (35 px a row, as st.dataframe draws)."""
    return 35 + (row_height or 35) * rows + 3


def movement_color(cell) -> str:
    text = str(cell or "")
    return "#d7f0dc" if text.startswith("↑") else "#f9d3d3" if text.startswith("↓") else ""


# ------------------------------------------------------------------ pickers


def as_of_picker(who: Viewer, title: str | None = None) -> dt.date:
    """One date shared by every page (session state), inside the data, latest by default."""
    first, last = common.data_dates(who)
    current = st.session_state.get("as_of_value")
    if not isinstance(current, dt.date) or not first <= current <= last:
        current = last
    chosen = st.date_input(
        title or label("kpi_scoreboard_daily", "as_of"),
        value=current,
        min_value=first,
        max_value=last,
        format="YYYY-MM-DD",
        key="as_of_widget",
    )
    st.session_state["as_of_value"] = chosen
    return chosen


def period_picker(who: Viewer, key: str) -> tuple[str, str, pl.DataFrame]:
    """Week / month / quarter, then a period (latest complete one by default)."""
    left, right = st.columns([2, 3])
    with left:
        period_type = st.segmented_control(
            label(RANKING, "period_type"),
            options=list(common.PERIOD_TYPES),
            format_func=PERIOD_TYPE_TEXT.get,
            default="month",
            required=True,
            key=f"{key}-type",
        )
    periods = common.ranked_periods(who, period_type)
    if periods.height == 0:
        raise NoData("还没有任何排名")
    names = periods["period"].to_list()
    complete = periods["is_complete"].to_list()
    default = next((i for i, done in enumerate(complete) if done), 0)
    with right:
        period = st.selectbox(
            label(RANKING, "period"),
            options=names,
            index=default,
            key=f"{key}-period-{period_type}",
            format_func=lambda p: p if complete[names.index(p)] else f"{p}（进行中）",
        )
    return period_type, period, periods.filter(pl.col("period") == period)


def township_picker(who: Viewer, key: str, title: str | None = None) -> tuple[str, str]:
    """A township the login may see: a leader any, a township clerk its own only."""
    options = common.townships(who)
    codes = options["township_code"].to_list()
    names = dict(zip(codes, options["township_name"].to_list()))
    if not codes:
        raise NoData("没有可查看的乡镇")
    code = st.selectbox(
        title or label(RANKING, "township_name"),
        options=codes,
        format_func=names.get,
        key=key,
        disabled=len(codes) == 1,
    )
    return code, names[code]


def section(title: str, caption: str | None = None) -> None:
    st.subheader(title)
    if caption:
        st.caption(caption)


def status_badge(status: str | None) -> str:
    if status is None:
        return ":gray-badge[不考核]"
    return f":{STATUS_COLOR[status]}-badge[{STATUS_TEXT[status]}]"


def run_page(body: Callable[[Viewer], None]) -> None:
    """Page entry point: the logged-in viewer, errors shown in Chinese."""
    with guarded():
        body(viewer())
