"""The marts against an independent implementation of ranking.md and kpis.md
(tests/independent.py), on generated data the hand-made tests never saw."""

import datetime as dt

import duckdb
import pytest

from pipelines.lib.numbers import ranking, scoreboard
from tests import independent

pytestmark = pytest.mark.slow
PERIODS = ["2022-W40", "2023-W14", "2023-W31", "2023-W52", "2022-07", "2023-04", "2023-12", "2022-Q3", "2023-Q2", "2023-Q4"]
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
        assert (got["vetoed"], got["rank"], got["band"], got["red_list"]) == (
            want["vetoed"], want["rank"], want["band"], want["red_list"]), (label, code)


@pytest.mark.parametrize("as_of", DATES)
def test_scoreboard_matches_the_independent_implementation(con, data, as_of):
    expected = independent.ytd_metrics(data, as_of)
    board = {row["metric_id"]: row for row in scoreboard(con, as_of).to_dicts()}
    assert len(board) == 18
    for metric, value in expected.items():
        assert independent.close(board[metric]["value"], value), (as_of, metric, board[metric]["value"], value)
