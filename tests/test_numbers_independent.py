"""The marts against an independent implementation of ranking.md and kpis.md
(tests/independent.py), on generated data the hand-made tests never saw."""

import datetime as dt

import duckdb
import pytest

from pipelines.lib.numbers import NumbersError, ranking, scoreboard
from tests import independent

pytestmark = pytest.mark.slow
PERIODS = [
    "2022-W01",
    "2022-W40",
    "2023-W14",
    "2023-W31",
    "2023-W52",
    "2022-01",
    "2022-07",
    "2023-04",
    "2023-12",
    "2022-Q1",
    "2022-Q3",
    "2023-Q2",
    "2023-Q4",
]
DATES = [dt.date(2022, 6, 30), dt.date(2023, 4, 9), dt.date(2023, 9, 30), dt.date(2023, 12, 31)]


@pytest.fixture(scope="module")
def con(generated_home):
    with duckdb.connect(str(generated_home / "published" / "warehouse.duckdb"), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def data(con):
    return independent.load(con)


@pytest.mark.parametrize("label", PERIODS)
def test_ranking_matches_the_independent_implementation(con, data, label):
    expected = independent.ranking(data, label)
    mart = {row["township_code"]: row for row in ranking(con, label).to_dicts()}
    assert len(mart) == 29
    for code, want in expected.items():
        got = mart[code]
        for key in ("s_acc", "s_haz", "s_enf", "s_prep", "s_rep", "total"):
            assert independent.close(got[key], want[key]), (label, code, key, got[key], want[key])
        assert (got["vetoed"], got["rank"], got["band"], got["named"], got["red_list"], got["inspection_quota"]) == (
            want["vetoed"],
            want["rank"],
            want["band"],
            want["named"],
            want["red_list"],
            want["quota"],
        ), (label, code)
    assert not any(r["red_list"] and r["named"] for r in mart.values()), label  # never praised and named


def test_a_period_before_the_data_is_not_ranked(con, data):
    """ranking.md: the week of 2021-12-27 (the data starts on 2022-01-01) is not ranked."""
    assert not independent.is_ranked(data, "2021-W52") and independent.is_ranked(data, "2022-W01")
    assert con.execute("select count(*) from marts.township_rankings where period = '2021-W52'").fetchall() == [(0,)]
    with pytest.raises(NumbersError, match="不参与排名"):
        ranking(con, "2021-W52")


@pytest.mark.parametrize("as_of", DATES)
def test_scoreboard_matches_the_independent_implementation(con, data, as_of):
    expected = independent.ytd_metrics(data, as_of)
    board = {row["metric_id"]: row for row in scoreboard(con, as_of).to_dicts()}
    assert len(board) == 19
    for metric, value in expected.items():
        assert independent.close(board[metric]["value"], value), (as_of, metric, board[metric]["value"], value)
    # the control line: floor of 80% of last year's same period (none when it lies before the data)
    last_year = (
        independent.ytd_metrics(data, as_of.replace(year=as_of.year - 1))
        if as_of.year - 1 >= independent.data_start(data).year
        else None
    )
    for metric in ("accidents", "accident_deaths"):
        want = None if last_year is None else independent.control_line(last_year[metric])
        assert board[metric]["target"] == want, (as_of, metric, board[metric]["target"], want)
        if want is not None:
            assert board[metric]["status"] == ("on_track" if board[metric]["value"] <= want else "breached")
