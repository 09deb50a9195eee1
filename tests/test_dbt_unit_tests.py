"""Every dbt unit test of the project passes (tests/conftest.py `dbt_unit_tests`): the runs
of the pipeline leave them out, so this is where they run."""

import json
import re

import pytest

from pipelines.lib.dbt_manifest import ensure_manifest
from pipelines.paths import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow


def test_every_unit_test_of_the_project_runs_and_passes(dbt_unit_tests):
    ensure_manifest()
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text("utf-8"))
    declared = {u["name"] for u in manifest["unit_tests"].values()}
    passed = set(re.findall(r"PASS (?:unit_test )?\S+::(\w+)", dbt_unit_tests))
    assert len(declared) >= 40
    assert passed == declared, sorted(declared - passed)
