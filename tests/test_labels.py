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
