"""The bulletin's figures are a dbt mart (marts/bulletin/bulletin_figures): county totals,
last year's, the 同比 wording and the rates as read. Its unit test (_bulletin__models.yml)
pins the hand-computed figures at the edges: 2 accidents against 3 is 下降33.3%, 1 on time
of 16 due is 6.3% (half away from zero, not 6.2%), nothing due is no rate (not 0% or 100%),
2026-W53 is compared with 2025-W52, a period before the data has no 同比 and one outside
the reporting window no reporting figures. It runs with every unit test
(tests/conftest.py `dbt_unit_tests`)."""

import pytest

pytestmark = pytest.mark.slow


def test_bulletin_figures_unit_test_passes(dbt_unit_tests):
    assert any(
        "bulletin_figures_totals_wording_and_rates" in line and "PASS" in line for line in dbt_unit_tests.splitlines()
    )
