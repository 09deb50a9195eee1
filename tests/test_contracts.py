"""The contracts are the only list of columns: the dbt side is generated from them."""

import pytest
import yaml

from pipelines.lib import dbt_codegen
from pipelines.lib.contracts import load_contracts, parse_contract
from pipelines.lib.masking import mask
from pipelines.paths import DBT_PROJECT_DIR


def test_generated_dbt_files_match_the_contracts():
    stale = [
        str(p)
        for p, text in dbt_codegen.rendered(DBT_PROJECT_DIR).items()
        if not p.exists() or p.read_text("utf-8") != text
    ]
    assert not stale, f"run `safetywh dbt-codegen`: {stale}"


def test_all_eleven_feeds_of_feeds_md_have_a_contract():
    assert sorted(load_contracts()) == sorted(
        [
            "enterprises",
            "accidents",
            "hazards",
            "inspections",
            "forest_fires",
            "flood_transfers",
            "relief",
            "drills",
            "rescue_teams",
            "reserve_depots",
            "plans",
        ]
    )


def test_personal_columns_are_flagged():
    personal = {f: c.personal for f, c in load_contracts().items() if c.personal}
    assert personal == {"hazards": ["responsible_person", "phone"], "relief": ["person_name", "id_number"]}


@pytest.mark.parametrize(
    "broken, message",
    [
        ({"record_id": "nope"}, "record_id nope is not a column"),
        ({"cadence": "daily"}, "unknown cadence"),
        ({"columns": [{"name": "a", "header": "甲", "type": "float"}]}, "unknown type"),
        ({"columns": [{"name": "a", "header": "甲", "type": "enum"}]}, "lists no values"),
        ({"columns": [{"name": "a", "header": "甲", "type": "date", "gte": "b"}]}, "refers to unknown column b"),
        ({"columns": [{"name": "a", "header": "甲", "type": "text"}]}, "record_id a must be required"),
    ],
)
def test_a_broken_contract_is_refused_with_a_clear_error(broken, message):
    doc = {
        "feed": "x",
        "label": "测试",
        "owners": [],
        "cadence": "weekly",
        "record_id": "a",
        "columns": [{"name": "a", "header": "甲", "type": "text", "required": True}],
        **broken,
    }
    with pytest.raises(ValueError, match=message):
        parse_contract(doc, vocab={})


@pytest.mark.parametrize(
    "value, masked",
    [
        ("43012419800101123X", "4301**********123X"),
        ("13712345678", "137****5678"),
        ("0731-87654321", "073******4321"),
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        (None, None),
    ],
)
def test_masking(value, masked):
    assert mask(value) == masked


def test_contract_files_are_valid_yaml_with_unique_headers():
    for contract in load_contracts().values():
        headers = [c.header for c in contract.columns]
        assert len(headers) == len(set(headers)), contract.feed
    assert yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["name"] == "safetywh"
