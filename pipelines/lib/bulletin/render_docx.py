"""DOCX: the content laid out with python-docx after GB/T 9704-2012.

Word picks a CJK character's face from w:eastAsia, not from the font name python-docx
sets (w:ascii/w:hAnsi), and a theme font (w:eastAsiaTheme) overrides both; so every
style and every run names its face in all four slots and theme fonts are removed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from pipelines.lib.bulletin.fonts import (
    LINE_PITCH,
    PAGE_MM,
    RED,
    SIZE_BODY,
    SIZE_HEADER,
    SIZE_PAGE_NUMBER,
    SIZE_TABLE,
    SIZE_TABLE_TITLE,
    SIZE_TITLE,
    Fonts,
)
from pipelines.lib.bulletin.tables import Table, build_table

RED_RGB = RGBColor.from_string(RED.lstrip("#"))
THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
TYPE_WIDTH_MM = PAGE_MM["width"] - PAGE_MM["left"] - PAGE_MM["right"]


def set_language(rpr) -> None:
    """zh-CN for East Asian text: a CJK font collection then shows its simplified-Chinese forms."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def set_font(rpr_owner, face: str) -> None:
    """Name ``face`` in w:ascii, w:hAnsi, w:eastAsia and w:cs of a run's or style's rPr."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in THEME_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), face)


class DocxWriter:
    def __init__(self, content: dict[str, Any], fonts: Fonts):
        self.c = content
        self.fonts = fonts
        self.doc = Document()
        self._setup_page()
        self._setup_styles()

    # ------------------------------------------------------------ page, styles, footers

    def _setup_page(self) -> None:
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(PAGE_MM["width"]), Mm(PAGE_MM["height"])
        section.top_margin, section.bottom_margin = Mm(PAGE_MM["top"]), Mm(PAGE_MM["bottom"])
        section.left_margin, section.right_margin = Mm(PAGE_MM["left"]), Mm(PAGE_MM["right"])
        # the page number sits 7 mm under the type area (GB/T 9704 7.5)
        section.footer_distance = Mm(PAGE_MM["bottom"] - 7 - 6)
        self.doc.settings.odd_and_even_pages_header_footer = True
        self._page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
        self._page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)

    def _page_number(self, footer, align) -> None:
        """- 1 -: odd pages at the right, even pages at the left, one character in."""
        para = footer.paragraphs[0]
        para.alignment = align
        fmt = para.paragraph_format
        fmt.first_line_indent = Pt(0)
        indent = Pt(SIZE_PAGE_NUMBER)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            fmt.right_indent = indent
        else:
            fmt.left_indent = indent
        self._run(para, "- ", self.fonts.body, SIZE_PAGE_NUMBER)
        run = self._run(para, "", self.fonts.body, SIZE_PAGE_NUMBER)
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            elif text.strip() == "PAGE":
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            else:
                el = OxmlElement("w:t")
                el.text = text
            run._r.append(el)
        self._run(para, " -", self.fonts.body, SIZE_PAGE_NUMBER)

    def _setup_styles(self) -> None:
        styles = self.doc.styles
        # document defaults: no theme fonts anywhere
        defaults = styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            for fonts in defaults.iter(qn("w:rFonts")):
                for attr in THEME_ATTRS:
                    fonts.attrib.pop(qn(attr), None)
                for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                    fonts.set(qn(slot), self.fonts.body)
            for rpr in defaults.iter(qn("w:rPr")):
                set_language(rpr)
        normal = styles["Normal"]
        set_font(normal.element, self.fonts.body)
        set_language(normal.element.get_or_add_rPr())
        normal.font.size = Pt(SIZE_BODY)
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(LINE_PITCH)
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.first_line_indent = Pt(2 * SIZE_BODY)
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        # every style of the template, so nothing Word shows falls back to a theme font
        for style in styles:
            if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE):
                heading = style.name.startswith(("Heading", "Title", "Subtitle"))
                set_font(style.element, self.fonts.heading if heading else self.fonts.body)

    def _run(self, para, text: str, face: str, size: float, bold: bool = False, color: RGBColor | None = None):
        run = para.add_run(text)
        set_font(run._r, face)
        run.font.size = Pt(size)
        run.font.bold = bold
        if color is not None:
            run.font.color.rgb = color
        return run

    def _para(
        self,
        text: str = "",
        *,
        face: str | None = None,
        size: float = SIZE_BODY,
        bold: bool = False,
        align=None,
        indent: bool = True,
        color: RGBColor | None = None,
        exact: float | None = LINE_PITCH,
    ):
        para = self.doc.add_paragraph()
        fmt = para.paragraph_format
        if not indent:
            fmt.first_line_indent = Pt(0)
        if align is not None:
            para.alignment = align
        if exact is None:
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        else:
            fmt.line_spacing = Pt(exact)
        if text:
            self._run(para, text, face or self.fonts.body, size, bold, color)
        return para

    # ------------------------------------------------------------ parts of the document

    def masthead(self) -> None:
        doc = self.c["document"]
        # 35 mm between the top of the type area and the issuer mark
        self._para(exact=None, indent=False).paragraph_format.space_before = Mm(35 - 6)
        mark = self._para(
            doc["issuer_mark"],
            face=self.fonts.title,
            size=SIZE_HEADER,
            bold=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            indent=False,
            color=RED_RGB,
            exact=None,
        )
        mark.runs[0].font.spacing = Pt(2)
        self._para(indent=False)
        self._para(indent=False)
        number = self._para(doc["doc_number"], align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        self._bottom_border(number, RED.lstrip("#"), 12)  # the red rule, 1.5 pt
        self._para(indent=False)
        title = self._para(indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, exact=SIZE_TITLE * 1.5)
        for i, line in enumerate(doc["title_lines"]):
            run = self._run(title, line, self.fonts.title, SIZE_TITLE, bold=True)
            if i < len(doc["title_lines"]) - 1:
                run.add_break()
        self._para(indent=False)
        self._para(doc["recipients"], indent=False)
        self._para(doc["intro"])

    @staticmethod
    def _bottom_border(para, color: str, size_eighths: int) -> None:
        ppr = para._p.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", str(size_eighths)), ("w:space", "6"), ("w:color", color)):
            bottom.set(qn(key), value)
        borders.append(bottom)
        ppr.append(borders)

    def body(self) -> None:
        for section in self.c["sections"]:
            self._para(section["heading"], face=self.fonts.heading)
            for p in section["paragraphs"]:
                para = self._para()
                if p["lead"]:
                    self._run(para, p["lead"], self.fonts.kai, SIZE_BODY)
                self._run(para, p["text"], self.fonts.body, SIZE_BODY)

    def attachment_list_and_signature(self) -> None:
        self._para()
        for i, a in enumerate(self.c["attachments"], 1):
            para = self._para(("附件：" if i == 1 else "") + f"{i}.{a['title']}")
            # every item aligned after "附件：" (two characters in, three wide), wrapped lines too
            para.paragraph_format.left_indent = Pt(5 * SIZE_BODY)
            para.paragraph_format.first_line_indent = Pt(-3 * SIZE_BODY if i == 1 else 0)
        self._para()
        self._para()
        doc = self.c["document"]
        date_width = _em_width(doc["issue_date_cn"])
        sig = self._para(doc["signature"], align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        sig.paragraph_format.right_indent = Pt(
            SIZE_BODY * (4 + max(0.0, (date_width - _em_width(doc["signature"])) / 2))
        )
        date = self._para(doc["issue_date_cn"], align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        date.paragraph_format.right_indent = Pt(SIZE_BODY * 4)

    def attachments(self) -> None:
        for i, a in enumerate(self.c["attachments"], 1):
            mark = self._para(f"附件{i}", face=self.fonts.heading, indent=False)
            mark.paragraph_format.page_break_before = True
            self._para(
                a["title"],
                face=self.fonts.title,
                size=SIZE_TABLE_TITLE,
                bold=True,
                align=WD_ALIGN_PARAGRAPH.CENTER,
                indent=False,
                exact=SIZE_TABLE_TITLE * 1.6,
            )
            table = build_table(a["key"], self.c)
            if table.rows:
                self.table(table)
            self._para(table.note, size=SIZE_TABLE, indent=False, exact=SIZE_TABLE * 1.6)

    def table(self, spec: Table) -> None:
        headers, widths, rows, bold_rows, size = spec.headers, spec.widths, spec.rows, spec.bold_rows, spec.font_size
        table = self.doc.add_table(rows=1 + len(rows), cols=len(headers))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        total = sum(widths)
        col_widths = [Mm(TYPE_WIDTH_MM * w / total) for w in widths]
        # fixed layout with the grid set: Word and LibreOffice both keep these widths
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        table._tbl.tblPr.append(layout)
        for col, width in zip(table.columns, col_widths):
            col.width = width
        margins = OxmlElement("w:tblCellMar")  # narrow cell margins (Word's default is 1.9 mm)
        for side in ("w:left", "w:right"):
            el = OxmlElement(side)
            el.set(qn("w:w"), "40")
            el.set(qn("w:type"), "dxa")
            margins.append(el)
        table._tbl.tblPr.append(margins)
        for r, values in enumerate([headers, *rows]):
            row = table.rows[r]
            if r == 0:  # repeat the header row on every page the table runs over
                header = OxmlElement("w:tblHeader")
                row._tr.get_or_add_trPr().append(header)
            for col, value in enumerate(values):
                cell = row.cells[col]
                cell.width = col_widths[col]
                para = cell.paragraphs[0]
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                fmt = para.paragraph_format
                fmt.first_line_indent = Pt(0)
                fmt.line_spacing = Pt(round(size * 1.45, 1))  # CJK fonts' own line height is too loose here
                face = self.fonts.heading if r == 0 else self.fonts.body
                for k, part in enumerate(str(value).split("\n")):
                    run = self._run(para, part, face, size, bold=(r - 1) in bold_rows)
                    if k < str(value).count("\n"):
                        run.add_break()

    def colophon(self) -> None:
        """版记: 抄送 and 印发 between rules, at the end of the document."""
        doc = self.c["document"]
        self._para()
        cc = self._para(doc["cc"], size=SIZE_PAGE_NUMBER, indent=False)
        cc.paragraph_format.left_indent = Pt(SIZE_PAGE_NUMBER)
        ppr = cc._p.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        for side, size in (("w:top", 8), ("w:bottom", 4)):
            el = OxmlElement(side)
            for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", "000000")):
                el.set(qn(key), value)
            borders.append(el)
        ppr.append(borders)
        printed = self._para(size=SIZE_PAGE_NUMBER, indent=False)
        printed.paragraph_format.left_indent = Pt(SIZE_PAGE_NUMBER)
        printed.paragraph_format.tab_stops.add_tab_stop(
            Mm(TYPE_WIDTH_MM) - Pt(2 * SIZE_PAGE_NUMBER), WD_TAB_ALIGNMENT.RIGHT
        )
        self._run(printed, doc["printer"], self.fonts.body, SIZE_PAGE_NUMBER)
        self._run(printed, "\t" + doc["printed_cn"], self.fonts.body, SIZE_PAGE_NUMBER)
        self._bottom_border(printed, "000000", 8)

    def write(self, target: Path) -> Path:
        self.masthead()
        self.body()
        self.attachment_list_and_signature()
        self.attachments()
        self.colophon()
        props = self.doc.core_properties
        props.title = self.c["document"]["title"]
        props.author = self.c["bureau"]
        props.subject = self.c["document"]["doc_number"]
        props.keywords = f"{self.c['document']['kind_cn']} {self.c['period']['label']}"
        self.doc.save(str(target))
        return target


def _em_width(text: str) -> float:
    """Width in characters of 3号: CJK full width, digits and Latin half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def write_docx(content: dict[str, Any], fonts: Fonts, target: Path) -> Path:
    return DocxWriter(content, fonts).write(target)
