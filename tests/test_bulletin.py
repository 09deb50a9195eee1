"""The publications of issue 6, made from the generated county (`generated_home`: the real
pipeline on generated ledgers) and read back: the DOCX with python-docx, the PDF with
poppler's pdftotext / pdffonts / pdftoppm, the XLSX with openpyxl. Every township, its rank
and its total must equal `safetywh ranking`; the scoreboard must equal `safetywh kpis`; a
re-published period must keep both versions with the same numbers."""

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from pipelines.lib.bulletin.archive import sha256_file

pytestmark = pytest.mark.slow

PERIODS = ("2023-W14", "2023-04", "2023-Q2")  # a week, a month and a quarter of the sample data
KIND_CN = {"2023-W14": "周通报", "2023-04": "月排名", "2023-Q2": "季考核"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def safetywh(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFETYWH_")}
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args, "--home", str(home)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def published(generated_home):
    """Each period published once with `safetywh publish`, as a clerk runs it, and the
    ranking and scoreboard the CLI prints for it."""
    out = {}
    for period in PERIODS:
        done = safetywh(generated_home, "publish", "--period", period, "--no-mail")
        assert done.returncode == 0, done.stderr
        paths = [Path(line) for line in done.stdout.splitlines() if line.strip()]
        ranking = safetywh(generated_home, "ranking", "--period", period, "--format", "json")
        assert ranking.returncode == 0, ranking.stderr
        rows = json.loads(ranking.stdout)
        kpis = safetywh(generated_home, "kpis", "--as-of", rows[0]["as_of"], "--format", "json")
        assert kpis.returncode == 0, kpis.stderr
        out[period] = {"paths": paths, "ranking": rows, "kpis": json.loads(kpis.stdout)}
    return out


def _by_suffix(paths: list[Path], suffix: str) -> Path:
    (path,) = [p for p in paths if p.suffix == suffix]
    return path


def pdf_text(path: Path, *pages: int) -> str:
    args = ["pdftotext", "-layout", "-enc", "UTF-8"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    return subprocess.run([*args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def flat_text(path: Path) -> str:
    """The running text: page-number lines (- 1 -) dropped, whitespace removed, so a
    sentence that crosses a page or a line reads whole."""
    lines = [line for line in pdf_text(path).splitlines() if not re.fullmatch(r"\s*-\s?\d+\s?-\s*", line)]
    return re.sub(r"\s+", "", "\n".join(lines))


# ---------------------------------------------------------------- the command


@pytest.mark.parametrize("period", PERIODS)
def test_publish_prints_a_docx_a_pdf_and_an_xlsx_under_publications(published, generated_home, period):
    paths = published[period]["paths"]
    assert sorted(p.suffix for p in paths) == [".docx", ".pdf", ".xlsx"]
    for path in paths:
        assert path.parent == generated_home / "publications" / period
        assert path.is_file() and path.stat().st_size > 5000
        assert KIND_CN[period] in path.name
    manifest = json.loads((generated_home / "publications" / period / "manifest.json").read_text("utf-8"))
    latest = manifest["versions"][-1]
    for fmt in ("docx", "pdf", "xlsx"):
        archived = generated_home / "publications" / period / latest["files"][fmt]["path"]
        assert sha256_file(archived) == latest["files"][fmt]["sha256"] == sha256_file(_by_suffix(paths, f".{fmt}"))


def test_an_unknown_period_is_refused_in_chinese(generated_home):
    done = safetywh(generated_home, "publish", "--period", "2031-W01", "--no-mail")
    assert done.returncode == 2
    assert "不在数据中" in done.stderr
    done = safetywh(generated_home, "publish", "--period", "2023-W99", "--no-mail")
    assert done.returncode == 2 and "周期格式不正确" in done.stderr


# ---------------------------------------------------------------- DOCX


def _docx_table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


@pytest.mark.parametrize("period", PERIODS)
def test_docx_ranking_table_equals_the_ranking_mart(published, period):
    doc = Document(str(_by_suffix(published[period]["paths"], ".docx")))
    rows = _docx_table_rows(doc.tables[0])
    header, body = rows[0], rows[1:]
    assert header[:4] == ["排名", "升降", "乡镇（街道）", "总分"]
    expected = published[period]["ranking"]
    assert len(body) == len(expected) == 29
    for got, want in zip(body, expected):
        assert got[2] == want["township_name"]
        assert int(got[0]) == want["rank"]
        assert got[3] == f"{want['total']:.2f}"
        assert [float(x) for x in got[4:9]] == pytest.approx(
            [want[k] for k in ("s_acc", "s_haz", "s_enf", "s_prep", "s_rep")]
        )
        assert got[9] == want["band"]
        assert got[10] == ("是" if want["vetoed"] else "—")


def test_a_weekly_docx_attaches_the_ranking_table_only(published):
    doc = Document(str(_by_suffix(published["2023-W14"]["paths"], ".docx")))
    assert len(doc.tables) == 1  # the lists are in the XLSX: a 周通报 is 4 pages


@pytest.mark.parametrize("period", PERIODS[1:])
def test_docx_scoreboard_equals_safetywh_kpis(published, period):
    doc = Document(str(_by_suffix(published[period]["paths"], ".docx")))
    body = _docx_table_rows(doc.tables[1])[1:]
    kpis = published[period]["kpis"]
    assert [r[1] for r in body] == [k["label"] for k in kpis]
    for got, want in zip(body, kpis):
        if want["value"] is None:
            assert got[2] == "—"
        else:
            number = float(re.match(r"[-\d.]+", got[2]).group())
            # the one rule of decimals: ‰ 4, percentages 1, the rest 2 (counts whole)
            tolerance = {"‰": 0.00006, "%": 0.06}.get(want["unit"], 0.006)
            assert number == pytest.approx(want["value"], abs=tolerance)
        assert got[4] == (want["change_text"] or "—")


def test_docx_names_the_east_asian_font_on_every_run_and_style(published):
    doc = Document(str(_by_suffix(published["2023-W14"]["paths"], ".docx")))
    runs = [r for p in doc.paragraphs for r in p.runs]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    runs += [r for s in doc.sections for p in (*s.footer.paragraphs, *s.even_page_footer.paragraphs) for r in p.runs]
    assert len(runs) > 300
    faces = set()
    for run in runs:
        fonts = run._r.rPr.rFonts
        assert fonts is not None and fonts.get(qn("w:eastAsia")), run.text
        assert fonts.get(qn("w:eastAsiaTheme")) is None
        faces.add(fonts.get(qn("w:eastAsia")))
    assert {"Noto Serif CJK SC", "Noto Sans CJK SC", "AR PL UKai CN"} <= faces  # 宋/仿宋, 黑体, 楷体 stand-ins
    normal = doc.styles["Normal"].element.rPr
    assert normal.rFonts.get(qn("w:eastAsia")) == "Noto Serif CJK SC"
    assert normal.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    for style in doc.styles:
        fonts = style.element.rPr.rFonts if style.element.rPr is not None else None
        if fonts is not None:
            assert fonts.get(qn("w:eastAsiaTheme")) is None, style.name
    assert doc.styles["Normal"].font.size.pt == 16  # 三号


def test_docx_follows_gb_t_9704_page_and_header(published):
    doc = Document(str(_by_suffix(published["2023-W14"]["paths"], ".docx")))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [
        round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    ]
    assert margins == [37, 35, 28, 26]
    texts = [p.text for p in doc.paragraphs]
    mark = next(p for p in doc.paragraphs if p.text == "宁乡市应急管理局文件")
    assert str(mark.runs[0].font.color.rgb) == "E60012" and mark.runs[0].font.bold
    assert "宁应急周〔2023〕14号" in texts
    title = next(
        p for p in doc.paragraphs if "周通报" in p.text and p.runs[0].font.size and p.runs[0].font.size.pt == 22
    )
    assert title.text.replace("\n", "") == "宁乡市应急管理局关于2023年第14周全市安全生产工作情况的周通报"
    headings = [t for t in texts if re.match(r"^[一二三四五六]、", t)]
    assert headings == ["一、总体情况", "二、乡镇排名", "三、隐患治理", "四、风险预警", "五、数据报送", "六、工作要求"]
    footer = "".join(r._r.xml for r in section.footer.paragraphs[0].runs)
    assert "PAGE" in footer and section.footer.paragraphs[0].text.startswith("- ")
    assert doc.settings.odd_and_even_pages_header_footer


# ---------------------------------------------------------------- PDF


@pytest.mark.parametrize("period", PERIODS)
def test_pdf_shows_every_township_rank_and_total(published, period):
    text = pdf_text(_by_suffix(published[period]["paths"], ".pdf"))
    lines = text.splitlines()
    for want in published[period]["ranking"]:
        pattern = re.compile(rf"^\s*{want['rank']}\s+\S+\s+{want['township_name']}\s+{want['total']:.2f}\s")
        assert any(pattern.search(line) for line in lines), (want["rank"], want["township_name"], want["total"])


@pytest.mark.parametrize("period", PERIODS)
def test_pdf_chinese_extracts_cleanly_with_embedded_fonts(published, period):
    pdf = _by_suffix(published[period]["paths"], ".pdf")
    text = pdf_text(pdf)
    assert "\ufffd" not in text and "□" not in text and "\x00" not in text
    assert len(CJK.findall(text)) > (800 if "-W" in period else 1500)  # a week is short: 4 pages
    flat = re.sub(r"\s+", "", text)
    # a sentence may run over a page break: read the body without the page numbers between
    unbroken = re.sub(r"-\d+-", "", flat)
    for phrase in (
        "宁乡市应急管理局文件",
        "一、总体情况",
        "二、乡镇排名",
        "三、隐患治理",
        "四、风险预警",
        "五、数据报送",
        "六、工作要求",
        "全市发生生产安全事故",
        "重大隐患和挂牌督办隐患",
        "〔2023〕",
        "- 1 -".replace(" ", ""),
    ):
        assert phrase in flat or phrase in unbroken, phrase
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # every font embedded
    names = " ".join(fonts)
    for face in ("Noto-Serif-CJK-SC-Bold", "Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC", "AR-PL-UKai-CN"):
        assert face in names


def test_pdf_sentences_carry_the_numbers(published, generated_home):
    period = "2023-W14"
    text = flat_text(_by_suffix(published[period]["paths"], ".pdf"))
    ranking = published[period]["ranking"]
    accidents = sum(r["accidents"] for r in ranking)
    deaths = sum(r["deaths"] for r in ranking)
    assert "2023年第14周（4月3日至4月9日）" in text
    assert f"本周，全市发生生产安全事故{accidents}起、死亡{deaths}人" in text
    ytd = {k["metric_id"]: k for k in published[period]["kpis"]}
    assert (
        f"全市累计发生生产安全事故{int(ytd['accidents']['value'])}起、死亡{int(ytd['accident_deaths']['value'])}人"
        in text
    )
    for r in ranking:
        if r["named"] and not r["vetoed"]:
            assert (
                f"{r['township_name']}（第{r['rank']}名，{r['total']:.2f}分，{r['weakest_component_label']}失" in text
            )
        if r["vetoed"]:
            assert re.search(f"{r['township_name']}[^。]*发生{r['veto_reason']}", text)
    red = [r["township_name"] for r in ranking if r["red_list"]]
    assert f"列入红榜（未发生生产安全事故且未被通报）的共{len(red)}个" in text
    # the period's on-time rectification rate (hazards due in the week, ranking.md) and the
    # year's, which is the 隐患治理 dashboard's county figure (hazards due this year before D)
    from decimal import ROUND_HALF_UP, Decimal

    import duckdb

    def pct(num: int, den: int) -> str:
        return f"{(Decimal(100 * num) / Decimal(den)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"

    as_of = dt.date.fromisoformat(ranking[0]["as_of"])
    with duckdb.connect(str(generated_home / "published" / "warehouse.duckdb"), read_only=True) as con:
        due, ontime = con.execute(
            "select sum(hazards_due), sum(hazards_due_ontime) from marts.township_rankings where period = ?", [period]
        ).fetchone()
        ytd_due, ytd_ontime = con.execute(
            "select sum(due), sum(due_ontime) from marts.hazard_rectification_by_township_daily where as_of = ?",
            [as_of],
        ).fetchone()
    if due:
        assert f"到期应整改隐患{due}项，按期整改{ontime}项（{pct(ontime, due)}" in text
    assert ytd_due and f"今年以来隐患按期整改率{pct(ytd_ontime, ytd_due)}" in text


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def test_a_weekly_bulletin_is_four_pages_at_most(published, generated_home):
    """Issue 15: a 周通报 is read in five minutes - body and ranking table on at most 4 A4
    pages, the lists in the XLSX (a month and a quarter attach the scoreboard too)."""
    week = _by_suffix(published["2023-W14"]["paths"], ".pdf")
    assert pdf_pages(week) <= 4
    assert re.search(r"^\s*附件1\s*$", pdf_text(week, 4), re.M)  # the ranking table is the last page
    for period in ("2023-04", "2023-Q2"):
        assert "附件2" in flat_text(_by_suffix(published[period]["paths"], ".pdf"))
    # the week with the most to say (most named, red-listed and late senders): still 4 pages
    named = {
        w: sum(
            r["named"]
            for r in json.loads(
                safetywh(generated_home, "ranking", "--period", f"2023-W{w:02d}", "--format", "json").stdout
            )
        )
        for w in (10, 30, 45, 52)
    }
    busiest = max(named, key=named.get)
    done = safetywh(generated_home, "publish", "--period", f"2023-W{busiest:02d}", "--no-mail")
    assert done.returncode == 0, done.stderr
    (pdf,) = [Path(line) for line in done.stdout.splitlines() if line.endswith(".pdf")]
    assert pdf_pages(pdf) <= 4


def _names_in(sentence: str, candidates: list[str]) -> set[str]:
    return {name for name in candidates if name in sentence}


@pytest.mark.parametrize("period", PERIODS)
def test_no_township_is_both_on_the_red_list_and_named(published, period):
    """ranking.md: the red list is the townships with no accident that are not named."""
    text = flat_text(_by_suffix(published[period]["paths"], ".pdf"))
    ranking = published[period]["ranking"]
    names = sorted((r["township_name"] for r in ranking), key=len, reverse=True)
    red_sentence = re.search(r"（一）红榜。(.*?)（二）通报乡镇。", text).group(1)
    named_sentence = re.search(r"（二）通报乡镇。(.*?)三、隐患治理", text).group(1)
    red, named = _names_in(red_sentence, names), _names_in(named_sentence, names)
    if "以外的各乡镇" in red_sentence:  # the brief wording names the complement (除……以外)
        red = set(names) - red
    # 白马桥街道 contains no other name, but guard against one name inside another
    assert red == {r["township_name"] for r in ranking if r["red_list"]}
    assert named == {r["township_name"] for r in ranking if r["named"]}
    assert not red & named
    assert all(r["accidents"] == 0 and not r["named"] for r in ranking if r["red_list"])


@pytest.mark.parametrize("period", PERIODS)
def test_deadlines_are_dates_and_control_lines_whole_numbers(published, period):
    from pipelines.lib.bulletin.periods import cn_date, period_info
    from pipelines.lib.bulletin.sections import report_deadline

    text = flat_text(_by_suffix(published[period]["paths"], ".pdf"))
    for relative in ("下周", "下月", "下季度", "首月"):
        assert relative not in text, relative
    if any(r["named"] for r in published[period]["ranking"]):
        assert f"于{cn_date(report_deadline(period_info(period)))}前" in text
    kpis = {k["metric_id"]: k for k in published[period]["kpis"]}
    lines = re.search(r"控制线分别为([\d.]+)起、([\d.]+)人", text)
    if kpis["accidents"]["target"] is not None:
        assert lines.groups() == (str(int(kpis["accidents"]["target"])), str(int(kpis["accident_deaths"]["target"])))
        for metric in ("accidents", "accident_deaths"):  # floor(0.8 x last year)
            assert kpis[metric]["target"] == int(0.8 * kpis[metric]["ly_value"] + 1e-9)
    assert not re.search(r"控制线[^。]*\d\.\d", text)


def test_publish_refuses_a_period_before_the_data_and_a_machine_without_chinese_fonts(generated_home, tmp_path):
    done = safetywh(generated_home, "publish", "--period", "2021-W52", "--no-mail")
    assert done.returncode == 2 and "不参与排名" in done.stderr
    assert not (generated_home / "publications" / "2021-W52").exists()
    # fontconfig with no font directory: what a machine without fonts-noto-cjk has
    config = tmp_path / "fonts.conf"
    config.write_text(
        f'<?xml version="1.0"?><fontconfig><cachedir>{tmp_path / "cache"}</cachedir></fontconfig>', "utf-8"
    )
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SAFETYWH_")}, "FONTCONFIG_FILE": str(config)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines",
            "publish",
            "--period",
            "2023-W15",
            "--no-mail",
            "--home",
            str(generated_home),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert "中文字体" in done.stderr and "fonts-noto-cjk" in done.stderr
    assert not (generated_home / "publications" / "2023-W15").exists()  # no PDF of boxes, nothing written


def test_pdf_pages_rendered_as_png_artifacts(published, artifacts):
    from PIL import Image

    for period in PERIODS:
        pdf = _by_suffix(published[period]["paths"], ".pdf")
        pages = int(
            re.search(
                r"Pages:\s+(\d+)",
                subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout,
            ).group(1)
        )
        ranking_page = next(p for p in range(1, pages + 1) if re.search(r"^\s*附件1\s*$", pdf_text(pdf, p), re.M))
        for page, name in ((1, "p1"), (ranking_page, "ranking")):
            prefix = artifacts / f"bulletin-{period}-{name}"
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    "110",
                    "-png",
                    "-singlefile",
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    str(pdf),
                    str(prefix),
                ],
                check=True,
            )
            png = prefix.with_suffix(".png")
            assert png.stat().st_size > 20000
        with Image.open(artifacts / f"bulletin-{period}-p1.png") as image:
            rgb = image.convert("RGB")
            width, height = rgb.size
            # the red issuer mark in the upper third of page one
            reds = sum(
                1
                for x in range(0, width, 3)
                for y in range(0, height // 3, 3)
                if (lambda p: p[0] > 200 and p[1] < 80 and p[2] < 80)(rgb.getpixel((x, y)))
            )
            assert reds > 200


# ---------------------------------------------------------------- XLSX


def _sheet(book, name) -> tuple[list[str], list[dict]]:
    rows = list(book[name].iter_rows(values_only=True))
    header = list(rows[1])  # row 1 is the sheet's title
    return header, [dict(zip(header, r)) for r in rows[2:]]


@pytest.mark.parametrize("period", PERIODS)
def test_xlsx_sheets_equal_the_marts(published, generated_home, period):
    import duckdb

    book = openpyxl.load_workbook(_by_suffix(published[period]["paths"], ".xlsx"))
    assert book.sheetnames == ["排名", "指标", "重大及挂牌督办隐患", "数据报送", "说明"]
    _, ranking = _sheet(book, "排名")
    expected = published[period]["ranking"]
    assert [(r["排名"], r["乡镇（街道）"], r["总分"]) for r in ranking] == [
        (w["rank"], w["township_name"], w["total"]) for w in expected
    ]
    assert all(isinstance(r["总分"], float | int) for r in ranking)
    _, kpis = _sheet(book, "指标")
    assert [r["指标代码"] for r in kpis] == [k["metric_id"] for k in published[period]["kpis"]]
    for got, want in zip(kpis, published[period]["kpis"]):
        assert got["今年以来"] == (pytest.approx(want["value"]) if want["value"] is not None else None)
    as_of = expected[0]["as_of"]
    with duckdb.connect(str(generated_home / "published" / "warehouse.duckdb"), read_only=True) as con:
        hazard_ids = [
            r[0]
            for r in con.sql(
                "select hazard_id from marts.major_and_supervised_hazards where as_of = ?",
                params=[dt.date.fromisoformat(as_of)],
            ).fetchall()
        ]
        senders = con.sql("select count(*) from ref.senders").fetchall()[0][0]
    _, hazards = _sheet(book, "重大及挂牌督办隐患")
    assert sorted(r["隐患编号"] for r in hazards) == sorted(hazard_ids)
    _, quality = _sheet(book, "数据报送")
    assert len(quality) == senders
    assert sum(r["隔离行数"] for r in quality) >= 0


# ---------------------------------------------------------------- archive and re-publication


def test_republishing_an_old_period_keeps_both_versions_with_the_same_numbers(published, generated_home):
    from pipelines.lib.bulletin.publish import publish
    from warehouse.home import Home

    period = "2023-04"
    folder = generated_home / "publications" / period
    before = json.loads((folder / "manifest.json").read_text("utf-8"))["versions"]
    first = before[-1]
    old_json = json.loads((folder / first["files"]["json"]["path"]).read_text("utf-8"))
    later = dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, microsecond=0) + dt.timedelta(days=3)
    again = publish(Home(generated_home), period, now=later, send_mail=False)

    after = json.loads((folder / "manifest.json").read_text("utf-8"))["versions"]
    assert len(after) == len(before) + 1
    second = after[-1]
    assert second["id"] != first["id"] and second["same_as_previous"]
    assert second["content_sha256"] == first["content_sha256"]
    for version in (first, second):  # both versions kept, byte for byte as recorded
        for fmt, meta in version["files"].items():
            assert sha256_file(folder / meta["path"]) == meta["sha256"], (version["id"], fmt)
    new_json = json.loads(again.content_json.read_text("utf-8"))
    assert new_json["ranking"] == old_json["ranking"] and new_json["scoreboard"] == old_json["scoreboard"]
    # the re-issued documents carry the same table as the archived one
    old_doc = Document(str(folder / first["files"]["docx"]["path"]))
    new_doc = Document(str(again.docx))
    assert _docx_table_rows(old_doc.tables[0]) == _docx_table_rows(new_doc.tables[0])
    old_book = openpyxl.load_workbook(folder / first["files"]["xlsx"]["path"])
    assert _sheet(old_book, "排名") == _sheet(openpyxl.load_workbook(again.xlsx), "排名")
    old_pdf = re.sub(r"\s+", "", pdf_text(folder / first["files"]["pdf"]["path"]))
    assert old_pdf == re.sub(r"\s+", "", pdf_text(again.pdf))


# ---------------------------------------------------------------- Dagster and e-mail


def test_the_dagster_asset_publishes_a_partition_and_the_schedule_picks_last_week(generated_home, monkeypatch):
    import dagster as dg

    from pipelines.lib.dbt_manifest import ensure_manifest

    monkeypatch.setenv("SAFETYWH_HOME", str(generated_home))
    monkeypatch.delenv("SAFETYWH_DUCKDB", raising=False)
    ensure_manifest()
    from pipelines.definitions import defs

    job = defs.resolve_job_def("weekly_bulletin_job")
    result = job.execute_in_process(
        partition_key="2023-04-03",
        instance=dg.DagsterInstance.ephemeral(),
        run_config={"ops": {"publications__weekly_bulletin": {"config": {"send_mail": False}}}},
    )
    assert result.success
    (event,) = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    assert metadata["period"].value == "2023-W14" and metadata["doc_number"].value == "宁应急周〔2023〕14号"
    assert Path(metadata["pdf"].value).is_file()

    repository = defs.get_repository_def()
    schedule = defs.resolve_schedule_def("weekly_bulletin_schedule")
    assert schedule.execution_timezone == "Asia/Shanghai" and schedule.cron_schedule == "0 14 * * 1"
    monday = dt.datetime(2023, 4, 10, 14, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with dg.build_schedule_context(scheduled_execution_time=monday, repository_def=repository) as context:
        (request,) = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2023-04-03"
    far = dt.datetime(2031, 3, 3, 14, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with dg.build_schedule_context(scheduled_execution_time=far, repository_def=repository) as context:
        tick = schedule.evaluate_tick(context)
    assert not tick.run_requests and "尚无排名数据" in tick.skip_message
    for name, cron in (
        ("monthly_ranking_schedule", "0 14 1 * *"),
        ("quarterly_assessment_schedule", "0 15 1 1,4,7,10 *"),
    ):
        assert defs.resolve_schedule_def(name).cron_schedule == cron
    quarter = defs.resolve_schedule_def("quarterly_assessment_schedule")
    july = dt.datetime(2023, 7, 1, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
    with dg.build_schedule_context(scheduled_execution_time=july, repository_def=repository) as context:
        (request,) = quarter.evaluate_tick(context).run_requests
    assert request.partition_key == "2023-04-01" and request.tags["safetywh/period"] == "2023-Q2"


def test_the_publication_is_mailed_to_the_leadership_once(generated_home, monkeypatch, tmp_path):
    from pipelines.lib.bulletin.publish import publish
    from tests.alerts_smtp import SmtpServer
    from warehouse.home import Home

    home = tmp_path / "home"  # a copy: this test's versions do not mix with the others'
    home.mkdir()
    for part in ("warehouse.duckdb", "published"):
        source = generated_home / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, home / part)
    with SmtpServer() as server:
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        first = publish(Home(home), "2023-Q2")
        assert first.mail["status"] == "sent"
        (message,) = server.handler.take()
        assert message.rcpt_tos == ["leaders@ningxiang.example"]
        assert "季考核" in message.subject and "宁应急季〔2023〕2号" in message.subject
        names = sorted(part.get_filename() for part in message.message.iter_attachments())
        assert names == sorted(p.name for p in first.paths)
        assert "全市发生生产安全事故" in message.text
        again = publish(Home(home), "2023-Q2")  # same content: recorded, not mailed twice
        assert again.mail["status"] == "unchanged_not_resent" and not server.handler.take()
    manifest = json.loads((home / "publications" / "2023-Q2" / "manifest.json").read_text("utf-8"))
    assert [v["mail"]["status"] for v in manifest["versions"]] == ["sent", "unchanged_not_resent"]
    assert (home / "publications" / "2023-Q2" / "archive" / first.version.version_id / "message.eml").is_file()
