"""宁乡市应急管理数据驾驶舱 — the Streamlit entry point (`safetywh dashboard` serves it).

A router only. Every page's address is registered for everyone, so a reload, a bookmark
or a typed link (`/hazards`) always finds its page (no "page not found"):
- without a login every address shows the login form, and after the login the same
  address shows its page;
- a township clerk's navigation lists the ranking, its own township, its risk level and
  the portal (数据报送 / 报送情况), a department's the portal; an address a login may not
  see shows the query layer's refusal, no figure.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run dashboards/app.py` puts dashboards/ on sys.path, not the repository root
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

# Import the chart and table libraries with the login page (once per server process), so
# the cockpit's first render after a login does not pay for them.
import altair  # noqa: E402,F401
import pandas  # noqa: E402,F401
import streamlit as st  # noqa: E402

from dashboards import session  # noqa: E402

PAGES = Path(__file__).resolve().parent / "pages"

LEADER, CLERK, DEPARTMENT = "leader", "township", "department"
# (section, module under pages/ = url path, title, icon, the roles whose menu lists it).
# One row a page; the first row a login may see is its landing page.
PAGE_TABLE = [
    ("全市", "overview", "总览", ":material/dashboard:", {LEADER}),
    ("全市", "ranking", "乡镇排名", ":material/leaderboard:", {LEADER, CLERK}),
    ("全市", "township", "乡镇详情", ":material/location_city:", {LEADER, CLERK}),
    ("专题", "hazards", "隐患治理", ":material/report:", {LEADER}),
    ("专题", "enforcement", "执法检查", ":material/gavel:", {LEADER}),
    ("专题", "disasters", "防灾减灾", ":material/forest:", {LEADER}),
    ("专题", "preparedness", "应急准备", ":material/inventory_2:", {LEADER}),
    ("专题", "quality", "数据质量", ":material/fact_check:", {LEADER}),
    ("专题", "risk", "风险预警", ":material/warning:", {LEADER, CLERK}),
    ("报送", "submit", "数据报送", ":material/upload_file:", {CLERK, DEPARTMENT}),
    ("报送", "deliveries", "报送情况", ":material/event_available:", {LEADER, CLERK, DEPARTMENT}),
    ("管理", "audit", "登录审计", ":material/shield_person:", {LEADER}),
]

st.set_page_config(page_title="宁乡市应急管理数据驾驶舱", page_icon=":material/shield:", layout="wide")
session.chrome()

viewer = session.current_viewer()
if viewer is None:
    login = [st.Page(session.login_page, title="登录", url_path="login", default=True)]
    login += [st.Page(session.login_page, title=title, url_path=name) for _, name, title, _, _ in PAGE_TABLE]
    navigation = st.navigation(login, position="hidden")
else:
    sections: dict[str, list[st.Page]] = {}
    hidden: list[st.Page] = []
    for section, name, title, icon, who in PAGE_TABLE:
        if viewer.role in who:
            first = not any(sections.values())
            sections.setdefault(section, []).append(
                st.Page(PAGES / f"{name}.py", title=title, url_path=name, icon=icon, default=first)
            )
        else:
            # off the menu; opened by its address it shows the query layer's refusal
            hidden.append(st.Page(PAGES / f"{name}.py", title=title, url_path=name, visibility="hidden"))
    # (a login made at "/" reruns with the login form's page, which is not here: Streamlit
    # then opens the default page, the first this login may see)
    pages = sections if viewer.is_leader else [p for group in sections.values() for p in group]
    if hidden:
        pages = sections | {"": hidden} if isinstance(pages, dict) else pages + hidden
    navigation = st.navigation(pages)
    session.sidebar(viewer)

navigation.run()
