"""数据报送规范 (issue 12): DOCX and PDF made from the contracts and the profile."""

import io
import subprocess

import pytest
from docx import Document

from pipelines import cli
from pipelines.lib.contracts import load_contracts
from pipelines.lib.profile import load_profile
from pipelines.lib.spec_doc import build_spec, column_guide, spec_content


def _text_of_docx(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def pdf_text(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spec")
    assert cli.main(["spec", "--out", str(folder)]) == 0
    pdf = folder / "宁乡市安全生产数据报送规范.pdf"
    assert (folder / "宁乡市安全生产数据报送规范.docx").stat().st_size > 10_000
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def test_pdf_holds_every_feed_its_columns_and_deadlines(pdf_text):
    flat = "".join(pdf_text.split())  # pdftotext breaks lines and pads with spaces
    assert "宁乡市安全生产数据报送规范" in flat
    for contract in load_contracts().values():
        assert f"{contract.label}（{contract.feed}）" in flat, contract.feed
        for column in contract.columns:
            assert column.header.replace(" ", "") in flat, (contract.feed, column.header)
    assert "每周一12时前报送上一周" in flat and "事件发生后24小时内报送" in flat
    assert "每月5日前报送最新名录" in flat and "次月10日前报送上月数据" in flat
    assert "landing/<数据类别>/<报送单位代码>/" in flat
    assert "合计" in flat and "填表人" in flat  # the rules for ledgers
    assert "430182001" in flat and "玉潭街道" in flat  # the table of sender codes


def test_docx_says_what_the_pdf_says():
    profile = load_profile()
    text = _text_of_docx(build_spec(profile, "docx"))
    assert "宁乡市安全生产数据报送规范" in text
    blocks = spec_content(profile)
    for b in blocks:
        if b.kind == "table":
            for row in b.table.rows:
                assert all(str(v) in text for v in row), row
        elif b.text:
            assert b.text in text, b.text
    # the hazards table: required, type, rules and allowed values as the contract says
    guide = {g.header: g for g in column_guide(load_contracts()["hazards"])}
    assert guide["隐患等级"].required and guide["隐患等级"].values == (
        "一般（也可写作 一般隐患、一般事故隐患）",
        "重大（也可写作 重大隐患、重大事故隐患）",
    )
    from pipelines.lib.reasons import FORMAT_HINTS

    assert guide["整改期限"].rules == (FORMAT_HINTS["date"], "不能早于「排查日期」")  # the quarantine's own wording
    assert not guide["整改完成日期"].required and "不能晚于今天" in guide["整改完成日期"].rules
    assert guide["所属乡镇"].type == "乡镇（街道）"
    # the synonyms the contract accepts are listed beside their value
    assert guide["挂牌督办"].values[0].startswith("是（也可写作 √、") and "No" in guide["挂牌督办"].values[1]


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="docx 或 pdf"):
        build_spec(load_profile(), "odt")
