"""登录审计: every login, wrong password, lockout, refusal and logout (leaders only)."""

from __future__ import annotations

import streamlit as st

from dashboards import logins, ui
from dashboards.auth import Viewer
from dashboards.session import store
from pipelines.lib import labels


def body(viewer: Viewer) -> None:
    st.title("登录审计")
    settings = store().settings
    st.caption(
        f"最近 1000 条登录记录，新的在前。会话有效 {settings.session_hours:g} 小时；"
        f"{settings.window_minutes:g} 分钟内输错密码 {settings.max_failures} 次，"
        f"该账号（或来源地址）锁定 {settings.lockout_minutes:g} 分钟。设置见县级配置 dashboards 一节。"
    )
    frame = logins.audit_frame(store(), viewer)
    columns = {c: labels.word("login_audit", c) for c in logins.AUDIT_COLUMNS}
    ui.table(
        frame,
        columns,
        key="audit",
        file_name="登录审计",
        height=600,
        column_config={columns["detail"]: st.column_config.TextColumn(width="large")},
    )


ui.run_page(body)
