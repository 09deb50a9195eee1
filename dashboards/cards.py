"""The scoreboard shown as cards (value, YoY change, target, status colour) and as a table."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import ui

MODEL = "kpi_scoreboard_daily"
RISE_IS_GOOD = {"at_most": False, "at_least": True}  # a target's kind says whether a rise is good


def delta_style(change, rise_is_good: bool | None) -> tuple[str, str]:
    """(delta_color, delta_arrow): the arrow from the sign of the numeric change, the colour
    from whether a rise is good (green) or bad (red); gray when neither or no change.

    The delta shown is wording (同比下降66.7%), which Streamlit would read as a rise: every
    card passes both explicitly, through metric_card."""
    if change is None or change == 0:
        return "gray", "off"
    arrow = "up" if change > 0 else "down"
    if rise_is_good is None:
        return "gray", arrow
    good = (change > 0) == rise_is_good
    return ("green" if good else "red"), arrow


def metric_card(
    where,
    label: str,
    value: str,
    *,
    change=None,
    change_text: str | None = None,
    rise_is_good: bool | None = None,
    help: str | None = None,
    border: bool = True,
) -> None:
    """One card: the figure, and its change worded in Chinese with the right arrow and colour.
    It fills its column's height, so the cards of a row are one height whether or not a card
    has a change line."""
    color, arrow = delta_style(change, rise_is_good)
    where.metric(
        label,
        value,
        delta=change_text if change is not None else None,
        delta_color=color,
        delta_arrow=arrow,
        help=help,
        border=border,
        height="stretch",
    )


def target_text(row: dict) -> str:
    if row["target"] is None:
        return "仅统计，不设目标"
    sign = "≤" if row["target_kind"] == "at_most" else "≥"
    return f"目标 {sign} {ui.fmt_with_unit(row['target'], row['unit'])}"


def scoreboard_cards(board: pl.DataFrame, per_row: int = 3) -> None:
    rows = board.to_dicts()
    for start in range(0, len(rows), per_row):
        for column, row in zip(st.columns(per_row), rows[start : start + per_row]):
            with column.container(border=True, height="stretch"):
                metric_card(
                    st,
                    row["label"],
                    ui.fmt_with_unit(row["value"], row["unit"]),
                    change=row["change"],
                    change_text=row["change_text"],
                    rise_is_good=RISE_IS_GOOD.get(row["target_kind"]),
                    border=False,
                    help=f"{ui.label(MODEL, 'ly_value')}：{ui.fmt_with_unit(row['ly_value'], row['unit'])}",
                )
                st.markdown(f"{ui.status_badge(row['status'])} {target_text(row)}")


def scoreboard_table(board: pl.DataFrame) -> pl.DataFrame:
    view = board.select(
        "label",
        pl.struct("value", "unit")
        .map_elements(lambda r: ui.fmt_value(r["value"], r["unit"]), return_dtype=pl.String)
        .alias("value"),
        "unit",
        pl.struct("ly_value", "unit")
        .map_elements(lambda r: ui.fmt_value(r["ly_value"], r["unit"]), return_dtype=pl.String)
        .alias("ly_value"),
        pl.col("change_text").fill_null("—"),
        pl.struct("target", "target_kind", "unit")
        .map_elements(
            lambda r: (
                "—"
                if r["target"] is None
                else ("≤ " if r["target_kind"] == "at_most" else "≥ ") + ui.fmt_value(r["target"], r["unit"])
            ),
            return_dtype=pl.String,
        )
        .alias("target"),
        pl.col("status").replace_strict(ui.STATUS_TEXT, default="—"),
    )
    columns = ui.headers(MODEL, view.columns)
    return ui.table(
        view,
        columns,
        key="scoreboard",
        file_name=f"指标总览_{board['as_of'][0]}",
        colors={columns["status"]: ui.STATUS_HEX},
    )
