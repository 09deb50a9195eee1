"""One registry of the Chinese labels users read (CLI, dashboards, bulletins, templates).

    feed_label("hazards")                    -> "隐患排查治理台账"      (contract `label`)
    column_label("hazards", "found_on")      -> "排查日期"            (contract `header`)
    feed_from_text("隐患") / ("hazards")     -> "hazards"  (canonical name, Chinese label or a
                                                 unique part of it; else LabelError in Chinese)
    feed_names() / feed_choices_text()       -> the canonical names / "hazards（隐患排查治理台账）、…"
    mart_column_label("township_rankings", "total") -> "总分": dbt `meta.label` of the mart column
                                                 (or the contract header of the feed the model
                                                 passes through, model `meta.feed`), else None
    headers(["rank", "total"], model="township_rankings") -> {"rank": "排名", "total": "总分"}
                                                 (a table's headers; LabelError for a column
                                                 without a label)
    word("status", "loaded")                 -> "已入库"   (pipelines/vocabulary.yaml)
    value_text(True) / value_text(None)      -> "是" / "—"
    rule_label("enum"), rejection_label("no_rows") -> the rule's / rejection's Chinese name
                                                 (they live beside the rules, pipelines/lib/rules.py)
    sender_from_text(profile, "玉潭街道")     -> "430182001" (code, name or short name)
    label_frame(frame, feed=None, model=None) -> a polars frame with Chinese headers and values,
                                                 for a table a person reads (json keeps canonical names)

Sources: the feed contracts are THE list of ledger columns; the marts' dbt yml (`meta: {label}`)
for mart columns; pipelines/vocabulary.yaml for everything else. Nothing here lists a column.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pipelines.lib.contracts import load_contracts


class LabelError(ValueError):
    """A name the user typed that names nothing (message in Chinese)."""


# ------------------------------------------------------------------ feeds and their columns


def feed_names() -> list[str]:
    return list(load_contracts())


def feed_label(feed: str) -> str:
    return load_contracts()[feed].label


def column_label(feed: str, column: str) -> str:
    return load_contracts()[feed].column(column).header


def feed_choices_text() -> str:
    return "、".join(f"{c.feed}（{c.label}）" for c in load_contracts().values())


def feed_from_text(text: str) -> str:
    """The canonical feed name for what a user typed: the name, the Chinese label, or a part of
    the label that names one feed only (隐患 -> hazards)."""
    contracts = load_contracts()
    typed = (text or "").strip()
    if typed in contracts:
        return typed
    lowered = typed.lower()
    if lowered in contracts:
        return lowered
    for c in contracts.values():
        if typed == c.label:
            return c.feed
    hits = [c.feed for c in contracts.values() if typed and typed in c.label]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise LabelError(f"“{typed}”可指多个数据类别：{'、'.join(f'{h}（{feed_label(h)}）' for h in hits)}，请写完整")
    raise LabelError(f"未知的数据类别“{typed}”。可用的数据类别：{feed_choices_text()}")


def sender_from_text(profile, text: str) -> str:
    """A sender code for a code, full name or short name of a department or township."""
    typed = (text or "").strip()
    if typed in profile.sender_codes:
        return typed
    import polars as pl

    for frame, code in ((profile.departments, "sender_code"), (profile.townships, "township_code")):
        name = "name" if "name" in frame.columns else "township_name"
        hit = frame.filter((pl.col(name) == typed) | (pl.col("short_name") == typed))
        if hit.height == 1:
            return hit[code][0]
    raise LabelError(
        f"未知的报送单位“{typed}”：请填写部门代码（如 YJJ）或乡镇（街道）统计区划代码（如 430182001）、全称或简称"
    )


# ------------------------------------------------------------------ vocabulary


@functools.cache
def _vocabulary() -> dict[str, dict[str, str]]:
    text = resources.files("pipelines").joinpath("vocabulary.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def word(group: str, key: str, default: str | None = None) -> str:
    """A word of pipelines/vocabulary.yaml; an unknown key is the key itself (or `default`)."""
    found = _vocabulary().get(group, {}).get(str(key))
    if found is not None:
        return found
    return key if default is None else default


def words(group: str) -> dict[str, str]:
    return dict(_vocabulary().get(group, {}))


def value_text(value: Any) -> str:
    if value is None:
        return word("value", "null")
    if isinstance(value, bool):
        return word("value", "true" if value else "false")
    return str(value)


def rule_label(rule: str) -> str:
    from pipelines.lib.rules import ROW_RULES

    return ROW_RULES[rule][0] if rule in ROW_RULES else rule


def rejection_label(code: str) -> str:
    from pipelines.lib.rules import FILE_REJECTIONS

    return FILE_REJECTIONS.get(code, code)


# ------------------------------------------------------------------ mart columns (dbt meta)


def _meta(node: dict) -> dict:
    return node.get("meta") or (node.get("config") or {}).get("meta") or {}


@functools.cache
def _marts() -> dict[str, tuple[str | None, dict[str, str]]]:
    """model -> (the feed whose contract labels its pass-through columns, `meta: {feed}`;
    {column: `meta: {label}`}) from the marts' yml."""
    from pipelines.paths import DBT_PROJECT_DIR

    marts: dict[str, tuple[str | None, dict[str, str]]] = {}
    for path in sorted(Path(DBT_PROJECT_DIR, "models", "marts").rglob("*.yml")):
        doc = yaml.safe_load(path.read_text("utf-8")) or {}
        for model in doc.get("models", []) or []:
            columns = {c["name"]: _meta(c)["label"] for c in model.get("columns", []) or [] if _meta(c).get("label")}
            marts[model["name"]] = (_meta(model).get("feed"), columns)
    return marts


@functools.cache
def _mart_units() -> dict[tuple[str, str], str]:
    """(model, column) -> `meta: {unit}` (起, 人, 项 …) from the marts' yml."""
    from pipelines.paths import DBT_PROJECT_DIR

    units: dict[tuple[str, str], str] = {}
    for path in sorted(Path(DBT_PROJECT_DIR, "models", "marts").rglob("*.yml")):
        doc = yaml.safe_load(path.read_text("utf-8")) or {}
        for model in doc.get("models", []) or []:
            for column in model.get("columns", []) or []:
                if _meta(column).get("unit"):
                    units[(model["name"], column["name"])] = _meta(column)["unit"]
    return units


def mart_column_unit(model: str, column: str) -> str:
    """The unit a mart column's figure is written with (its yml `meta: {unit}`); LabelError
    when it has none, so a page never invents one."""
    try:
        return _mart_units()[(model, column)]
    except KeyError:
        raise LabelError(f"{model}.{column} 没有单位（dbt meta.unit）") from None


def mart_labels() -> set[str]:
    """Every label the marts' yml give (for the guards: no page, renderer or CLI writes one)."""
    return {label for _, columns in _marts().values() for label in columns.values()}


def mart_column_label(model: str, column: str) -> str | None:
    """The Chinese label of a mart column: its yml `meta: {label}`, else the contract header
    of the feed the model passes through (`meta: {feed}`); None if neither."""
    feed, columns = _marts().get(model, (None, {}))
    if column in columns:
        return columns[column]
    if feed:
        contract = load_contracts()[feed]
        if column in contract.names:
            return contract.column(column).header
    return None


# ------------------------------------------------------------------ frames for people


def header_for(column: str, feed: str | None = None, model: str | None = None) -> str:
    """The Chinese header of a table column: the feed contract's, the mart's, the vocabulary's;
    else the name itself."""
    if feed:
        contract = load_contracts().get(feed)
        if contract and column in contract.names:
            return contract.column(column).header
    if model:
        label = mart_column_label(model, column)
        if label:
            return label
    return word("column", column)


def headers(columns, model: str | None = None, feed: str | None = None) -> dict[str, str]:
    """{column: Chinese header} in the given order, for a table a page or a bulletin shows;
    LabelError when the registry has no label for one (a column added to a page without its
    `meta: {label}` fails the page's test, not a reader's eyes)."""
    found: dict[str, str] = {}
    for column in columns:
        label = header_for(column, feed, model)
        if label == column and column not in words("column"):
            raise LabelError(f"“{column}”没有中文标题：请在 {model or feed} 的 meta.label（或 vocabulary.yaml）中补上")
        found[column] = label
    return found


def label_frame(frame, feed: str | None = None, model: str | None = None):
    """A copy of `frame` for a person: Chinese headers; feed, status and rule values in Chinese;
    booleans 是/否; nulls —."""
    import polars as pl

    contracts = load_contracts()
    feeds = {name: c.label for name, c in contracts.items()}
    from pipelines.lib.rules import ROW_RULES

    replace = {
        "feed": feeds,
        "status": words("status"),
        "rule": {k: v[0] for k, v in ROW_RULES.items()},
    }
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if name in replace:
            col = col.replace(replace[name])
        if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
            col = col.dt.strftime("%Y-%m-%d %H:%M:%S")  # wall clock to the second, as people write it
        if dtype == pl.Boolean:
            col = pl.when(col).then(pl.lit(word("value", "true"))).otherwise(pl.lit(word("value", "false")))
            col = pl.when(pl.col(name).is_null()).then(pl.lit(None)).otherwise(col)
        exprs.append(col.cast(pl.String).fill_null(word("value", "null")).alias(name))
    out = frame.select(exprs) if exprs else frame
    return out.rename({name: header_for(name, feed, model) for name in frame.columns})
