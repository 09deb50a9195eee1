"""Assemble a publication's content as plain data (JSON-serialisable dicts and lists).

Everything a reader sees is decided here: the sections in the order of a Chinese
bulletin, the sentences with the numbers in them, and the tables. The renderers (PDF,
DOCX, XLSX) only lay it out, so the three files always say the same thing, and the
content itself is archived (content.json) beside each issued version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import polars as pl

from pipelines.lib.bulletin import queries, sections
from pipelines.lib.bulletin.periods import PeriodInfo, cn_date, cn_range, period_info
from pipelines.lib.bulletin.settings import COMPONENTS, KIND_CN, PublicationSettings
from pipelines.lib.bulletin.wording import NONE, STATUS_CN, fmt_num, fmt_value, movement_text, pct_text, target_text

SCHEMA_VERSION = 1
# Numbers of the Chinese section headings and sub-headings.
_CN_NUM = "一二三四五六七八九十"


def build_content(
    con: duckdb.DuckDBPyConnection,
    period: str,
    settings: PublicationSettings,
    today: dt.date,
    brief: bool = False,
    home=None,
) -> dict[str, Any]:
    """Everything the bulletin of ``period`` shows, read from the marts as they stand.
    brief: the shorter wording publish.py falls back to when a 周通报 would not fit on
    MAX_PAGES (sentences count what the attached XLSX lists); home: where the risk
    warnings' acknowledgements are kept."""
    info = period_info(period)
    ranking = queries.ranking(con, info.label)
    first = ranking.row(0, named=True)
    as_of: dt.date = first["as_of"]
    is_complete = bool(first["is_complete"])
    scoreboard = queries.scoreboard(con, as_of)
    figures = queries.figures(con, info.kind, info.label)
    hazards = queries.supervised_hazards(con, as_of)
    quality = queries.data_quality(con, info.kind, info.label)
    quality_source = "mart" if figures["has_reporting"] else "none"

    ranking_rows = _ranking_rows(ranking)
    scoreboard_rows = _scoreboard_rows(scoreboard)
    hazard_rows = _hazard_rows(hazards)
    quality_rows = _quality_rows(quality)
    named = [r for r in ranking_rows if r["named"]]
    # the mart's red list already excludes the named (ranking.md); the bulletin re-checks,
    # since praising and criticising one township in one document is the worst error it can make
    red_list = [r["township_name"] for r in ranking_rows if r["red_list"] and not r["named"]]
    issue_date = info.issue_date() if is_complete else today
    problems = [r for r in quality_rows if sections.has_reporting_problem(r)]
    attachments = _attachments(info, as_of, hazard_rows, problems)
    refer = sections.Refer(attachments)

    period_block = {
        "kind": info.kind,
        "label": info.label,
        "name_cn": info.name_cn,
        "this_cn": info.this_cn,
        "start": info.start.isoformat(),
        "end": info.end.isoformat(),
        "range_cn": cn_range(info.start, info.end),
        "is_complete": is_complete,
        "as_of": as_of.isoformat(),
        "as_of_cn": cn_date(as_of),
    }
    document = _document(info, settings, issue_date)
    # The sections in the order of the 通报; a new one (e.g. 风险预警) is one more entry here.
    body = [
        sections.overview(info, as_of, is_complete, figures, scoreboard_rows, refer, brief),
        sections.ranking_section(info, ranking_rows, red_list, named, refer, brief),
        sections.hazard_section(info, as_of, figures, hazard_rows, refer),
        _risk(con, as_of, home, brief),
        sections.reporting_section(info, quality_rows, figures, refer, settings.county, brief),
        sections.requirements(info, named, hazard_rows),
    ]
    for number, section in enumerate(body):
        section["heading"] = f"{_CN_NUM[number]}、{section['heading']}"
    return {
        "schema": SCHEMA_VERSION,
        "brief": brief,
        "county": settings.county,
        "bureau": settings.bureau,
        "period": period_block,
        "document": document,
        "components": [
            {"key": key, "label": label, "max": settings.weights.get(weight_key)}
            for key, weight_key, label in COMPONENTS
        ],
        "sections": body,
        "attachments": attachments,
        "list_titles": _list_titles(info, as_of),
        "ranking": ranking_rows,
        "red_list": red_list,
        "named": [
            {
                k: r[k]
                for k in (
                    "rank",
                    "township_code",
                    "township_name",
                    "total",
                    "vetoed",
                    "veto_reason",
                    "weakest_component_label",
                    "weakest_component_lost",
                )
            }
            for r in named
        ],
        "scoreboard": scoreboard_rows,
        "supervised_hazards": hazard_rows,
        "data_quality": {
            "source": quality_source,
            "rows": quality_rows,
            "problems": problems,
        },
        "figures": {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in figures.items()},
    }


def _risk(con: duckdb.DuckDBPyConnection, as_of: dt.date, home, brief: bool = False) -> dict[str, Any]:
    """四、风险预警: levels as of the bulletin's date; unacknowledged warnings as of the end of
    that day (a warning issued later is not yet in it)."""
    used, levels = queries.risk_levels(con, as_of)
    overdue: list[dict] = []
    if home is not None:
        from pipelines.lib.risk_warnings import unacknowledged_overdue

        end_of_day = dt.datetime.combine(as_of, dt.time(23, 59, 59))
        overdue = [r for r in unacknowledged_overdue(con, home, end_of_day).to_dicts()]
    return sections.risk_section(used, levels, overdue, brief)


# ---------------------------------------------------------------- document frame


def _document(info: PeriodInfo, settings: PublicationSettings, issue_date: dt.date) -> dict[str, Any]:
    kind_cn = KIND_CN[info.kind]
    if info.kind == "week":
        words = [info.name_cn, "全市", "安全生产", "工作情况的", "周通报"]
        matter = f"{info.name_cn}（{cn_range(info.start, info.end)}）全市安全生产工作情况"
    elif info.kind == "month":
        words = [info.name_cn, "乡镇（街道）", "安全生产", "工作的", "月排名通报"]
        matter = f"{info.name_cn}乡镇（街道）安全生产工作考核排名情况"
    else:
        words = [info.name_cn, "乡镇（街道）", "安全生产", "工作的", "季考核通报"]
        matter = f"{info.name_cn}乡镇（街道）安全生产工作考核结果"
    segments = [settings.bureau, "关于", *words]
    intro = f"现将{matter}通报如下："
    return {
        "kind_cn": kind_cn,
        "issuer_mark": f"{settings.bureau}文件",
        "doc_number": f"{settings.doc_codes[info.kind]}〔{info.year}〕{info.number}号",
        "title_lines": title_lines(segments),
        "title": "".join(segments),
        "recipients": f"{settings.recipients}：",
        "intro": intro,
        "signature": settings.bureau,
        "issue_date": issue_date.isoformat(),
        "issue_date_cn": cn_date(issue_date),
        "cc": f"抄送：{settings.cc}。",
        "printer": settings.printer,
        "printed_cn": f"{cn_date(issue_date)}印发",
        "file_stem": f"{info.label}_{settings.county}安全生产{kind_cn}",
    }


TITLE_CHARS_PER_LINE = 19  # 2号 (22 pt) characters on the 156 mm type area, with a margin


def title_lines(segments: list[str], width: int = TITLE_CHARS_PER_LINE) -> list[str]:
    """Break a title between its words into the fewest lines that fit, as even as possible,
    the longer line first when they differ (the 梯形 GB/T 9704 recommends)."""
    import itertools

    for count in range(1, len(segments) + 1):
        best = None
        for cuts in itertools.combinations(range(1, len(segments)), count - 1):
            bounds = [0, *cuts, len(segments)]
            lines = ["".join(segments[a:b]) for a, b in zip(bounds, bounds[1:])]
            if max(len(line) for line in lines) > width:
                continue
            key = (max(len(line) for line in lines), [-len(line) for line in lines])
            if best is None or key < best[0]:
                best = (key, lines)
        if best is not None:
            return best[1]
    return ["".join(segments)]


# A 周通报 is read in five minutes: its body and ranking table fit on 4 A4 pages, so the
# week's PDF attaches the ranking table only and every list goes to the XLSX. A month or a
# quarter also attaches the scoreboard, and a list only when it is short enough to print.
ATTACHED_TABLES = {
    "week": ("ranking",),
    "month": ("ranking", "scoreboard", "hazards", "reporting"),
    "quarter": ("ranking", "scoreboard", "hazards", "reporting"),
}
MAX_PRINTED_LIST_ROWS = 15
MAX_PAGES = {"week": 4}  # pages of a PDF (body, ranking table, 版记); a month or quarter may run longer


def _list_titles(info: PeriodInfo, as_of: dt.date) -> dict[str, str]:
    """The title of each table, in the PDF and DOCX when attached, in the XLSX always."""
    return {
        "ranking": f"{info.name_cn}乡镇（街道）考核排名表",
        "scoreboard": f"主要指标完成情况表（截至{cn_date(as_of)}）",
        "hazards": f"重大及挂牌督办隐患清单（截至{cn_date(as_of)}）",
        "reporting": f"{info.name_cn}数据报送问题单位名单",
    }


def _attachments(info: PeriodInfo, as_of: dt.date, hazards: list[dict], problems: list[dict]) -> list[dict[str, str]]:
    titles = _list_titles(info, as_of)
    rows = {"hazards": len(hazards), "reporting": len(problems)}
    return [
        {"key": key, "title": titles[key]}
        for key in ATTACHED_TABLES[info.kind]
        if rows.get(key, 0) <= MAX_PRINTED_LIST_ROWS
    ]


# ---------------------------------------------------------------- tables


def _ranking_rows(frame: pl.DataFrame) -> list[dict]:
    rows = []
    for r in frame.iter_rows(named=True):
        row = {
            "rank": int(r["rank"]),
            "movement_raw": r["movement"],
            "movement": movement_text(r["movement"]),
            "township_code": r["township_code"],
            "township_name": r["township_name"],
            "total_raw": r["total"],
            "total": fmt_num(r["total"]),
            "band": r["band"],
            "vetoed": bool(r["vetoed"]),
            "veto_reason": r["veto_reason"],
            "veto": f"是（{r['veto_reason']}）" if r["vetoed"] else NONE,
            "red_list": bool(r["red_list"]),
            "named": bool(r["named"]),
            "weakest_component_label": r["weakest_component_label"],
            "weakest_component_lost": r["weakest_component_lost"],
            "accidents": r["accidents"],
            "deaths": r["deaths"],
            "forest_fires": r["forest_fires"],
        }
        for key, _, _ in COMPONENTS:
            row[f"{key}_raw"] = r[key]
            row[key] = fmt_num(r[key])
        rows.append(row)
    return rows


def _scoreboard_rows(frame: pl.DataFrame) -> list[dict]:
    rows = []
    for r in frame.iter_rows(named=True):
        unit = r["unit"]
        rows.append(
            {
                "metric_id": r["metric_id"],
                "label": r["label"],
                "unit": unit,
                "value_raw": r["value"],
                "ly_value_raw": r["ly_value"],
                "target_raw": r["target"],
                "target_kind": r["target_kind"],
                "status_raw": r["status"],
                "status": r["status"],
                "value": fmt_value(r["value"], unit),
                "ly_value": fmt_value(r["ly_value"], unit),
                "change_text": r["change_text"] or NONE,
                "target": target_text(r["target"], r["target_kind"], unit),
                "status_cn": STATUS_CN.get(r["status"], NONE),
            }
        )
    return rows


def _hazard_rows(frame: pl.DataFrame) -> list[dict]:
    rows = []
    for r in frame.iter_rows(named=True):
        rows.append(
            {
                "hazard_id": r["hazard_id"],
                "township_code": r["township_code"],
                "township_name": r["township_name"],
                "enterprise_name": r["enterprise_name"],
                "sector": r["sector"],
                "level": r["level"],
                "is_supervised": r["is_supervised"],
                "description": r["description"],
                "found_on": r["found_on"].isoformat() if r["found_on"] else None,
                "deadline": r["deadline"].isoformat() if r["deadline"] else None,
                "is_overdue": bool(r["is_overdue"]),
                "days_overdue": int(r["days_overdue"] or 0),
                "days_open": r["days_open"],
                "funds_10k_cny": r["funds_10k_cny"],
            }
        )
    return rows


def _quality_rows(frame: pl.DataFrame) -> list[dict]:
    rows = []
    for r in frame.iter_rows(named=True):
        row = dict(r)
        row["pass_rate_text"] = pct_text(r["pass_rate"])
        row["on_time_rate_text"] = pct_text(r["on_time_rate"])
        rows.append(row)
    return rows
