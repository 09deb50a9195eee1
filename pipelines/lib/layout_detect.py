"""Find the header row of a sheet and tell title, blank and totals rows from data rows.

Real ledgers carry a title row above the header (宁乡市玉潭街道2023年第14周隐患排查治理台账),
blank rows, and a 合计 row at the bottom; feeds.md says all three are skipped, counted,
and never reported as errors.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from pipelines.lib.contracts import Contract, load_contracts
from pipelines.lib.reading import EXCEL_MIDNIGHT, PY_WHITESPACE, rows_to_frame
from pipelines.lib.rules import Rejection

# The header is expected among the first rows; a ledger rarely has more than two title rows.
HEADER_SEARCH_ROWS = 20
TOTAL_MARKERS = ("合计", "总计", "小计")


def header_key(text: str) -> str:
    """Normalise a header: NFKC folds full-width brackets and digits, spaces go,
    a required-field star goes, and canonical English names match case-insensitively."""
    key = unicodedata.normalize("NFKC", text)
    key = re.sub(r"\s+", "", key).strip("*※")
    return key.lower()


def header_index(contract: Contract) -> dict[str, str]:
    index: dict[str, str] = {}
    for column in contract.columns:
        index[header_key(column.header)] = column.name
        index[header_key(column.name)] = column.name
    return index


@dataclass
class SheetLayout:
    header_row: int  # 1-based spreadsheet row
    columns: dict[int, str]  # cell position -> canonical column name
    data_rows: list[tuple[int, list[str | None]]] = field(default_factory=list)
    skipped: dict[str, list[int]] = field(default_factory=lambda: {"title": [], "blank": [], "total": []})

    @property
    def rows_total(self) -> int:
        """Every row of the file but the header row itself."""
        return len(self.data_rows) + sum(len(v) for v in self.skipped.values())


def _is_blank(row: list[str | None]) -> bool:
    return all(cell is None or not cell.strip() for cell in row)


def _is_total(row: list[str | None]) -> bool:
    first = next((cell for cell in row if cell is not None and cell.strip()), "")
    return re.sub(r"\s+", "", first).startswith(TOTAL_MARKERS)


def _best_other_feed(contract: Contract, cells: list[str | None]) -> str | None:
    """Name the feed whose headers this row matches best, to hint at a misplaced file."""
    keys = {header_key(c) for c in cells if c}
    best, best_hits = None, 0
    for other in load_contracts().values():
        if other.feed == contract.feed:
            continue
        hits = len(keys & {header_key(c.header) for c in other.required})
        if hits == len(other.required) and hits > best_hits:
            best, best_hits = other, hits
    return best.label + f"（{best.feed}）" if best else None


@dataclass
class SheetHeader:
    """Where a sheet's header is and which contract column each position holds."""

    header_row: int  # 1-based spreadsheet row
    columns: dict[int, str]  # cell position -> canonical column name


def find_header(rows: list[list[str | None]], contract: Contract, all_blank=None) -> SheetHeader:
    """The header among the first rows (``rows`` may be just those); raises the rejection
    when there is none or a required column is missing. ``all_blank`` tells whether the
    whole sheet is empty when ``rows`` is only its beginning."""
    index = header_index(contract)
    best_row, best_hits = -1, 0
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        hits = len({index[header_key(c)] for c in row if c and header_key(c) in index})
        if hits > best_hits:
            best_row, best_hits = i, hits
    if best_row < 0:
        empty = all_blank() if all_blank is not None else not any(not _is_blank(r) for r in rows)
        if empty:
            raise Rejection("no_rows", "文件为空")
        raise Rejection("missing_columns", "未找到表头，应包含：" + "、".join(c.header for c in contract.required))

    columns: dict[int, str] = {}
    for pos, cell in enumerate(rows[best_row]):
        name = index.get(header_key(cell)) if cell else None
        if name and name not in columns.values():  # a repeated header: the first one counts
            columns[pos] = name
    missing = [c.header for c in contract.required if c.name not in columns.values()]
    if missing:
        detail = "、".join(missing)
        other = _best_other_feed(contract, rows[best_row])
        if other:
            detail += f"（表头与「{other}」一致，是否放错了文件夹？）"
        raise Rejection("missing_columns", detail)
    return SheetHeader(header_row=best_row + 1, columns=columns)


def frame_is_blank(frame: pl.DataFrame) -> bool:
    """No cell holds anything but white space."""
    if not frame.width or not frame.height:
        return True
    return not frame.select(pl.any_horizontal(_nonblank(c) for c in frame.columns).any()).item()


def _nonblank(name: str) -> pl.Expr:
    return pl.col(name).str.strip_chars(PY_WHITESPACE).str.len_bytes().fill_null(0) > 0


KINDS = ("title", "blank", "total")  # skipped kinds, in the order they are reported


def classify_rows(
    frames: list[pl.DataFrame], headers: list[SheetHeader], keys: list[int], contract: Contract,
    midnight_dates: list[bool] | None = None,
) -> pl.DataFrame:
    """Every row but the header of every sheet, vectorised over all sheets at once.

    Returns ``_file_key, _row_number, _kind`` (data / title / blank / total) and one text
    column per contract column (null where a sheet lacks it), sheets in the given order and
    rows in sheet order. The rules are those of ``detect_layout``: blank = no cell but white
    space; before the header = title; a first non-blank cell starting with 合计/总计/小计
    (white space ignored) = total; the rest is data.
    """
    names = contract.names
    schema = {"_file_key": pl.Int64, "_row_number": pl.Int32, "_kind": pl.String, **{n: pl.String for n in names}}
    if not frames:
        return pl.DataFrame(schema=schema)
    heights = [f.height for f in frames]
    stacked = pl.concat(frames, how="diagonal") if len(frames) > 1 else frames[0]
    positions = sorted(stacked.columns, key=int)
    stacked = stacked.select(positions)  # position order: "first non-blank" reads left to right

    def per_row(values, dtype) -> pl.Series:
        return pl.Series(np.repeat(np.asarray(values), heights), dtype=dtype)

    key = per_row(keys, pl.Int64)
    header_row = per_row([h.header_row for h in headers], pl.Int32)
    midnight = per_row(midnight_dates or [False] * len(frames), pl.Boolean)
    row_number = pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over("_file_key")

    nonblank = [_nonblank(c) for c in positions]
    first = pl.coalesce([pl.when(nb).then(pl.col(c)) for c, nb in zip(positions, nonblank)])
    squeezed = first.str.replace_all(f"[{re.escape(PY_WHITESPACE)}]", "")
    total = pl.any_horizontal([squeezed.str.starts_with(m) for m in TOTAL_MARKERS]).fill_null(False)
    blank = ~pl.any_horizontal(nonblank)
    kind = (
        pl.when(pl.col("_row_number") == pl.col("_header_row")).then(pl.lit("header"))
        .when(blank).then(pl.lit("blank"))
        .when(pl.col("_row_number") < pl.col("_header_row")).then(pl.lit("title"))
        .when(total).then(pl.lit("total"))
        .otherwise(pl.lit("data"))
    )

    # contract column <- the position each sheet holds it at (few distinct layouts)
    def cell(name: str) -> pl.Expr:
        where: dict[int, list[int]] = {}
        for k, header in zip(keys, headers):
            for pos, mapped in header.columns.items():
                if mapped == name:
                    where.setdefault(pos, []).append(k)
        expr = pl.lit(None, pl.String)
        for pos, files in where.items():
            source = pl.col(str(pos)) if str(pos) in stacked.columns else pl.lit(None, pl.String)
            expr = pl.when(pl.col("_file_key").is_in(files)).then(source).otherwise(expr)
        # calamine leaves " 00:00:00" on date cells; Excel (and openpyxl) show just the date
        return pl.when(pl.col("_midnight")).then(expr.str.replace(EXCEL_MIDNIGHT, "${1}")).otherwise(expr).alias(name)

    return (
        stacked.with_columns(_file_key=key, _header_row=header_row, _midnight=midnight)
        .with_columns(row_number.alias("_row_number"))
        .with_columns(kind.alias("_kind"))
        .filter(pl.col("_kind") != "header")
        .select("_file_key", "_row_number", "_kind", *[cell(n) for n in names])
        .cast(schema)
    )


def detect_layout(rows: list[list[str | None]], contract: Contract) -> SheetLayout:
    header = find_header(rows, contract)
    classified = classify_rows([rows_to_frame(rows)], [header], [0], contract)
    layout = SheetLayout(header_row=header.header_row, columns=header.columns)
    for number, kind in classified.select("_row_number", "_kind").iter_rows():
        if kind == "data":
            layout.data_rows.append((number, rows[number - 1]))
        else:
            layout.skipped[kind].append(number)
    if not layout.data_rows:
        raise Rejection("no_rows")
    return layout
