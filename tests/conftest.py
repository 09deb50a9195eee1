import datetime as dt
import re
from pathlib import Path

import pytest

from pipelines.lib.contracts import ingestion_order
from pipelines.lib.ingest import ingest_feed
from pipelines.lib.inventory import register_new_files
from pipelines.lib.profile import load_profile
from warehouse.layout import connect

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

# The warehouses built once per session and shared by many modules. Under pytest-xdist
# (`-n`, pyproject.toml) every module that uses one of them runs on the same worker, so each
# is built once, as in a serial run: modules that name the same shared fixture, directly or
# through another module, are one unit of work; every other module is a unit of its own, which
# keeps its module-scoped fixtures on one worker too. (xdist's `loadgroup` marks cannot do it:
# xdist 3.8 renames the node id pytest 9 no longer reads.)
SHARED_FIXTURES = ("generated_home", "second_run", "dbt_unit_tests", "hostile_home")
TESTS = Path(__file__).resolve().parent


def work_units(tests: Path = TESTS) -> dict[str, str]:
    """Each test module's file name → the unit of work it belongs to."""
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        while parent.setdefault(name, name) != name:
            name = parent[name]
        return name

    for module in sorted(tests.glob("test_*.py")):
        text = module.read_text("utf-8")
        for fixture in SHARED_FIXTURES:
            if re.search(rf"\b{fixture}\b", text):
                parent[root(module.name)] = root(fixture)
    return {module.name: root(module.name) for module in tests.glob("test_*.py")}


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controller, before any worker starts
        from pipelines.lib.dbt_manifest import ensure_manifest

        ensure_manifest()  # once, so that no two workers run `dbt parse` into the project at once


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    units = work_units()

    class SharedFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::")[0]
            return units.get(Path(path).name, path)

    return SharedFixtureScheduling(config, log)


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def ingest_landing(landing: Path, db: Path, run_id: str = "test-run"):
    """Inventory + every feed's ingestion, as the Dagster assets do, without Dagster or dbt."""
    con = connect(db)
    profile = load_profile()
    now = dt.datetime(2026, 11, 29, 12, 0, 0)
    register_new_files(con, landing, profile, run_id, now)
    results = {}
    for contract in ingestion_order():
        results[contract.feed] = ingest_feed(con, contract, profile, landing, run_id, now)
    return con, results


@pytest.fixture
def ingest(tmp_path):
    def _ingest(run_id: str = "test-run"):
        return ingest_landing(tmp_path / "landing", tmp_path / "w.duckdb", run_id)

    return _ingest


@pytest.fixture(scope="session")
def generated_home(tmp_path_factory) -> Path:
    """A generated landing tree with defects, run once through `safetywh run` (a subprocess,
    as a user runs it). Shared by every test that needs a realistic warehouse."""
    import os
    import subprocess
    import sys

    from pipelines.generate import generate

    home = tmp_path_factory.mktemp("generated")
    generate(home / "landing", seed=11, scale=0.25, defect_rate=0.04)
    env = {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB")}
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--home", str(home)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    (home / "run-stdout.txt").write_text(done.stdout, "utf-8")  # what the user saw, for test_run_summary
    return home


@pytest.fixture(scope="session")
def second_run(tmp_path_factory):
    """A generated home run twice, the second time with one new weekly hazards ledger
    (tests/incremental.py), and its full-build reference."""
    from tests.incremental import run_twice

    return run_twice(tmp_path_factory.mktemp("second-run"))


@pytest.fixture(scope="session")
def dbt_unit_tests(tmp_path_factory) -> str:
    """dbt's output of every unit test of the project (`unit_tests:` beside the models), run
    by `dbt build --exclude test_type:data` on an empty warehouse of the real layout: the
    models are built empty for the unit tests to introspect. The pipeline never runs them
    (pipelines/lib/dbt_manifest.select_build)."""
    from pipelines.lib.profile import load_profile
    from pipelines.lib.reference import write_reference_tables
    from tests.dbt_cli import dbt
    from warehouse.layout import connect

    work = tmp_path_factory.mktemp("dbt-unit-tests")
    con = connect(work / "w.duckdb")
    write_reference_tables(con, load_profile())
    con.close()
    done = dbt(work / "w.duckdb", work, "build", "--exclude", "test_type:data")
    assert done.returncode == 0, done.stdout[-4000:]
    return done.stdout


PAYLOAD = '=HYPERLINK("http://x","y")'


@pytest.fixture(scope="session")
def hostile_home(tmp_path_factory) -> Path:
    """A hand-made home with personal data and a formula payload in ledger cells (a supervised
    hazard's description, a quarantined level, a relief clerk's name), run once by `safetywh
    run` (a subprocess). Shared by the hardening tests of outputs and the published copy."""
    import datetime as dt
    import os
    import subprocess
    import sys

    from tests.ledgers import headers, write_csv, write_xlsx
    from tests.test_rules import CLEAN, ID_OLD_CODE, ledger_row

    home = tmp_path_factory.mktemp("hostile")
    landing = home / "landing"
    haz = lambda **o: ledger_row("hazards", {**CLEAN["hazards"], **o})  # noqa: E731
    write_csv(
        landing / "hazards" / "430182001" / "第14周.csv",
        headers("hazards"),
        [
            haz(hazard_id="H-1", description=PAYLOAD, is_supervised="是", rectified_on="", level="重大"),
            haz(hazard_id="H-2", level=PAYLOAD),  # quarantined: the payload reaches the alert workbook
            haz(hazard_id="H-3", phone="13900001111", description="+1 通道堵塞"),
        ],
        received=dt.datetime(2023, 4, 10, 9, 0),
    )
    rel = lambda **o: ledger_row("relief", {**CLEAN["relief"], **o})  # noqa: E731
    write_xlsx(
        landing / "relief" / "YJJ" / "救助台账.xlsx",
        headers("relief"),
        [rel(relief_id="JZ-1"), rel(relief_id="JZ-2", person_name="@王五")],
        received=dt.datetime(2023, 7, 3, 9, 0),
    )
    assert ID_OLD_CODE  # the 18-digit number the published copy must not hold
    env = {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB")}
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--home", str(home)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    return home
