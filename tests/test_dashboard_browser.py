"""The dashboards in a real browser: `safetywh dashboard` started as a user starts it, driven
by Debian's chromium through Playwright, as a leader and as a township clerk; and the app
keeps answering while `safetywh run` writes.

Screenshots go to test-artifacts/ (look at them: Chinese must render as text, not boxes).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from dashboards import logins
from warehouse.home import Home

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 2400}  # tall: Streamlit scrolls inside the page, not the window
SCREENS = [{"width": 1440, "height": 900}, {"width": 1920, "height": 1080}]  # what people have

LEADER = ("lingdao", "Lingdao@2023")
CLERK = ("430182001", "Xiangzhen@2023")

# page -> Chinese labels that must be on it
PAGES = {
    "总览": ["生产安全事故起数", "截至日期", "历年趋势", "分行业事故"],
    "乡镇排名": ["考核周期", "排名表", "红榜", "通报乡镇", "排名变化"],
    "乡镇详情": ["考核得分", "生产安全事故", "未整改隐患", "应急准备", "信息报送记录"],
    "隐患治理": ["重大及挂牌督办隐患清单", "分乡镇整改情况", "分报送单位整改情况"],
    "执法检查": ["执法检查次数", "分乡镇", "按处理措施"],
    "防灾减灾": ["森林火灾受害率", "防汛紧急转移", "受灾群众救助"],
    "应急准备": ["救援队伍训练", "物资储备库", "预案备案", "双重预防机制"],
    "数据质量": ["分报送单位", "迟报和缺报", "隔离的数据行", "拒收的文件"],
    "风险预警": ["乡镇风险等级", "漏报瞒报线索", "等级变化", "预警命中率"],
    "登录审计": ["最近 1000 条登录记录", "下载 CSV"],
}
URLS = {
    "总览": "overview",
    "乡镇排名": "ranking",
    "乡镇详情": "township",
    "隐患治理": "hazards",
    "执法检查": "enforcement",
    "防灾减灾": "disasters",
    "应急准备": "preparedness",
    "数据质量": "quality",
    "风险预警": "risk",
    "登录审计": "audit",
}
ERROR_TEXT = ("Traceback", "Error:", "Exception", "无权访问", "This app has encountered an error", "Page not found")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB")}


@contextlib.contextmanager
def dashboard(home: Path, log: Path):
    """`safetywh dashboard --home H --port N` as a subprocess, stopped by its own id."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines", "dashboard", "--home", str(home), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_env(),
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                assert proc.poll() is None, log.read_text(encoding="utf-8")[-3000:]
                with contextlib.suppress(OSError):
                    if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                        break
                assert time.monotonic() < deadline, "dashboard did not start: " + log.read_text(encoding="utf-8")
                time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian chromium missing: run scripts/setup.sh --system"
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    assert "Noto Sans CJK" in fonts, "fonts-noto-cjk missing: Chinese would render as boxes"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(generated_home, tmp_path_factory):
    with dashboard(generated_home, tmp_path_factory.mktemp("dashboard") / "server.log") as url:
        yield url


def settle(page) -> None:
    """Wait until the script run finished and the page is drawn."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)
    page.wait_for_timeout(500)


def fill_login(page, account: tuple[str, str]) -> None:
    page.get_by_label("用户名").fill(account[0])
    page.get_by_label("密码").fill(account[1])
    page.get_by_role("button", name="登录").click()


def login(browser, url: str, account: tuple[str, str]):
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(url)
    page.get_by_label("用户名").fill(account[0])
    page.get_by_label("密码").fill(account[1])
    page.get_by_role("button", name="登录").click()
    page.get_by_test_id("stSidebarNav").wait_for(timeout=60_000)  # only a logged-in session has one
    page.get_by_test_id("stMain").get_by_role("heading", level=1).wait_for(timeout=60_000)
    settle(page)
    return page


def visit(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title, exact=True).wait_for(timeout=60_000)
    settle(page)


def nav_titles(page) -> list[str]:
    # a link's text starts with its icon's ligature name (e.g. "dashboard"); the title is last
    links = page.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()
    return [text.strip().splitlines()[-1].strip() for text in links]


def assert_clean(page, title: str) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, title
    assert page.get_by_role("dialog").count() == 0, f"{title}: a modal over the page"
    main = page.get_by_test_id("stMain").inner_text()
    for text in ERROR_TEXT:
        assert text not in main, f"{title}: {text!r} on the page"
    for label in PAGES[title]:
        if not page.get_by_text(label).filter(visible=True).count():
            page.screenshot(path=str(ARTIFACTS / f"dashboard-missing-label-{title}.png"))  # to see why
            raise AssertionError(f"{title}: label {label!r} not shown:\n{main[:1500]}")


def test_leader_opens_every_page(browser, server, generated_home, artifacts):
    page = login(browser, server, LEADER)
    page.get_by_role("heading", name="总览", exact=True).wait_for()
    # the order of dashboards/app.py's PAGE_TABLE: the portal's 报送情况 before 管理
    assert nav_titles(page) == [*list(PAGES)[:-1], "报送情况", "登录审计"]

    # a figure on screen equals the mart's (the accidents card, latest date)
    with duckdb.connect(str(Home.resolve(generated_home).published_path), read_only=True) as con:
        accidents = con.execute(
            "select value from marts.kpi_scoreboard_daily where metric_id = 'accidents' "
            "and as_of = (select max(as_of) from marts.kpi_scoreboard_daily)"
        ).fetchone()[0]
    label = page.get_by_test_id("stMetricLabel").get_by_text("生产安全事故起数", exact=True)
    card = page.get_by_test_id("stMetric").filter(has=label)
    assert card.get_by_test_id("stMetricValue").inner_text().strip() == f"{int(accidents)} 起"

    for number, title in enumerate(PAGES):
        if number:
            visit(page, title)
        assert_clean(page, title)
        page.screenshot(path=str(artifacts / f"dashboard-leader-{number + 1}-{title}.png"))
        screens(page, artifacts / f"dashboard-leader-{number + 1}-{title}")
    page.close()


def screens(page, stem: Path) -> None:
    """What a leader's or clerk's screen shows first, at both common sizes."""
    for size in SCREENS:
        page.set_viewport_size(size)
        page.wait_for_timeout(700)  # charts re-lay themselves out to the new width
        page.screenshot(path=f"{stem}-{size['width']}x{size['height']}.png")
    page.set_viewport_size(VIEWPORT)


def test_township_clerk_sees_ranking_and_own_township(browser, server, artifacts):
    page = login(browser, server, CLERK)
    page.get_by_role("heading", name="乡镇排名", exact=True).wait_for()
    assert nav_titles(page) == ["乡镇排名", "乡镇详情", "风险预警", "数据报送", "报送情况"]
    assert_clean(page, "乡镇排名")
    assert page.get_by_text("本乡镇（玉潭街道）本期排名第").is_visible()
    page.screenshot(path=str(artifacts / "dashboard-township-1-乡镇排名.png"))
    screens(page, artifacts / "dashboard-township-1-乡镇排名")

    visit(page, "乡镇详情")
    assert_clean(page, "乡镇详情")
    assert page.get_by_role("heading", name="玉潭街道").is_visible()
    picker = page.get_by_test_id("stSelectbox").filter(has_text="乡镇").first
    assert picker.locator("input").is_disabled(), "a clerk must not be able to pick another township"
    page.screenshot(path=str(artifacts / "dashboard-township-2-乡镇详情.png"))
    screens(page, artifacts / "dashboard-township-2-乡镇详情")

    # a leader-only address typed by the clerk: the refusal, no figure, no English modal
    page.goto(f"{server}/hazards")
    page.get_by_role("heading", name="隐患治理", exact=True).wait_for(timeout=60_000)
    settle(page)
    assert page.get_by_text("无权访问").count() and page.get_by_test_id("stMetric").count() == 0
    assert page.get_by_role("dialog").count() == 0
    assert nav_titles(page) == ["乡镇排名", "乡镇详情", "风险预警", "数据报送", "报送情况"]
    page.close()


def logged_out(page) -> bool:
    return page.get_by_label("用户名").count() > 0 and page.get_by_test_id("stSidebarNav").count() == 0


def test_reload_deep_link_and_logout_everywhere(browser, server, artifacts):
    """F5, a second tab on a typed address and a bookmark keep the login; a logout in one tab
    ends it in the other and on reload. The cookie holds a token, the URL never does."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(f"{server}/disasters")  # a deep link before any login: the login form, then the page
    page.get_by_label("用户名").wait_for(timeout=60_000)
    assert page.get_by_role("dialog").count() == 0
    fill_login(page, LEADER)
    page.get_by_role("heading", name="防灾减灾", exact=True).wait_for(timeout=60_000)
    settle(page)
    assert page.url.endswith("/disasters")
    cookies = {c["name"]: c for c in context.cookies()}
    token = cookies["safetywh_session"]["value"]
    assert len(token) >= 40 and token not in page.url
    assert 7.9 * 3600 < cookies["safetywh_session"]["expires"] - time.time() <= 8 * 3600 + 5

    visit(page, "隐患治理")
    page.reload()
    page.get_by_role("heading", name="隐患治理", exact=True).wait_for(timeout=60_000)
    settle(page)
    assert_clean(page, "隐患治理")
    assert not logged_out(page)

    other = context.new_page()
    for title in ("执法检查", "登录审计"):
        other.goto(f"{server}/{URLS[title]}")
        other.get_by_role("heading", name=title, exact=True).wait_for(timeout=60_000)
        settle(other)
        assert_clean(other, title)
    other.screenshot(path=str(artifacts / "dashboard-deep-link-登录审计.png"))

    page.get_by_role("button", name="退出登录").click()
    page.get_by_label("用户名").wait_for(timeout=60_000)
    # the other tab is logged out at its next run, and a reload stays logged out
    other.get_by_test_id("stSidebarNav").get_by_role("link", name="总览", exact=True).click()
    other.get_by_label("用户名").wait_for(timeout=60_000)
    assert logged_out(other)
    other.reload()
    other.get_by_label("用户名").wait_for(timeout=60_000)
    settle(other)
    assert logged_out(other) and other.get_by_role("dialog").count() == 0

    # only a mistyped address has no page: Streamlit's modal then speaks Chinese
    other.goto(f"{server}/no-such-page")
    dialog = other.get_by_role("dialog")
    dialog.wait_for(timeout=60_000)
    other.wait_for_timeout(500)
    text = dialog.inner_text()
    assert "页面不存在" in text and "Page not found" not in text and "requested" not in text, text
    other.screenshot(path=str(artifacts / "dashboard-mistyped-address.png"))
    context.close()


def test_wrong_passwords_lock_the_account(browser, server, generated_home, artifacts):
    """The profile's 5 failures lock a clerk's account: the right password is refused with
    the time the lock ends, and the leader reads it all on 登录审计. (That the lock passes is
    proved with a moved clock in test_dashboard_logins.)"""
    account = ("430182002", "Xiangzhen@2023")
    store = logins.Store(Home.resolve(generated_home).root / "dashboards" / "logins.sqlite")

    def attempts() -> int:
        return sum(1 for row in store.audit() if row[2] == account[0] and row[1] in ("failure", "refused"))

    page = browser.new_page(viewport=VIEWPORT)
    page.goto(server)
    for attempt, password in enumerate([f"wrong-{n}" for n in range(6)] + [account[1]]):
        fill_login(page, (account[0], password))
        deadline = time.monotonic() + 60
        while attempts() <= attempt:  # the server has the attempt when its audit row is written
            assert time.monotonic() < deadline, f"attempt {attempt + 1} never reached the server"
            time.sleep(0.2)
        settle(page)
    page.get_by_text("登录失败次数过多，已暂时锁定，请于").wait_for(timeout=30_000)
    assert logged_out(page)
    page.screenshot(path=str(artifacts / "dashboard-lockout.png"))
    page.close()

    page = login(browser, server, LEADER)
    visit(page, "登录审计")
    assert_clean(page, "登录审计")
    page.screenshot(path=str(artifacts / "dashboard-audit.png"))
    page.close()
    # the grid is a canvas: what the page lists is read from the server's store
    mine = [row[1] for row in reversed(store.audit()) if row[2] == account[0]]
    assert mine == ["failure"] * 5 + ["lockout", "refused", "refused"]


def test_app_keeps_answering_while_the_pipeline_runs(browser, generated_home, tmp_path, artifacts):
    """A second `safetywh run` (one new file: a resubmitted ledger) on a copy of the home,
    while a leader keeps switching pages: every page renders, the run succeeds, and a new
    published copy was swapped in under the running app."""
    home = tmp_path / "home"
    shutil.copytree(
        generated_home, home, symlinks=True, ignore=shutil.ignore_patterns(".writer.lock", "*.wal", ".dagster")
    )
    ledger = next((home / "landing" / "hazards").glob("*/*.*"))
    shutil.copy2(ledger, ledger.with_name("重报-" + ledger.name))
    published = Home.resolve(home).published_path
    before = published.stat().st_ino

    with dashboard(home, tmp_path / "server.log") as url:
        page = login(browser, url, LEADER)
        with open(tmp_path / "run.log", "w", encoding="utf-8") as out:
            run = subprocess.Popen(
                [sys.executable, "-m", "pipelines", "run", "--home", str(home)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=_env(),
            )
            renders = 0
            try:
                while run.poll() is None:
                    for title in ("乡镇排名", "总览", "隐患治理"):
                        visit(page, title)
                        assert_clean(page, title)
                        renders += 1
                # after the swap the app reads the new copy
                visit(page, "乡镇排名")
                visit(page, "总览")
                assert_clean(page, "总览")
                page.screenshot(path=str(artifacts / "dashboard-after-run-总览.png"))
            finally:
                if run.poll() is None:
                    run.terminate()
                    run.wait(timeout=60)
        page.close()
    assert run.returncode == 0, (tmp_path / "run.log").read_text(encoding="utf-8")[-3000:]
    assert renders >= 3, f"only {renders} page renders during the run"
    assert published.stat().st_ino != before, "the run did not publish a new copy"


# the bordered cards of each row of metric cards (a scoreboard card's container, else the metric)
CARD_ROWS_JS = """() => {
  const rows = [];
  for (const block of document.querySelectorAll('[data-testid="stHorizontalBlock"]')) {
    const cols = [...block.children].filter(c => c.getAttribute('data-testid') === 'stColumn'
                                                 && c.querySelector('[data-testid="stMetric"]'));
    if (cols.length < 2 || block.parentElement.closest('[data-testid="stHorizontalBlock"]')) continue;
    rows.push(cols.map(c => {
      const card = c.querySelector('[data-testid="stVerticalBlockBorderWrapper"], [data-testid="stMetric"]');
      return Math.round(card.getBoundingClientRect().height);
    }));
  }
  return rows;
}"""


def test_cards_of_a_row_have_one_height(browser, server, artifacts):
    """A card without a change line (no last-year figure) stood shorter than its neighbours:
    every row of cards is one height at both screen sizes (cards.metric_card stretches)."""
    page = login(browser, server, LEADER)
    seen = 0
    for title in ("总览", "乡镇详情", "隐患治理", "执法检查", "防灾减灾", "应急准备", "数据质量", "乡镇排名"):
        visit(page, title)
        for size in SCREENS:
            page.set_viewport_size(size)
            page.wait_for_timeout(500)
            rows = page.evaluate(CARD_ROWS_JS)
            assert rows, f"{title}: no row of cards"
            for heights in rows:
                if max(heights) - min(heights) > 1:
                    page.screenshot(path=str(artifacts / f"dashboard-cards-{title}-{size['width']}.png"))
                    raise AssertionError(f"{title} at {size['width']}x{size['height']}: card heights {heights}")
            seen += len(rows)
        page.set_viewport_size(VIEWPORT)
    assert seen >= 16, seen  # 总览 alone has six rows of three
    page.close()
