"""Great Expectations suites built from a feed contract, run once per feed per run.

Every rule of a contract becomes one expectation tagged with (rule, column) in its meta,
so each failing row maps back to the cell and the Chinese reason. GX validates the
in-memory frame (pandas data source): GX over DuckDB via SQLAlchemy is unreliable
upstream (stack-facts). GX takes seconds to import, so it is imported only here, lazily.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from pipelines.lib.contracts import Column, Contract

log = logging.getLogger(__name__)

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z).
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
# GB 11643-1999: 17 digits and a check character 0-9 or X.
RIC_PATTERN = r"^\d{17}[0-9X]$"
# An 11-digit mobile number, or a landline with area code (0731-87654321).
PHONE_PATTERN = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"
FORMAT_PATTERNS = {"uscc": USCC_PATTERN, "ric": RIC_PATTERN, "phone": PHONE_PATTERN}


@dataclass(frozen=True)
class PlannedCheck:
    """One expectation: GX class name, its arguments, and the rule / column it enforces."""

    rule: str
    column: str
    expectation: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    # Rows the expectation applies to: {"column": value} equalities, or {"column": NOT_NULL}.
    condition: dict[str, Any] = field(default_factory=dict)


@functools.lru_cache(maxsize=1 << 20)
def _check_character_ok(kind: str, value: str) -> bool:
    """Only the check character, via python-stdnum: real residents' numbers carry county
    codes that no longer exist (430124 is Ningxiang before 2017), which a stricter
    validation (stdnum's validate) would reject."""
    from stdnum.cn import ric, uscc

    try:
        if kind == "uscc":
            return uscc.calc_check_digit(value[:17]) == value[17]
        return ric.calc_check_digit(value) == value[17]
    except (ValueError, IndexError):
        return False


def add_check_flags(frame: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """``c__check_ok`` per check-character column: computed on distinct well-formed values."""
    for column in contract.columns:
        if column.check not in ("uscc", "ric"):
            continue
        values = frame.get_column(column.name).drop_nulls().unique()
        well_formed = values.filter(values.str.contains(FORMAT_PATTERNS[column.check]))
        bad = [v for v in well_formed.to_list() if not _check_character_ok(column.check, v)]
        frame = frame.with_columns((~pl.col(column.name).is_in(bad)).fill_null(True).alias(f"{column.name}__check_ok"))
    return frame


class _NotNull:
    """A condition's value meaning "the column is not null". Pickled by name, so it is still
    the same object in the validation worker (pipelines/lib/gx_process.py)."""

    def __reduce__(self) -> str:
        return "NOT_NULL"

    def __repr__(self) -> str:
        return "NOT_NULL"


NOT_NULL = _NotNull()


def _when(conditions: dict[str, Any]) -> dict[str, Any]:
    """Row condition on the text as sent: only rows where every column equals its value."""
    return {"condition": {f"{col}__raw": value for col, value in conditions.items()}}


def _gx_condition(condition: dict[str, Any]):
    from great_expectations.expectations.row_conditions import Column as GXColumn

    parts = [
        GXColumn(name).is_not_null() if value is NOT_NULL else GXColumn(name) == value
        for name, value in condition.items()
    ]
    combined = parts[0]
    for part in parts[1:]:
        combined = combined & part
    return combined


def _column_checks(column: Column, now: dt.datetime, known_refs: dict[str, list[str]]) -> list[PlannedCheck]:
    name, raw = column.name, f"{column.name}__raw"
    checks: list[PlannedCheck] = []

    def add(rule: str, expectation: str, condition: dict[str, Any] | None = None, **kwargs: Any) -> None:
        checks.append(PlannedCheck(rule, name, expectation, kwargs, condition or {}))

    if column.required:
        add("required", "ExpectColumnValuesToNotBeNull", column=raw)
    if column.type in ("int", "num", "date", "ts"):
        # typed null while the text is present: the text could not be read as this type
        add("format", "ExpectColumnValuesToNotBeNull", column=name, condition={raw: NOT_NULL})
    if column.type == "township":
        add("township", "ExpectColumnValuesToNotBeNull", column=name, condition={raw: NOT_NULL})
    if column.type == "enum":
        add("enum", "ExpectColumnValuesToBeInSet", column=name, value_set=list(column.values))
    if column.check in FORMAT_PATTERNS:
        add("format", "ExpectColumnValuesToMatchRegex", column=name, regex=FORMAT_PATTERNS[column.check])
    if column.check in ("uscc", "ric"):
        add("check_digit", "ExpectColumnValuesToBeInSet", column=f"{name}__check_ok", value_set=[True])
    if column.is_numeric:
        if column.gt is not None:
            add("range", "ExpectColumnValuesToBeBetween", column=name, min_value=column.gt, strict_min=True)
        else:  # feeds.md: int and num are >= 0 unless stated
            add("range", "ExpectColumnValuesToBeBetween", column=name, min_value=0)
    if column.not_future:
        add("future", "ExpectColumnValuesToBeBetween", column=name, max_value=now)
    if column.gte:
        add(
            "order",
            "ExpectColumnPairValuesAToBeGreaterThanB",
            column_A=name,
            column_B=column.gte,
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        )
    if column.lte:
        add(
            "order",
            "ExpectColumnPairValuesAToBeGreaterThanB",
            column_A=column.lte,
            column_B=name,
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        )
    if column.required_when:
        add("conditional", "ExpectColumnValuesToNotBeNull", column=raw, **_when(column.required_when))
    if column.positive_when:
        add("conditional", "ExpectColumnValuesToNotBeNull", column=raw, **_when(column.positive_when))
        add(
            "conditional",
            "ExpectColumnValuesToBeBetween",
            column=name,
            min_value=0,
            strict_min=True,
            **_when(column.positive_when),
        )
    if column.references and known_refs.get(column.references["feed"]):
        add("reference", "ExpectColumnValuesToBeInSet", column=name, value_set=known_refs[column.references["feed"]])
    return checks


def plan_checks(
    contract: Contract, now: dt.datetime, known_refs: dict[str, list[str]] | None = None
) -> list[PlannedCheck]:
    """The suite for a feed. ``known_refs`` holds the ids of referenced registers; a
    reference is checked only when its register has been received (an empty register
    would quarantine every row for a file the sender could not have fixed)."""
    known_refs = known_refs or {}
    checks = [c for column in contract.columns for c in _column_checks(column, now, known_refs)]
    checks.append(
        PlannedCheck(
            "duplicate_id",
            contract.record_id,
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["_file_key", contract.record_id], "ignore_row_if": "any_value_is_missing"},
        )
    )
    return checks


def _gx_context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, context


# pandas nanosecond timestamps cover these years; GX compares datetime64[ns] columns in one
# vectorised operation but maps any other resolution value by value in Python.
NS_SAFE = (dt.datetime(1678, 1, 1), dt.datetime(2262, 1, 1))


def _columns_used(checks: list[PlannedCheck]) -> set[str]:
    used = {"_rid"}
    for check in checks:
        used |= {check.kwargs[k] for k in ("column", "column_A", "column_B") if k in check.kwargs}
        used |= set(check.kwargs.get("column_list", ()))
        used |= set(check.condition)
    return used


def _for_gx(frame: pl.DataFrame, checks: list[PlannedCheck]):
    """The pandas frame GX validates: only the columns the suite reads (GX copies the whole
    frame for every row condition and every unexpected-row lookup), repetitive texts as
    categories, dates and times as nanosecond timestamps when they fit (same values,
    vectorised comparisons)."""
    used = _columns_used(checks)
    frame = frame.select([c for c in frame.columns if c in used])
    casts = []
    for name, dtype in frame.schema.items():
        # a repetitive text column (levels, yes/no, townships) as a pandas category: GX's row
        # filters copy codes instead of strings; every expectation reads it the same
        if dtype == pl.String and frame.height >= 1000 and frame.get_column(name).n_unique() * 4 < frame.height:
            casts.append(pl.col(name).cast(pl.Categorical))
        if dtype == pl.Date or isinstance(dtype, pl.Datetime):
            low, high = frame.select(pl.col(name).min().alias("low"), pl.col(name).max().alias("high")).row(0)
            low = low if low is None or isinstance(low, dt.datetime) else dt.datetime.combine(low, dt.time())
            high = high if high is None or isinstance(high, dt.datetime) else dt.datetime.combine(high, dt.time())
            if (low is None or low >= NS_SAFE[0]) and (high is None or high < NS_SAFE[1]):
                casts.append(pl.col(name).cast(pl.Datetime("ns")))
    return frame.with_columns(casts).to_pandas()


def run_checks(frame: pl.DataFrame, contract: Contract, checks: list[PlannedCheck]) -> pl.DataFrame:
    """Validate ``frame`` (with a unique ``_rid``) and return one row per failing cell:
    _rid, column, rule. An expectation that errors (rather than fails) is a broken system."""
    empty = pl.DataFrame(schema={"_rid": pl.UInt32, "column": pl.String, "rule": pl.String})
    if frame.is_empty():
        return empty
    import great_expectations.expectations as gxe

    gx, context = _gx_context()
    source = context.data_sources.add_pandas(f"ledgers_{contract.feed}")
    batch_definition = source.add_dataframe_asset(contract.feed).add_batch_definition_whole_dataframe("run")
    expectations = []
    for i, check in enumerate(checks):
        expectation_class = getattr(gxe, check.expectation)
        extra = {"row_condition": _gx_condition(check.condition)} if check.condition else {}
        expectations.append(expectation_class(**check.kwargs, **extra, meta={"check": i}))
    suite = gx.ExpectationSuite(name=f"{contract.feed}_contract", expectations=expectations)
    # Batch.validate, not a stored ValidationDefinition: the failing cells go to
    # meta.quarantine, and storing GX's own copy of every unexpected index (serialised to
    # JSON) cost ~8 % of the validation on a 250,000-row batch.
    batch = batch_definition.get_batch(batch_parameters={"dataframe": _for_gx(frame, checks)})
    result = batch.validate(
        suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["_rid"]}
    )
    failures: list[dict[str, Any]] = []
    for outcome in result.results:
        check = checks[outcome.expectation_config.meta["check"]]
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"Great Expectations could not evaluate {check.expectation} on {contract.feed}.{check.column}: "
                f"{outcome.exception_info.get('exception_message')}"
            )
        if outcome.success:
            continue
        for hit in outcome.result.get("unexpected_index_list") or []:
            failures.append({"_rid": int(hit["_rid"]), "column": check.column, "rule": check.rule})
    if not failures:
        return empty
    return pl.DataFrame(failures, schema=empty.schema).unique(maintain_order=True)
