"""How numbers are written in a Chinese bulletin: figures, year-on-year wording, lists.

The wording of a change (持平 / 去年同期无 / 上升x.x% / 下降x.x%) is computed once, in dbt
(macros/numbers.sql change_text, read from marts.bulletin_figures and the scoreboard);
this module only strings those phrases into a sentence, so it says what the scoreboard says.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

STATUS_CN = {"met": "达标", "on_track": "受控", "at_risk": "有风险", "breached": "未达标"}
NONE = "—"


def round_half_up(value: float, digits: int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def fmt_num(value: float | int | None, digits: int = 2) -> str:
    """A figure with a fixed number of decimals; — when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NONE
    if digits == 0:
        return str(int(round_half_up(float(value), 0)))
    return f"{round_half_up(float(value), digits):.{digits}f}"


def fmt_count(value: float | int | None) -> str:
    return fmt_num(value, 0)


# One rule for the decimals of every figure people read (bulletins and the CLI's tables),
# so a column never mixes 96.2, 97.57 and 100: scores (total and components) 2 decimals,
# as ranking.md rounds them; percentages 1 decimal, as kpis.md words a change; counts
# whole; a ‰ rate 4 decimals (0.9‰ of the county's forest is 0.0155‰ for one fire);
# amounts (万元) 2 decimals.
SCORE_DIGITS = 2
PCT_DIGITS = 1
COUNT_UNITS = ("起", "人", "个", "项", "次", "件")


def digits_for_unit(unit: str | None) -> int:
    """Decimals of a figure in ``unit`` (the rule above)."""
    if unit in COUNT_UNITS:
        return 0
    if unit == "%":
        return PCT_DIGITS
    return 4 if unit == "‰" else 2


def fmt_value(value: float | None, unit: str | None, with_unit: bool = True) -> str:
    text = fmt_num(value, digits_for_unit(unit))
    return text if text == NONE or not with_unit or not unit else f"{text}{unit}"


def yoy_clause(changes: list[tuple]) -> str:
    """The 同比 clause for figures said together, each (change_text, value[, unit]) with the
    change_text a mart computed (macro change_text: 持平 / 去年同期无 / 上升x.x% / 下降x.x%,
    None or — when a side is unknown); this only words them together:
    同比分别下降33.3%、持平 / 与去年同期持平 / 同比下降50.0% / 同比分别增加2起（去年同期为零）、持平."""
    phrases = []
    for phrase, value, *unit in changes:
        if phrase == "去年同期无":
            phrase = f"增加{fmt_num(value, 0)}{unit[0] if unit else ''}（去年同期为零）"
        phrases.append(phrase or NONE)
    if all(p == NONE for p in phrases):
        return "无去年同期数据可比"
    phrases = ["无可比数据" if p == NONE else p for p in phrases]
    if all(p == "持平" for p in phrases):
        return "与去年同期持平"
    for verb in ("上升", "下降"):  # 同比分别下降66.7%、80.0%: the verb is said once
        if len(phrases) > 1 and all(p.startswith(verb) for p in phrases):
            return f"同比分别{verb}" + "、".join(p[len(verb) :] for p in phrases)
    return ("同比" if len(phrases) == 1 else "同比分别") + "、".join(phrases)


def join_cn(items: Iterable[str], empty: str = "无") -> str:
    """A、B、C — the enumeration comma of Chinese lists."""
    items = [i for i in items if i]
    return "、".join(items) if items else empty


def movement_text(movement: int | None) -> str:
    """Table cell of a rank change: ↑3 / ↓2 / 持平 / — (no previous ranking)."""
    if movement is None:
        return NONE
    if movement > 0:
        return f"↑{movement}"
    if movement < 0:
        return f"↓{-movement}"
    return "持平"


def target_text(target: float | None, kind: str | None, unit: str | None) -> str:
    """≤0.8起 / ≥90% / ≤0.9‰: a target is written with no trailing zeros."""
    if target is None or kind is None:
        return NONE
    sign = "≤" if kind == "at_most" else "≥"
    if kind == "at_most" and target == 0:
        sign = ""  # 目标0起, not ≤0起
    text = fmt_num(target, max(digits_for_unit(unit), 2))
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{sign}{text}{unit or ''}"


def pct_text(share: float | None, digits: int = 1) -> str:
    """A 0-1 share as a percentage, — when it has no denominator."""
    return NONE if share is None else f"{fmt_num(share * 100, digits)}%"
