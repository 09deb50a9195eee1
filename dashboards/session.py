"""Login, logout and the sidebar of a logged-in session."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboards.auth import Viewer, authenticate
from dashboards.data import common
from dashboards.data.source import NoData, stamp

KEY = "viewer"


def current_viewer() -> Viewer | None:
    found = st.session_state.get(KEY)
    return found if isinstance(found, Viewer) else None


def login_page() -> None:
    st.title("宁乡市应急管理数据驾驶舱")
    st.caption("宁乡市应急管理局 · 安全生产与应急管理数据仓库")
    _, middle, _ = st.columns([1, 2, 1])
    with middle, st.form("login"):
        st.subheader("登录")
        username = st.text_input("用户名")
        password = st.text_input("密码", type="password")
        submitted = st.form_submit_button("登录", type="primary", width="stretch")
    if submitted:
        viewer = authenticate(username, password)
        if viewer is None:
            middle.error("用户名或密码错误")
        else:
            st.session_state[KEY] = viewer
            st.rerun()


def logout() -> None:
    # forget everything of the session, the chosen dates and pickers included
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def sidebar(viewer: Viewer) -> None:
    with st.sidebar:
        role = {"leader": "局领导（全部数据）", "department": "部门账号（本单位报送）"}.get(viewer.role, "乡镇账号（本乡镇）")
        st.markdown(f"**{viewer.display_name}**  \n{role}")
        try:
            first, last = common.data_dates(viewer)
            published = dt.datetime.fromtimestamp(stamp().mtime_ns / 1e9)
            st.caption(f"数据范围：{first:%Y-%m-%d} 至 {last:%Y-%m-%d}  \n发布时间：{published:%Y-%m-%d %H:%M}")
        except NoData as exc:
            st.caption(str(exc))
        st.button("退出登录", on_click=logout, icon=":material/logout:")
