"""tests/conftest.work_units: the modules that share a session-built warehouse are one unit of
work for pytest-xdist, so that each warehouse is built once."""

from __future__ import annotations

from tests.conftest import work_units


def test_modules_sharing_a_fixture_directly_or_through_another_module_are_one_unit(tmp_path):
    (tmp_path / "test_a.py").write_text("def test_x(generated_home): pass\n", "utf-8")
    (tmp_path / "test_b.py").write_text("def test_y(second_run, generated_home): pass\n", "utf-8")
    (tmp_path / "test_c.py").write_text("def test_z(second_run): pass\n", "utf-8")
    (tmp_path / "test_d.py").write_text("def test_w(tmp_path): pass  # not_generated_home\n", "utf-8")
    (tmp_path / "test_e.py").write_text("def test_v(hostile_home): pass\n", "utf-8")
    units = work_units(tmp_path)
    assert units["test_a.py"] == units["test_b.py"] == units["test_c.py"]
    assert len({units["test_a.py"], units["test_d.py"], units["test_e.py"]}) == 3
    assert units["test_d.py"] == "test_d.py"  # a module of its own: its module fixtures stay together
