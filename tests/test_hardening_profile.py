"""Profile validation: the county profile is checked against its schema (pydantic) before a
run, with one Chinese message per problem; a run refuses (exit 2) and lists them. A
read-only home is said in Chinese; a run caused by a profile change says so."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipelines.lib.profile import profile_folder
from pipelines.lib.profile_schema import validate_config

PACKAGED = profile_folder()


def config() -> dict:
    return yaml.safe_load((PACKAGED / "profile.yaml").read_text("utf-8"))


def env(**extra) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SAFETYWH_")}
    return {**base, **extra}


def broken_profile(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "profile"
    shutil.copytree(PACKAGED, folder)
    data = config()
    edit(data)
    (folder / "profile.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return folder


def test_the_packaged_profile_is_valid():
    assert validate_config(config(), PACKAGED) == []


@pytest.mark.parametrize(
    "edit, expected",
    [
        (lambda c: c["ranking"]["weights"].update(accidents=230), ["ranking.weights 五项权重之和应为 100，当前为 300"]),
        (lambda c: c.pop("ranking"), ["缺少设置 ranking"]),
        (
            lambda c: c["ranking"]["weights"].update(hazards="二十五"),
            ["ranking.weights.hazards 应为数字，当前为 '二十五'"],
        ),
        (
            lambda c: c["county"].update(timezone="Asia/Beijing"),
            ["county.timezone：时区“Asia/Beijing”不存在（应为 IANA 时区名，如 Asia/Shanghai）"],
        ),
        (
            lambda c: c["targets"].update(accident_max_ratio=0.8),
            ["未知的设置 targets.accident_max_ratio（拼写错误？）"],
        ),
        (lambda c: c["deadlines"].update(register_day=31), ["deadlines.register_day 应不大于 28，当前为 31"]),
        (
            lambda c: c["ranking"].update(inspections_per_7_days=-2),
            ["ranking.inspections_per_7_days 应大于 0，当前为 -2"],
        ),
        (
            lambda c: c["ranking"].update(bands=[{"min": 90, "label": "优秀"}]),
            ["ranking.bands 中最低一档的 min 应为 0（每个总分都要落在某一档）"],
        ),
        (
            lambda c: c.update(departments_file="部门.csv"),
            [f"departments_file 指向的文件不存在：{PACKAGED / '部门.csv'}"],
        ),
    ],
)
def test_each_problem_is_one_chinese_message(edit, expected):
    data = config()
    edit(data)
    assert validate_config(data, PACKAGED) == expected


def test_several_problems_are_all_listed():
    data = config()
    data["ranking"]["weights"]["hazards"] = "x"
    data["county"]["timezone"] = "Mars/Base"
    del data["deadlines"]["event_hours"]
    assert len(validate_config(data, PACKAGED)) == 3


def test_a_register_with_a_text_number(tmp_path):
    folder = tmp_path / "p"
    shutil.copytree(PACKAGED, folder)
    townships = folder / "townships.csv"
    lines = townships.read_text("utf-8").splitlines()
    cells = lines[3].split(",")
    cells[5] = "十万"
    lines[3] = ",".join(cells)
    townships.write_text("\n".join(lines) + "\n", "utf-8")
    assert validate_config(config(), folder) == ["townships.csv 的 population 列应为数字，第 4 行为 '十万'"]


def test_run_refuses_a_broken_profile_and_lists_every_problem(tmp_path):
    def edit(c):
        c["ranking"]["weights"].update(accidents=230)
        c["county"]["timezone"] = "Asia/Beijing"

    folder = broken_profile(tmp_path, edit)
    home = tmp_path / "home"
    (home / "landing").mkdir(parents=True)
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--home", str(home)],
        capture_output=True,
        text=True,
        env=env(SAFETYWH_PROFILE=str(folder)),
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert "县情配置有 2 处问题" in done.stderr and "本次未运行" in done.stderr
    assert "1. county.timezone" in done.stderr and "2. ranking.weights 五项权重之和应为 100，当前为 300" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (home / "warehouse.duckdb").exists()


def test_a_read_only_home_is_a_chinese_message(tmp_path):
    home = tmp_path / "ro"
    (home / "landing").mkdir(parents=True)  # a real home: `run` refuses a folder without landing/ first
    # root ignores permission bits: an immutable folder refuses root's writes too (ext4)
    lock = ["chattr", "+i", str(home)] if os.geteuid() == 0 else ["chmod", "555", str(home)]
    unlock = ["chattr", "-i", str(home)] if os.geteuid() == 0 else ["chmod", "755", str(home)]
    subprocess.run(lock, check=True)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pipelines", "run", "--home", str(home)],
            capture_output=True,
            text=True,
            env=env(),
            timeout=300,
        )
    finally:
        subprocess.run(unlock, check=True)
    assert done.returncode == 2, done.stderr
    assert "数仓目录不可写" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_a_profile_change_is_said_not_no_change(hostile_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(hostile_home, home, ignore=shutil.ignore_patterns(".writer.lock", "logs"))
    folder = tmp_path / "profile"
    shutil.copytree(PACKAGED, folder)
    run = lambda: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "pipelines", "run", "--home", str(home)],
        capture_output=True,
        text=True,
        env=env(SAFETYWH_PROFILE=str(folder)),
        timeout=900,
    )
    first = run()
    assert first.returncode == 0, first.stderr[-3000:]
    data = config()
    data["ranking"]["weights"].update(accidents=25, hazards=30)
    (folder / "profile.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    second = run()
    assert second.returncode == 0, second.stderr[-3000:]
    assert "县情配置有变化，已按新配置重新计算指标与排名" in second.stdout
    assert "数据未变化" not in second.stdout
    third = run()
    assert "数据未变化" in third.stdout or "未重新运行" in third.stderr
