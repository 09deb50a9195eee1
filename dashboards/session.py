"""Login, logout, the session cookie and the sidebar of a logged-in session.

The session lives in the server's store (dashboards.logins), keyed by a random token. The
browser keeps the token in a cookie (SameSite=Strict, never in a URL) so a reload or a new
tab within the session's hours logs in by itself; Streamlit reads cookies only from the
request that opened the page (``st.context.cookies``), so a login in place also keeps the
token in this session's state. Every script run checks the token again: a logout (here
or in another tab) or the end of the session's hours logs the page out at its next run.
"""

from __future__ import annotations

import datetime as dt
import json

import streamlit as st

from dashboards import logins
from dashboards.auth import Viewer, authenticate, load_accounts
from dashboards.data import common
from dashboards.data.source import NoData, stamp

TOKEN_KEY = "session_token"
_COOKIE_JS = "cookie_script"


@st.cache_resource(show_spinner=False)
def _store(home: str) -> logins.Store:
    return logins.Store.for_home()


def store() -> logins.Store:
    import os

    from warehouse.home import Home

    return _store(str(Home.resolve(os.environ.get("SAFETYWH_HOME")).root))


def address() -> str | None:
    """The client's address (None on this machine: Streamlit gives none for localhost)."""
    found = st.context.ip_address
    return found if isinstance(found, str) else None


def _token() -> str | None:
    token = st.session_state.get(TOKEN_KEY) or st.context.cookies.get(logins.COOKIE)
    return token if isinstance(token, str) else None  # (AppTest's cookies are mocks)


def current_viewer() -> Viewer | None:
    token = _token()
    username = store().username_for(token, logins.now_utc())
    if username is None and st.session_state.get(TOKEN_KEY):
        # this tab's login was revoked; a newer one may be in the cookie
        del st.session_state[TOKEN_KEY]
        username = store().username_for(_token(), logins.now_utc())
    if username is None:
        return None
    account = load_accounts().get(username)
    return account.viewer() if account else None  # an account removed from the file loses access


def _cookie_script(token: str | None, seconds: int) -> None:
    """Set (or clear, token None) the session cookie in the browser."""
    value = json.dumps(token or "")
    age = seconds if token else 0
    st.html(
        "<script>document.cookie = "
        + json.dumps(f"{logins.COOKIE}=")
        + " + "
        + value
        + f" + '; Max-Age={age}; Path=/; SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');"
        "</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


def login_page() -> None:
    if st.session_state.pop(_COOKIE_JS, None) == "clear":
        _cookie_script(None, 0)
    st.title("宁乡市应急管理数据驾驶舱")
    st.caption("宁乡市应急管理局 · 安全生产与应急管理数据仓库")
    _, middle, _ = st.columns([1, 2, 1])
    with middle, st.form("login"):
        st.subheader("登录")
        username = st.text_input("用户名")
        password = st.text_input("密码", type="password")
        submitted = st.form_submit_button("登录", type="primary", width="stretch")
    if submitted:
        outcome, viewer = store().login(username, password, address(), logins.now_utc(), authenticate)
        if viewer is None:
            middle.error(outcome.message)
        else:
            st.session_state[TOKEN_KEY] = outcome.token
            st.session_state[_COOKIE_JS] = "set"
            st.rerun()


def logout() -> None:
    store().logout(_token(), address(), logins.now_utc())
    # forget everything of the session, the chosen dates and pickers included
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state[_COOKIE_JS] = "clear"


def sidebar(viewer: Viewer) -> None:
    with st.sidebar:
        if st.session_state.pop(_COOKIE_JS, None) == "set":
            token = st.session_state[TOKEN_KEY]
            left = store().expires_at(token) - logins.now_utc()
            _cookie_script(token, max(int(left.total_seconds()), 0))
        role = {"leader": "局领导（全部数据）", "department": "部门账号（本单位报送）"}.get(
            viewer.role, "乡镇账号（本乡镇）"
        )
        st.markdown(f"**{viewer.display_name}**  \n{role}")
        try:
            first, last = common.data_dates(viewer)
            published = dt.datetime.fromtimestamp(stamp().mtime_ns / 1e9)
            st.caption(f"数据范围：{first:%Y-%m-%d} 至 {last:%Y-%m-%d}  \n发布时间：{published:%Y-%m-%d %H:%M}")
        except NoData as exc:
            st.caption(str(exc))
        st.button("退出登录", on_click=logout, icon=":material/logout:")


# Streamlit's own English: the hosting menu and deploy button are off (client.toolbarMode
# minimal in dashboards/cli.py); what is left is translated in the browser.
_TRANSLATE = {
    "Page not found": "页面不存在",
    "Running...": "正在加载…",
    "Stop": "停止",
    "Connecting": "正在连接",
    "Connection error": "连接中断",
}


def chrome() -> None:
    """Chinese for the words Streamlit's frontend writes itself (status widget, modals), and
    less blank space above the title (Streamlit leaves 6rem for a header it does not show)."""
    st.html("<style>[data-testid=stMainBlockContainer]{padding-top:2.5rem}</style>")
    words = json.dumps(_TRANSLATE, ensure_ascii=False)
    st.html(
        "<script>(function(){if(window.__swhChrome)return;window.__swhChrome=1;const W=" + words + ";"
        "const fix=()=>{document.querySelectorAll('[data-testid=stStatusWidget] *, [role=dialog] *').forEach(n=>{"
        "for(const c of n.childNodes){if(c.nodeType===3){const t=c.nodeValue.trim();"
        "if(W[t])c.nodeValue=W[t];else if(t.startsWith('You have requested page')||t.startsWith('The page that you'))"
        "c.nodeValue='您打开的页面不存在，已转到首页。';}}});};"
        "new MutationObserver(fix).observe(document.body,{childList:true,subtree:true,characterData:true});fix();})();"
        "</script>",
        unsafe_allow_javascript=True,
        width="content",
    )
