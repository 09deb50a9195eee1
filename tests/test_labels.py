"""The one registry of labels (pipelines/lib/labels.py)."""

import re
from pathlib import Path

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
    frame = pl.DataFrame(
        {
            "feed": ["hazards", "accidents"],
            "status": ["loaded", "rejected"],
            "rule": ["enum", None],
            "flag": [True, None],
            "rows_total": [3, 0],
        }
    )
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
    sources = [
        *root.glob("cli*.py"),
        root / "lib" / "run_summary.py",
        root / "lib" / "inspect.py",
        root / "lib" / "output.py",
    ]
    headers = {c.header for contract in load_contracts().values() for c in contract.columns}
    marts = labels.mart_labels() | set(labels.words("column").values())
    for path in sources:
        text = path.read_text("utf-8")
        assert not re.search(r"\bAS\s+[\u4e00-\u9fff]", text, re.IGNORECASE), path.name
        literals = re.findall(r"[\"']([^\"'\n]*)[\"']", text)
        for literal in literals:
            assert literal not in headers | marts, f"{path.name}: {literal!r} belongs in the registry"


def test_generate_summary_prints_chinese_feed_names(tmp_path):
    from pipelines.generate import GenerateSummary

    summary = GenerateSummary(
        out=tmp_path,
        files={"hazards": 12, "accidents": 3},
        rows={"hazards": 40, "accidents": 5},
        defects={"enum": 2, "encoding": 1},
        manifest=tmp_path / "defects.csv",
        summary_json=tmp_path / "summary.json",
        resubmissions=1,
        seconds=2.5,
    )
    text = summary.describe()
    assert "GenerateSummary" not in text and "hazards" not in text and "accidents" not in text
    assert "隐患排查治理台账" in text and "生产安全事故" in text
    assert "合计 15 个文件、45 行数据（其中 1 份为更正后重报）；故意制造的错误 3 处" in text


# ---------------------------------------------------------------- pages and bulletin renderers

ROOT = Path(__file__).resolve().parent.parent
SHOWN = [
    *sorted((ROOT / "dashboards" / "pages").glob("*.py")),
    *[ROOT / "dashboards" / name for name in ("ui.py", "cards.py", "charts.py")],
    *[
        ROOT / "pipelines" / "lib" / "bulletin" / name
        for name in ("tables.py", "render_docx.py", "render_pdf.py", "render_xlsx.py")
    ],
]
FIXTURE = ROOT / "tests" / "fixtures" / "labels" / "page_with_literal_label.py"


def _registry_words() -> set[str]:
    """Every label the registry gives: ledger headers and feed names (contracts), mart labels
    (dbt meta), the vocabulary's column, status and period words, rule names."""
    from pipelines.lib.rules import ROW_RULES

    contracts = load_contracts().values()
    found = {c.header for contract in contracts for c in contract.columns} | {c.label for c in contracts}
    found |= labels.mart_labels() | {v[0] for v in ROW_RULES.values()}
    for group in ("column", "status", "delivery", "sender_kind", "period_type", "chart", "figure", "login_audit"):
        found |= set(labels.words(group).values())
    return found


def _page_titles() -> set[str]:
    """A page's own title (dashboards/app.py PAGE_TABLE) may be written in it: it is no label."""
    text = (ROOT / "dashboards" / "app.py").read_text("utf-8")
    return set(re.findall(r'\("[^"]+", "[a-z_]+", "([^"]+)"', text))


def literal_labels(text: str, known: set[str], titles: set[str] = frozenset()) -> list[str]:
    """What a file writes by hand that belongs in the registry: a string literal equal to a
    label, a header map {"column": "中文"}, a Chinese SQL alias. A line marked
    `# label-ok: <why>` (a sheet's name) is skipped."""
    lines = [line for line in text.splitlines() if "# label-ok:" not in line]
    body = "\n".join(lines)
    found = [f"AS {m}" for m in re.findall(r"\bAS\s+([\u4e00-\u9fff]+)", body, re.IGNORECASE)]
    found += [
        f"{k}: {v}"
        for k, v in re.findall(r"[\"']([a-z_]+)[\"']\s*:\s*f?[\"']([^\"'\n]*[\u4e00-\u9fff][^\"'\n]*)[\"']", body)
    ]
    found += [lit for lit in re.findall(r"[\"']([^\"'\n]*)[\"']", body) if lit in known and lit not in titles]
    return found


def test_the_guard_finds_a_hand_written_header():
    found = literal_labels(FIXTURE.read_text("utf-8"), _registry_words())
    # the header map, and 隐患编号 the contract's own header written again
    assert {"hazard_id: 隐患编号", "found_on: 发现日期", "level: 等级", "隐患编号"} <= set(found)
    assert literal_labels('st.title("隐患治理")', _registry_words(), _page_titles()) == []
    assert literal_labels('ui.section("隐患治理")', _registry_words()) == ["隐患治理"]  # a mart label (s_haz)
    assert literal_labels('sql = "select x as 数量"', set()) == ["AS 数量"]


@pytest.mark.parametrize("path", SHOWN, ids=lambda p: p.name)
def test_pages_and_bulletin_renderers_hold_no_literal_label(path):
    """Every column label, unit, feed name, rule name and status word a page or a bulletin
    shows comes from the registry (contracts, dbt meta, pipelines/vocabulary.yaml)."""
    assert literal_labels(path.read_text("utf-8"), _registry_words(), _page_titles()) == [], path.name


def test_marts_label_every_column_alike():
    """One name, one label: a mart column that carries a ledger column has the contract's
    header (found_on is 排查日期 everywhere, level 隐患等级), and a name means the same in
    every mart that shares it (township_name is 乡镇（街道）)."""
    seen: dict[str, set[str]] = {}
    for model, (feed, columns) in labels._marts().items():
        for column, label in columns.items():
            seen.setdefault(column, set()).add(label)
            if feed and column in load_contracts()[feed].names:
                raise AssertionError(f"{model}.{column}: the contract of {feed} labels it; no meta.label")
    for column in ("township_name", "township_code", "sender_name", "sender_code", "enterprise_name"):
        assert len(seen.get(column, set())) <= 1, (column, seen[column])
    assert labels.mart_column_label("major_and_supervised_hazards", "found_on") == "排查日期"
    assert labels.mart_column_label("major_and_supervised_hazards", "level") == "隐患等级"
    assert labels.mart_column_label("township_rankings", "band") == "等次"  # the ranking's word, as ranking.md


def test_headers_refuse_a_column_without_a_label():
    assert labels.headers(["rank", "band"], model="township_rankings") == {"rank": "排名", "band": "等次"}
    # a mart's pass-through column takes its feed's contract header (model meta.feed)
    assert labels.headers(["found_on", "days_overdue"], model="open_hazards_daily") == {
        "found_on": "排查日期",
        "days_overdue": "逾期天数",
    }
    with pytest.raises(labels.LabelError, match="没有中文标题"):
        labels.headers(["no_such_column"], model="township_rankings")
