"""The command line in Chinese (issue 15): help, argparse errors, tables; a wrong feed,
sender or period is an error with exit 2; a mistyped home is refused."""

from __future__ import annotations

import argparse
import json
import re

import polars as pl
import pytest

from pipelines import cli
from pipelines.cli_zh import chinese_argparse
from pipelines.lib import output

# ASCII words a Chinese help may carry: names of things, not prose
ALLOWED = {
    "safetywh",
    "SAFETYWH_HOME",
    "warehouse",
    "YYYY-MM-DD",
    "ISO",
    "Excel",
    "JSON",
    "CSV",
    "SMTP",
    "IMAP",
    "PDF",
    "Word",
    "dbt",
    "staging",
    "pipelines",
    "contracts",
    "landing",
    "outbox",
    "publications",
    "archive",
    "xlsx",
    "defects",
    "csv",
    "json",
    "table",
    "hazards",
    "YJJ",
    "COMMAND",
    "_generator",
    "loaded",
    "rejected",
    "duplicate",
    "queued",
    "sent",
    "failed",
    "resolved",
    "SHA-256",
    "W14",
    "Q2",
    "GBK",
    "Streamlit",
    "scrypt",
    "Dagster",
    "SIGTERM",
    "Ctrl",
}


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    with chinese_argparse():
        parser = cli.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {"": parser, **action.choices}


def _help(capsys, *argv: str) -> str:
    assert cli.main([*argv, "--help"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_help_has_no_english_prose(capsys, command):
    parser = _subcommands()[command]
    text = _help(capsys, *([command] if command else []))
    assert "用法：" in text and "显示本帮助并退出" in text
    assert "usage" not in text and "show this help" not in text and "options:" not in text
    names = set(ALLOWED) | set(_subcommands())
    for action in parser._actions:
        names.update(action.option_strings)
        names.update(str(c) for c in (action.choices or ()) if isinstance(c, str))
        if action.metavar:
            names.add(action.metavar)
    leftover = " ".join(text.split())
    leftover = re.sub(r"\$\w+|[\w.<>-]*/[\w./<>-]*", " ", leftover)  # environment variables and paths
    for name in sorted(names - {""}, key=len, reverse=True):
        leftover = re.sub(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", " ", leftover)
    english = re.findall(r"[A-Za-z][A-Za-z']{2,}", leftover)
    assert not english, f"English in `safetywh {command} --help`: {english}"


@pytest.mark.parametrize(
    "argv, expected",
    [
        ([], "缺少必需的参数：COMMAND"),
        (["ranking"], "缺少必需的参数：--period"),
        (["files", "--bogus"], "无法识别的参数：--bogus"),
        (["files", "--format", "xml"], "无效的选择：'xml'"),
        (["nope"], "无效的选择：'nope'"),
        (["files", "--feed", "hazard"], "未知的数据类别“hazard”"),
        (["records", "应急"], "可指多个数据类别"),
        (["quarantine", "--sender", "YJJJ"], "未知的报送单位“YJJJ”"),
        (["alerts", "--sender", "4301829"], "未知的报送单位"),
        (["ranking", "--period", "2023-W60"], "周期格式不正确"),
        (["publish", "--period", "2023-13"], "周期格式不正确"),
        (["kpis", "--as-of", "2023-02-30"], "不是日期"),
        (["files", "--status", "ok"], "未知的状态“ok”"),
        (["generate", "--seed", "x"], "应为整数"),
    ],
)
def test_bad_arguments_are_chinese_errors_with_exit_2(capsys, argv, expected):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert expected in err, err
    assert "error:" not in err and "invalid" not in err and "required" not in err


def test_feed_sender_and_status_in_chinese_are_accepted():
    with chinese_argparse():
        parser = cli.build_parser()
        args = parser.parse_args(["files", "--feed", "隐患", "--status", "已拒收"])
        assert (args.feed, args.status) == ("hazards", "rejected")
        args = parser.parse_args(["quarantine", "--feed", "隐患排查治理台账", "--sender", "玉潭"])
        assert (args.feed, args.sender) == ("hazards", "430182001")
        assert parser.parse_args(["ranking", "--period", "2023-w05"]).period == "2023-W05"


def test_argparse_is_english_again_outside_the_cli():
    parser = argparse.ArgumentParser(prog="x")
    assert "usage: x" in parser.format_usage()


def test_run_refuses_a_home_without_landing_and_init_makes_one(tmp_path, capsys):
    typo = tmp_path / "typo"
    assert cli.main(["run", "--home", str(typo)]) == 2
    err = capsys.readouterr().err
    assert "不是数仓目录" in err and f"init --home {typo}" in err
    assert not typo.exists()  # nothing built there
    assert cli.main(["init", "--home", str(typo)]) == 0
    out = capsys.readouterr().out
    assert "（隐患排查治理台账）" in out and str(typo / "landing" / "hazards") in out
    from pipelines.lib.contracts import load_contracts

    assert sorted(p.name for p in (typo / "landing").iterdir()) == sorted(load_contracts())
    assert cli.main(["init", "--home", str(typo)]) == 0
    assert "已就绪" in capsys.readouterr().out


def _files_home(tmp_path):
    """A home with one loaded and one rejected file, through the real ingestion path, and
    its published copy (what the CLI's read commands read) as a run leaves it."""
    from pipelines.lib.publish import publish_reader_copy
    from tests.conftest import ingest_landing
    from warehouse.home import Home

    landing = tmp_path / "landing"
    (landing / "hazards" / "430182001").mkdir(parents=True)
    (landing / "hazards" / "430182001" / "台账.csv").write_text(
        "隐患编号,排查日期,所属乡镇,隐患等级,隐患描述,整改期限,挂牌督办\n"
        "H1,2023-04-03,玉潭,一般,消防通道堵塞,2023-04-10,否\n"
        "H2,2023-04-03,玉潭,特大,电线老化,2023-04-10,否\n",
        "utf-8",
    )
    (landing / "hazards" / "430182001" / "空.csv").write_text("隐患编号,排查日期\n", "utf-8")
    con, _ = ingest_landing(landing, tmp_path / "warehouse.duckdb")
    con.close()
    publish_reader_copy(tmp_path / "warehouse.duckdb", Home.resolve(tmp_path).published_path)
    return tmp_path


def test_tables_are_chinese_json_stays_canonical(tmp_path, capsys):
    home = _files_home(tmp_path)
    assert cli.main(["files", "--home", str(home)]) == 0
    table = capsys.readouterr().out
    header = table.splitlines()[0]
    for word in (
        "文件编号",
        "文件路径",
        "数据类别",
        "报送单位",
        "状态",
        "总行数",
        "入库行数",
        "隔离行数",
        "跳过行数",
        "原因",
    ):
        assert word in header, header
    assert not re.search(r"\b(file_id|path|feed|rows_total|status)\b", header)
    assert "隐患排查治理台账" in table and "已入库" in table and "已拒收" in table
    assert "null" not in table and "hazards" not in table.replace("hazards/", "")

    assert cli.main(["quarantine", "--home", str(home), "--feed", "隐患"]) == 0
    table = capsys.readouterr().out
    assert "隐患等级" in table and "不在允许值范围内" in table and "| 行号" in table.replace("|行号", "| 行号")
    assert "column_name" not in table and "enum" not in table

    assert cli.main(["quarantine", "--home", str(home), "--format", "json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["feed"], entry["rule"], entry["column_name"], entry["row"]) == ("hazards", "enum", "level", 3)


def test_csv_neutralises_formulas():
    buffer = __import__("io").StringIO()
    output.emit(pl.DataFrame({"a": ["=HYPERLINK(1)", "-2", "+x", "@y", "ok"]}), "csv", buffer)
    assert buffer.getvalue().splitlines()[1:] == ["'=HYPERLINK(1)", "'-2", "'+x", "'@y", "ok"]
