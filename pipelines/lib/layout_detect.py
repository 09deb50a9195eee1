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
from pipelines.lib.reading import EXCEL_MIDNIGHT, MERGED_MARK, PY_WHITESPACE, rows_to_frame
from pipelines.lib.rules import Rejection

# The header is expected among the first rows; a ledger rarely has more than two title rows.
HEADER_SEARCH_ROWS = 20
TOTAL_MARKERS = ("合计", "总计", "小计")
# Sheet names of instructions, examples and value lists (feeds.md: not the ledger)
ASIDE_SHEETS = r"说明|示例|样例|范例|要求|填报指南|下拉|列表|字典|选项|代码表|数据源"
# feeds.md: signature and note lines below the data (a name or phone follows the colon)
FOOTER_PATTERN = (
    r"^(?:(?:填表人|填报人|制表人|审核人|审批人|负责人|单位负责人|主要负责人|分管领导|联系人|联系电话|经办人"
    r"|填报日期|填表日期|制表日期|报送日期|填报单位|注|说明|备注)[^:：]{0,10}[:：]|以下空白|以下无)"
)


def header_key(text: str) -> str:
    """Normalise a header: NFKC folds full-width brackets and digits, spaces go,
    a required-field star goes, and canonical English names match case-insensitively."""
    key = unicodedata.normalize("NFKC", text)
    key = re.sub(r"[\s*※\u200b\ufeff]+", "", key)  # 整改\n期限, 隐 患 编 号, *隐患编号, ※
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
    skipped: dict[str, list[int]] = field(default_factory=lambda: {"title": [], "blank": [], "total": [], "footer": []})

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

    header_row: int  # 1-based spreadsheet row (the lower row of a two-row header)
    columns: dict[int, str]  # cell position -> canonical column name
    top_row: int | None = None  # first row of the header: header_row - 1 for a two-row header
    sheet: str | None = None

    def __post_init__(self) -> None:
        if self.top_row is None:
            self.top_row = self.header_row


def _row_hits(index: dict[str, str], upper, lower) -> tuple[dict[int, str], bool]:
    """The contract columns of a header row, completed from the row above where the row's
    own cell is blank (a two-row header: the ungrouped column's name sits in the upper row,
    merged down or not). Returns the positions and whether the upper row belongs to it."""
    columns: dict[int, str] = {}
    upper_part = False
    for pos in range(max(len(upper or ()), len(lower))):
        cell = lower[pos] if pos < len(lower) else None
        above = upper[pos] if upper is not None and pos < len(upper) else None
        name = index.get(header_key(cell)) if cell and cell.strip() else None
        if name is None and not (cell and cell.strip()) and above:
            name = index.get(header_key(above))
            upper_part |= name is not None
        elif name is not None and above and header_key(above) == header_key(cell):
            upper_part = True  # merged down across both rows (filled by the reader)
        if name and name not in columns.values():  # a repeated header: the first one counts
            columns[pos] = name
    return columns, upper_part


def find_header(
    rows: list[list[str | None]], contract: Contract, all_blank=None, sheet: str | None = None
) -> SheetHeader:
    """The header among the first rows (``rows`` may be just those); raises the rejection
    when there is none or a required column is missing. ``all_blank`` tells whether the
    whole sheet is empty when ``rows`` is only its beginning."""
    index = header_index(contract)
    best_row, best_hits, best = -1, 0, ({}, False)
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = _row_hits(index, rows[i - 1] if i else None, row)
        if len(found[0]) > best_hits:
            best_row, best_hits, best = i, len(found[0]), found
    if best_row < 0:
        empty = all_blank() if all_blank is not None else not any(not _is_blank(r) for r in rows)
        if empty:
            raise Rejection("no_rows", "文件为空")
        raise Rejection(
            "missing_columns",
            f"前 {HEADER_SEARCH_ROWS} 行中未找到表头，应包含：" + "、".join(c.header for c in contract.required),
        )

    columns, two_rows = best
    missing = [c.header for c in contract.required if c.name not in columns.values()]
    if missing:
        notes = [f"第 {best_row + 1} 行的表头中没有这些列"]
        other = _best_other_feed(contract, rows[best_row])
        if other:
            notes.append(f"表头与「{other}」一致，是否放错了文件夹？")
        raise Rejection("missing_columns", "、".join(missing) + "（" + "；".join(notes) + "）")
    return SheetHeader(header_row=best_row + 1, columns=columns, top_row=best_row + (0 if two_rows else 1), sheet=sheet)


def find_sheet(book, contract: Contract):
    """feeds.md: the ledger is the first sheet that holds the feed's header; instruction
    (填表说明), list and empty sheets before it are passed over. Returns (sheet, header);
    when no sheet holds it, the rejection says where the warehouse looked."""
    tried: list[tuple[str, Rejection]] = []
    # a sheet named as instructions or lists (填表说明, 填报示例, 下拉列表) may repeat the header
    # in an example table: it is looked at only when no other sheet holds the header
    order = sorted(range(len(book.sheet_names)), key=lambda i: bool(re.search(ASIDE_SHEETS, book.sheet_names[i] or "")))
    for i in order:
        name = book.sheet_names[i]
        sheet = book.sheet(i)
        head = sheet.rows(HEADER_SEARCH_ROWS)
        try:
            return sheet, find_header(
                head, contract, all_blank=lambda sheet=sheet: sheet_is_blank(sheet), sheet=sheet.name
            )
        except Rejection as rejection:
            tried.append((name, rejection))
    if not tried:
        raise Rejection("not_a_table", "工作簿中没有工作表")
    if len(tried) == 1 and book.file_format == "csv":
        if book.claimed_workbook and tried[0][1].code == "missing_columns":
            raise Rejection(
                "not_a_table",
                f"文件扩展名为 {book.claimed_workbook}，但内容不是 Excel 工作簿。"
                "请在 Excel 或 WPS 中打开后另存为 .xlsx 再报送",
            )
        raise tried[0][1]
    partial = [(n, r) for n, r in tried if r.code == "missing_columns" and "未找到表头" not in r.detail]
    if all(r.code == "no_rows" for _, r in tried):
        raise Rejection("no_rows", "所有工作表均为空（已查看：" + "、".join(f"「{n}」" for n, _ in tried) + "）")
    looked = "".join(f"「{n}」" for n in book.sheet_names if n in {name for name, _ in tried})  # workbook order
    if partial:
        name, rejection = partial[0]
        also = f"；已查看工作表{looked}的前 {HEADER_SEARCH_ROWS} 行" if len(tried) > 1 else ""
        raise Rejection("missing_columns", f"工作表「{name}」：{rejection.detail}{also}")
    raise Rejection(
        "missing_columns",
        f"已查看工作表{looked}的前 {HEADER_SEARCH_ROWS} 行，均未找到表头。请把表头放在台账工作表的前 "
        f"{HEADER_SEARCH_ROWS} 行内，应包含：" + "、".join(c.header for c in contract.required),
    )


KIND_LABELS = {"title": "标题", "blank": "空白", "total": "合计", "footer": "签名或备注"}


def no_data_rows(header: SheetHeader, last_row: int, kinds: dict[str, int]) -> Rejection:
    """A sheet whose header was found but no record below it: the rejection names the
    sheet, the header rows and the rows searched below them, with what those rows were
    (counts only: a footer's names and phone numbers are never repeated)."""
    where = f"工作表「{header.sheet}」" if header.sheet else "文件"
    rows = (
        f"第 {header.top_row} 行"
        if header.top_row == header.header_row
        else f"第 {header.top_row}-{header.header_row} 行"
    )
    if last_row <= header.header_row:
        below = "其下没有任何行"
    else:
        first = header.header_row + 1
        searched = f"第 {first} 行" if first == last_row else f"第 {first}-{last_row} 行"
        seen = "、".join(f"{KIND_LABELS[k]} {kinds[k]} 行" for k in KINDS if kinds.get(k) and k != "title")
        below = f"其下{searched}中没有一行填有本类数据的列" + (f"（{seen}）" if seen else "")
    return Rejection("no_rows", f"{where}{rows}为表头，{below}。请把记录逐行填在表头下方，或核对是否选错了文件")


def sheet_is_blank(sheet) -> bool:
    """No cell of the sheet holds anything; a text file read in chunks is read on to its end
    (only asked of a sheet that is rejected either way: empty, or no header)."""
    return frame_is_blank(sheet.frame) and all(frame_is_blank(f) for f in (sheet.more or ()))


def frame_is_blank(frame: pl.DataFrame) -> bool:
    """No cell holds anything but white space."""
    if not frame.width or not frame.height:
        return True
    return not frame.select(pl.any_horizontal(_nonblank(c) for c in frame.columns).any()).item()


def _nonblank(name: str) -> pl.Expr:
    return pl.col(name).str.strip_chars(PY_WHITESPACE).str.len_bytes().fill_null(0) > 0


KINDS = ("title", "blank", "total", "footer")  # skipped kinds, in the order they are reported


def classify_rows(
    frames: list[pl.DataFrame],
    headers: list[SheetHeader],
    keys: list[int],
    contract: Contract,
    midnight_dates: list[bool] | None = None,
    row_offsets: list[int] | None = None,
    footer_before: list[bool] | None = None,
) -> pl.DataFrame:
    """Every row but the header rows of every sheet, vectorised over all sheets at once.

    Returns ``_file_key, _row_number, _kind`` (data / title / blank / total / footer) and one
    text column per contract column (null where a sheet lacks it), sheets in the given order
    and rows in sheet order. Above the header a row with any cell is a title row. Below it:
    a first non-blank cell (white space ignored) starting with 合计/总计/小计 = total, with a
    signature or note marker (填表人：, 注：, 以下空白 …) = footer; a row with no value in any of
    the feed's columns (a template row holding only its 序号) = blank; every other row after
    the first footer row = footer too (a note's second line); the rest is data.

    A frame may be a chunk of a larger sheet: ``row_offsets`` (rows of the sheet above the
    frame, 0 for its start) keep the row numbers the sheet's, ``footer_before`` tells that a
    chunk above held a footer row (what follows it is footer too).
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
    header_top = per_row([h.top_row for h in headers], pl.Int32)
    midnight = per_row(midnight_dates or [False] * len(frames), pl.Boolean)
    offset = per_row(row_offsets or [0] * len(frames), pl.Int32)
    footer_above = per_row(footer_before or [False] * len(frames), pl.Boolean)
    row_number = pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over("_file_key") + pl.col("_offset")

    nonblank = [_nonblank(c) for c in positions]
    first = pl.coalesce([pl.when(nb).then(pl.col(c)) for c, nb in zip(positions, nonblank)]).str.strip_prefix(
        MERGED_MARK
    )
    squeezed = first.str.replace_all(f"[{re.escape(PY_WHITESPACE)}]", "")
    total = pl.any_horizontal([squeezed.str.starts_with(m) for m in TOTAL_MARKERS]).fill_null(False)
    footer_marker = squeezed.str.contains(FOOTER_PATTERN).fill_null(False)
    blank = ~pl.any_horizontal(nonblank)
    # a value a merged area gave this row (MERGED_MARK) does not make the row a record
    feed_blank = ~pl.any_horizontal(
        [_nonblank(n) & ~pl.col(n).str.starts_with(MERGED_MARK).fill_null(False) for n in names]
    )
    below = pl.col("_row_number") > pl.col("_header_row")
    after_footer = ((footer_marker & below).cast(pl.Int8).cum_max().over("_file_key") > 0) | pl.col("_footer_above")
    kind = (
        pl.when(pl.col("_row_number").is_between(pl.col("_header_top"), pl.col("_header_row")))
        .then(pl.lit("header"))
        .when(~below & blank)
        .then(pl.lit("blank"))
        .when(~below)
        .then(pl.lit("title"))
        .when(footer_marker)
        .then(pl.lit("footer"))
        .when(total)
        .then(pl.lit("total"))
        .when(feed_blank)
        .then(pl.lit("blank"))
        .when(after_footer)
        .then(pl.lit("footer"))
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
        return expr.alias(name)

    def value(name: str) -> pl.Expr:
        # calamine leaves " 00:00:00" on date cells; Excel (and openpyxl) show just the date
        expr = pl.col(name).str.strip_prefix(MERGED_MARK)
        return pl.when(pl.col("_midnight")).then(expr.str.replace(EXCEL_MIDNIGHT, "${1}")).otherwise(expr).alias(name)

    return (
        stacked.with_columns(
            _file_key=key,
            _header_row=header_row,
            _header_top=header_top,
            _midnight=midnight,
            _offset=offset,
            _footer_above=footer_above,
        )
        .with_columns(row_number.alias("_row_number"), *[cell(n) for n in names])
        .with_columns(kind.alias("_kind"))
        .filter(pl.col("_kind") != "header")
        .select("_file_key", "_row_number", "_kind", *[value(n) for n in names])
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
