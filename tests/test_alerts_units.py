"""Alert pieces on their own: wording filters, SMTP settings and delivery against a real
loopback server (refusals included), the e-mail's structure, templates and attachment."""

import datetime as dt
import email
import io
from email import policy

import openpyxl
import pytest

from pipelines.lib.alerts.compose import SenderBatch, message_context
from pipelines.lib.alerts.message import Outgoing, build_email
from pipelines.lib.alerts.problems import PROBLEM_COLUMNS
from pipelines.lib.alerts.render import cn_datetime, cn_due, cn_duration, render
from pipelines.lib.alerts.smtp import Delivery, SmtpConfigError, SmtpSettings, deliver
from pipelines.lib.alerts.workbook import build_workbook
from tests.alerts_smtp import SmtpServer, free_port


def test_times_and_durations_read_the_way_an_office_writes_them():
    assert cn_datetime(dt.datetime(2023, 4, 10, 12, 0, 0)) == "2023年4月10日 12:00"
    assert cn_datetime(dt.datetime(2023, 4, 10, 12, 0, 1)) == "2023年4月10日 12:00:01"
    assert cn_due(dt.datetime(2023, 4, 5, 23, 59, 59)) == "2023年4月5日（含当日）"
    assert cn_due(dt.datetime(2023, 4, 10, 12, 0)) == "2023年4月10日 12:00"
    assert [cn_duration(s) for s in (1, 59 * 60, 3 * 3600, 3 * 3600 + 5 * 60, 86400, 2 * 86400 + 22 * 3600)] == [
        "1秒",
        "59分钟",
        "3小时",
        "3小时5分钟",
        "1天",
        "2天22小时",
    ]


def test_smtp_settings_come_from_the_environment(monkeypatch):
    for key in ("HOST", "PORT", "USER", "PASSWORD", "SECURITY", "FROM", "TIMEOUT"):
        monkeypatch.delenv(f"SAFETYWH_SMTP_{key}", raising=False)
    assert SmtpSettings.resolve({}) is None  # no host: outbox only
    monkeypatch.setenv("SAFETYWH_SMTP_HOST", "mail.example")
    settings = SmtpSettings.resolve({"alerts": {"smtp": {"from_address": "dq@example"}}})
    assert (settings.port, settings.security, settings.from_address) == (587, "starttls", "dq@example")
    monkeypatch.setenv("SAFETYWH_SMTP_SECURITY", "ssl")
    monkeypatch.setenv("SAFETYWH_SMTP_USER", "u")
    monkeypatch.setenv("SAFETYWH_SMTP_PASSWORD", "p")
    settings = SmtpSettings.resolve({})
    assert (settings.port, settings.user, settings.password) == (465, "u", "p")
    monkeypatch.setenv("SAFETYWH_SMTP_SECURITY", "tls13")
    with pytest.raises(SmtpConfigError):
        SmtpSettings.resolve({})


def _plain(key: str) -> bytes:
    return f"Subject: {key}\r\nFrom: a@example\r\nTo: b@example\r\n\r\nbody {key}\r\n".encode()


def test_refused_messages_fail_alone_and_go_through_when_retried():
    with SmtpServer() as server:
        settings = SmtpSettings("127.0.0.1", server.port, "none", None, None, "dq@example", 10)
        server.handler.refuse = {"temp@example": "451 4.3.0 try later", "perm@example": "550 5.7.1 refused"}
        batch = [
            Delivery("ok1", "dq@example", "ok@example", _plain("ok1")),
            Delivery("temp", "dq@example", "temp@example", _plain("temp")),
            Delivery("perm", "dq@example", "perm@example", _plain("perm")),
            Delivery("none", "dq@example", None, _plain("none")),
            Delivery("ok2", "dq@example", "ok@example", _plain("ok2")),
        ]
        results = {r.key: r for r in deliver(settings, batch)}
        assert [k for k, r in results.items() if r.ok] == ["ok1", "ok2"]
        assert "451" in results["temp"].error and "550" in results["perm"].error
        assert "alert_email" in results["none"].error
        assert [m.to for m in server.handler.take()] == ["ok@example", "ok@example"]
        server.handler.refuse = {}
        retried = list(deliver(settings, [batch[1], batch[2]]))
        assert all(r.ok for r in retried)
        assert sorted(m.to for m in server.handler.take()) == ["perm@example", "temp@example"]


def test_an_unreachable_server_fails_every_message_without_raising():
    settings = SmtpSettings("127.0.0.1", free_port(), "none", None, None, "dq@example", 2)
    results = list(
        deliver(
            settings,
            [
                Delivery("a", "dq@example", "x@example", _plain("a")),
                Delivery("b", "dq@example", "y@example", _plain("b")),
            ],
        )
    )
    assert [r.ok for r in results] == [False, False]


def _problem(**values) -> dict:
    return {**{name: None for name in PROBLEM_COLUMNS}, **values}


def _context():
    received = dt.datetime(2023, 4, 10, 9, 0)
    rows = [
        _problem(
            problem_key=f"row:{n}",
            kind="row",
            sender_code="430182001",
            feed="hazards",
            file_id=1,
            path="hazards/430182001/台账.xlsx",
            received_at=received,
            row_numbers=rows,
            record_id=f"H-{n}",
            column_name="level",
            column_header="隐患等级",
            value="<b>特大</b>",
            rule="enum",
            reason="不在允许值范围内：「隐患等级」只能填写：一般、重大",
        )
        for n, rows in enumerate(["4,5"] + [str(i) for i in range(6, 30)])
    ]
    missing = _problem(
        problem_key="due:x",
        kind="missing",
        sender_code="430182001",
        feed="hazards",
        cadence="weekly",
        period="2023-W16",
        period_start=dt.date(2023, 4, 17),
        period_end=dt.date(2023, 4, 23),
        due_at=dt.datetime(2023, 4, 24, 12, 0),
    )
    batch = SenderBatch("430182001", rows + [missing], [])
    sender = {"code": "430182001", "name": "玉潭街道", "email": "t@example"}
    return message_context(
        batch,
        sender,
        bureau="宁乡市应急管理局",
        data_team="dt@example",
        now=dt.datetime(2026, 5, 1, 10, 0),
        attachment_name="清单.xlsx",
    )


def test_the_body_lists_the_first_rows_and_the_attachment_all_of_them():
    ctx = _context()
    assert ctx["counts"]["rows"] == 26 and ctx["rows_omitted"] == 5
    text = render("message.txt.j2", **ctx)
    assert "第4、5行「隐患等级」（编号 H-0）" in text and "另有 5 项未在正文中列出，请见附件" in text
    assert "2023年第16周（4月17日至4月23日），截止时间 2023年4月24日 12:00" in text
    html = render("message.html.j2", **ctx)
    assert "&lt;b&gt;特大&lt;/b&gt;" in html and "<b>特大</b>" not in html  # values are escaped
    book = openpyxl.load_workbook(io.BytesIO(build_workbook(ctx)))
    rows = list(book["未入库数据行"].iter_rows(min_row=2, values_only=True))
    assert [r[3] for r in rows] == [4, 5, *range(6, 30)]  # one line per Excel row
    assert [r[0] for r in book["报送时限"].iter_rows(values_only=True)][1:] == ["隐患排查治理台账"]


def test_the_email_is_multipart_with_chinese_headers_and_the_xlsx():
    out = Outgoing(
        alert_id="a-1",
        subject="【数据质量提醒】玉潭街道：1行数据未入库",
        text="正文",
        html="<p>正文</p>",
        recipient="t430182001@example",
        recipient_name="玉潭街道",
        from_address="dq@example",
        from_name="宁乡市应急管理局数据质量提醒",
        reply_to="dt@example",
        created_at=dt.datetime(2026, 5, 1, 10, 0),
        timezone="Asia/Shanghai",
        attachment=b"PK fake",
        attachment_name="数据质量问题清单_玉潭街道.xlsx",
    )
    data = build_email(out)
    assert data.isascii()  # 7-bit safe for any relay
    msg = email.message_from_bytes(data, policy=policy.default)
    assert msg["Subject"] == out.subject
    assert msg["From"].addresses[0].display_name == "宁乡市应急管理局数据质量提醒"
    assert msg["To"].addresses[0].addr_spec == "t430182001@example"
    assert msg["Date"].datetime.utcoffset() == dt.timedelta(hours=8)
    assert msg.get_body(("plain",)).get_content().strip() == "正文"
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "数据质量问题清单_玉潭街道.xlsx"
    assert attachment.get_content() == b"PK fake"


def test_the_dagster_run_failure_sensor_alerts_the_data_team(tmp_path, monkeypatch):
    """Under `dagster dev` the sensor, not the runner, reports a failed run."""
    import dagster as dg

    from pipelines.defs.alerts.sensors import alert_data_team_on_run_failure
    from pipelines.lib.alerts.listing import alerts_frame
    from warehouse.home import Home

    for key in ("SAFETYWH_SMTP_HOST", "SAFETYWH_DUCKDB", "SAFETYWH_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("SAFETYWH_HOME", str(tmp_path))

    @dg.op
    def load_ledgers():
        raise OSError("磁盘已满")

    @dg.job
    def broken():
        load_ledgers()

    instance = dg.DagsterInstance.ephemeral()
    result = broken.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name="alert_data_team_on_run_failure",
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
        dagster_event=failure,
    ).for_run_failure()
    alert_data_team_on_run_failure(context)

    (eml,) = tmp_path.joinpath("outbox").glob(f"*/run-failure-{result.run_id}.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["To"].addresses[0].addr_spec == "data-team@ningxiang.example"
    assert msg["Subject"].startswith("【系统故障】")
    body = msg.get_body(("plain",)).get_content()
    assert "load_ledgers" in body and "磁盘已满" in body
    listed = alerts_frame(Home.resolve(tmp_path))
    assert listed.select("kind", "status").rows() == [("run_failure", "queued")]  # no SMTP: waits in the outbox
