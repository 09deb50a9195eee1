"""The county profile's schema (pydantic), checked before a run: one Chinese message per problem.

What is checked: every section and setting the pipeline and dbt read is present and typed
(a weight is a number, a deadline day a whole number in range), the ranking weights sum
to 100 (ranking.md), the bands run from a floor of 0, the time zone exists, the registers
(CSV files) exist with their columns, and no unknown key hides in ``county``,
``targets``, ``ranking``, ``deadlines``, ``ingest`` or ``calendar`` (a misspelt key would silently fall back).
Other top-level sections (``alerts``, ``publications``, ...) are read where they are used.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Number = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Strict = ConfigDict(extra="forbid", strict=False)


class County(BaseModel):
    model_config = Strict
    code: str
    name: str
    bureau: str | None = None
    timezone: str
    legacy_code_prefixes: dict[str, str] = {}
    # names a township cell may carry before the township (宁乡县; 湖南省, 长沙市)
    former_names: list[str] = []
    within: list[str] = []

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"时区“{value}”不存在（应为 IANA 时区名，如 Asia/Shanghai）") from exc
        return value


class Contacts(BaseModel):
    model_config = ConfigDict(extra="allow")
    data_team: str | None = None
    leadership: list[str] = []


class Targets(BaseModel):
    model_config = Strict
    accidents_max_ratio_of_ly: Number
    accident_deaths_max_ratio_of_ly: Number
    major_accidents_max: Number
    zero_sector_breaches_max: Number
    major_forest_fires_max: Number
    forest_fire_damage_permille_max: Number
    relief_coverage_pct_min: Number
    team_training_coverage_pct_min: Number
    depots_completed_min: Number
    plan_filing_pct_min: Number
    major_hazard_rectification_pct_min: Number
    major_hazards_overdue_max: Number
    high_risk_dual_prevention_pct_min: Number


class Weights(BaseModel):
    model_config = Strict
    accidents: Number
    hazards: Number
    enforcement: Number
    preparedness: Number
    reporting: Number


class Points(BaseModel):
    model_config = Strict
    depot: Number
    plan: Number
    drill: Number


class Band(BaseModel):
    model_config = Strict
    min: Number
    label: str


class Ranking(BaseModel):
    model_config = Strict
    weights: Weights
    accident_penalty_per_accident: Number
    accident_penalty_per_death: Number
    hazard_penalty_per_overdue_major: Number
    inspections_per_7_days: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    preparedness_points: Points
    drill_lookback_days: Annotated[int, Field(ge=1)]
    bands: Annotated[list[Band], Field(min_length=1)]
    veto_label: str
    veto_grades: list[str]
    named_lowest_distinct_ranks: Annotated[int, Field(ge=0)]

    @model_validator(mode="after")
    def _sums(self) -> Ranking:
        total = sum(self.weights.model_dump().values())
        if abs(total - 100) > 1e-9:
            raise ValueError(f"ranking.weights 五项权重之和应为 100，当前为 {total:g}")
        if min(b.min for b in self.bands) != 0:
            raise ValueError("ranking.bands 中最低一档的 min 应为 0（每个总分都要落在某一档）")
        return self


class Weekly(BaseModel):
    model_config = Strict
    weekday: Annotated[int, Field(ge=1, le=7)]
    hour: Annotated[int, Field(ge=0, le=23)]


class Deadlines(BaseModel):
    model_config = Strict
    weekly: Weekly
    event_hours: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    register_day: Annotated[int, Field(ge=1, le=28)]
    relief_day: Annotated[int, Field(ge=1, le=28)]
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    township_feeds: list[str] = []

    @field_validator("window_start", "window_end", mode="before")
    @classmethod
    def _empty(cls, value: Any) -> Any:
        return None if value in ("", None) else value


class Ingest(BaseModel):
    """Reading within a file (pipelines/lib/ingest.py): rows parsed, validated and appended
    ``chunk_rows`` at a time (the peak memory of a run is set by it, not by the largest
    file); a text file above ``max_text_file_mb`` is rejected unread."""

    model_config = Strict
    chunk_rows: Annotated[int, Field(ge=1000, le=5_000_000)] = 100_000
    max_text_file_mb: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1024


class Calendar(BaseModel):
    """The dates the daily marts span: fixed here, not derived from the ledgers, so a new
    file moves only the marts that read its ledger (a fact date past the horizon is
    reported by the dbt test assert_fact_dates_within_calendar)."""

    model_config = Strict
    start: dt.date
    horizon: dt.date

    @model_validator(mode="after")
    def _order(self) -> Calendar:
        if self.horizon < self.start:
            raise ValueError(f"calendar.horizon（{self.horizon}）应不早于 calendar.start（{self.start}）")
        return self


class ProfileFile(BaseModel):
    model_config = ConfigDict(extra="allow")
    county: County
    townships_file: str
    township_aliases_file: str
    departments_file: str
    contacts: Contacts = Contacts()
    targets: Targets
    ranking: Ranking
    deadlines: Deadlines
    ingest: Ingest = Ingest()
    calendar: Calendar


# Columns each register must have (the code reads them by these names).
REGISTER_COLUMNS = {
    "townships_file": (
        "township_code",
        "township_name",
        "short_name",
        "kind",
        "forest_area_ha",
        "population",
        "alert_email",
    ),
    "township_aliases_file": ("alias", "township_code"),
    "departments_file": ("sender_code", "name", "feeds", "alert_email"),
}
NUMERIC_COLUMNS = {"townships_file": {"forest_area_ha": pl.Float64, "population": pl.Int64}}

_TYPE_WORDS = {
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "dict_type": "应为一组键值",
    "model_type": "应为一组键值（小节）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "finite_number": "应为有限的数字",
}


def _where(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "profile.yaml"


def _message(error: dict) -> str:
    where, kind, ctx = _where(error["loc"]), error["type"], error.get("ctx") or {}
    shown = repr(error.get("input")) if not isinstance(error.get("input"), dict) else "一个小节"
    if kind == "missing":
        return f"缺少设置 {where}"
    if kind == "extra_forbidden":
        return f"未知的设置 {where}（拼写错误？）"
    if kind in _TYPE_WORDS:
        return f"{where} {_TYPE_WORDS[kind]}，当前为 {shown}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {
            "greater_than_equal": "不小于",
            "greater_than": "大于",
            "less_than_equal": "不大于",
            "less_than": "小于",
        }
        bound = next(iter(ctx.values()))
        bound = int(bound) if isinstance(bound, float) and bound.is_integer() else bound
        return f"{where} 应{words[kind]} {bound}，当前为 {shown}"
    if kind == "too_short":
        return f"{where} 不能为空"
    if kind == "value_error":
        text = str(ctx.get("error") or error["msg"])
        return f"{where}：{text}" if error["loc"] and not text.startswith(_where(error["loc"])) else text
    return f"{where} 的取值无效（{error['msg']}），当前为 {shown}"


def validate_config(config: Any, folder: Path) -> list[str]:
    """Every problem of ``profile.yaml`` (parsed) and its registers, in Chinese; [] when valid."""
    if not isinstance(config, dict):
        return ["profile.yaml 应为 YAML 键值（county:、ranking: 等小节），当前内容不是"]
    problems: list[str] = []
    try:
        ProfileFile.model_validate(config)
    except ValidationError as exc:
        problems += [_message(e) for e in exc.errors(include_url=False)]
    for key, columns in REGISTER_COLUMNS.items():
        name = config.get(key)
        if not isinstance(name, str):
            continue  # reported above
        path = folder / name
        if not path.is_file():
            problems.append(f"{key} 指向的文件不存在：{path}")
            continue
        try:
            frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
        except Exception as exc:  # noqa: BLE001 - any unreadable CSV is one problem
            problems.append(f"{name} 无法读取（应为 UTF-8 编码的 CSV）：{type(exc).__name__}")
            continue
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            problems.append(f"{name} 缺少列：{'、'.join(missing)}")
        for column, dtype in NUMERIC_COLUMNS.get(key, {}).items():
            if column in frame.columns:
                bad = frame.with_row_index("_line", offset=2).filter(
                    pl.col(column).is_not_null() & pl.col(column).cast(dtype, strict=False).is_null()
                )
                if bad.height:  # _line: the line in the file, the header being line 1
                    problems.append(f"{name} 的 {column} 列应为数字，第 {bad['_line'][0]} 行为 {bad[column][0]!r}")
    return problems
