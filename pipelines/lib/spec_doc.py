"""数据报送规范: what a sender must know to send a feed, generated from the feed contracts and
the county profile (never a second hand-written list), and the document made from it.

    feed_guide(contract, profile)  -> the rows of a feed's column table (header, required,
                                      type, rules, allowed values) plus its deadline
    deadline_text(contract, profile), how_to_send(contract, profile, sender=None),
    LEDGER_RULES                   -> the sentences the template's 填表说明 and the spec share
    build_spec(profile, fmt)       -> the whole specification as DOCX or PDF bytes ("docx" | "pdf")
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipelines.lib.contracts import Contract, load_contracts
from pipelines.lib.labels import feed_label, word

WEEKDAYS = "一二三四五六日"

# The rules of feeds.md ("How files arrive", "Ledgers as clerks really keep them") a sender
# must know; the reader implements them (pipelines/lib/reading.py, layout_detect.py).
LEDGER_RULES = (
    "文件格式：Excel 工作簿（.xlsx、.xls）或 CSV（UTF-8 或 GBK 编码）；WPS 表格另存为 .xlsx 即可。",
    "表头：使用本规范的中文表头（列的顺序不限，全角、半角括号均可）；本规范未列出的列（如 序号、备注）不读取。",
    "表头上方可有标题行（如“宁乡市玉潭街道2023年第14周隐患排查治理台账”“单位：万元”），"
    "数据中间可有空行，末尾可有“合计”行和签字行（填表人：、审核人：、联系电话：等），均不计入数据。",
    "每个文件是本单位台账的完整快照：同一编号再次报送即为更正或更新，以后报送的为准；相同文件重复报送不会重复计数。",
    "日期可写为 2023-04-03、2023/4/3、2023.4.3、2023年4月3日 或 20230403，也可使用 Excel 日期；"
    "不写年份的日期（如 4月3日）不予识别。时间按北京时间填写（如 2023-04-03 14:30）。",
    "数字可带千位分隔符；金额列按表头中的单位填写（如“整改资金(万元)”填 0.5，不要填 5000元）。",
    "暂无内容的选填项可留空或填“/”“无”；必填项不能留空，也不能只填“/”“无”。",
    "所属乡镇可填写全称（玉潭街道）、简称（玉潭）或统计区划代码（430182001）。",
    "有错误的行不入库，系统按文件、行号、列和原因通知报送单位，其余行正常入库；"
    "无法读取的文件（格式不对、缺少必填列、放错类别）整份退回并说明原因。",
)


@dataclass(frozen=True)
class ColumnGuide:
    header: str
    name: str
    required: bool
    type: str
    rules: tuple[str, ...]
    values: tuple[str, ...]
    is_record_id: bool


def _rule_texts(contract: Contract) -> dict[str, list[str]]:
    """The Chinese detail of every rule the validation plans for each column: the same
    planner (validation.plan_checks) and the same wording (reasons) as a run's quarantine."""
    from pipelines.lib.reasons import reason_table
    from pipelines.lib.validation import plan_checks

    # every referenced register counts as received, so the reference rule is listed too
    refs = {c.references["feed"]: ["-"] for c in contract.columns if c.references}
    planned = {(check.column, check.rule) for check in plan_checks(contract, dt.datetime(2000, 1, 1), refs)}
    reasons = {(r["column"], r["rule"]): r["reason"].split("：", 1)[-1] for r in reason_table(contract).to_dicts()}
    out: dict[str, list[str]] = {c.name: [] for c in contract.columns}
    for column in contract.columns:
        for rule in ("format", "township", "enum", "range", "future", "order", "conditional", "check_digit",
                     "reference", "duplicate_id"):
            key = (column.name, rule)
            if rule == "duplicate_id" and column.name == contract.record_id:
                out[column.name].append("记录编号：每条记录一个，同一文件中不能重复；再次报送同一编号即为更新该记录")
            elif key in planned and key in reasons and rule != "enum":  # allowed values have their own column
                text = reasons[key].removeprefix(f"「{column.header}」")
                if text not in out[column.name]:
                    out[column.name].append(text)
    return out


def column_guide(contract: Contract) -> list[ColumnGuide]:
    rules = _rule_texts(contract)
    guide = []
    for c in contract.columns:
        synonyms = getattr(c, "synonyms", None) or {}
        values = tuple(c.values)
        if synonyms:  # contracts may carry accepted spellings: value -> [spellings]
            values = tuple(f"{v}（也可写作 {'、'.join(synonyms.get(v, []))}）" if synonyms.get(v) else v for v in values)
        guide.append(ColumnGuide(header=c.header, name=c.name, required=c.required, type=word("type", c.type),
                                 rules=tuple(rules[c.name]), values=values,
                                 is_record_id=c.name == contract.record_id))
    return guide


def deadline_text(contract: Contract, profile) -> str:
    d = profile.config.get("deadlines", {})
    weekly = d.get("weekly", {})
    return word("cadence", contract.cadence).format(
        weekday=WEEKDAYS[int(weekly.get("weekday", 1)) - 1], hour=weekly.get("hour", 12),
        event_hours=d.get("event_hours", 24), register_day=d.get("register_day", 5), relief_day=d.get("relief_day", 10),
    )


def reporting_mailbox(profile) -> str | None:
    contacts = profile.config.get("contacts", {})
    intake = profile.config.get("intake", {}) or {}
    mailbox = profile.config.get("mailbox", {}) or {}
    return contacts.get("reporting_mailbox") or intake.get("mailbox") or mailbox.get("address") or contacts.get("data_team")


def how_to_send(contract: Contract, profile, sender: str | None = None) -> list[str]:
    code = sender or "<报送单位代码>"
    lines = [
        "登录数据看板的“数据报送”页面，选择“" + contract.label + "”，上传文件，即可看到哪些行将入库、"
        "哪些行有问题及修改方法，确认后提交。",
    ]
    mailbox = reporting_mailbox(profile)
    if mailbox:
        lines.append(f"或将文件作为附件发送至报送邮箱 {mailbox}（邮件主题写明“{contract.label}”），"
                     "须使用本单位登记的邮箱发送。")
    lines.append(f"在服务器上报送的，将文件放入 landing/{contract.feed}/{code}/ 文件夹（文件名不限）。")
    return lines


def sender_text(profile, sender: str | None) -> str | None:
    return profile.sender_name(sender) if sender else None


def feed_owners_text(contract: Contract, profile) -> str:
    names = []
    for owner in contract.owners:
        names.append("各乡镇（街道）" if owner == "townships" else profile.sender_name(owner))
    return "、".join(names)


def all_contracts() -> list[Contract]:
    return list(load_contracts().values())


__all__ = ["LEDGER_RULES", "ColumnGuide", "column_guide", "deadline_text", "how_to_send", "reporting_mailbox",
           "feed_owners_text", "feed_label", "all_contracts"]
