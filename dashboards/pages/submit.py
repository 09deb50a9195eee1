"""数据报送: a sender uploads a ledger, sees at once what the warehouse will do with it
(rows that load, cells that will be quarantined and how to fix them, or why the file would
be rejected), downloads the workbook back with the failing cells marked, and submits it.

The sender is the login's (dashboards.data.submission takes it from the Viewer only); the
check is the run's own code (pipelines.lib.submission), and it never writes DuckDB.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import sys
import threading
import types

import polars as pl
import streamlit as st

from dashboards import ui
from dashboards.auth import AccessDenied, Viewer
from dashboards.cards import metric_card
from dashboards.data import submission as q
from pipelines.lib import gx_process
from pipelines.lib.contracts import get_contract

log = logging.getLogger(__name__)
LISTED = 20  # problems written out as sentences; every one is in the table below them
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$])")


def md(text: str) -> str:
    """A sender's text shown literally in markdown (no link, emphasis, directive or HTML)."""
    return _MARKDOWN.sub(r"\\\1", str(text)).replace("\n", " ")


def _warm_up() -> None:
    """One throw-away check of a one-row ledger: the validation worker imports Great
    Expectations (5-7 s) now, not when the first clerk uploads."""
    contract = get_contract("hazards")
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([c.header for c in contract.columns])
    writer.writerow(["1"] * len(contract.columns))
    try:
        from pipelines.lib.submission import check_submission

        check_submission(q.home(), "hazards", "YJJ", "warm-up.csv", text.getvalue().encode("utf-8"))
    except Exception:  # noqa: BLE001 - a failed warm-up only means the first check is slower
        pass


def _start_worker() -> None:
    # multiprocessing re-imports the parent's __main__ in every process it starts, and
    # Streamlit installs the running page as __main__: without this the forkserver and
    # its worker would each execute app.py. A bare module has nothing to re-import.
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        gx_process.start()
        _warm_up()  # the worker process is forked here, on the first validation
    finally:
        if main is not None:
            sys.modules["__main__"] = main


@st.cache_resource(show_spinner=False)
def validation_worker() -> threading.Thread:
    """A GX worker process kept for the server's life (gx_process), started and warmed in
    the background: checks run there while the page stays responsive."""
    thread = threading.Thread(target=_start_worker, name="gx-worker-start", daemon=True)
    thread.start()
    return thread


def downloads(viewer: Viewer, feed: str) -> None:
    with st.container(horizontal=True):
        built = q.template(viewer, feed)
        st.download_button(
            "下载填报模板",
            data=built[0],
            file_name=built[1],
            icon=":material/table_view:",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"template-{feed}",
            on_click="ignore",
        )
        for kind, label in (("pdf", "下载数据报送规范（PDF）"), ("docx", "下载数据报送规范（Word）")):
            spec = q.spec(viewer, kind)
            st.download_button(
                label,
                data=spec[0],
                file_name=spec[1],
                icon=":material/description:",
                key=f"spec-{kind}",
                on_click="ignore",
            )


def show_check(viewer: Viewer, result, data: bytes) -> None:
    if result.status == "would_reject":
        st.error(f"**文件将被拒收，不会入库。** {result.reason}", icon=":material/block:")
        return
    if result.status == "duplicate":
        st.info(result.summary(), icon=":material/content_copy:")
        return
    if result.rows_quarantined:
        st.warning(f"**检查结果：** {result.summary()}", icon=":material/warning:")
    else:
        st.success(f"**检查通过：** {result.summary()}", icon=":material/check_circle:")
    cols = st.columns(4)
    metric_card(cols[0], ui.figure("will_load"), f"{result.rows_loaded} 行")
    metric_card(cols[1], ui.figure("will_quarantine"), f"{result.rows_quarantined} 行")
    metric_card(cols[2], ui.figure("will_skip"), f"{result.rows_skipped} 行", help="标题行、空白行、合计行和签名行")
    metric_card(cols[3], ui.figure("will_total"), f"{result.rows_total} 行", help="表头以外的全部行")
    if result.problems:
        ui.section("需要修改的单元格", "被隔离的行不会入库，其余行照常入库。请按下列说明修改后重新上传、报送。")
        for problem in result.problems[:LISTED]:
            shown = "（空）" if problem.value is None else f"“{md(problem.value)}”"
            st.markdown(
                f"- 第 {problem.row_number} 行「{md(problem.column_header)}」填写 {shown}：{md(problem.reason)}"
            )
        if len(result.problems) > LISTED:
            st.caption(f"另有 {len(result.problems) - LISTED} 处，见下表（可下载）。")
        frame = pl.DataFrame(
            [
                {"row": p.row_number, "column": p.column_header, "value": p.value, "reason": p.reason}
                for p in result.problems
            ],
            schema={"row": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String},
        )
        ui.table(
            frame,
            ui.headers(None, ["row", "column", "value", "reason"]),
            key="problems",
            file_name=f"报送检查_{result.filename}",
            height=ui.rows_height(min(frame.height, 15)),
        )
        marked_name = result.filename.rsplit(".", 1)[0] + "_问题标注.xlsx"
        st.download_button(
            "下载标注问题的工作簿",
            data=lambda: q.marked_workbook(viewer, result, data),
            file_name=marked_name,
            icon=":material/edit_note:",
            key="marked",
            on_click="ignore",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            help="有问题的单元格标红，并在批注中写明原因和修改方法",
        )


def body(viewer: Viewer) -> None:
    st.title("数据报送")
    sender = q.sender_of(viewer)
    validation_worker()
    st.caption(
        f"报送单位：{q.sender_name(viewer)}（{sender}）。上传后立即检查，确认无误再点“提交”；"
        "文件保存在本单位名下，下次数据处理时入库。"
    )
    offered = q.feeds(viewer)
    if not offered:
        st.info("本单位没有需要报送的数据类别")
        return
    labels = dict(offered)
    feed = st.selectbox(
        ui.headers(None, ["feed"])["feed"], list(labels), format_func=lambda f: f"{labels[f]}（{f}）", key="feed"
    )
    downloads(viewer, feed)

    receipt = st.session_state.get("receipt")
    if receipt is not None and receipt.feed == feed:
        st.success("**已提交。** 回执如下，可下载保存。", icon=":material/task_alt:")
        st.code(receipt.text(), language=None)
        st.download_button(
            "下载回执",
            data=receipt.text().encode("utf-8"),
            file_name=f"报送回执_{receipt.filename}.txt",
            mime="text/plain",
            icon=":material/receipt_long:",
            key="receipt-download",
            on_click="ignore",
        )

    # a new key after each submission empties the uploader
    upload = st.file_uploader(
        "选择台账文件（.xlsx、.xls 或 .csv）",
        key=f"upload-{feed}-{st.session_state.get('round', 0)}",
        help="文件按内容识别；大小上限见《数据报送规范》",
    )
    if upload is None:
        return
    data = upload.getvalue()
    checked = st.session_state.get("checked")
    if checked is None or checked[0] != (feed, upload.file_id):
        with st.spinner("正在检查…"):
            try:
                checked = ((feed, upload.file_id), q.check(viewer, feed, upload.name, data))
            except AccessDenied:
                raise
            except Exception:  # noqa: BLE001 - a file no reader expected: say so, keep the app up
                log.exception("portal check failed: %s / %s", feed, upload.name)
                st.error(
                    "该文件无法读取，未保存。请在 Excel 中“另存为” Excel 工作簿（.xlsx）后重新上传；"
                    "仍有问题请联系市应急管理局数据组。",
                    icon=":material/block:",
                )
                return
        st.session_state["checked"] = checked
    result = checked[1]
    show_check(viewer, result, data)
    if st.button("提交", type="primary", disabled=not result.can_land, icon=":material/send:", key="submit"):
        with st.spinner("正在提交…"):
            try:
                receipt = q.submit(viewer, feed, upload.name, data)
            except AccessDenied:
                raise
            except Exception:  # noqa: BLE001 - e.g. a full disk: nothing landed (atomic), say so
                log.exception("portal submission failed: %s / %s", feed, upload.name)
                st.error(
                    "提交失败，文件未保存。请稍后重试；仍有问题请联系市应急管理局数据组。", icon=":material/error:"
                )
                return
        if receipt.landed:
            st.session_state["receipt"] = receipt
            st.session_state.pop("checked", None)
            st.session_state["round"] = st.session_state.get("round", 0) + 1
            st.rerun()
        st.error(receipt.text())


ui.run_page(body)
