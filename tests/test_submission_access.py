"""The portal's query layer (dashboards/data/submission.py): the sender is the login's,
refusals come before any SQL or any file write, and 报送情况 shows a sender its own
obligations only (a leader every sender's), counted as the mart says."""

from __future__ import annotations

import datetime as dt
import inspect

import duckdb
import pytest

from dashboards.auth import AccessDenied, Viewer, load_accounts
from dashboards.data import submission as q
from pipelines.lib.profile import load_profile
from tests.ledgers import headers, write_csv

LEADER = Viewer("lingdao", "局领导", "leader")
YUTAN = Viewer("430182001", "玉潭街道", "township", "430182001")
ZJJ = Viewer("ZJJ", "宁乡市住房和城乡建设局", "department", sender_code="ZJJ")
DAY = dt.date(2023, 4, 10)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFETYWH_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def no_sql(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a query ran although access should have been refused")

    monkeypatch.setattr(q, "fetch", refuse)
    monkeypatch.setattr(q, "has_table", refuse)


def hazards_csv(tmp_path) -> bytes:
    row = ["YH-1", "2023-04-03", "玉潭", None, "一般", "堆放杂物", "2023-04-10", None, None, None, "否", None]
    return write_csv(tmp_path / "h.csv", headers("hazards"), [row]).read_bytes()


def test_every_sender_of_the_profile_has_an_account_carrying_its_code():
    profile = load_profile()
    senders = {a.viewer().sender_code: a.role for a in load_accounts().values() if a.role != "leader"}
    assert set(senders) == profile.sender_codes
    assert {senders[code] for code in profile.departments["sender_code"]} == {"department"}
    assert {senders[code] for code in profile.township_codes} == {"township"}
    assert YUTAN.sender_code == "430182001"  # a township's sender code is its township code


def test_no_query_function_takes_a_sender_from_its_caller():
    for name, function in vars(q).items():
        if inspect.isfunction(function) and function.__module__ == q.__name__ and not name.startswith("_"):
            params = set(inspect.signature(function).parameters)
            assert not params & {"sender", "sender_code", "township_code"}, name


@pytest.mark.parametrize(
    "call",
    [
        lambda v, data: q.check(v, "hazards", "h.csv", data),
        lambda v, data: q.submit(v, "hazards", "h.csv", data),
        lambda v, data: q.feeds(v),
        lambda v, data: q.recent_files(v),
        lambda v, data: q.template(v, "hazards"),
    ],
)
def test_a_leader_or_no_login_submits_nothing(home, tmp_path, no_sql, call):
    data = hazards_csv(tmp_path)
    for viewer in (LEADER, None):
        with pytest.raises(AccessDenied):
            call(viewer, data)
    assert not (home / "landing").exists()


def test_a_sender_submits_only_the_feeds_it_sends(home, tmp_path, no_sql):
    data = hazards_csv(tmp_path)
    with pytest.raises(AccessDenied, match="不报送该类数据"):
        q.submit(YUTAN, "enterprises", "h.csv", data)
    with pytest.raises(AccessDenied):
        q.submit(Viewer("LYJ", "林业局", "department", sender_code="LYJ"), "hazards", "h.csv", data)
    assert not (home / "landing").exists()
    assert [f for f, _ in q.feeds(ZJJ)] == ["hazards", "enterprises"]
    receipt = q.submit(ZJJ, "hazards", "h.csv", data)
    assert receipt.landed and (home / "landing" / "hazards" / "ZJJ" / "h.csv").is_file()


def test_the_marked_workbook_is_only_for_the_sender_it_was_checked_for(home, tmp_path):
    data = hazards_csv(tmp_path)
    result = q.check(YUTAN, "hazards", "h.csv", data)
    with pytest.raises(AccessDenied):
        q.marked_workbook(ZJJ, result, data)
    assert q.marked_workbook(YUTAN, result, data)[:2] == b"PK"


def deliveries_warehouse(home) -> None:
    """A published copy holding the obligations mart (the columns the page reads)."""
    (home / "published").mkdir()
    con = duckdb.connect(str(home / "published" / "warehouse.duckdb"))
    con.execute("create schema marts")
    con.execute("""create table marts.data_quality_deliveries as select * from (values
        ('430182001', '玉潭街道', 'hazards', '隐患排查治理台账', 'weekly', '2023-W13', null, date '2023-03-27', date '2023-04-02', timestamp '2023-04-03 12:00', 'on_time', timestamp '2023-04-03 09:00', 0, 'hazards/430182001/a.xlsx'),
        ('430182001', '玉潭街道', 'hazards', '隐患排查治理台账', 'weekly', '2023-W14', null, date '2023-04-03', date '2023-04-09', timestamp '2023-04-10 12:00', 'late', timestamp '2023-04-10 15:00', 10800, 'hazards/430182001/b.xlsx'),
        ('430182001', '玉潭街道', 'hazards', '隐患排查治理台账', 'weekly', '2023-W15', null, date '2023-04-10', date '2023-04-16', timestamp '2023-04-17 12:00', 'missing', null, null, null),
        ('430182002', '白马桥街道', 'hazards', '隐患排查治理台账', 'weekly', '2023-W14', null, date '2023-04-03', date '2023-04-09', timestamp '2023-04-10 12:00', 'missing', null, null, null)
        ) as t(sender_code, sender_name, feed, feed_label, cadence, period, record_id, period_start, period_end,
               due_at, status, delivered_at, late_seconds, delivered_path)""")
    con.close()


def test_obligations_are_the_senders_own_and_a_leader_sees_all(home):
    deliveries_warehouse(home)
    start, end = dt.date(2023, 3, 1), dt.date(2023, 4, 30)
    assert q.has_deliveries(YUTAN)
    own = q.obligations(YUTAN, start, end)
    assert own["sender_code"].unique().to_list() == ["430182001"]
    assert own["period"].to_list() == ["2023-W15", "2023-W14", "2023-W13"]  # latest due first
    assert own.filter(own["period"] == "2023-W14")["late_hours"].item() == 3.0
    counts = q.obligation_counts(YUTAN, start, end).row(0, named=True)
    assert {k: counts[k] for k in ("due", "received", "on_time", "late", "missing", "pending")} == {
        "due": 3,
        "received": 2,
        "on_time": 1,
        "late": 1,
        "missing": 1,
        "pending": 0,
    }
    everyone = q.obligation_counts(LEADER, start, end)
    assert everyone["sender_code"].to_list() == ["430182001", "430182002"]
    assert everyone["missing"].to_list() == [1, 1]
    assert q.obligations(ZJJ, start, end).height == 0
    assert q.delivery_range(YUTAN) == (dt.date(2023, 3, 27), dt.date(2023, 4, 16))


def test_recent_files_show_a_landed_file_before_any_run(home, tmp_path):
    receipt = q.submit(YUTAN, "hazards", "第14周.csv", hazards_csv(tmp_path))
    files = q.recent_files(YUTAN)
    assert files.select("path", "status").rows() == [(receipt.path, "pending")]
    assert q.recent_files(ZJJ).height == 0
