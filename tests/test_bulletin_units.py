"""The parts of the publications that need no warehouse: periods and partition keys,
the wording of numbers, title lines, fonts and the settings derived from the profile."""

import datetime as dt

import pytest

from pipelines.lib.bulletin.content import title_lines
from pipelines.lib.bulletin.fonts import Fonts
from pipelines.lib.bulletin.periods import cn_range, label_for_start, period_info, start_of
from pipelines.lib.bulletin.settings import PublicationSettings
from pipelines.lib.bulletin.wording import fmt_num, movement_text, target_text, yoy_clause
from pipelines.lib.numbers import NumbersError
from pipelines.lib.profile import load_profile


@pytest.mark.parametrize(
    "label, kind, start, end, name",
    [
        ("2023-W14", "week", dt.date(2023, 4, 3), dt.date(2023, 4, 9), "2023年第14周"),
        ("2023-04", "month", dt.date(2023, 4, 1), dt.date(2023, 4, 30), "2023年4月"),
        ("2023-Q2", "quarter", dt.date(2023, 4, 1), dt.date(2023, 6, 30), "2023年第二季度"),
        ("2020-W53", "week", dt.date(2020, 12, 28), dt.date(2021, 1, 3), "2020年第53周"),
        ("2024-02", "month", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "2024年2月"),
    ],
)
def test_periods_have_the_dates_of_ranking_md(label, kind, start, end, name):
    info = period_info(label)
    assert (info.kind, info.start, info.end, info.name_cn) == (kind, start, end, name)
    assert label_for_start(kind, info.partition_key) == label
    assert start_of(label) == start
    assert info.issue_date() == end + dt.timedelta(days=1)  # Monday after the week, 1st after a month


def test_same_period_last_year_and_malformed_periods():
    assert period_info("2023-W14").same_period_last_year().label == "2022-W14"
    assert period_info("2020-W53").same_period_last_year().label == "2019-W52"  # 2019 has 52 weeks
    assert period_info("2023-Q2").same_period_last_year().label == "2022-Q2"
    for bad in ("2023-W54", "2023-13", "2023-Q5", "W14"):
        with pytest.raises(NumbersError):
            period_info(bad)
    with pytest.raises(ValueError):
        label_for_start("week", "2023-04-04")  # a Tuesday starts no ISO week
    with pytest.raises(ValueError):
        label_for_start("quarter", "2023-05-01")


def test_every_dagster_partition_key_is_the_first_day_of_its_period():
    from pipelines.defs.bulletins.partitions import build_partitions

    for kind, partitions in build_partitions().items():
        keys = partitions.get_partition_keys(current_time=dt.datetime(2024, 1, 2))
        assert keys, kind
        for key in keys:
            label = label_for_start(kind, key)
            assert start_of(label).isoformat() == key
            window = partitions.time_window_for_partition_key(key)
            assert window.start.date() == period_info(label).start
            assert (window.end.date() - dt.timedelta(days=1)) == period_info(label).end
    weeks = build_partitions()["week"].get_partition_keys(current_time=dt.datetime(2024, 1, 2))
    assert "2023-04-03" in weeks and label_for_start("week", "2023-04-03") == "2023-W14"


def test_year_on_year_clause_words_the_marts_phrases_together():
    """The phrases themselves (下降33.3% ...) are computed in dbt (bulletin_figures' unit test);
    the clause only says them together."""
    assert (
        yoy_clause([("下降33.3%", 2, "起"), ("持平", 1, "人")]) == "同比分别下降33.3%、持平"
    )  # the issue's own example
    assert yoy_clause([("持平", 0), ("持平", 0)]) == "与去年同期持平"
    assert yoy_clause([("下降66.7%", 1), ("下降80.0%", 3)]) == "同比分别下降66.7%、80.0%"
    assert yoy_clause([("去年同期无", 2, "起"), ("持平", 1, "人")]) == "同比分别增加2起（去年同期为零）、持平"
    assert yoy_clause([("上升25.0%", 5)]) == "同比上升25.0%"
    assert yoy_clause([(None, 1)]) == "无去年同期数据可比"
    assert yoy_clause([("—", 1), ("上升10.0%", 2)]) == "同比分别无可比数据、上升10.0%"


def test_numbers_are_written_as_a_clerk_writes_them():
    assert fmt_num(2.675) == "2.68" and fmt_num(0.0) == "0.00" and fmt_num(None) == "—"
    assert target_text(0.8, "at_most", "起") == "≤0.8起"
    assert target_text(0.0, "at_most", "起") == "0起"
    assert target_text(100.0, "at_least", "%") == "≥100%"
    assert target_text(0.9, "at_most", "‰") == "≤0.9‰"
    assert target_text(None, None, "次") == "—"
    assert [movement_text(m) for m in (3, -2, 0, None)] == ["↑3", "↓2", "持平", "—"]
    assert cn_range(dt.date(2023, 4, 3), dt.date(2023, 4, 9)) == "4月3日至4月9日"
    assert cn_range(dt.date(2020, 12, 28), dt.date(2021, 1, 3)) == "2020年12月28日至2021年1月3日"


def test_titles_break_between_words_into_a_trapezoid():
    segments = ["宁乡市应急管理局", "关于", "2023年第14周", "全市", "安全生产", "工作情况的", "周通报"]
    lines = title_lines(segments)
    assert lines == ["宁乡市应急管理局关于2023年第14周", "全市安全生产工作情况的周通报"]
    assert "".join(lines) == "".join(segments)
    assert title_lines(["短标题"]) == ["短标题"]


def test_settings_come_from_the_county_profile():
    settings = PublicationSettings.from_profile(load_profile())
    assert settings.bureau == "宁乡市应急管理局"
    assert settings.doc_codes["week"] == "宁应急周"  # after the customer's 宁应急发〔2023〕7号
    assert settings.leadership and all("@" in a for a in settings.leadership)
    assert settings.weights == {"accidents": 30, "hazards": 25, "enforcement": 15, "preparedness": 15, "reporting": 15}
    fonts = Fonts.from_config({"body": "仿宋_GB2312", "unknown": "x"})
    assert fonts.body == "仿宋_GB2312" and fonts.title == "Noto Serif CJK SC"
    assert fonts.css_stack("body").startswith('"仿宋_GB2312", "Noto Serif CJK SC"')


def test_report_deadlines_are_dates():
    from pipelines.lib.bulletin.sections import report_deadline

    assert report_deadline(period_info("2023-W14")) == dt.date(2023, 4, 12)  # the Wednesday after the week
    assert report_deadline(period_info("2023-12")) == dt.date(2024, 1, 10)
    assert report_deadline(period_info("2023-Q4")) == dt.date(2024, 1, 15)  # not 下季度首月15日


def test_chinese_fonts_are_found_and_their_absence_refused(monkeypatch, tmp_path):
    from pipelines.lib.bulletin.fonts import MissingChineseFontsError, chinese_font_families, require_chinese_fonts

    assert "Noto Serif CJK SC" in chinese_font_families()  # scripts/setup.sh installs fonts-noto-cjk
    require_chinese_fonts()
    config = tmp_path / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?><fontconfig><cachedir>{tmp_path}</cachedir></fontconfig>', "utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    assert chinese_font_families() == []
    with pytest.raises(MissingChineseFontsError, match="fonts-noto-cjk"):
        require_chinese_fonts()


def test_the_brief_red_list_names_the_townships_left_off_it():
    """ranking_section(brief=True): a red list of 4 of 5 townships is written as its
    complement (除戊镇以外); the full wording, and a red list shorter than its complement,
    name the red list itself."""
    from pipelines.lib.bulletin.sections import ranking_section

    rows = [
        {"township_name": n, "vetoed": False, "band": "合格", "total_raw": 80.0}
        for n in ("甲镇", "乙镇", "丙镇", "丁镇", "戊镇")
    ]
    red = ["甲镇", "乙镇", "丙镇", "丁镇"]

    def red_text(red_list, brief):
        section = ranking_section(period_info("2023-W14"), rows, red_list, [], lambda _: "见附件1", brief)
        return section["paragraphs"][1]["text"]

    assert red_text(red, True) == "列入红榜（未发生生产安全事故且未被通报）的共4个，即除戊镇以外的各乡镇（街道）。"
    assert red_text(red, False) == "列入红榜（未发生生产安全事故且未被通报）的共4个：甲镇、乙镇、丙镇、丁镇。"
    assert red_text(["甲镇"], True) == "列入红榜（未发生生产安全事故且未被通报）的共1个：甲镇。"
