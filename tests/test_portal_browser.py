"""The portal (数据报送) in a real browser: `safetywh dashboard` on a fresh home, Debian's
chromium through Playwright. A township clerk downloads the template from the portal,
fills it (openpyxl, as Excel would save it) with one broken row, uploads it, reads the
problem, fixes the cell, uploads it again, submits it and the file is in the landing folder
under the clerk's own code; nothing in a form or a URL can make it land elsewhere.

Screenshots go to test-artifacts/ (portal-*.png).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.ledgers import headers, write_xlsx
from tests.test_dashboard_browser import CLERK, browser, dashboard, login, settle, visit  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TODAY = dt.date.today()
FOUND = (TODAY - dt.timedelta(days=3)).isoformat()
DUE = (TODAY + dt.timedelta(days=7)).isoformat()
GOOD = ["YH-001", FOUND, "玉潭街道", None, "一般", "楼道堆放杂物", DUE, None, "张三", "13712345678", "否", "0.5"]
BROKEN = ["YH-002", FOUND, "玉潭", None, "特别", "消防通道堵塞", DUE, None, "李四", "13812345678", "否", None]
FIXED = [*BROKEN[:4], "重大", *BROKEN[5:]]


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    home = tmp_path_factory.mktemp("portal-home")
    with dashboard(home, home.parent / "portal-server.log") as url:
        yield url, home


def ledger(folder: Path, name: str, rows) -> Path:
    return write_xlsx(folder / name, headers("hazards"), rows, title="玉潭街道隐患排查治理台账")


def upload(page, path: Path, expect: str) -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    page.get_by_text(expect, exact=False).first.wait_for(timeout=60_000)
    settle(page)


def main_text(page) -> str:
    return page.get_by_test_id("stMain").inner_text()


def grid_cells(page) -> list[str]:
    """The cells of the page's tables (st.dataframe draws on a canvas; its accessible
    table holds the text)."""
    return page.locator('[data-testid="stDataFrame"] td[role="gridcell"]').all_text_contents()


def ledger_sheet(book):
    return next(s for s in book.worksheets if s.cell(2, 1).value == headers("hazards")[0])


def fill_template(template: Path, path: Path, rows) -> Path:
    """The clerk's rows written under the template's header (the ledger sheet, found by its
    header row: the 填表说明 sheet comes first), dates as real Excel dates."""
    import openpyxl

    from pipelines.lib.contracts import get_contract

    book = openpyxl.load_workbook(template)
    sheet = ledger_sheet(book)
    where = {sheet.cell(2, c).value: c for c in range(1, sheet.max_column + 1)}
    dates = {c.header for c in get_contract("hazards").columns if c.type == "date"}
    for r, row in enumerate(rows, start=3):
        for header, value in zip(headers("hazards"), row):
            sheet.cell(r, where[header], dt.date.fromisoformat(value) if header in dates and value else value)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def test_clerk_downloads_the_template_fills_checks_fixes_and_submits(browser, portal, tmp_path, artifacts):  # noqa: F811
    url, home = portal
    page = login(browser, url, CLERK)
    visit(page, "数据报送")
    assert "玉潭街道（430182001）" in main_text(page)

    with page.expect_download() as downloaded:
        page.get_by_role("button", name="下载填报模板").click()
    assert downloaded.value.suggested_filename == "玉潭街道隐患排查治理台账模板.xlsx"
    template = tmp_path / downloaded.value.suggested_filename
    downloaded.value.save_as(template)
    import openpyxl

    sheets = openpyxl.load_workbook(template).worksheets
    assert (
        sheets[0].title == "填表说明" and "玉潭街道" in sheets[1]["A1"].value
    )  # the title row names the clerk's township

    upload(page, fill_template(template, tmp_path / "第14周台账.xlsx", [GOOD, BROKEN]), "将入库 1 行，隔离 1 行")
    text = main_text(page)
    assert "将入库 1 行，隔离 1 行" in text
    # the problem as the clerk must fix it: Excel row 4, the column, the value, the allowed values
    assert "第 4 行" in text and "隐患等级" in text and "特别" in text and "只能填写：一般、重大" in text
    page.screenshot(path=str(artifacts / "portal-1-问题.png"), full_page=True)
    with page.expect_download() as marked:
        page.get_by_role("button", name="下载标注问题的工作簿").click()
    import io

    assert marked.value.suggested_filename == "第14周台账_问题标注.xlsx"
    sheet = ledger_sheet(openpyxl.load_workbook(io.BytesIO(Path(marked.value.path()).read_bytes())))
    assert sheet["E4"].comment is not None and "一般、重大" in sheet["E4"].comment.text
    assert sheet["E3"].comment is None

    upload(
        page,
        fill_template(tmp_path / "第14周台账.xlsx", tmp_path / "fixed" / "第14周台账.xlsx", [GOOD, FIXED]),
        "将入库 2 行，隔离 0 行",
    )
    assert "将入库 2 行，隔离 0 行" in main_text(page)
    page.get_by_role("button", name="提交").click()
    page.get_by_text("数据报送回执").wait_for(timeout=60_000)
    settle(page)
    receipt = main_text(page)
    page.screenshot(path=str(artifacts / "portal-2-回执.png"), full_page=True)
    landed = home / "landing" / "hazards" / "430182001" / "第14周台账.xlsx"
    assert landed.is_file()
    assert "hazards" in receipt and "第14周台账.xlsx" in receipt and "将入库 2 行" in receipt
    import hashlib

    assert hashlib.sha256(landed.read_bytes()).hexdigest() in receipt
    assert [p.relative_to(home).as_posix() for p in (home / "landing").rglob("*") if p.is_file()] == [
        "landing/hazards/430182001/第14周台账.xlsx"
    ]

    visit(page, "报送情况")
    cells = grid_cells(page)
    assert "hazards/430182001/第14周台账.xlsx" in cells and "待处理" in cells, cells
    page.screenshot(path=str(artifacts / "portal-3-报送情况.png"), full_page=True)
    page.close()


def test_no_form_field_or_url_makes_another_sender(browser, portal, tmp_path):  # noqa: F811
    """The page offers no sender field; query parameters naming another sender or feed
    change nothing: the file lands under the login's code."""
    url, home = portal
    forged = "?sender=YJJ&sender_code=430182002&township=430182002&feed=enterprises"
    # a new page load is a new session: without a login the page answers 请先登录 and offers no upload
    stranger = browser.new_page()
    stranger.goto(f"{url}/submit{forged}")
    stranger.get_by_text("请先登录").or_(stranger.get_by_label("用户名")).first.wait_for(timeout=60_000)
    settle(stranger)
    assert stranger.get_by_test_id("stFileUploaderDropzoneInput").count() == 0
    stranger.close()

    page = login(browser, url, CLERK)
    visit(page, "数据报送")
    # the forged query string rides along with every rerun from now on
    page.evaluate(f"history.replaceState(null, '', location.pathname + '{forged}')")
    assert "玉潭街道（430182001）" in main_text(page)
    inputs = page.get_by_test_id("stMain").locator("input:not([type=file])")
    labels = page.get_by_test_id("stMain").locator("label").all_inner_texts()
    assert not any("报送单位" in label or "乡镇" in label for label in labels), labels
    assert inputs.count() == 1  # the feed picker only
    upload(page, ledger(tmp_path, "另一个.xlsx", [["YH-009", *GOOD[1:]]]), "将入库 1 行，隔离 0 行")
    assert "sender=YJJ" in page.url
    page.get_by_role("button", name="提交").click()
    page.get_by_text("数据报送回执").wait_for(timeout=60_000)
    assert (home / "landing" / "hazards" / "430182001" / "另一个.xlsx").is_file()
    assert not (home / "landing" / "hazards" / "430182002").exists()
    assert not (home / "landing" / "enterprises").exists()
    page.close()
