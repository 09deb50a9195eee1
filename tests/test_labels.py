"""The one registry of labels (pipelines/lib/labels.py)."""

import polars as pl
import pytest

from pipelines.lib import labels
from pipelines.lib.contracts import load_contracts
from pipelines.lib.profile import load_profile


@pytest.mark.parametrize("typed", ["hazards", "HAZARDS", "隐患排查治理台账", "隐患", " 隐患 "])
def test_feed_from_text_accepts_name_label_and_unique_part(typed):
    assert labels.feed_from_text(typed) == "hazards"


def test_feed_from_text_refuses_unknown_in_chinese_listing_every_feed():
    with pytest.raises(labels.LabelError) as err:
        labels.feed_from_text("hazard_typo")
    message = str(err.value)
    assert "未知的数据类别" in message
    for contract in load_contracts().values():
        assert f"{contract.feed}（{contract.label}）" in message


def test_feed_from_text_refuses_ambiguous_part():
    # 应急 is in 应急演练与培训, 应急预案备案, 应急救援队伍, 应急物资储备库
    with pytest.raises(labels.LabelError, match="多个数据类别"):
        labels.feed_from_text("应急")


def test_labels_come_from_the_contracts():
    assert labels.feed_label("hazards") == "隐患排查治理台账"
    assert labels.column_label("hazards", "found_on") == "排查日期"
    assert labels.column_label("inspections", "hazards_found") == "发现隐患数"


def test_sender_from_text():
    profile = load_profile()
    assert labels.sender_from_text(profile, "玉潭街道") == "430182001"
    assert labels.sender_from_text(profile, "玉潭") == "430182001"
    assert labels.sender_from_text(profile, "应急局") == "YJJ"
    assert labels.sender_from_text(profile, "YJJ") == "YJJ"
    with pytest.raises(labels.LabelError, match="未知的报送单位"):
        labels.sender_from_text(profile, "YJJJ")


def test_words_and_values():
    assert labels.word("status", "loaded") == "已入库"
    assert labels.word("status", "queued") == "待发送"
    assert labels.value_text(True) == "是" and labels.value_text(False) == "否"
    assert labels.value_text(None) == "—"
    assert labels.rule_label("enum") == "不在允许值范围内"
    assert labels.rejection_label("no_rows") == "文件中没有数据行"


def test_label_frame_translates_headers_and_values():
    frame = pl.DataFrame({"feed": ["hazards", "accidents"], "status": ["loaded", "rejected"],
                          "rule": ["enum", None], "flag": [True, None], "rows_total": [3, 0]})
    out = labels.label_frame(frame)
    assert out.columns == ["数据类别", "状态", "规则", "flag", "总行数"]
    assert out.row(0) == ("隐患排查治理台账", "已入库", "不在允许值范围内", "是", "3")
    assert out.row(1) == ("生产安全事故", "已拒收", "—", "—", "0")
    # a ledger's own columns take the contract's header
    assert labels.label_frame(pl.DataFrame({"found_on": [None]}), feed="hazards").columns == ["排查日期"]


def test_cli_modules_hold_no_literal_column_label():
    """CLI tables take their headers from the registry: no contract header, mart label or
    Chinese SQL alias written into the CLI's code."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "pipelines"
    sources = [*root.glob("cli*.py"), root / "lib" / "run_summary.py", root / "lib" / "inspect.py",
               root / "lib" / "output.py"]
    headers = {c.header for contract in load_contracts().values() for c in contract.columns}
    marts = set(labels.words("mart_column").values()) | set(labels.words("column").values())
    for path in sources:
        text = path.read_text("utf-8")
        assert not re.search(r"\bAS\s+[\u4e00-\u9fff]", text, re.IGNORECASE), path.name
        literals = re.findall(r"[\"']([^\"'\n]*)[\"']", text)
        for literal in literals:
            assert literal not in headers | marts, f"{path.name}: {literal!r} belongs in the registry"


def test_generate_summary_prints_chinese_feed_names(tmp_path):
    from pipelines.generate import GenerateSummary

    summary = GenerateSummary(out=tmp_path, files={"hazards": 12, "accidents": 3}, rows={"hazards": 40, "accidents": 5},
                              defects={"enum": 2, "encoding": 1}, manifest=tmp_path / "defects.csv",
                              summary_json=tmp_path / "summary.json", resubmissions=1, seconds=2.5)
    text = summary.describe()
    assert "GenerateSummary" not in text and "hazards" not in text and "accidents" not in text
    assert "隐患排查治理台账" in text and "生产安全事故" in text
    assert "合计 15 个文件、45 行数据（其中 1 份为更正后重报）；故意制造的错误 3 处" in text
