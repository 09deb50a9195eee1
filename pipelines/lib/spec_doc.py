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


# Three reasons are worded as what went wrong; a guide says what is asked.
_AS_RULE = {
    "township": lambda c: "须为本市的乡镇（街道）：全称、简称或统计区划代码",
    "check_digit": lambda c: f"最后一位校验码须正确（{_standard(c)}）",
    "reference": lambda c: f"须已在「{feed_label(c.references['feed'])}」名录中登记",
}


def _standard(column) -> str:
    from pipelines.lib.reasons import CHECK_STANDARDS

    return CHECK_STANDARDS[column.check]


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
        for rule in (
            "format",
            "township",
            "enum",
            "range",
            "future",
            "order",
            "conditional",
            "check_digit",
            "reference",
            "duplicate_id",
        ):
            key = (column.name, rule)
            if rule == "duplicate_id" and column.name == contract.record_id:
                out[column.name].insert(0, "记录编号：每条记录一个，同一文件中不能重复；再次报送同一编号即为更新该记录")
            elif key in planned and key in reasons and rule != "enum":  # allowed values have their own column
                text = _AS_RULE[rule](column) if rule in _AS_RULE else reasons[key].removeprefix(f"「{column.header}」")
                if text not in out[column.name]:
                    out[column.name].append(text)
    return out


def column_guide(contract: Contract) -> list[ColumnGuide]:
    rules = _rule_texts(contract)
    guide = []
    for c in contract.columns:
        spellings: dict[str, list[str]] = {}
        for other, value in c.synonyms.items():  # other spelling -> the value it loads as
            spellings.setdefault(value, []).append(other)
        values = tuple(f"{v}（也可写作 {'、'.join(spellings[v])}）" if v in spellings else v for v in c.values)
        guide.append(
            ColumnGuide(
                header=c.header,
                name=c.name,
                required=c.required,
                type=word("type", c.type),
                rules=tuple(rules[c.name]),
                values=values,
                is_record_id=c.name == contract.record_id,
            )
        )
    return guide


def deadline_text(contract: Contract, profile) -> str:
    d = profile.config.get("deadlines", {})
    weekly = d.get("weekly", {})
    return word("cadence", contract.cadence).format(
        weekday=WEEKDAYS[int(weekly.get("weekday", 1)) - 1],
        hour=weekly.get("hour", 12),
        event_hours=d.get("event_hours", 24),
        register_day=d.get("register_day", 5),
        relief_day=d.get("relief_day", 10),
    )


def reporting_mailbox(profile) -> str | None:
    contacts = profile.config.get("contacts", {})
    intake = profile.config.get("intake", {}) or {}
    mailbox = profile.config.get("mailbox", {}) or {}
    return (
        contacts.get("reporting_mailbox")
        or intake.get("mailbox")
        or mailbox.get("address")
        or contacts.get("data_team")
    )


def how_to_send(contract: Contract, profile, sender: str | None = None) -> list[str]:
    code = sender or "<报送单位代码>"
    lines = [
        "登录数据看板的“数据报送”页面，选择“" + contract.label + "”，上传文件，即可看到哪些行将入库、"
        "哪些行有问题及修改方法，确认后提交。",
    ]
    mailbox = reporting_mailbox(profile)
    if mailbox:
        lines.append(
            f"或将文件作为附件发送至报送邮箱 {mailbox}（邮件主题写明“{contract.label}”），须使用本单位登记的邮箱发送。"
        )
    lines.append(f"在服务器上报送的，将文件放入 landing/{contract.feed}/{code}/ 文件夹（文件名不限）。")
    return lines


def sender_text(profile, sender: str | None) -> str | None:
    return profile.sender_name(sender) if sender else None


def feed_owners_text(contract: Contract, profile) -> str:
    names = []
    for owner in contract.owners:
        names.append("各乡镇（街道）" if owner == "townships" else profile.sender_name(owner))
    return "、".join(names)


def feeds_of(profile, sender: str) -> list[str]:
    """The feeds a sender sends: a contract naming it (or every township) as an owner, or its
    row of departments.csv."""
    import polars as pl

    is_township = sender in set(profile.township_codes)
    hit = profile.departments.filter(pl.col("sender_code") == sender)
    listed = set((hit["feeds"][0] or "").split(";")) if hit.height else set()
    return [
        c.feed
        for c in load_contracts().values()
        if sender in c.owners or ("townships" in c.owners and is_township) or c.feed in listed
    ]


# ------------------------------------------------------------------ the document

SIZE_TEXT = 12  # 小四: a handbook, read at a desk, not a 红头 bulletin
SIZE_H1 = 15
SIZE_TITLE_SPEC = 20
SIZE_CELL = 9
NUMERALS = "一二三四五六七八九十"


@dataclass
class Block:
    kind: str  # title | subtitle | h1 | h2 | p | table
    text: str = ""
    table: object = None  # pipelines.lib.bulletin.tables.Table


def spec_content(profile) -> list[Block]:
    """The specification as blocks, shared by the DOCX and the PDF so both say the same."""
    from pipelines.lib.bulletin.tables import Table

    county = profile.config["county"]
    bureau = county.get("bureau", county["name"])
    contracts = list(load_contracts().values())
    blocks = [
        Block("title", f"{county['name']}安全生产数据报送规范"),
        Block("subtitle", f"{bureau}　依据各类数据的数据契约与县级配置生成"),
    ]
    sections: list[tuple[str, list[Block]]] = []

    names = "、".join(f"{c.label}" for c in contracts)
    sections.append(
        (
            "适用范围",
            [
                Block(
                    "p",
                    f"本规范适用于向{bureau}报送安全生产数据的各乡镇（街道）和部门，"
                    f"共 {len(contracts)} 类数据：{names}。各类数据的列、填写规则和允许填写的值"
                    "以本规范为准；报送模板（.xlsx）可在数据看板“数据报送”页面下载，"
                    "或由数据管理人员用 safetywh template 命令生成。",
                )
            ],
        )
    )
    mailbox = reporting_mailbox(profile)
    how = [
        Block(
            "p",
            "（一）数据看板“数据报送”页面：登录后选择数据类别，上传文件，页面立即显示哪些行将入库、"
            "哪些行有问题及修改方法，确认后提交并取得回执。报送单位以登录账号为准。",
        )
    ]
    if mailbox:
        how.append(
            Block(
                "p",
                f"（二）电子邮件：将文件作为附件发送至报送邮箱 {mailbox}，邮件主题或文件名写明数据类别"
                "（如“隐患排查治理台账”）；须使用本单位在县局登记的邮箱发送，系统自动回复回执。",
            )
        )
    how.append(
        Block(
            "p",
            f"（{'三' if mailbox else '二'}）服务器文件夹：将文件放入 landing/<数据类别>/<报送单位代码>/"
            "（文件名不限），数据类别为下文各类数据的英文名，报送单位代码见附表。",
        )
    )
    how.append(
        Block(
            "p",
            "文件有错误的，系统将按文件、Excel 行号、列和原因以电子邮件通知报送单位；"
            "修改后重新报送整个文件即可，以最后收到的为准。",
        )
    )
    sections.append(("报送方式", how))

    by_cadence: dict[str, list[str]] = {}
    for c in contracts:
        by_cadence.setdefault(c.cadence, []).append(c.label)
    sections.append(
        (
            "报送时限",
            [
                Block(
                    "p",
                    f"{'、'.join(labels)}：{deadline_text(load_contracts()[_first(contracts, cadence)], profile)}。",
                )
                for cadence, labels in by_cadence.items()
            ],
        )
    )
    sections.append(("台账填写要求", [Block("p", f"{i}. {rule}") for i, rule in enumerate(LEDGER_RULES, start=1)]))

    feeds: list[Block] = []
    for n, c in enumerate(contracts, start=1):
        record = c.column(c.record_id).header
        feeds.append(Block("h2", f"（{_numeral(n)}）{c.label}（{c.feed}）"))
        feeds.append(
            Block(
                "p",
                f"报送单位：{feed_owners_text(c, profile)}。报送时限：{deadline_text(c, profile)}。"
                f"记录编号：「{record}」（每条记录一个，再次报送同一编号即为更新）。"
                f"文件夹：landing/{c.feed}/<报送单位代码>/。",
            )
        )
        table = Table(
            headers=["中文表头", "必填", "类型", "填写规则", "允许填写的值"],
            widths=[23, 6, 11, 37, 23],
            font_size=SIZE_CELL,
        )
        for g in column_guide(c):
            table.rows.append(
                [
                    g.header,
                    "必填" if g.required else "选填",
                    g.type,
                    "；".join(g.rules) or "—",
                    "、".join(g.values) or "—",
                ]
            )
        feeds.append(Block("table", table=table))
    sections.append(("各类数据", feeds))

    senders = Table(headers=["报送单位代码", "名称", "报送的数据类别"], widths=[18, 37, 45], font_size=SIZE_CELL)
    for code in [*profile.departments["sender_code"].to_list(), *profile.township_codes]:
        senders.rows.append(
            [
                code,
                profile.sender_name(code),
                "、".join(load_contracts()[f].label for f in feeds_of(profile, code)) or "—",
            ]
        )
    sections.append(("附表：报送单位代码", [Block("table", table=senders)]))

    for i, (title, body) in enumerate(sections, start=1):
        blocks.append(Block("h1", title if title.startswith("附") else f"{_numeral(i)}、{title}"))
        blocks.extend(body)
    return blocks


def _first(contracts: list[Contract], cadence: str) -> str:
    return next(c.feed for c in contracts if c.cadence == cadence)


def _numeral(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    return ("" if n < 20 else NUMERALS[n // 10 - 1]) + "十" + (NUMERALS[n % 10 - 1] if n % 10 else "")


def _fonts(profile):
    from pipelines.lib.bulletin.fonts import Fonts

    return Fonts.from_config((profile.config.get("publications") or {}).get("fonts"))


def _docx(blocks: list[Block], fonts, title: str) -> bytes:
    import io

    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from pipelines.lib.bulletin.render_docx import DocxWriter

    writer = DocxWriter({}, fonts)  # the bulletin's page, styles and East Asian fonts
    for b in blocks:
        if b.kind == "title":
            writer._para(
                b.text,
                face=fonts.title,
                size=SIZE_TITLE_SPEC,
                bold=True,
                align=WD_ALIGN_PARAGRAPH.CENTER,
                indent=False,
                exact=None,
            ).paragraph_format.space_after = Pt(6)
        elif b.kind == "subtitle":
            writer._para(
                b.text, face=fonts.kai, size=SIZE_TEXT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, exact=None
            ).paragraph_format.space_after = Pt(12)
        elif b.kind == "h1":
            writer._para(
                b.text, face=fonts.heading, size=SIZE_H1, indent=False, exact=None
            ).paragraph_format.space_before = Pt(12)
        elif b.kind == "h2":
            writer._para(
                b.text, face=fonts.kai, size=SIZE_TEXT + 1, bold=True, indent=False, exact=None
            ).paragraph_format.space_before = Pt(8)
        elif b.kind == "p":
            para = writer._para(b.text, size=SIZE_TEXT, exact=None)
            para.paragraph_format.first_line_indent = Pt(2 * SIZE_TEXT)
            para.paragraph_format.space_after = Pt(3)
        elif b.kind == "table":
            writer.table(b.table)
            writer._para(size=4, exact=None)
    props = writer.doc.core_properties
    props.title = title
    buffer = io.BytesIO()
    writer.doc.save(buffer)
    return buffer.getvalue()


def _html(blocks: list[Block], fonts) -> str:
    from html import escape

    from pipelines.lib.bulletin.fonts import PAGE_MM

    css = f"""
@page {{ size: A4; margin: {PAGE_MM["top"] - 12}mm {PAGE_MM["right"]}mm {PAGE_MM["bottom"] - 10}mm {PAGE_MM["left"]}mm;
        @bottom-center {{ content: "- " counter(page) " -"; font-family: {fonts.css_stack("body")}; font-size: 10pt; }} }}
body {{ font-family: {fonts.css_stack("body")}; font-size: {SIZE_TEXT}pt; line-height: 1.6; }}
h1.title {{ font-family: {fonts.css_stack("title")}; font-size: {SIZE_TITLE_SPEC}pt; text-align: center; margin: 0 0 4pt; }}
p.subtitle {{ font-family: {fonts.css_stack("kai")}; text-align: center; text-indent: 0; margin-bottom: 14pt; }}
h2 {{ font-family: {fonts.css_stack("heading")}; font-size: {SIZE_H1}pt; font-weight: normal; margin: 14pt 0 4pt; }}
h3 {{ font-family: {fonts.css_stack("kai")}; font-size: {SIZE_TEXT + 1}pt; margin: 10pt 0 2pt; }}
p {{ text-indent: 2em; margin: 0 0 3pt; }}
table {{ border-collapse: collapse; width: 100%; font-size: {SIZE_CELL}pt; line-height: 1.35; margin: 4pt 0 8pt; }}
th, td {{ border: 0.5pt solid #000; padding: 2pt 3pt; vertical-align: top; }}
th {{ font-family: {fonts.css_stack("heading")}; font-weight: normal; background: #eee; }}
thead {{ display: table-header-group; }}
tr {{ page-break-inside: avoid; }}
"""
    out = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><style>{css}</style></head><body>"]
    for b in blocks:
        if b.kind == "title":
            out.append(f"<h1 class='title'>{escape(b.text)}</h1>")
        elif b.kind == "subtitle":
            out.append(f"<p class='subtitle'>{escape(b.text)}</p>")
        elif b.kind == "h1":
            out.append(f"<h2>{escape(b.text)}</h2>")
        elif b.kind == "h2":
            out.append(f"<h3>{escape(b.text)}</h3>")
        elif b.kind == "p":
            out.append(f"<p>{escape(b.text)}</p>")
        elif b.kind == "table":
            t = b.table
            total = sum(t.widths)
            cols = "".join(f"<col style='width:{100 * w / total:.1f}%'>" for w in t.widths)
            head = "".join(f"<th>{escape(h)}</th>" for h in t.headers)
            rows = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in t.rows)
            out.append(f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    out.append("</body></html>")
    return "".join(out)


def build_spec(profile, fmt: str) -> bytes:
    """数据报送规范 as "docx" or "pdf" bytes, from the contracts and `profile`."""
    if fmt not in ("docx", "pdf"):
        raise ValueError(f"格式应为 docx 或 pdf，而不是 {fmt!r}")
    blocks = spec_content(profile)
    fonts = _fonts(profile)
    if fmt == "docx":
        return _docx(blocks, fonts, blocks[0].text)
    from weasyprint import HTML  # pango and friends: only when a PDF is made

    return HTML(string=_html(blocks, fonts)).write_pdf()


def spec_filename(profile, fmt: str) -> str:
    return f"{profile.config['county']['name']}安全生产数据报送规范.{fmt}"
