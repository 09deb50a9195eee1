"""Every dashboard page rendered with streamlit's AppTest on the generated county, and the
figures on screen compared with the marts (queried here, independently of the query layer)
and with what `safetywh kpis` / `safetywh ranking` print (pipelines.lib.numbers).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from dashboards import logins, session
from dashboards.auth import Viewer
from dashboards.data import overview as overview_q
from pipelines.lib import labels, numbers
from warehouse.home import Home

pytestmark = pytest.mark.slow

APP = Path(__file__).resolve().parent.parent / "dashboards" / "app.py"
LEADER = Viewer("lingdao", "局领导", "leader")
STATUS = labels.words("status")  # the registry's words (pipelines/vocabulary.yaml)
TOWN = "乡镇（街道）"  # township_name in every mart (dbt meta.label)


# ------------------------------------------------------------------ fixtures and helpers


@pytest.fixture(scope="module")
def home(generated_home) -> Path:
    return generated_home


@pytest.fixture(scope="module")
def con(home):
    connection = duckdb.connect(str(Home.resolve(home).published_path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def mart(con):
    def query(sql: str, *params) -> pl.DataFrame:
        return con.sql(sql, params=list(params) or None).pl()

    return query


@pytest.fixture(scope="module")
def last_day(mart) -> dt.date:
    return mart("select max(as_of) as d from marts.kpi_scoreboard_daily").item()


@pytest.fixture
def app(home, monkeypatch):
    monkeypatch.setenv("SAFETYWH_HOME", str(home))

    def open_page(viewer: Viewer | None, page: str | None = None) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=120)
        if viewer is not None:
            # a real session in the home's login store, as a login leaves it
            token = logins.Store.for_home().open_session(viewer.username, None, logins.now_utc())
            at.session_state[session.TOKEN_KEY] = token
        if page:
            at.switch_page(f"pages/{page}.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_page


def _walk(node):
    """Elements of a page in display order (through columns, tabs, expanders)."""
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for child in children.values():
        yield from _walk(child)


def find_table(at: AppTest, key: str):
    """The table shown with the download buttons ``<key>-csv`` (None when it is not shown,
    e.g. an empty result replaced by a message). st.dataframe carries no key of its own."""
    items = list(_walk(at.main))
    for index, item in enumerate(items):
        if item.type == "download_button" and item.key == f"{key}-csv":
            frames = [i for i in items[:index] if i.type == "dataframe"]
            return frames[-1].value
    return None


def table(at: AppTest, key: str):
    found = find_table(at, key)
    assert found is not None, f"no table {key!r}"
    return found


def metric(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert len(found) == 1, f"metric {label!r}: {[m.label for m in at.metric]}"
    return found[0]


def number(text: str) -> float | None:
    """'35 起' -> 35.0, '86.21%' -> 86.21, '—' -> None."""
    if text.strip() == "—":
        return None
    return float(re.match(r"-?[\d.]+", text.replace(",", "")).group())


def shown(value, unit: str | None = None):
    """A mart figure as a page shows it: 2 decimals, 4 for a ‰ figure, 1 for a percentage."""
    return None if value is None else round(value, 4 if unit == "‰" else 1 if unit == "%" else 2)


def arrows(movement) -> str:
    if movement is None:
        return ""
    return f"↑{movement}" if movement > 0 else f"↓{-movement}" if movement < 0 else "—"


def no_refusal(at: AppTest) -> None:
    assert not [e.value for e in at.error], [e.value for e in at.error]


# ------------------------------------------------------------------ login


def test_no_data_before_login(app):
    at = app(None)
    assert [t.value for t in at.title] == ["宁乡市应急管理数据驾驶舱"]
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert not at.metric and not at.dataframe
    # (every page's address shows the login form before a login: test_dashboard_browser,
    # AppTest cannot open an address that a login page serves)
    for page in ("overview", "ranking", "township", "quality", "audit"):
        other = app(None, page)
        assert not other.metric and not other.dataframe


def test_a_login_is_a_session_that_a_logout_elsewhere_ends(app):
    at = app(None)
    at.text_input[0].input("lingdao")
    at.text_input[1].input("Lingdao@2023")
    at.button[0].click().run()
    assert [t.value for t in at.title] == ["总览"]
    # the session is in the store, and this tab holds its token for the next runs
    token = at.session_state[session.TOKEN_KEY]
    assert logins.Store.for_home().username_for(token, logins.now_utc()) == "lingdao"
    at.run()
    assert [t.value for t in at.title] == ["总览"]
    # a logout in another tab (the same token) logs this one out at its next run (AppTest
    # reruns the page alone, which refuses; the browser test sees the login form)
    logins.Store.for_home().logout(token, None, logins.now_utc())
    at.run()
    assert not at.metric and not at.dataframe
    assert [e.value for e in at.error] == ["无权访问：请先登录"]


def test_login_form(app, mart, last_day):
    at = app(None)
    at.text_input[0].input("lingdao")
    at.text_input[1].input("wrong-password")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["用户名或密码错误"]
    assert not at.metric

    at.text_input[1].input("Lingdao@2023")
    at.button[0].click().run()
    assert [t.value for t in at.title] == ["总览"]
    assert len(at.metric) == 19  # the 19 metrics of kpis.md
    assert len(at.metric) == mart("select count(*) from marts.kpi_scoreboard_daily where as_of = ?", last_day).item()


# ------------------------------------------------------------------ 总览

UP, DOWN, NONE = (MetricProto.MetricDirection.UP, MetricProto.MetricDirection.DOWN, MetricProto.MetricDirection.NONE)
GREEN, RED, GRAY = MetricProto.MetricColor.GREEN, MetricProto.MetricColor.RED, MetricProto.MetricColor.GRAY


def check_arrow(card, change, rise_is_good: bool | None, wording: str | None) -> None:
    """The arrow follows the sign of the change, the colour whether a rise is good; the
    wording (下降66.7%) is the mart's. A fall in deaths is a green down arrow."""
    what = (card.label, change)
    if not change:
        assert (card.proto.direction, card.proto.color) == (NONE, GRAY), what
        return
    assert card.proto.direction == (UP if change > 0 else DOWN), what
    expected = GRAY if rise_is_good is None else GREEN if (change > 0) == rise_is_good else RED
    assert card.proto.color == expected, what
    assert card.delta == wording, what


def check_scoreboard(at: AppTest, expected: pl.DataFrame) -> None:
    assert len(at.metric) == expected.height == 19  # the 19 metrics of kpis.md
    moved = 0
    for row in expected.iter_rows(named=True):
        card = metric(at, row["label"])
        assert number(card.value) == shown(row["value"], row["unit"]), row["metric_id"]
        check_arrow(
            card, row["change"], {"at_most": False, "at_least": True}.get(row["target_kind"]), row["change_text"]
        )
        moved += bool(row["change"])
        if row["value"] is not None and row["unit"] not in ("%", "‰"):
            assert card.value.endswith(row["unit"])
    assert moved, "no card of the scoreboard rose or fell: the arrows were not tried"
    board = table(at, "scoreboard")
    assert board["指标"].tolist() == expected["label"].to_list()
    assert board["同比"].tolist() == expected["change_text"].fill_null("—").to_list()
    assert board["状态"].tolist() == [STATUS.get(s, "—") for s in expected["status"].to_list()]
    assert [number(v) for v in board["今年以来"]] == [shown(v, u) for v, u in expected.select("value", "unit").rows()]


def test_overview_equals_the_scoreboard(app, con, mart, last_day):
    at = app(LEADER)
    assert [t.value for t in at.title] == ["总览"]
    no_refusal(at)
    check_scoreboard(at, numbers.scoreboard(con, last_day))

    mid_year = dt.date(last_day.year, 6, 30)
    at.date_input[0].set_value(mid_year).run()
    expected = numbers.scoreboard(con, mid_year)
    check_scoreboard(at, expected)
    accidents = expected.filter(pl.col("metric_id") == "accidents").row(0, named=True)
    assert metric(at, accidents["label"]).value == f"{int(accidents['value'])} 起"
    assert metric(at, accidents["label"]).proto.delta == (accidents["change_text"] or "")

    sectors = mart(
        "select * from marts.accidents_by_sector_daily where as_of = ? order by accidents desc, deaths desc, sector",
        mid_year,
    )
    by_sector = table(at, "by-sector")
    assert by_sector["行业类别"].tolist() == sectors["sector"].to_list()
    assert by_sector["事故起数"].tolist() == sectors["accidents"].to_list()
    assert by_sector["事故起数同比"].tolist() == sectors["accidents_change_text"].to_list()

    towns = mart("select * from marts.township_kpis_daily where as_of = ? order by township_code", mid_year)
    by_town = table(at, "by-township")
    assert by_town[TOWN].tolist() == towns["township_name"].to_list()
    for shown_column, mart_column in [
        ("事故起数", "accidents"),
        ("死亡人数", "deaths"),
        ("执法检查次数", "inspections"),
        ("未整改重大隐患", "open_major_hazards"),
        ("逾期重大隐患", "overdue_major_hazards"),
    ]:
        assert by_town[shown_column].tolist() == towns[mart_column].to_list(), shown_column


def test_trend_months_add_up_to_the_year_end_scoreboard(home, monkeypatch, mart, last_day):
    monkeypatch.setenv("SAFETYWH_HOME", str(home))
    trends = overview_q.monthly_trends(LEADER, last_day)
    year_end = mart(
        "select metric_id, value from marts.kpi_scoreboard_daily where as_of = ? "
        "and metric_id in ('accidents', 'accident_deaths', 'inspections')",
        last_day,
    )
    sums = trends.filter(pl.col("year") == last_day.year).group_by("metric_id").agg(pl.col("amount").sum())
    for metric_id, value in year_end.rows():
        assert sums.filter(pl.col("metric_id") == metric_id)["amount"].item() == pytest.approx(value), metric_id
    rectified = mart(
        "select count(*) as n from staging.stg_ledgers__hazards where year(rectified_on) = ? and rectified_on <= ?",
        last_day.year,
        last_day,
    ).item()
    assert sums.filter(pl.col("metric_id") == "hazards_rectified")["amount"].item() == rectified


# ------------------------------------------------------------------ 乡镇排名


def check_ranking(at: AppTest, expected: pl.DataFrame) -> None:
    shown_table = table(at, "ranking-table")
    assert shown_table["排名"].tolist() == expected["rank"].to_list()
    assert shown_table[TOWN].tolist() == expected["township_name"].to_list()
    assert shown_table["总分"].tolist() == pytest.approx(expected["total"].to_list())
    for column, field in [
        ("事故控制(30)", "s_acc"),
        ("隐患治理(25)", "s_haz"),
        ("执法检查(15)", "s_enf"),
        ("应急准备(15)", "s_prep"),
        ("信息报送(15)", "s_rep"),
    ]:
        assert shown_table[column].tolist() == pytest.approx(expected[field].to_list()), column
    assert shown_table["等次"].tolist() == expected["band"].to_list()
    assert shown_table["升降"].tolist() == [arrows(m) for m in expected["movement"].to_list()]
    assert [bool(v) for v in shown_table["一票否决"]] == expected["vetoed"].to_list()
    assert metric(at, "参评乡镇").value == f"{expected.height} 个"
    assert metric(at, "红榜（无事故）").value == f"{expected['red_list'].sum()} 个"
    assert metric(at, "一票否决").value == f"{expected['vetoed'].sum()} 个"
    named = table(at, "named-table") if expected["named"].any() else None
    if named is not None:
        assert named[TOWN].tolist() == expected.filter(pl.col("named"))["township_name"].to_list()
    red_text = " ".join(m.value for m in at.markdown)
    for name in expected.filter(pl.col("red_list"))["township_name"]:
        assert name in red_text


def latest_complete(mart, period_type: str) -> str:
    return mart(
        "select max_by(period, period_end) as p from marts.township_rankings where period_type = ? and is_complete",
        period_type,
    ).item()


def test_ranking_equals_safetywh_ranking(app, con, mart):
    at = app(LEADER, "ranking")
    no_refusal(at)
    assert [t.value for t in at.title] == ["乡镇排名"]
    month = latest_complete(mart, "month")
    assert at.selectbox[0].value == month
    check_ranking(at, numbers.ranking(con, month))

    for period_type in ("quarter", "week"):
        at.button_group[0].set_value(period_type).run()
        period = latest_complete(mart, period_type)
        assert at.selectbox[0].value == period
        check_ranking(at, numbers.ranking(con, period))

    # an earlier week with the rank chart of a township
    weeks = mart("select distinct period from marts.township_rankings where period_type = 'week' order by period")
    earlier = weeks["period"][len(weeks) // 2]
    at.selectbox[0].set_value(earlier).run()
    check_ranking(at, numbers.ranking(con, earlier))
    assert any(i.type == "vega_lite_chart" for i in _walk(at.main)), "no rank-over-time chart"


# ------------------------------------------------------------------ 乡镇详情


def check_township(at: AppTest, mart, code: str, day: dt.date) -> None:
    k = mart("select * from marts.township_kpis_daily where township_code = ? and as_of = ?", code, day).row(
        0, named=True
    )
    assert [h.value for h in at.header] == [k["township_name"]]
    assert metric(at, "事故起数（本年累计）").value == f"{k['accidents']} 起"
    assert metric(at, "死亡人数（本年累计）").value == f"{k['deaths']} 人"
    for label, measure in (("事故起数（本年累计）", "accidents"), ("死亡人数（本年累计）", "deaths")):
        # a rise in accidents or deaths is bad: red up, green down
        check_arrow(metric(at, label), k[f"{measure}_change"], False, k[f"{measure}_change_text"])
    assert metric(at, "未整改重大隐患").value == f"{k['open_major_hazards']} 项"
    assert metric(at, "逾期重大隐患").value == f"{k['overdue_major_hazards']} 项"
    assert metric(at, "执法检查次数（本年累计）").value == f"{k['inspections']} 次"
    assert metric(at, "森林火灾起数（本年累计）").value == f"{k['forest_fires']} 起"

    accidents = find_table(at, "accidents")
    assert (len(accidents) if accidents is not None else 0) == k["accidents"]
    open_list = table(at, "open-hazards")
    major = open_list[open_list[labels.column_label("hazards", "level")] == "重大"]  # the contract's header
    assert len(major) == k["open_major_hazards"]
    assert int((major["是否逾期"] == "是").sum()) == k["overdue_major_hazards"]
    inspections = find_table(at, "inspections")
    assert (int(inspections["执法检查次数"].sum()) if inspections is not None else 0) == k["inspections"]

    months = mart(
        "select * from marts.township_rankings where township_code = ? and period_type = 'month' "
        "order by period_end desc",
        code,
    )
    comps = table(at, "components")
    assert comps["期次"].tolist() == months["period"].to_list()
    assert comps["排名"].tolist() == months["rank"].to_list()
    assert comps["总分"].tolist() == pytest.approx(months["total"].to_list())
    assert comps["信息报送(15)"].tolist() == pytest.approx(months["s_rep"].to_list())

    record = mart(
        "select * from marts.data_quality_by_sender where sender_code = ? and period_type = 'month' "
        "order by period desc",
        code,
    )
    reporting = table(at, "reporting")
    assert reporting["期次"].tolist() == record["period"].to_list()
    for column, field in [
        ("应报台账", "files_due"),
        ("按时", "files_on_time"),
        ("迟报", "files_late"),
        ("缺报", "files_missing"),
        ("入库行数", "rows_loaded"),
        ("隔离行数", "rows_quarantined"),
    ]:
        assert reporting[column].tolist() == record[field].to_list(), column


def test_township_cards_point_the_way_the_figure_moved(app, mart, last_day):
    """乡镇详情 showed a fall in deaths as a red up arrow: a township whose deaths fell, one
    whose deaths rose, and the same for accidents, each card checked."""
    at = app(LEADER, "township")
    tried = set()
    for measure in ("deaths", "accidents"):
        for sign in ("<", ">"):
            found = mart(
                f"select township_code, {measure}_change as change from marts.township_kpis_daily "
                f"where as_of = ? and {measure}_change {sign} 0 order by township_code limit 1",
                last_day,
            )
            if found.height == 0:
                continue
            at.selectbox(key="detail-township").set_value(found["township_code"][0]).run()
            k = mart(
                "select * from marts.township_kpis_daily where township_code = ? and as_of = ?",
                found["township_code"][0],
                last_day,
            ).row(0, named=True)
            label = {"deaths": "死亡人数（本年累计）", "accidents": "事故起数（本年累计）"}[measure]
            card = metric(at, label)
            check_arrow(card, k[f"{measure}_change"], False, k[f"{measure}_change_text"])
            assert card.proto.color == (GREEN if sign == "<" else RED)
            tried.add((measure, sign))
    assert ("deaths", "<") in tried and ("accidents", "<") in tried and ("accidents", ">") in tried, tried


def test_township_detail_for_a_leader(app, mart, last_day):
    # the township with most accidents this year: every section has something to show
    code = mart(
        "select township_code from marts.township_kpis_daily where as_of = ? "
        "order by accidents desc, open_major_hazards desc, township_code limit 1",
        last_day,
    ).item()
    at = app(LEADER, "township")
    no_refusal(at)
    at.selectbox(key="detail-township").set_value(code).run()
    assert not at.exception
    check_township(at, mart, code, last_day)


def test_township_clerk_sees_only_its_own_township(app, mart, last_day):
    clerk = Viewer("430182001", "玉潭街道", "township", "430182001")
    at = app(clerk, "township")
    no_refusal(at)
    picker = at.selectbox(key="detail-township")
    assert picker.options == ["玉潭街道"] and picker.value == "430182001" and picker.disabled
    check_township(at, mart, "430182001", last_day)

    # the whole county ranking is open to the clerk, with its own position called out
    at = app(clerk, "ranking")
    no_refusal(at)
    month = latest_complete(mart, "month")
    own = mart(
        "select rank from marts.township_rankings where period_type = 'month' and period = ? "
        "and township_code = '430182001'",
        month,
    ).item()
    assert len(table(at, "ranking-table")) == 29
    assert any(f"本期排名第 {own} 名" in i.value for i in at.info)

    # a county page reached anyway shows a refusal from the query layer, and no figures
    for page in ("overview", "hazards", "quality"):
        at = app(clerk, page)
        assert not at.metric and not at.dataframe
        assert any("无权访问" in e.value for e in at.error)


# ------------------------------------------------------------------ 隐患治理


def scoreboard_value(mart, day: dt.date, metric_id: str):
    return mart("select value from marts.kpi_scoreboard_daily where as_of = ? and metric_id = ?", day, metric_id).item()


def test_hazards_page_equals_the_marts(app, mart, last_day):
    at = app(LEADER, "hazards")
    no_refusal(at)
    listed = mart(
        "select hazard_id, days_overdue, is_overdue from marts.major_and_supervised_hazards where as_of = ?", last_day
    )
    shown_list = table(at, "supervised")
    assert sorted(shown_list["隐患编号"]) == sorted(listed["hazard_id"].to_list())
    assert dict(zip(shown_list["隐患编号"], shown_list["逾期天数"])) == dict(
        listed.select("hazard_id", "days_overdue").rows()
    )
    assert shown_list["逾期天数"].tolist() == sorted(shown_list["逾期天数"], reverse=True)
    assert metric(at, "重大及挂牌督办隐患").value == f"{listed.height} 项"
    assert metric(at, "已逾期").value == f"{listed['is_overdue'].sum()} 项"

    for key in ("rates-township", "rates-sender"):
        rates = table(at, key)
        assert int(rates["重大逾期"].sum()) == scoreboard_value(mart, last_day, "major_hazards_overdue"), key
        ontime = 100 * rates["按期整改"].sum() / rates["到期应改"].sum()
        assert ontime == pytest.approx(scoreboard_value(mart, last_day, "hazard_ontime_rectification_pct")), key
        major = 100 * rates["重大已整改"].sum() / rates["本年重大隐患"].sum()
        assert major == pytest.approx(scoreboard_value(mart, last_day, "major_hazard_rectification_pct")), key
    towns = table(at, "rates-township")
    open_major = mart(
        "select township_name, open_major_hazards from marts.township_kpis_daily where as_of = ?", last_day
    )
    assert dict(zip(towns[TOWN], towns["重大未整改"])) == dict(open_major.rows())
    # the rate tables are their marts' rows for the date
    for key, name, mart_name, order in [
        ("rates-township", "township_name", "hazard_rectification_by_township_daily", "township_code"),
        ("rates-sender", "sender_name", "hazard_rectification_by_sender_daily", "sender_kind, sender_code"),
    ]:
        rows = mart(f"select * from marts.{mart_name} where as_of = ? order by {order}", last_day)
        shown_rates = table(at, key)
        assert shown_rates[TOWN if key == "rates-township" else "报送单位"].tolist() == rows[name].to_list(), key
        for column, field in [
            ("本年排查", "found_ytd"),
            ("已整改", "rectified_ytd"),
            ("到期应改", "due"),
            ("按期整改", "due_ontime"),
            ("本年重大隐患", "major_found"),
            ("重大逾期", "major_overdue"),
        ]:
            assert shown_rates[column].tolist() == rows[field].to_list(), (key, column)


# ------------------------------------------------------------------ 执法检查


def check_cards(at: AppTest, mart, day: dt.date, metric_ids: tuple[str, ...]) -> None:
    rows = mart(
        "select label, value, unit from marts.kpi_scoreboard_daily where as_of = ? and metric_id in "
        f"({', '.join('?' for _ in metric_ids)})",
        day,
        *metric_ids,
    )
    assert rows.height == len(metric_ids)
    for label, value, unit in rows.rows():
        assert number(metric(at, label).value) == shown(value, unit), label


def test_enforcement_page_equals_the_marts(app, mart, last_day):
    at = app(LEADER, "enforcement")
    no_refusal(at)
    check_cards(at, mart, last_day, ("inspections", "penalties", "fines_10k_cny"))
    towns = table(at, "enf-township")
    kpis = mart(
        "select township_name, inspections, inspections_ly from marts.township_kpis_daily where as_of = ? "
        "order by township_code",
        last_day,
    )
    assert towns[TOWN].tolist() == kpis["township_name"].to_list()
    assert towns["执法检查次数"].tolist() == kpis["inspections"].to_list()
    assert towns["去年同期执法检查次数"].tolist() == kpis["inspections_ly"].to_list()
    assert int(towns["行政处罚次数"].sum()) == scoreboard_value(mart, last_day, "penalties")
    assert towns["罚款(万元)"].sum() == pytest.approx(scoreboard_value(mart, last_day, "fines_10k_cny"))
    actions = table(at, "enf-action")
    assert int(actions["执法检查次数"].sum()) == scoreboard_value(mart, last_day, "inspections")
    by_action = mart(
        "select * from marts.inspections_by_action_daily where as_of = ? and inspections > 0 "
        "order by inspections desc, action",
        last_day,
    )
    assert actions["处理措施"].tolist() == by_action["action"].to_list()
    assert actions["执法检查次数"].tolist() == by_action["inspections"].to_list()
    quota = mart(
        "select quota, penalties from marts.inspections_by_township_daily where as_of = ? order by township_code",
        last_day,
    )
    assert towns["应检次数"].tolist() == pytest.approx(quota["quota"].to_list())
    assert towns["行政处罚次数"].tolist() == quota["penalties"].to_list()


# ------------------------------------------------------------------ 防灾减灾


def test_disasters_page_equals_the_marts(app, mart, last_day):
    at = app(LEADER, "disasters")
    no_refusal(at)
    check_cards(
        at,
        mart,
        last_day,
        ("major_forest_fires", "forest_fire_damage_permille", "people_transferred", "relief_coverage_pct"),
    )
    fires = mart(
        "select sum(forest_fires) as n, sum(forest_fire_damaged_ha) as ha from marts.township_kpis_daily "
        "where as_of = ?",
        last_day,
    ).row(0)
    listed = find_table(at, "fires")
    assert (len(listed) if listed is not None else 0) == fires[0]
    if listed is not None:
        assert listed["受害森林面积(公顷)"].sum() == pytest.approx(fires[1])
    flood = find_table(at, "flood")
    assert (int(flood["转移人数"].sum()) if flood is not None else 0) == scoreboard_value(
        mart, last_day, "people_transferred"
    )
    relief = table(at, "relief")
    coverage = 100 * relief["已救助(人)"].sum() / relief["困难群众(人)"].sum()
    assert coverage == pytest.approx(scoreboard_value(mart, last_day, "relief_coverage_pct"))
    by_township = mart(
        "select * from marts.relief_by_township_daily where as_of = ? and cases > 0 "
        "order by coverage_pct, township_code",
        last_day,
    )
    assert relief[TOWN].tolist() == by_township["township_name"].to_list()
    assert relief["已救助(人)"].tolist() == by_township["relieved"].to_list()
    if flood is not None:
        transfers = mart(
            "select * from marts.flood_transfers_by_township_daily where as_of = ? and transfers > 0 "
            "order by people_transferred desc, township_code",
            last_day,
        )
        assert flood[TOWN].tolist() == transfers["township_name"].to_list()
        assert flood["转移人数"].tolist() == transfers["people_transferred"].to_list()


# ------------------------------------------------------------------ 应急准备


def test_preparedness_page_equals_the_marts(app, mart, last_day):
    at = app(LEADER, "preparedness")
    no_refusal(at)
    check_cards(
        at,
        mart,
        last_day,
        ("team_training_coverage_pct", "depots_completed", "plan_filing_pct", "high_risk_dual_prevention_pct"),
    )
    teams = table(at, "teams")
    assert 100 * (teams["已覆盖"] == "是").mean() == pytest.approx(
        scoreboard_value(mart, last_day, "team_training_coverage_pct")
    )
    registered = mart("select count(*) as n from marts.rescue_teams_daily where as_of = ?", last_day).item()
    assert len(teams) == registered
    depots = table(at, "depots")
    assert len(depots) == 29
    assert int((depots["计入已建成"] == "是").sum()) == scoreboard_value(mart, last_day, "depots_completed")
    plans = table(at, "plans")
    assert 100 * plans["已备案"].sum() / plans["已发布"].sum() == pytest.approx(
        scoreboard_value(mart, last_day, "plan_filing_pct")
    )
    dual = table(at, "dual")
    assert 100 * dual["已建立"].sum() / dual["高危企业"].sum() == pytest.approx(
        scoreboard_value(mart, last_day, "high_risk_dual_prevention_pct")
    )
    missing = find_table(at, "dual-missing")
    assert (len(missing) if missing is not None else 0) == dual["高危企业"].sum() - dual["已建立"].sum()


# ------------------------------------------------------------------ 数据质量


def test_quality_page_equals_the_marts(app, mart):
    at = app(LEADER, "quality")
    no_refusal(at)
    month = mart(
        "select max_by(period, period_end) as p from marts.data_quality_by_sender where period_type = 'month'"
    ).item()
    assert at.selectbox[0].value == month
    expected = mart(
        "select * from marts.data_quality_by_sender where period_type = 'month' and period = ? "
        "order by sender_kind, sender_code",
        month,
    )
    senders = table(at, "dq-sender")
    assert senders["报送单位"].tolist() == expected["sender_name"].to_list()
    for column, field in [
        ("应报台账", "files_due"),
        ("按时", "files_on_time"),
        ("迟报", "files_late"),
        ("缺报", "files_missing"),
        ("接收文件", "files_received"),
        ("拒收文件", "files_rejected"),
        ("入库行数", "rows_loaded"),
        ("隔离行数", "rows_quarantined"),
    ]:
        assert senders[column].tolist() == expected[field].to_list(), column
    assert metric(at, "缺报").value == f"{expected['files_missing'].sum()} 份"
    assert metric(at, "隔离行数").value == f"{expected['rows_quarantined'].sum()} 行"

    quarantined = find_table(at, "dq-quarantine")
    assert (int(quarantined["行数"].sum()) if quarantined is not None else 0) == expected["rows_quarantined"].sum()
    late = mart(
        "select count(*) as n from marts.data_quality_deliveries where status in ('late', 'missing') and "
        "period_end between ? and ?",
        expected["period_start"][0],
        expected["period_end"][0],
    ).item()
    listed = find_table(at, "dq-late")
    assert (len(listed) if listed is not None else 0) == late

    # a whole year
    at.button_group[0].set_value("year").run()
    year = at.selectbox[0].value
    expected = mart(
        "select * from marts.data_quality_by_sender where period_type = 'year' and period = ? "
        "order by sender_kind, sender_code",
        year,
    )
    assert table(at, "dq-sender")["缺报"].tolist() == expected["files_missing"].to_list()


# ------------------------------------------------------------------ every table downloadable


@pytest.mark.parametrize(
    "page", ["overview", "ranking", "township", "hazards", "enforcement", "disasters", "preparedness", "quality"]
)
def test_every_table_has_csv_and_xlsx_downloads(app, page):
    at = app(LEADER, page)
    items = list(_walk(at.main))
    tables = [i for i, item in enumerate(items) if item.type == "dataframe"]
    assert tables
    for index in tables:
        buttons = [item for item in items[index + 1 : index + 3] if item.type == "download_button"]
        assert [b.label for b in buttons] == ["下载 CSV", "下载 Excel"], (page, index)


def test_quarantined_values_shown_are_masked(app, mart):
    at = app(LEADER, "quality")
    at.button_group[0].set_value("year").run()
    cells = table(at, "dq-cells")
    personal = cells[cells["列"].isin(["身份证号", "联系电话", "姓名", "整改责任人"])]
    assert len(personal), "the generated defects include personal columns"
    assert personal["填写内容"].dropna().str.contains(r"\*").all()
