"""Dashboard timings with streamlit's AppTest: the cockpit (总览) and ranking (乡镇排名)
pages' first render with cold caches, and a filter change, against a home's published copy.

    python -m bench.dashboard --home DIR [--repeat 3]

Prints one JSON object: per page, the seconds of every repetition. The first render of a
process (imports, Streamlit's start) is paid once and reported apart as ``process_start``;
"first render" is what a leader waits for when the caches are cold (after a new
publication), "filter change" a rerun with a new date (cockpit) or period (ranking).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "dashboards" / "app.py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard")
    parser.add_argument("--home", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ["SAFETYWH_HOME"] = str(Path(args.home).resolve())
    os.environ.pop("SAFETYWH_DUCKDB", None)

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboards import logins, session
    from dashboards.auth import Viewer

    leader = Viewer("lingdao", "局领导", "leader")

    def open_page(page: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=300)
        # a real session in the home's login store, as a login leaves it
        at.session_state[session.TOKEN_KEY] = logins.Store.for_home().open_session(
            leader.username, None, logins.now_utc()
        )
        at.switch_page(f"pages/{page}.py")
        at.run()
        if at.exception:
            raise RuntimeError(f"{page}: {[e.value for e in at.exception]}")
        return at

    def cold() -> None:
        st.cache_data.clear()
        st.cache_resource.clear()

    started = time.perf_counter()
    open_page("overview")
    result: dict = {"process_start": round(time.perf_counter() - started, 3)}
    for page in ("overview", "ranking"):
        first, change = [], []
        for _ in range(args.repeat):
            cold()
            began = time.perf_counter()
            at = open_page(page)
            first.append(round(time.perf_counter() - began, 3))
            began = time.perf_counter()
            if page == "overview":  # a new date: 30 June of the latest year, else one day earlier
                latest = at.date_input[0].value
                target = dt.date(latest.year, 6, 30)
                at.date_input[0].set_value(target if target != latest else latest - dt.timedelta(days=1)).run()
            else:  # another period of the same kind
                box = at.selectbox[0]
                options = list(box.options)
                box.set_value(
                    options[len(options) // 2] if options[len(options) // 2] != box.value else options[0]
                ).run()
            if at.exception:
                raise RuntimeError(f"{page} filter change: {[e.value for e in at.exception]}")
            change.append(round(time.perf_counter() - began, 3))
        result[page] = {"first_render_s": first, "filter_change_s": change}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
