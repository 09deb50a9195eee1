"""The 风险预警 page in a real browser (chromium through Playwright, as in
test_dashboard_browser.py): a leader sees the 29 townships by level, the clues and the
backtest; a township clerk sees its own township only. Screenshots in test-artifacts/."""

from __future__ import annotations

import duckdb
import pytest

from tests.test_dashboard_browser import CLERK, LEADER, browser, dashboard, login, settle, visit  # noqa: F401
from warehouse.home import Home

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(generated_home, tmp_path_factory):
    with dashboard(generated_home, tmp_path_factory.mktemp("risk-page") / "server.log") as url:
        yield url


def _latest(home):
    with duckdb.connect(str(Home.resolve(home).published_path), read_only=True) as con:
        as_of = con.execute("select max(as_of) from marts.township_risk").fetchone()[0]
        red = con.execute(
            "select township_name, score from marts.township_risk where as_of = ? "
            "order by level_rank desc, score desc, township_code limit 1",
            [as_of],
        ).fetchone()
        clue = con.execute(
            "select self_report_drop__clue from marts.township_signals where as_of = ? "
            "and self_report_drop__fires order by township_code limit 1",
            [as_of],
        ).fetchone()
    return as_of, red, clue


def test_leader_sees_levels_clues_and_backtest(browser, server, generated_home, artifacts):  # noqa: F811
    as_of, (top_name, top_score), clue = _latest(generated_home)
    page = login(browser, server, LEADER)
    visit(page, "风险预警")
    main = page.get_by_test_id("stMain")
    text = main.inner_text()
    for label in ("乡镇风险等级", "漏报瞒报线索", "不是结论", "等级变化", "预警命中率", "提升倍数"):
        assert label in text, label
    assert f"{top_score}分" in text and top_name in text
    if clue:
        assert clue[0] in text
    page.screenshot(path=str(artifacts / "dashboard-leader-risk.png"), full_page=True)
    page.close()


def test_clerk_sees_own_township_only(browser, server, artifacts):  # noqa: F811
    page = login(browser, server, CLERK)
    visit(page, "风险预警")
    text = page.get_by_test_id("stMain").inner_text()
    assert "玉潭街道风险等级" in text
    assert "白马桥街道" not in text and "预警命中率" not in text
    settle(page)
    page.screenshot(path=str(artifacts / "dashboard-township-risk.png"), full_page=True)
    page.close()
