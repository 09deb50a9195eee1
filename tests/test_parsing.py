"""Typed parsing of what senders write: every date form, numbers, townships, codes."""

import datetime as dt

import polars as pl
import pytest

from pipelines.lib.contracts import get_contract
from pipelines.lib.parsing import parse_rows
from pipelines.lib.profile import load_profile


def parse(feed: str, **columns: list[str | None]) -> pl.DataFrame:
    contract = get_contract(feed)
    n = len(next(iter(columns.values())))
    frame = pl.DataFrame(
        {c: columns.get(c, [None] * n) for c in contract.names}, schema={c: pl.String for c in contract.names}
    )
    return parse_rows(frame.with_row_index("_rid"), contract, load_profile().township_lookup())


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023-04-03", dt.date(2023, 4, 3)),
        ("2023/4/3", dt.date(2023, 4, 3)),
        ("2023年4月3日", dt.date(2023, 4, 3)),
        ("20230403", dt.date(2023, 4, 3)),
        ("45019", dt.date(2023, 4, 3)),  # Excel serial: 1899-12-30 + 45019 days
        ("２０２３-０４-０３", dt.date(2023, 4, 3)),  # full-width digits
        ("2023.4.3", dt.date(2023, 4, 3)),
        (" 2023-04-03 ", dt.date(2023, 4, 3)),
        ("2023-02-30", None),  # no such day
        ("04/03/2023", None),  # month-first is not a form of feeds.md
        ("下周一", None),
    ],
)
def test_date_forms(text, expected):
    out = parse("hazards", found_on=[text])
    assert out["found_on"][0] == expected
    assert out["found_on__raw"][0] == text.strip()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023年5月8日 10:20", dt.datetime(2023, 5, 8, 10, 20)),
        ("2023/5/21 16:05", dt.datetime(2023, 5, 21, 16, 5)),
        ("2023-05-21 16:05:30", dt.datetime(2023, 5, 21, 16, 5, 30)),
        ("2023-05-21", dt.datetime(2023, 5, 21)),
        ("45054.5", dt.datetime(2023, 5, 8, 12, 0)),  # Excel serial with a fraction of a day
        ("2023-05-21 25:00", None),
    ],
)
def test_timestamp_forms(text, expected):
    assert parse("accidents", occurred_at=[text])["occurred_at"][0] == expected


@pytest.mark.parametrize(
    "text, expected",
    [("1,050", 1050), ("１２", 12), ("2.0", 2), (" 3 ", 3), ("-1", -1), ("2.5", None), ("x", None), ("1，050", 1050)],
)
def test_int_with_full_width_digits_and_thousands(text, expected):
    assert parse("accidents", deaths=[text])["deaths"][0] == expected


def test_num_values():
    out = parse("accidents", direct_loss_10k_cny=["1,050.5", "１２.５", ".5", "1e3"])
    assert out["direct_loss_10k_cny"].to_list() == [1050.5, 12.5, 0.5, None]


@pytest.mark.parametrize(
    "text, code",
    [
        ("玉潭街道", "430182001"),
        ("玉潭", "430182001"),
        ("430182001", "430182001"),
        ("４３０１８２００１", "430182001"),
        ("430124105", "430182105"),  # pre-2017 county code
        ("430182102.0", "430182102"),  # typed into a number cell
        ("枫木桥乡", "430182109"),  # merged into 灰汤镇 in 2015
        ("枫木桥", "430182109"),
        ("沩 山 乡", "430182218"),
        ("长沙县", None),
        ("430124999", None),  # an old code with no current township
    ],
)
def test_township_resolution(text, code):
    assert parse("hazards", township=[text])["township"][0] == code


def test_codes_are_folded_and_upper_cased():
    out = parse("hazards", credit_code=["９１４３０１８２ma4p0123kg "], phone=["137 0000 0000"])
    assert out["credit_code"][0] == "91430182MA4P0123KG"
    assert out["phone"][0] == "13700000000"
