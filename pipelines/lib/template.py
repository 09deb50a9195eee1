"""The Excel template a sender fills for a feed (`safetywh template FEED`, the portal's download).

    build_template(feed, profile, sender=None) -> bytes of an .xlsx

Made from the feed contract and the profile, like the specification (pipelines/lib/spec_doc.py,
which holds the column guide both print):

- sheet 1 填表说明: the sender, the deadline, how to send, the rules of ledgers, and one line
  per column (header, required, type, rules, allowed values);
- sheet 2 the ledger: a title row, the Chinese headers (required ones in red), drop-down lists
  for every enumerated column and the township column, date / number / text formats, an input
  message per column; no data row is written, so the template's empty rows stay blank;
- a hidden sheet 下拉选项 holding the lists, referenced by range (Excel caps an inline list at
  255 characters; the township list alone is longer).

For a township sender its township is the only entry of the township drop-down, and the title
row names it. The township is not written into the empty rows: a row with only a township is
not blank, so every untouched template row would be read as a record missing its required cells.
"""

from __future__ import annotations

import io

from pipelines.lib.contracts import Contract, get_contract
from pipelines.lib.labels import LabelError, feed_from_text, sender_from_text
from pipelines.lib.spec_doc import LEDGER_RULES, column_guide, deadline_text, feeds_of, how_to_send

LISTS_SHEET = "下拉选项"
GUIDE_SHEET = "填表说明"
TEMPLATE_ROWS = 1000  # rows carrying formats and drop-downs (the header is row 2)
HEADER_ROW = 1  # 0-based: row 2 in Excel, under the title row

NUMBER_FORMATS = {
    "date": "yyyy-mm-dd",
    "ts": "yyyy-mm-dd hh:mm",
    "int": "0",
    "num": "0.00",
    "text": "@",
    "code": "@",
    "enum": "@",
    "township": "@",
}
WIDTHS = {"date": 13, "ts": 18, "int": 10, "num": 12, "code": 22, "enum": 14, "township": 14}


def template_filename(feed: str, profile, sender: str | None = None) -> str:
    contract = get_contract(feed)
    who = profile.sender_name(sender) if sender else ""
    return f"{who}{contract.label}模板.xlsx"


def _township_names(profile, sender: str | None) -> list[str]:
    if sender and sender in set(profile.township_codes):
        return [profile.sender_name(sender)]
    return profile.townships["township_name"].to_list()


def _sheet_name(contract: Contract) -> str:
    name = contract.label
    for bad in "[]:*?/\\":
        name = name.replace(bad, "")
    return name[:31]


def build_template(feed: str, profile, sender: str | None = None) -> bytes:
    """The .xlsx template of `feed` (canonical name or Chinese label) for `sender` (a code of
    the profile, or None for a blank one)."""
    import xlsxwriter

    contract = get_contract(feed_from_text(feed))
    if sender is not None:
        sender = sender_from_text(profile, sender)
        if contract.feed not in feeds_of(profile, sender):
            raise LabelError(f"报送单位“{profile.sender_name(sender)}”（{sender}）不报送“{contract.label}”")
    guide = column_guide(contract)
    county = profile.config["county"]["name"]
    who = profile.sender_name(sender) if sender else None

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties(
        {
            "title": f"{contract.label}模板",
            "author": profile.config["county"].get("bureau", ""),
            "comments": f"feed={contract.feed}" + (f"; sender={sender}" if sender else ""),
        }
    )
    bold = book.add_format({"bold": True})
    title_fmt = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    req_head = book.add_format(
        {
            "bold": True,
            "bg_color": "#DDEBF7",
            "border": 1,
            "font_color": "#C00000",
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
        }
    )
    opt_head = book.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
    )

    # ---- 填表说明 (first: a clerk opens the workbook on it)
    info = book.add_worksheet(GUIDE_SHEET)
    info.set_column(0, 0, 22)
    info.set_column(1, 1, 8)
    info.set_column(2, 2, 14)
    info.set_column(3, 3, 60)
    info.set_column(4, 4, 40)
    info.write(0, 0, f"{county}{contract.label}填表说明", title_fmt)
    row = 2
    lines = [("报送单位", who or "（本单位）"), ("报送时限", deadline_text(contract, profile))]
    lines += [("报送方式", text) for text in how_to_send(contract, profile, sender)]
    lines += [("填写要求", text) for text in LEDGER_RULES]
    lines.append(
        (
            "填写要求",
            f"请在“{_sheet_name(contract)}”工作表第 {HEADER_ROW + 1} 行表头下方、从第 {HEADER_ROW + 2} "
            "行起逐行填写，一行一条记录；红色表头为必填项；有下拉列表的列请从列表中选择。",
        )
    )
    for key, text in lines:
        info.write(row, 0, key, bold)
        info.merge_range(row, 1, row, 4, text, wrap)
        info.set_row(row, 30 if len(text) > 60 else None)
        row += 1
    row += 1
    for col, text in enumerate(("中文表头", "是否必填", "类型", "填写规则", "允许填写的值")):
        info.write(row, col, text, head)
    for item in guide:
        row += 1
        info.write(row, 0, item.header, wrap)
        info.write(row, 1, "必填" if item.required else "选填", wrap)
        info.write(row, 2, item.type, wrap)
        info.write(row, 3, "；".join(item.rules) or "—", wrap)
        info.write(row, 4, "、".join(item.values) if item.values else "—", wrap)

    # ---- the ledger
    sheet = book.add_worksheet(_sheet_name(contract))
    lists = book.add_worksheet(LISTS_SHEET)
    lists.hide()
    last_col = len(contract.columns) - 1
    title = f"{who if who and who.startswith(county) else county + (who or '')}{contract.label}"
    sheet.merge_range(0, 0, 0, max(last_col, 1), title, title_fmt)
    sheet.set_row(0, 28)
    list_col = 0
    first, last = HEADER_ROW + 1, HEADER_ROW + TEMPLATE_ROWS
    for col, (column, item) in enumerate(zip(contract.columns, guide)):
        sheet.write(HEADER_ROW, col, column.header, req_head if column.required else opt_head)
        cell_fmt = book.add_format({"num_format": NUMBER_FORMATS[column.type]})
        sheet.set_column(col, col, max(WIDTHS.get(column.type, 16), len(column.header) * 2 + 2), cell_fmt)
        message = ("必填。" if column.required else "选填。") + "；".join(item.rules)
        values: list[str] = []
        if column.type == "enum":
            values = list(column.values)
        elif column.type == "township":
            values = _township_names(profile, sender)
        if values:
            lists.write(0, list_col, column.header)
            lists.write_column(1, list_col, values)
            ref = f"='{LISTS_SHEET}'!${_col_letter(list_col)}$2:${_col_letter(list_col)}${len(values) + 1}"
            sheet.data_validation(
                first,
                col,
                last,
                col,
                {
                    "validate": "list",
                    "source": ref,
                    "input_title": column.header[:32],
                    "input_message": _limit(message + "请从下拉列表中选择。"),
                    "error_title": "不在允许值范围内",
                    "error_message": _limit("只能填写：" + "、".join(values)),
                    "error_type": "stop" if column.type == "enum" else "warning",
                },
            )
            list_col += 1
        elif column.type in ("int", "num"):
            bound = column.gt if column.gt is not None else 0
            sheet.data_validation(
                first,
                col,
                last,
                col,
                {
                    "validate": "integer" if column.type == "int" else "decimal",
                    "criteria": ">" if column.gt is not None else ">=",
                    "value": bound,
                    "input_title": column.header[:32],
                    "input_message": _limit(message),
                    "error_title": "数值不正确",
                    "error_message": _limit("；".join(item.rules) or "请填写数字"),
                    "error_type": "warning",
                },
            )
        else:
            sheet.data_validation(
                first,
                col,
                last,
                col,
                {
                    "validate": "any",
                    "input_title": column.header[:32],
                    "input_message": _limit(message),
                },
            )
    sheet.set_row(HEADER_ROW, 32)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    book.close()
    return buffer.getvalue()


def _limit(text: str) -> str:
    """Excel caps a validation's input and error messages at 255 characters."""
    return text if len(text) <= 255 else text[:254] + "…"


def _col_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
