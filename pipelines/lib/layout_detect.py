"""Find the header row of a sheet and tell title, blank and totals rows from data rows.

Real ledgers carry a title row above the header (宁乡市玉潭街道2023年第14周隐患排查治理台账),
blank rows, and a 合计 row at the bottom; feeds.md says all three are skipped, counted,
and never reported as errors.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from pipelines.lib.contracts import Contract, load_contracts
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


def detect_layout(rows: list[list[str | None]], contract: Contract) -> SheetLayout:
    index = header_index(contract)
    best_row, best_hits = -1, 0
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        hits = len({index[header_key(c)] for c in row if c and header_key(c) in index})
        if hits > best_hits:
            best_row, best_hits = i, hits
    if best_row < 0:
        if not any(not _is_blank(r) for r in rows):
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

    layout = SheetLayout(header_row=best_row + 1, columns=columns)
    for i, row in enumerate(rows):
        number = i + 1
        if i == best_row:
            continue
        if _is_blank(row):
            layout.skipped["blank"].append(number)
        elif i < best_row:
            layout.skipped["title"].append(number)
        elif _is_total(row):
            layout.skipped["total"].append(number)
        else:
            layout.data_rows.append((number, row))
    if not layout.data_rows:
        raise Rejection("no_rows")
    return layout
