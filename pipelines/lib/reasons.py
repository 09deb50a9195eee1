"""The Chinese reason for every (column, rule) a contract can break, written for the
clerk who keeps the ledger: which column, what is wrong, what is allowed."""

from __future__ import annotations

import functools

import polars as pl

from pipelines.lib.contracts import Column, Contract, get_contract
from pipelines.lib.rules import ROW_RULES

FORMAT_HINTS = {
    "int": "应为整数",
    "num": "应为数字",
    "date": "应写完整日期（年、月、日），如 2023年4月3日、2023-04-03、2023/4/3、2023.4.3",
    "ts": "应写完整的日期（年、月、日，可加时、分），如 2023年4月3日 14:30、2023-04-03 14:30",
    "phone": "应为11位手机号或带区号的固定电话（如 0731-87654321）",
    "uscc": "应为18位统一社会信用代码",
    "ric": "应为18位公民身份号码",
}
CHECK_STANDARDS = {"uscc": "GB 32100-2015", "ric": "GB 11643-1999"}


def _detail(contract: Contract, column: Column, rule: str) -> str:
    h = f"「{column.header}」"
    header_of = lambda name: f"「{contract.column(name).header}」"  # noqa: E731
    if rule == "required":
        return f"{h}为必填项"
    if rule == "format":
        if column.unit:
            return f"{h}应为以{column.unit}为单位的数字（如 0.5 或 0.5{column.unit}），不能写其他单位，请换算为{column.unit}后填写"
        return h + FORMAT_HINTS.get(column.check or column.type, "格式不正确")
    if rule == "enum":
        return f"{h}只能填写：" + "、".join(column.values)
    if rule == "township":
        return f"{h}不是本市的乡镇（街道），请填写全称、简称或统计区划代码"
    if rule == "range":
        return f"{h}必须大于{column.gt:g}" if column.gt is not None else f"{h}不能为负数"
    if rule == "future":
        return f"{h}不能晚于今天"
    if rule == "order":
        if column.gte:
            return f"{h}不能早于{header_of(column.gte)}"
        return f"{h}不能大于{header_of(column.lte)}"
    if rule == "conditional":
        if column.required_when:
            ((cond, value),) = column.required_when.items()
            return f"{header_of(cond)}为“{value}”时必须填写{h}"
        ((cond, value),) = column.positive_when.items()
        return f"{header_of(cond)}为“{value}”时{h}必须填写且大于0"
    if rule == "check_digit":
        return f"{h}最后一位校验码不正确（{CHECK_STANDARDS[column.check]}）"
    if rule == "duplicate_id":
        return f"{h}在同一文件中重复出现，重复的各行均未入库"
    if rule == "reference":
        return f"{h}不在「{get_contract(column.references['feed']).label}」名录中"
    raise ValueError(rule)


def reason_table(contract: Contract) -> pl.DataFrame:
    return _reason_table(contract.feed)


@functools.cache
def _reason_table(feed: str) -> pl.DataFrame:
    contract = get_contract(feed)
    rows = []
    for column in contract.columns:
        for rule in ROW_RULES:
            try:
                detail = _detail(contract, column, rule)
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
            rows.append(
                {
                    "column": column.name,
                    "rule": rule,
                    "column_header": column.header,
                    "reason": f"{ROW_RULES[rule][0]}：{detail}",
                }
            )
    return pl.DataFrame(rows)
