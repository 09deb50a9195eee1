"""PDF: the content through a Jinja2 HTML template, typeset by weasyprint, which shapes the
Chinese text and embeds subsets of the fonts (stack-facts: reportlab cannot embed Noto CJK)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

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
from pipelines.lib.bulletin.tables import build_table

# Columns set flush left (names and descriptions); the rest are centred.
TEXT_COLUMNS = {"scoreboard": [1], "hazards": [3, 4], "reporting": [1]}
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "bulletin"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html.j2"]),
        undefined=jinja2.StrictUndefined,  # a missing field is a bug, not an empty cell
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(content: dict[str, Any], fonts: Fonts) -> str:
    env = _environment()
    css = env.get_template("bulletin.css.j2").render(
        page=PAGE_MM,
        red=RED,
        fonts={role: fonts.css_stack(role) for role in ("title", "body", "heading", "kai")},
        sizes={
            "header": SIZE_HEADER,
            "title": SIZE_TITLE,
            "body": SIZE_BODY,
            "line": LINE_PITCH,
            "page_number": SIZE_PAGE_NUMBER,
            "table": SIZE_TABLE,
            "table_title": SIZE_TABLE_TITLE,
        },
    )
    tables = {a["key"]: build_table(a["key"], content) for a in content["attachments"]}
    return env.get_template("bulletin.html.j2").render(c=content, css=css, tables=tables, text_columns=TEXT_COLUMNS)


def write_pdf(content: dict[str, Any], fonts: Fonts, target: Path) -> Path:
    # weasyprint imports pango and friends: only when a PDF is made.
    from weasyprint import HTML

    html = render_html(content, fonts)
    HTML(string=html, base_url=str(TEMPLATES)).write_pdf(str(target))
    return target


def page_count(content: dict[str, Any], fonts: Fonts) -> int:
    """How many pages the PDF of ``content`` has (laid out, not written)."""
    from weasyprint import HTML

    return len(HTML(string=render_html(content, fonts), base_url=str(TEMPLATES)).render().pages)
