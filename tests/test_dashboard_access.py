"""Dashboard accounts and the query layer's access rules, and picking up a new publish.

No warehouse needed for the refusals: the query layer checks the login before any SQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import inspect
from pathlib import Path

import duckdb
import pytest

from dashboards import auth
from dashboards.auth import AccessDenied, Viewer
from dashboards.data import (
    disasters,
    enforcement,
    hazards,
    overview,
    preparedness,
    quality,
    ranking,
    risk,
    source,
    township,
)
from warehouse.layout import publish_copy

ROOT = Path(__file__).resolve().parent.parent
LEADER = Viewer("lingdao", "局领导", "leader")
YUTAN = Viewer("430182001", "玉潭街道", "township", "430182001")
OTHER = "430182002"
DAY = dt.date(2023, 6, 30)

LEADER_ONLY = [
    (overview.scoreboard, (DAY,)),
    (overview.accidents_by_sector, (DAY,)),
    (overview.by_township, (DAY,)),
    (overview.monthly_trends, (DAY,)),
    (hazards.supervised, (DAY,)),
    (hazards.supervised_counts, (DAY,)),
    (hazards.by_township, (DAY,)),
    (hazards.by_sender, (DAY,)),
    (enforcement.by_township, (DAY,)),
    (enforcement.by_action, (DAY,)),
    (enforcement.by_month, (DAY,)),
    (disasters.forest_fires, (DAY,)),
    (disasters.forest_by_township, (DAY,)),
    (disasters.flood_by_township, (DAY,)),
    (disasters.relief_by_township, (DAY,)),
    (preparedness.teams, (DAY,)),
    (preparedness.depots, (DAY,)),
    (preparedness.plans_by_unit, (DAY,)),
    (preparedness.dual_prevention_by_township, ()),
    (preparedness.dual_prevention_missing, ()),
    (quality.has_marts, ()),
    (quality.periods, ("month",)),
    (quality.by_sender, ("month", "2023-06")),
    (quality.totals, ("month", "2023-06")),
    (quality.late_or_missing, (DAY, DAY)),
    (quality.files_by_sender, (DAY, DAY)),
    (quality.quarantine_summary, (DAY, DAY)),
    (quality.quarantined_cells, (DAY, DAY)),
    (quality.rejected_files, (DAY, DAY)),
]

TOWNSHIP_SCOPED = [
    (township.kpis, (DAY,)),
    (township.components, ("month",)),
    (township.accidents, (DAY,)),
    (township.open_hazards, (DAY,)),
    (township.inspections_by_month, (DAY,)),
    (township.depot, ()),
    (township.plans, ()),
    (township.drills, (DAY,)),
    (township.preparedness_status, (DAY,)),
    (township.reporting, ()),
    (township.quarantine_reasons, ()),
    (township.weekly_trend, (DAY,)),
]


# 风险预警: (function, args before the township, whether the county view exists)
RISK = [
    (risk.levels, (DAY,), True),
    (risk.indicators, (DAY,), False),
    (risk.clues, (DAY,), True),
    (risk.trend, (DAY,), True),
    (risk.warnings, (), True),
]


@pytest.fixture
def no_sql(monkeypatch):
    """Any query reaching the database fails the test: refusals must come first."""

    def refuse(*args, **kwargs):
        raise AssertionError("a query ran although access should have been refused")

    for module in (overview, hazards, enforcement, disasters, preparedness, quality, township, ranking, risk):
        monkeypatch.setattr(module, "fetch", refuse)
    monkeypatch.setattr(quality, "has_table", refuse)


def test_password_hashes_verify_and_differ():
    first, second = auth.hash_password("Lingdao@2023"), auth.hash_password("Lingdao@2023")
    assert first != second  # salted
    assert first.startswith("scrypt$")
    assert auth.verify_password("Lingdao@2023", first)
    assert not auth.verify_password("lingdao@2023", first)
    assert not auth.verify_password("Lingdao@2023", "plain-text")


def test_accounts_file_holds_hashes_only_and_every_township():
    text = (ROOT / "dashboards" / "accounts.yaml").read_text(encoding="utf-8")
    accounts = auth.load_accounts(ROOT / "dashboards" / "accounts.yaml")
    stored = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert not any("Lingdao@2023" in line or "Xiangzhen@2023" in line for line in stored)  # comments only
    with open(ROOT / "pipelines/profiles/ningxiang/townships.csv", encoding="utf-8") as handle:
        codes = {row["township_code"] for row in csv.DictReader(handle)}
    clerks = {a.township_code for a in accounts.values() if a.role == "township"}
    assert clerks == codes
    assert [a.username for a in accounts.values() if a.role == "leader"] == ["lingdao"]


def test_demo_accounts_authenticate():
    assert auth.authenticate("lingdao", "Lingdao@2023") == LEADER
    assert auth.authenticate("430182001", "Xiangzhen@2023") == YUTAN
    assert auth.authenticate("lingdao", "wrong") is None
    assert auth.authenticate("nobody", "Lingdao@2023") is None


def test_malformed_account_is_refused(tmp_path):
    bad = tmp_path / "accounts.yaml"
    bad.write_text("accounts:\n  - {username: x, role: township, password: 'scrypt$1$1$1$a$b'}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="township_code"):
        auth.load_accounts(bad)
    bad.write_text("accounts:\n  - {username: x, role: leader, password: secret}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="scrypt"):
        auth.load_accounts(bad)


@pytest.mark.parametrize("function,args", LEADER_ONLY, ids=lambda v: getattr(v, "__qualname__", ""))
def test_county_views_refuse_a_township_login_and_no_login(no_sql, function, args):
    with pytest.raises(AccessDenied):
        function(YUTAN, *args)
    with pytest.raises(AccessDenied):
        function(None, *args)


@pytest.mark.parametrize("function,args", TOWNSHIP_SCOPED, ids=lambda v: getattr(v, "__qualname__", ""))
def test_township_detail_refuses_another_township(no_sql, function, args):
    with pytest.raises(AccessDenied, match="本乡镇"):
        function(YUTAN, OTHER, *args)
    with pytest.raises(AccessDenied):
        function(None, YUTAN.township_code, *args)


@pytest.mark.parametrize("function,args,county", RISK, ids=lambda v: getattr(v, "__qualname__", ""))
def test_risk_views_check_the_login_first(no_sql, function, args, county):
    with pytest.raises(AccessDenied, match="本乡镇"):
        function(YUTAN, *args, OTHER)
    with pytest.raises(AccessDenied):
        function(None, *args, YUTAN.township_code)
    if county:
        with pytest.raises(AccessDenied):
            function(YUTAN, *args)


def test_risk_backtest_dates_and_acknowledgement_refusals(no_sql):
    with pytest.raises(AccessDenied):
        risk.backtest(YUTAN)
    with pytest.raises(AccessDenied):
        risk.risk_dates(None)
    with pytest.raises(AccessDenied, match="只有被预警乡镇"):
        risk.acknowledge(LEADER, "any")
    with pytest.raises(AccessDenied):
        risk.acknowledge(None, "any")


def test_ranking_needs_a_login(no_sql):
    with pytest.raises(AccessDenied):
        ranking.ranking(None, "month", "2023-06")
    with pytest.raises(AccessDenied):
        ranking.rank_history(None, "month", ("430182001",))


def test_every_query_function_is_covered():
    """A new query function must be added to the lists above (so its access rule is tested)."""
    covered = (
        {f for f, _ in LEADER_ONLY + TOWNSHIP_SCOPED}
        | {ranking.ranking, ranking.rank_history, ranking.summary}
        | {f for f, _, _ in RISK}
        | {risk.backtest, risk.risk_dates, risk.acknowledge}
    )
    for module in (overview, hazards, enforcement, disasters, preparedness, quality, township, ranking, risk):
        public = {
            obj
            for name, obj in vars(module).items()
            if inspect.isfunction(obj)
            and obj.__module__ == module.__name__
            and not name.startswith("_")
            and "viewer" in inspect.signature(obj).parameters
        }
        assert public <= covered, public - covered


def _tiny_warehouse(path: Path, value: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(f"create table marts.probe as select {value} as v")
    con.close()


def test_a_new_publish_is_read_while_the_old_connection_is_open(tmp_path, monkeypatch):
    """DuckDB returns the old snapshot to a second connect() of the same path in one process;
    the source must see each os.replace'd file all the same."""
    monkeypatch.setenv("SAFETYWH_HOME", str(tmp_path))
    published = tmp_path / "published" / "warehouse.duckdb"
    _tiny_warehouse(tmp_path / "build-1.duckdb", 1)
    _tiny_warehouse(tmp_path / "build-2.duckdb", 2)

    publish_copy(tmp_path / "build-1.duckdb", published)
    assert source.fetch("select v from marts.probe").item() == 1
    publish_copy(tmp_path / "build-2.duckdb", published)
    assert source.fetch("select v from marts.probe").item() == 2
    publish_copy(tmp_path / "build-1.duckdb", published)
    assert source.fetch("select v from marts.probe").item() == 1


def test_the_published_copy_keeps_the_builds_permissions(tmp_path):
    """A dashboard service running as another user reads the copy (a temp file is 0600)."""
    build = tmp_path / "build.duckdb"
    _tiny_warehouse(build, 1)
    build.chmod(0o644)
    published = publish_copy(build, tmp_path / "published" / "warehouse.duckdb")
    assert published.stat().st_mode & 0o777 == 0o644


def test_missing_publish_is_a_chinese_message(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFETYWH_HOME", str(tmp_path))
    with pytest.raises(source.NoData, match="还没有发布的数据"):
        source.fetch("select 1")


def test_downloads_are_csv_with_bom_and_real_xlsx():
    import io

    import polars as pl

    from dashboards import ui

    frame = pl.DataFrame({"乡镇": ["玉潭街道", "沩山乡"], "总分": [98.08, 63.87], "日期": [DAY, DAY]})
    csv = ui._csv_bytes(frame)
    assert csv.startswith("\ufeff".encode("utf-8"))  # Excel needs the BOM to read UTF-8 Chinese
    assert csv.decode("utf-8-sig").splitlines()[0] == "乡镇,总分,日期"
    back = pl.read_excel(io.BytesIO(ui._xlsx_bytes(frame, "乡镇排名_2023-06")))
    assert back["乡镇"].to_list() == ["玉潭街道", "沩山乡"]
    assert back["总分"].to_list() == [98.08, 63.87]
