"""The lateness arithmetic lives in dbt (models/intermediate/data_quality); its unit tests
(_data_quality__models.yml) pin the edges: Monday 12:00:00 is on time and 12:00:01 late,
a file at the previous week's deadline belongs to the previous week, a file a whole week
late is the next week's; registers by the 5th and relief by the 10th at 23:59:59; event
records 24 h after the event. They run with every unit test (tests/conftest.py `dbt_unit_tests`)."""

import pytest

pytestmark = pytest.mark.slow

UNIT_TESTS = (
    "weekly_deadline_is_monday_noon_inclusive",
    "event_reports_are_due_24_hours_after_the_event",
    "period_deadlines",
)


def test_dbt_unit_tests_of_the_deadline_arithmetic_pass(dbt_unit_tests):
    for name in UNIT_TESTS:
        assert any(name in line and "PASS" in line for line in dbt_unit_tests.splitlines()), name
