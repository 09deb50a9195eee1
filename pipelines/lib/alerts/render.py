"""Render alert texts from the Jinja2 templates in pipelines/templates/alerts.

Python only prepares data; every sentence a clerk reads is in a template. The filters
format times the way a Chinese office writes them (2023年4月10日 12:00).
"""

from __future__ import annotations

import datetime as dt
import functools
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from pipelines.lib.alerts import wording


def _template_dir() -> Path:
    return Path(str(resources.files("pipelines").joinpath("templates", "alerts")))


def cn_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    clock = f"{value.hour:02d}:{value.minute:02d}" + (f":{value.second:02d}" if value.second else "")
    return f"{cn_date(value)} {clock}"


def cn_due(value: dt.datetime | None) -> str:
    """A deadline: the last on-time instant. End of day reads as the day itself."""
    if value is None:
        return "—"
    if (value.hour, value.minute, value.second) == (23, 59, 59):
        return f"{cn_date(value)}（含当日）"
    return cn_datetime(value)


def cn_duration(seconds: int | float | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{minutes}分钟" if minutes else f"{hours}小时"
    if minutes:
        return f"{minutes}分钟"
    return f"{secs}秒"


def as_text(value: Any) -> markupsafe.Markup:
    """Escape a macro's output in the HTML template. Jinja marks what a macro returns as
    safe when an autoescaping template calls it, although _macros.j2 (shared with the
    plain-text templates) does not escape what it interpolates."""
    return markupsafe.escape(str(value))


def iso_week(period: str | None) -> tuple[int, int] | None:
    """'2023-W14' -> (2023, 14)."""
    if not period or "-W" not in period:
        return None
    year, week = period.split("-W")
    return int(year), int(week)


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_template_dir())),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        cn_date=cn_date,
        cn_datetime=cn_datetime,
        cn_due=cn_due,
        cn_duration=cn_duration,
        text=as_text,
        rule_name=wording.rule_name,
        rule_fix=wording.rule_fix,
        rejection_fix=wording.rejection_fix,
    )
    env.globals.update(iso_week=iso_week, deadline_rules=wording.DEADLINE_RULES)
    return env


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


def render_line(name: str, **context: Any) -> str:
    """A one-line text (a subject, a resolution): whitespace collapsed."""
    return " ".join(render(name, **context).split())
