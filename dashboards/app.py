"""宁乡市应急管理数据驾驶舱 — the Streamlit entry point (`safetywh dashboard` serves it).

A router only: without a login the navigation holds the login page alone, so no page
(and no query) runs before a login. With one, a leader gets every page and a township
clerk the ranking, its own township and 数据报送 / 报送情况, a department 数据报送 / 报送情况;
the query layer checks the same again.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run dashboards/app.py` puts dashboards/ on sys.path, not the repository root
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

from dashboards import session  # noqa: E402

# Import the chart and table libraries with the login page (once per server process), so
# the cockpit's first render after a login does not pay for them.
import altair  # noqa: E402,F401
import pandas  # noqa: E402,F401

PAGES = Path(__file__).resolve().parent / "pages"

st.set_page_config(page_title="宁乡市应急管理数据驾驶舱", page_icon=":material/shield:", layout="wide")

viewer = session.current_viewer()
if viewer is None:
    navigation = st.navigation([st.Page(session.login_page, title="登录", url_path="login", default=True)],
                               position="hidden")
else:
    def page(name: str, title: str, icon: str, default: bool = False) -> st.Page:
        return st.Page(PAGES / f"{name}.py", title=title, url_path=name, icon=icon, default=default)

    if viewer.is_leader:
        pages = {
            "全市": [
                page("overview", "总览", ":material/dashboard:", default=True),
                page("ranking", "乡镇排名", ":material/leaderboard:"),
                page("township", "乡镇详情", ":material/location_city:"),
            ],
            "专题": [
                page("hazards", "隐患治理", ":material/report:"),
                page("enforcement", "执法检查", ":material/gavel:"),
                page("disasters", "防灾减灾", ":material/forest:"),
                page("preparedness", "应急准备", ":material/inventory_2:"),
                page("quality", "数据质量", ":material/fact_check:"),
                page("risk", "风险预警", ":material/warning:"),
            ],
        }
        pages["报送"] = [page("deliveries", "报送情况", ":material/event_available:")]
    elif viewer.role == "department":
        pages = [
            page("submit", "数据报送", ":material/upload_file:", default=True),
            page("deliveries", "报送情况", ":material/event_available:"),
        ]
    else:
        pages = {
            "本乡镇": [
                page("ranking", "乡镇排名", ":material/leaderboard:", default=True),
                page("township", "乡镇详情", ":material/location_city:"),
                page("risk", "风险预警", ":material/warning:"),
            ],
            "报送": [
                page("submit", "数据报送", ":material/upload_file:"),
                page("deliveries", "报送情况", ":material/event_available:"),
            ],
        }
    navigation = st.navigation(pages)
    session.sidebar(viewer)

navigation.run()
