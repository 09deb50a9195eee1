"""Feed contracts: the single declaration of every feed's columns and rules.

Parsing, the Great Expectations suites, the dbt sources and the error messages all
derive from the YAML files in ``pipelines/contracts``; nothing else lists columns.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

TYPES = {"text", "code", "int", "num", "date", "ts", "enum", "township"}
CADENCES = {"weekly", "event", "register", "relief"}
# DuckDB type of the loaded (typed) value per contract type.
DUCKDB_TYPES = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "enum": "VARCHAR",
    "township": "VARCHAR",  # the resolved township code
    "int": "BIGINT",
    "num": "DOUBLE",
    "date": "DATE",
    "ts": "TIMESTAMP",  # wall-clock Asia/Shanghai, as senders write it
}


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    type: str
    required: bool = False
    values: tuple[str, ...] = ()
    check: str | None = None  # uscc | ric | phone
    personal: bool = False
    not_future: bool = False
    gte: str | None = None  # this column >= that column
    lte: str | None = None  # this column <= that column
    gt: float | None = None  # strictly greater than (default bound for int/num is >= 0)
    required_when: dict[str, str] = field(default_factory=dict)
    positive_when: dict[str, str] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)
    # other spellings that load as a value (feeds.md "Synonyms": 重大隐患 -> 重大, √ -> 是)
    synonyms: dict[str, str] = field(default_factory=dict)
    description: str = ""

    @property
    def unit(self) -> str | None:
        """The unit a number column is written in, from its header: 整改资金(万元) -> 万元."""
        found = re.search(r"[(（]([^()（）]+)[)）]\s*$", self.header)
        return found.group(1) if found and self.is_numeric else None

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]

    @property
    def is_numeric(self) -> bool:
        return self.type in ("int", "num")


@dataclass(frozen=True)
class Contract:
    feed: str
    label: str
    description: str
    owners: tuple[str, ...]
    cadence: str
    record_id: str
    columns: tuple[Column, ...]
    event_time: str | None = None

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.feed} has no column {name!r}")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    @property
    def personal(self) -> list[str]:
        return [c.name for c in self.columns if c.personal]


def _vocabularies() -> dict[str, list[str] | dict]:
    text = resources.files("pipelines.contracts").joinpath("_vocabularies.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _column(feed: str, raw: dict[str, Any], vocab: dict[str, list[str]]) -> Column:
    raw = dict(raw)
    if raw.get("type") not in TYPES:
        raise ValueError(f"contract {feed}: column {raw.get('name')} has unknown type {raw.get('type')!r}")
    values = raw.pop("values", ())
    synonyms = dict(raw.pop("synonyms", None) or {})
    if isinstance(values, str) and values.startswith("@"):
        shared = vocab[values[1:]]
        if isinstance(shared, dict):  # a value set with its synonyms
            synonyms = {**shared.get("synonyms", {}), **synonyms}
            shared = shared["values"]
        values = shared
    if raw["type"] == "enum" and not values:
        raise ValueError(f"contract {feed}: enum column {raw['name']} lists no values")
    synonyms = {str(k): str(v) for k, v in synonyms.items()}  # YAML reads Y / No as booleans unless quoted
    wrong = {k: v for k, v in synonyms.items() if v not in values}
    if wrong:
        raise ValueError(f"contract {feed}: column {raw['name']} has synonyms for unknown values {wrong}")
    return Column(values=tuple(values), synonyms=synonyms, **raw)


def parse_contract(doc: dict[str, Any], vocab: dict[str, list[str]] | None = None) -> Contract:
    vocab = vocab if vocab is not None else _vocabularies()
    feed = doc["feed"]
    columns = tuple(_column(feed, c, vocab) for c in doc["columns"])
    names = {c.name for c in columns}
    if doc["record_id"] not in names:
        raise ValueError(f"contract {feed}: record_id {doc['record_id']} is not a column")
    if doc["cadence"] not in CADENCES:
        raise ValueError(f"contract {feed}: unknown cadence {doc['cadence']!r}")
    for c in columns:
        for other in (c.gte, c.lte, *c.required_when, *c.positive_when):
            if other and other not in names:
                raise ValueError(f"contract {feed}: column {c.name} refers to unknown column {other}")
    if not next(c for c in columns if c.name == doc["record_id"]).required:
        # a row without its id is quarantined; staging selects new versions by id
        # (macros/stage_ledger.sql), which a null would slip through
        raise ValueError(f"contract {feed}: record_id {doc['record_id']} must be required")
    return Contract(
        feed=feed,
        label=doc["label"],
        description=doc.get("description", ""),
        owners=tuple(doc.get("owners", ())),
        cadence=doc["cadence"],
        record_id=doc["record_id"],
        columns=columns,
        event_time=doc.get("event_time"),
    )


@functools.cache
def load_contracts() -> dict[str, Contract]:
    """All feed contracts shipped with the package, by feed name, in a stable order."""
    vocab = _vocabularies()
    out: dict[str, Contract] = {}
    folder = resources.files("pipelines.contracts")
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml") and not entry.name.startswith("_"):
            contract = parse_contract(yaml.safe_load(entry.read_text("utf-8")), vocab)
            out[contract.feed] = contract
    return out


def get_contract(feed: str) -> Contract:
    contracts = load_contracts()
    if feed not in contracts:
        raise KeyError(f"unknown feed {feed!r}; known feeds: {', '.join(contracts)}")
    return contracts[feed]


def ingestion_order() -> list[Contract]:
    """Contracts with every referenced register before the feeds that refer to it
    (drills.team_id is checked against rescue_teams)."""
    contracts = load_contracts()
    ordered: list[Contract] = []

    def visit(contract: Contract) -> None:
        if contract in ordered:
            return
        for column in contract.columns:
            if column.references:
                visit(contracts[column.references["feed"]])
        ordered.append(contract)

    for contract in contracts.values():
        visit(contract)
    return ordered
