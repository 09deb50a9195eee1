"""How senders spell values: one file's style, and the rendering of typed values into cells.

A row is a dict of canonical column -> typed value (str, int, float, date, datetime or None). The
renderer turns it into what the sender's file holds: for CSV always text; for xlsx strings, numbers,
real Excel date cells, or the occasional serial number or date typed as text. Every spelling here is
one the reporting specification (feeds.md) says must be accepted.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pipelines.lib.contracts import Column, Contract

from .clock import excel_serial
from .world import County, Habit

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# xlsx number formats for real date cells, matching the sender's text style.
DATE_FORMATS = {"iso": "yyyy-mm-dd", "slash": "yyyy/m/d", "cn": 'yyyy"年"m"月"d"日"', "compact": "yyyy-mm-dd"}


class Raw(str):
    """A cell written verbatim: a sender's mistake that no spelling rule produces."""


@dataclass(frozen=True)
class Style:
    """The choices for one file, drawn from its sender's habit."""

    fmt: str  # xlsx | csv
    encoding: str  # csv only: utf-8 | utf-8-sig | gbk
    newline: str
    date_style: str
    alt_date_share: float  # per cell: another text spelling of a date
    ts_seconds: bool
    text_dates: float  # xlsx: dates typed as text
    serial_dates: float  # xlsx: dates shown as serial numbers (a cell formatted General)
    township_style: str
    township_mix: float  # per cell: another spelling of the township
    codes_as_numbers: bool  # xlsx: township codes typed as numbers
    fullwidth: float  # per numeric cell typed as text: full-width digits
    thousands: bool
    numbers_as_text: float  # xlsx: numbers stored as text
    brackets: str  # header brackets: full | half
    spaced_header: bool
    english_headers: bool
    title: bool
    merge_title: bool
    blank_after_title: bool
    total: bool
    blank_before_total: bool
    blank_inside: bool
    notes_sheet: bool


def choose_style(habit: Habit, rng: random.Random) -> Style:
    fmt = "xlsx" if rng.random() < habit.xlsx_share else "csv"
    encoding = habit.encoding if rng.random() < 0.9 else rng.choice(["gbk", "utf-8-sig", "utf-8"])
    date_style = habit.date_style if rng.random() < 0.9 else rng.choice(["iso", "slash", "cn", "compact"])
    return Style(
        fmt=fmt,
        encoding=encoding,
        # Excel on Windows ends lines with CRLF; system exports with LF.
        newline="\r\n" if encoding != "utf-8" or rng.random() < 0.5 else "\n",
        date_style=date_style,
        alt_date_share=rng.choice([0.0, 0.0, 0.05, 0.15]),
        ts_seconds=rng.random() < 0.3,
        text_dates=rng.choice([0.0, 0.0, 0.1, 0.3]),
        serial_dates=rng.choice([0.0, 0.0, 0.0, 0.05]),
        township_style=habit.township_style
        if rng.random() < 0.85
        else rng.choice(["full", "short", "code", "old_code"]),
        township_mix=rng.choice([0.0, 0.05, 0.15]),
        codes_as_numbers=rng.random() < 0.2,
        fullwidth=rng.choice([0.0, 0.0, 0.0, 0.1, 0.3]),
        thousands=rng.random() < 0.4,
        numbers_as_text=rng.choice([0.0, 0.0, 0.1]),
        brackets="full" if rng.random() < 0.6 else "half",
        spaced_header=rng.random() < 0.08,
        english_headers=rng.random() < habit.english_headers,
        title=rng.random() < habit.title,
        merge_title=rng.random() < 0.5,
        blank_after_title=rng.random() < 0.15,
        total=rng.random() < habit.total,
        blank_before_total=rng.random() < 0.5,
        blank_inside=rng.random() < 0.05,
        notes_sheet=rng.random() < 0.1,
    )


def date_text(d: date, style: str) -> str:
    if style == "iso":
        return f"{d.year}-{d.month:02d}-{d.day:02d}"
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.year}{d.month:02d}{d.day:02d}"


def ts_text(t: datetime, style: str, seconds: bool) -> str:
    clock = f"{t.hour:02d}:{t.minute:02d}" + (f":{t.second:02d}" if seconds else "")
    return f"{date_text(t.date(), style)} {clock}"


def num_text(v: float | int, thousands: bool) -> str:
    if isinstance(v, int) or float(v).is_integer():
        return f"{int(v):,}" if thousands else str(int(v))
    s = f"{v:,.4f}" if thousands else f"{v:.4f}"
    return s.rstrip("0").rstrip(".")


def header_text(col: Column, style: Style) -> str:
    if style.english_headers:
        return col.name
    h = col.header
    if style.brackets == "full":
        h = h.replace("(", "（").replace(")", "）")
    else:
        h = h.replace("（", "(").replace("）", ")")
    return h


class Renderer:
    """Renders rows of one contract in one file's style."""

    def __init__(self, county: County, contract: Contract, style: Style, rng: random.Random):
        self.county, self.contract, self.style, self.rng = county, contract, style, rng
        self.xlsx = style.fmt == "xlsx"
        self.columns = list(contract.columns)
        self._plan = [(c.name, self._renderer(c)) for c in self.columns]

    def header(self, columns: list[Column] | None = None) -> list[str]:
        cols = columns or self.columns
        out = [header_text(c, self.style) for c in cols]
        if self.style.spaced_header and not self.style.english_headers:
            i = self.rng.randrange(len(out))
            out[i] = self.rng.choice([" ", "  "]) + out[i] if self.rng.random() < 0.5 else out[i] + " "
        return out

    def row(self, row: dict[str, Any], columns: list[Column] | None = None) -> list[Any]:
        plan = self._plan if columns is None else [(c.name, self._renderer(c)) for c in columns]
        out = []
        for name, fn in plan:
            v = row.get(name)
            if v is None or fn is None:
                out.append(v)
            elif type(v) is Raw:
                out.append(str(v))
            else:
                out.append(fn(v))
        return out

    def _renderer(self, col: Column):
        """The function spelling this column's values (None: written as they are)."""
        return {
            "date": self._date,
            "ts": self._ts,
            "int": self._number,
            "num": self._number,
            "township": self._township,
        }.get(col.type)

    def total(self, rows: list[dict[str, Any]], columns: list[Column] | None = None) -> list[Any]:
        """The 合计 row: the label in the first cell, sums under the numeric columns."""
        cols = columns or self.columns
        out: list[Any] = ["合计"] + [None] * (len(cols) - 1)
        for i, c in enumerate(cols[1:], start=1):
            if c.is_numeric:
                vals = [r.get(c.name) for r in rows]
                s = sum(v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool))
                s = round(s, 4) if isinstance(s, float) else s
                out[i] = s if self.xlsx else num_text(s, False)
        return out

    # -- per type

    def _date_text(self, d: date) -> str:
        st = self.style
        if st.alt_date_share and self.rng.random() < st.alt_date_share:
            return date_text(d, self.rng.choice(["iso", "slash", "cn", "compact"]))
        return date_text(d, st.date_style)

    def _date(self, d: date) -> Any:
        if isinstance(d, datetime):
            d = d.date()
        if not self.xlsx:
            return self._date_text(d)
        u = self.rng.random()
        if u < self.style.serial_dates:
            return excel_serial(d)
        if u < self.style.serial_dates + self.style.text_dates:
            return self._date_text(d)
        return ("d", d, DATE_FORMATS[self.style.date_style])

    def _ts(self, t: datetime) -> Any:
        st = self.style
        if not self.xlsx or self.rng.random() < st.text_dates:
            style = st.date_style
            if st.alt_date_share and self.rng.random() < st.alt_date_share:
                style = self.rng.choice(["iso", "slash", "cn", "compact"])
            return ts_text(t, style, st.ts_seconds)
        fmt = DATE_FORMATS[st.date_style] + (" hh:mm:ss" if st.ts_seconds else " hh:mm")
        return ("d", t.replace(tzinfo=None), fmt)

    def _number(self, v: int | float) -> Any:
        st = self.style
        if self.xlsx and not (st.numbers_as_text and self.rng.random() < st.numbers_as_text):
            return v
        s = num_text(v, st.thousands and abs(v) >= 1000)
        if st.fullwidth and self.rng.random() < st.fullwidth:
            s = s.translate(FULLWIDTH)
        return s

    def _township(self, code: str) -> Any:
        t = self.county.township_by_code[code]
        style = self.style.township_style
        if self.style.township_mix and self.rng.random() < self.style.township_mix:
            style = self.rng.choice(["full", "short", "code", "old_code", "merged"])
        if style == "merged" and t.merged:
            return self.rng.choice(t.merged)
        if style == "short":
            return t.short
        if style in ("code", "old_code"):
            value = t.old_code if style == "old_code" and t.old_code else t.code
            # Typed into Excel, a code becomes a number unless the cell was formatted as text.
            return int(value) if self.xlsx and self.style.codes_as_numbers else value
        return t.name
