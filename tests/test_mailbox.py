"""The reporting mailbox against a real IMAP server (dovecot on loopback) and a real SMTP
server (aiosmtpd): a clerk's mail is filed under landing/<feed>/<sender>/ and answered with
the portal's receipt, a stranger's mail lands nowhere and reaches the data team, a second
poll files nothing, a poll that dies half-way resumes without filing twice."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import itertools
import json
import os
import ssl
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pipelines.cli import main
from pipelines.lib import mailbox
from pipelines.lib.mailbox import ImapConfigError, ImapSettings, imap_utf7, named_feed, poll_mailbox, sender_for_address
from pipelines.lib.profile import load_profile
from tests.alerts_smtp import SmtpServer, profile_copy
from tests.conftest import ingest_landing
from tests.imap_server import XLSX, ImapServer, mail
from tests.ledgers import headers, write_csv, write_xlsx
from tests.test_rules import CLEAN, ledger_row
from warehouse.home import Home

BUREAU_BOX = "reports@ningxiang.example"
YUTAN = "t430182001@ningxiang.example"  # 玉潭街道's alert address (townships.csv)
ZFDD = "zfdd-data@ningxiang.example"  # 执法大队 (departments.csv)
DATA_TEAM = "data-team@ningxiang.example"
USERS = {f"box{i}@ningxiang.example": f"pw-{i}" for i in range(1, 31)}
ACCOUNTS = itertools.count(1)
SHANGHAI = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(scope="module")
def imap():
    with ImapServer(USERS) as server:
        yield server


@pytest.fixture(scope="module")
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def box(imap, smtp, monkeypatch, tmp_path):
    """A fresh mailbox account per test, the SMTP server configured, a fresh home."""
    user = f"box{next(ACCOUNTS)}@ningxiang.example"
    for key in [k for k in os.environ if k.startswith(("SAFETYWH_IMAP_", "SAFETYWH_SMTP_"))]:
        monkeypatch.delenv(key)
    for key, value in {**imap.env(user), **smtp.env()}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SAFETYWH_PROFILE", raising=False)
    monkeypatch.delenv("SAFETYWH_DUCKDB", raising=False)
    smtp.handler.take()
    return user, Home(tmp_path / "home")


def hazard(**overrides) -> list:
    return ledger_row("hazards", {**CLEAN["hazards"], **overrides})


def xlsx_bytes(tmp_path: Path, feed: str, rows: list[list], name: str = "ledger.xlsx", **kw) -> bytes:
    return write_xlsx(tmp_path / "made" / name, headers(feed), rows, **kw).read_bytes()


def landed(home: Home) -> list[str]:
    return sorted(p.relative_to(home.landing).as_posix() for p in home.landing.rglob("*") if p.is_file())


def text_of(received) -> str:
    return received.text.replace("\r\n", "\n")


def poll(home: Home):
    return poll_mailbox(home, load_profile())


# ---------------------------------------------------------------- against the servers


def test_a_clerks_ledger_lands_under_its_feed_and_sender_and_gets_the_portal_receipt(box, imap, smtp, tmp_path, capsys):
    user, home = box
    ledger = xlsx_bytes(
        tmp_path,
        "hazards",
        [
            hazard(hazard_id="H-001"),
            hazard(hazard_id="H-002"),
            hazard(hazard_id="H-003", level="特大"),
        ],
        title="宁乡市玉潭街道2023年第14周台账",
    )
    # the address as the clerk's mail client writes it: case differs from townships.csv
    # mailed ten minutes before the weekly deadline (Monday 12:00); the poll comes later
    arrived = dt.datetime(2023, 4, 10, 11, 50, 0, tzinfo=SHANGHAI)
    imap.deliver(
        user,
        mail(
            "玉潭街道 安监站 <T430182001@Ningxiang.Example>",
            BUREAU_BOX,
            "玉潭街道第14周隐患台账",
            [("第14周.xlsx", ledger, XLSX), ("签名.png", PNG, "image/png")],
        ),
        arrived=arrived,
    )

    assert main(["mailbox", "--once", "--home", str(home.root)]) == 0
    out = capsys.readouterr().out
    assert "处理邮件 1 封；入库附件 1 个；回复 1 封；已发送 1 封，发送失败 0 封" in out
    assert "入库：landing/hazards/430182001/第14周.xlsx" in out

    # filed by the subject's feed (隐患 → hazards) and the From address's sender, byte for byte
    assert landed(home) == ["hazards/430182001/第14周.xlsx"]
    assert (home.landing / "hazards/430182001/第14周.xlsx").read_bytes() == ledger
    # its received time is the mail's arrival, not the poll's (a ledger mailed before a deadline is on time)
    mtime = dt.datetime.fromtimestamp((home.landing / "hazards/430182001/第14周.xlsx").stat().st_mtime, SHANGHAI)
    assert mtime == arrived

    (receipt,) = smtp.handler.take()
    assert receipt.to == "T430182001@Ningxiang.Example"
    assert receipt.subject.startswith("【报送回执】")
    text = text_of(receipt)
    assert "玉潭街道：" in text
    assert "数据报送回执" in text  # the portal's receipt (submission.Receipt.text)
    assert "隐患排查治理台账（hazards）" in text and "玉潭街道（430182001）" in text
    assert hashlib.sha256(ledger).hexdigest() in text
    # 1 title row skipped, 2 clean rows, 1 with a level not allowed
    assert "将入库 2 行，隔离 1 行，跳过 1 行" in text
    assert "以下附件不是台账，未处理：签名.png" in text
    assert "签名.png" not in [p.name for p in home.landing.rglob("*")]
    # what was sent is what the outbox keeps
    (eml,) = list(home.outbox.rglob("*.eml"))
    assert eml.read_bytes() == receipt.data

    # the run reads it as the receipt said, from that sender, received when the mail arrived
    con, _ = ingest_landing(home.landing, tmp_path / "w.duckdb")
    assert con.execute(
        "SELECT path, sender_code, status, rows_total, rows_loaded, rows_quarantined, rows_skipped, "
        "received_at FROM meta.files"
    ).fetchall() == [
        ("hazards/430182001/第14周.xlsx", "430182001", "loaded", 4, 2, 1, 1, dt.datetime(2023, 4, 10, 11, 50))
    ]
    con.close()

    # the message is flagged handled on the server, and a second poll files and sends nothing
    assert "SafetywhFiled" in imap.flags(user)[0] and "\\Seen" in imap.flags(user)[0]
    again = poll(home)
    assert (again.messages, again.filed, again.replies_created) == (0, [], 0)
    assert smtp.handler.take() == []
    assert landed(home) == ["hazards/430182001/第14周.xlsx"]


def test_mail_from_an_unknown_address_lands_nowhere_and_reaches_the_data_team(box, imap, smtp, tmp_path):
    user, home = box
    ledger = xlsx_bytes(tmp_path, "hazards", [hazard(hazard_id="H-100")])
    # one character off a registered address: exact addresses only
    imap.deliver(
        user,
        mail(
            "someone <t430182001@ningxiang.example.cn>",
            BUREAU_BOX,
            "隐患排查治理台账",
            [("隐患台账.xlsx", ledger, XLSX)],
            message_id="<stranger-1@elsewhere.example>",
        ),
    )

    result = poll(home)

    assert (result.messages, result.unknown_senders, result.filed) == (1, 1, [])
    assert landed(home) == []
    (notice,) = smtp.handler.take()
    assert notice.to == DATA_TEAM
    assert "未登记地址来信" in notice.subject and "t430182001@ningxiang.example.cn" in notice.subject
    assert "隐患台账.xlsx" in text_of(notice) and "<stranger-1@elsewhere.example>" in text_of(notice)
    assert "原邮件仍在报送邮箱中" in text_of(notice)
    # the stranger's mail stays in the mailbox for the data team, flagged handled
    assert len(imap.flags(user)) == 1 and "SafetywhFiled" in imap.flags(user)[0]
    assert poll(home).messages == 0 and smtp.handler.take() == []


def test_an_address_two_senders_registered_files_nothing_and_the_data_team_is_told_why(
    box, imap, smtp, tmp_path, monkeypatch
):
    user, home = box
    profile = profile_copy(tmp_path / "profile", lambda c: None)
    townships = (profile / "townships.csv").read_text("utf-8")
    (profile / "townships.csv").write_text(townships.replace("t430182002@ningxiang.example", YUTAN), "utf-8")
    monkeypatch.setenv("SAFETYWH_PROFILE", str(profile))
    assert sender_for_address(load_profile(), YUTAN) is None
    imap.deliver(
        user, mail(YUTAN, BUREAU_BOX, "隐患台账", [("f.xlsx", xlsx_bytes(tmp_path, "hazards", [hazard()]), XLSX)])
    )

    result = poll(home)

    assert (result.unknown_senders, result.filed) == (1, [])
    assert landed(home) == []
    (notice,) = smtp.handler.take()
    assert notice.to == DATA_TEAM and "多个单位共用的地址来信" in notice.subject
    assert "这个地址同时登记给了 玉潭街道、白马桥街道，无法确定是哪个单位报送的" in text_of(notice)


def test_the_feed_from_the_header_and_how_to_name_a_file_whose_feed_cannot_be_told(
    box, imap, smtp, tmp_path, monkeypatch
):
    user, home = box
    # a mailbox with a Chinese name (IMAP's modified UTF-7 on the wire)
    client = imap.client(user)
    assert client.create(f'"{imap_utf7("报送")}"')[0] == "OK"
    client.logout()
    monkeypatch.setenv("SAFETYWH_IMAP_MAILBOX", "报送")
    inspections = xlsx_bytes(tmp_path, "inspections", [ledger_row("inspections", CLEAN["inspections"])])
    other = write_csv(tmp_path / "made" / "名单.csv", ["姓名", "单位", "备注"], [["张三", "执法大队", ""]]).read_bytes()
    imap.deliver(
        user,
        mail(ZFDD, BUREAU_BOX, "请查收", [("附件1.xlsx", inspections, XLSX), ("名单.csv", other, "text/csv")]),
        mailbox=imap_utf7("报送"),
    )

    result = poll(home)

    # neither the subject nor the name says it: the header does (the run's own header detection)
    assert landed(home) == ["inspections/ZFDD/附件1.xlsx"]
    assert result.unnamed == 1
    (reply,) = smtp.handler.take()
    assert reply.to == ZFDD and reply.subject.startswith("【报送回执·需处理】")
    assert "执法检查（inspections）" in text_of(reply) and "将入库 1 行，隔离 0 行" in text_of(reply)
    assert "以下附件无法判断是哪一类报表，没有入库：\n- 名单.csv" in text_of(reply)
    # how to name it: the sender's own feeds (执法大队 reports inspections only)
    assert "例如「执法检查.xlsx」或主题「执法检查」" in text_of(reply)
    assert "- 执法检查（或 inspections）" in text_of(reply) and "隐患排查治理台账" not in text_of(reply)


def test_an_attachment_name_never_chooses_the_folder(box, imap, smtp, tmp_path):
    user, home = box
    ledger = xlsx_bytes(tmp_path, "hazards", [hazard()])
    imap.deliver(user, mail(YUTAN, BUREAU_BOX, "隐患台账", [("../../ZFDD/..\\隐患.xlsx", ledger, XLSX)]))
    poll(home)
    assert landed(home) == ["hazards/430182001/隐患.xlsx"]
    assert not (home.root / "ZFDD").exists()
    assert "1. 隐患.xlsx" in text_of(smtp.handler.take()[0])


def test_a_file_the_run_would_reject_does_not_land_and_the_reply_says_why(box, imap, smtp, tmp_path):
    user, home = box
    # the subject names the feed, but the file lacks required columns
    broken = write_csv(
        tmp_path / "made" / "b.csv",
        headers("hazards", drop=("level", "deadline")),
        [[v for c, v in zip(headers("hazards"), hazard()) if c not in ("隐患等级", "整改期限")]],
    ).read_bytes()
    imap.deliver(user, mail(YUTAN, BUREAU_BOX, "隐患台账", [("第15周.csv", broken, "text/csv")]))

    result = poll(home)

    assert (result.filed, result.refused) == ([], 1)
    assert landed(home) == []
    (reply,) = smtp.handler.take()
    assert "需处理" in reply.subject
    assert "数据报送未被接收" in text_of(reply) and "隐患等级" in text_of(reply) and "整改期限" in text_of(reply)


def test_an_attachment_over_the_size_limit_is_not_read_nor_filed_and_the_reply_says_the_limit(
    box, imap, smtp, tmp_path, monkeypatch
):
    user, home = box
    profile = profile_copy(tmp_path / "profile", lambda c: c.setdefault("submissions", {}).update(max_upload_mb=0.0625))
    monkeypatch.setenv("SAFETYWH_PROFILE", str(profile))
    rows = [hazard(hazard_id=f"H-{i:04d}") for i in range(700)]  # ~67 KB: over 0.0625 MB (64 KiB)
    big = write_csv(tmp_path / "made" / "big.csv", headers("hazards"), rows).read_bytes()
    small = write_csv(tmp_path / "made" / "small.csv", headers("hazards"), rows[:3]).read_bytes()
    assert len(big) > 2**16 > len(small)
    imap.deliver(
        user, mail(YUTAN, BUREAU_BOX, "隐患台账", [("全年.csv", big, "text/csv"), ("本周.csv", small, "text/csv")])
    )

    result = poll(home)

    assert landed(home) == ["hazards/430182001/本周.csv"]
    assert result.refused == 1
    (reply,) = smtp.handler.take()
    text = text_of(reply)
    assert "1. 全年.csv" in text and "超过报送上限 0.0625 MB" in text
    assert "2. 本周.csv" in text and "将入库 3 行" in text


def test_a_poll_that_dies_half_way_resumes_without_filing_twice_or_losing_a_file(
    box, imap, smtp, tmp_path, monkeypatch
):
    user, home = box
    first = xlsx_bytes(tmp_path, "hazards", [hazard(hazard_id="H-201")], name="a.xlsx")
    second = xlsx_bytes(tmp_path, "hazards", [hazard(hazard_id="H-202")], name="b.xlsx")
    imap.deliver(user, mail(YUTAN, BUREAU_BOX, "隐患台账两份", [("一.xlsx", first, XLSX), ("二.xlsx", second, XLSX)]))

    real = mailbox._file_part

    def dies_on_the_second(home_, profile, incoming, sender, part, own_feeds):
        if part.index == 1:
            raise KeyboardInterrupt("killed")
        return real(home_, profile, incoming, sender, part, own_feeds)

    monkeypatch.setattr(mailbox, "_file_part", dies_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        poll(home)
    assert landed(home) == ["hazards/430182001/一.xlsx"]
    assert smtp.handler.take() == []  # no receipt for a message not done
    assert "SafetywhFiled" not in imap.flags(user)[0]

    monkeypatch.setattr(mailbox, "_file_part", real)
    result = poll(home)
    assert result.filed == ["hazards/430182001/二.xlsx"]
    assert landed(home) == ["hazards/430182001/一.xlsx", "hazards/430182001/二.xlsx"]
    (reply,) = smtp.handler.take()  # one receipt naming both files
    assert "1. 一.xlsx" in text_of(reply) and "2. 二.xlsx" in text_of(reply)
    assert poll(home).messages == 0 and smtp.handler.take() == []


def replies(home: Home, capsys) -> list[tuple[str, str, str]]:
    capsys.readouterr()
    assert main(["mailbox", "--replies", "--format", "json", "--home", str(home.root)]) == 0
    return [(r["kind"], r["recipient"], r["status"]) for r in json.loads(capsys.readouterr().out)]


def test_without_smtp_the_reply_waits_in_the_outbox_and_goes_with_the_next_poll(
    box, imap, smtp, tmp_path, monkeypatch, capsys
):
    user, home = box
    monkeypatch.delenv("SAFETYWH_SMTP_HOST")
    imap.deliver(
        user, mail(YUTAN, BUREAU_BOX, "隐患台账", [("c.xlsx", xlsx_bytes(tmp_path, "hazards", [hazard()]), XLSX)])
    )
    first = poll(home)
    assert (first.replies_created, first.sent, first.smtp_configured) == (1, 0, False)
    assert len(list(home.outbox.rglob("*.eml"))) == 1 and smtp.handler.take() == []
    assert replies(home, capsys) == [("receipt", YUTAN, "queued")]

    for key, value in smtp.env().items():
        monkeypatch.setenv(key, value)
    second = poll(home)
    assert (second.messages, second.sent) == (0, 1)
    (reply,) = smtp.handler.take()
    assert reply.to == YUTAN and "数据报送回执" in text_of(reply)
    assert replies(home, capsys) == [("receipt", YUTAN, "sent")]


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_the_mailbox_is_read_over_tls_with_the_certificate_verified(security, box, imap, smtp, monkeypatch):
    user, home = box
    for key, value in imap.env(user, security=security).items():
        monkeypatch.setenv(key, value)
    imap.deliver(user, mail("nobody@elsewhere.example", BUREAU_BOX, f"test {security}"))
    # a certificate nobody vouches for is refused: the password never leaves over an unverified channel
    with pytest.raises(ssl.SSLCertVerificationError):
        poll(home)
    monkeypatch.setenv("SSL_CERT_FILE", str(imap.certificate))
    result = poll(home)
    assert (result.messages, result.unknown_senders) == (1, 1)
    (notice,) = smtp.handler.take()
    assert f"test {security}" in notice.subject


def test_a_mail_without_a_ledger_is_answered_and_an_auto_reply_is_not(box, imap, smtp):
    user, home = box
    imap.deliver(user, mail(YUTAN, BUREAU_BOX, "隐患台账", [("现场.jpg", PNG, "image/jpeg")]))
    imap.deliver(user, mail(YUTAN, BUREAU_BOX, "自动回复：休假中", Auto_Submitted="auto-replied"))

    result = poll(home)

    assert (result.messages, result.filed, result.replies_created) == (2, [], 1)
    (reply,) = smtp.handler.take()
    assert reply.to == YUTAN and "需处理" in reply.subject
    assert "邮件中没有台账附件" in text_of(reply) and "以下附件不是台账，未处理：现场.jpg" in text_of(reply)


def test_the_warehouses_own_messages_coming_back_are_left_alone(box, imap, smtp, tmp_path, monkeypatch):
    """The data team's address may be the reporting mailbox itself: a notice about a stranger
    arrives there from an unknown address and must not make another notice, for ever."""
    user, home = box
    imap.deliver(user, mail("stranger@elsewhere.example", BUREAU_BOX, "别的"))
    poll(home)
    (notice,) = smtp.handler.take()
    imap.deliver(user, email.message_from_bytes(notice.data, policy=email.policy.default))

    again = poll(home)

    assert (again.messages, again.unknown_senders, again.replies_created) == (1, 0, 0)
    assert smtp.handler.take() == []
    assert all("SafetywhFiled" in f for f in imap.flags(user))


def test_a_message_that_fails_does_not_stop_the_others_and_is_tried_again(box, imap, smtp, tmp_path, monkeypatch):
    user, home = box
    imap.deliver(
        user, mail(YUTAN, BUREAU_BOX, "隐患台账一", [("e.xlsx", xlsx_bytes(tmp_path, "hazards", [hazard()]), XLSX)])
    )
    imap.deliver(user, mail("stranger@elsewhere.example", BUREAU_BOX, "别的"))
    real = mailbox._file_part

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(mailbox, "_file_part", broken)
    first = poll(home)
    assert (first.errors, first.messages, first.unknown_senders) == (1, 1, 1)
    assert "处理出错的邮件 1 封" in first.summary()
    assert [m.to for m in smtp.handler.take()] == [DATA_TEAM]
    monkeypatch.setattr(mailbox, "_file_part", real)
    second = poll(home)
    assert (second.errors, second.messages, second.filed) == (0, 1, ["hazards/430182001/e.xlsx"])
    assert [m.to for m in smtp.handler.take()] == [YUTAN]


def test_a_poll_bounded_to_one_message_leaves_the_next_for_the_next_poll(box, imap, smtp):
    user, home = box
    for n in (1, 2):
        imap.deliver(user, mail(f"s{n}@elsewhere.example", BUREAU_BOX, f"第{n}封"))
    first = poll_mailbox(home, load_profile(), max_messages=1)
    assert (first.messages, first.more_waiting) == (1, True) and "其余邮件下次轮询处理" in first.summary()
    second = poll_mailbox(home, load_profile(), max_messages=1)
    assert (second.messages, second.more_waiting) == (1, False)
    assert [m.subject.split("「")[1] for m in smtp.handler.take()] == ["第1封」", "第2封」"]


def test_mail_that_arrived_before_imap_since_is_left_alone(box, imap, smtp, monkeypatch):
    user, home = box
    monkeypatch.setenv("SAFETYWH_IMAP_SINCE", "2026-01-01")
    imap.deliver(
        user,
        mail("old@elsewhere.example", BUREAU_BOX, "旧邮件"),
        arrived=dt.datetime(2025, 12, 30, 12, 0, tzinfo=SHANGHAI),
    )
    imap.deliver(
        user,
        mail("new@elsewhere.example", BUREAU_BOX, "新邮件"),
        arrived=dt.datetime(2026, 1, 2, 9, 0, tzinfo=SHANGHAI),
    )

    result = poll(home)

    assert (result.messages, result.unknown_senders) == (1, 1)
    (notice,) = smtp.handler.take()
    assert "新邮件" in notice.subject
    assert ["SafetywhFiled" in f for f in imap.flags(user)] == [False, True]


# ---------------------------------------------------------------- pieces


def test_a_poll_without_a_mailbox_configured_says_so(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("SAFETYWH_IMAP_HOST", raising=False)
    result = poll(Home(tmp_path))
    assert not result.configured and "SAFETYWH_IMAP_HOST" in result.summary()
    assert main(["mailbox", "--once", "--home", str(tmp_path)]) == 2
    assert "SAFETYWH_IMAP_HOST" in capsys.readouterr().err


def test_imap_settings_come_from_the_environment_when_asked(monkeypatch):
    for key in ("HOST", "PORT", "SECURITY", "USER", "PASSWORD", "MAILBOX", "TIMEOUT", "SINCE"):
        monkeypatch.delenv(f"SAFETYWH_IMAP_{key}", raising=False)
    assert ImapSettings.resolve() is None
    monkeypatch.setenv("SAFETYWH_IMAP_HOST", "imap.example")
    with pytest.raises(ImapConfigError, match="SAFETYWH_IMAP_USER"):
        ImapSettings.resolve()
    monkeypatch.setenv("SAFETYWH_IMAP_USER", "reports")
    s = ImapSettings.resolve()
    assert (s.security, s.port, s.mailbox, s.timeout, s.password, s.since) == ("ssl", 993, "INBOX", 60.0, "", None)
    monkeypatch.setenv("SAFETYWH_IMAP_SECURITY", "STARTTLS")
    monkeypatch.setenv("SAFETYWH_IMAP_MAILBOX", "报送")
    s = ImapSettings.resolve()
    assert (s.security, s.port, s.mailbox) == ("starttls", 143, "报送")
    monkeypatch.setenv("SAFETYWH_IMAP_SINCE", "2026-12-01")
    assert ImapSettings.resolve().since == dt.date(2026, 12, 1)
    monkeypatch.setenv("SAFETYWH_IMAP_SINCE", "12/1")
    with pytest.raises(ImapConfigError, match="SAFETYWH_IMAP_SINCE"):
        ImapSettings.resolve()
    monkeypatch.setenv("SAFETYWH_IMAP_SINCE", "")
    monkeypatch.setenv("SAFETYWH_IMAP_SECURITY", "tls13")
    with pytest.raises(ImapConfigError, match="ssl/starttls/none"):
        ImapSettings.resolve()


def test_from_addresses_map_to_senders_case_insensitively_and_exactly():
    profile = load_profile()
    assert sender_for_address(profile, "T430182001@NINGXIANG.example") == "430182001"
    assert sender_for_address(profile, "zfdd-data@ningxiang.example") == "ZFDD"
    assert sender_for_address(profile, "430182001@ningxiang.example") is None  # a substring is not the address
    assert sender_for_address(profile, "t430182001@ningxiang.example.cn") is None
    assert sender_for_address(profile, None) is None


@pytest.mark.parametrize(
    "text, feed",
    [
        ("隐患", "hazards"),
        ("玉潭街道第14周隐患台账", "hazards"),
        ("隐患排查治理台账", "hazards"),
        ("执法检查", "inspections"),
        ("3月执法检查记录", "inspections"),
        ("森林火灾统计", "forest_fires"),
        ("应急救援队伍名册", "rescue_teams"),
        ("hazards_2023W14", "hazards"),
        ("Rescue_Teams", "rescue_teams"),
        ("安全生产隐患排查治理情况", "hazards"),  # the longer match (隐患排查治理) beats 生产 of 生产安全事故
        ("应急", None),  # begins four labels: names none
        ("报送台账", None),
        ("宁乡市应急管理局", None),
        ("安全生产隐患", None),
        ("", None),
    ],
)
def test_a_feed_is_named_by_its_name_or_a_beginning_of_its_label_only_it_has(text, feed):
    assert named_feed(text) == feed


def test_mailbox_names_are_sent_in_modified_utf7():
    assert imap_utf7("INBOX") == "INBOX"
    assert imap_utf7("台北") == "&U,BTFw-"  # RFC 3501's example
    assert imap_utf7("a&b") == "a&-b"


# ---------------------------------------------------------------- Dagster


def test_the_dagster_definitions_hold_the_mailbox_sensor_which_skips_while_no_mailbox_is_set(monkeypatch):
    import dagster as dg

    from tests.test_definitions import load_defs

    sensor = load_defs().resolve_sensor_def("reporting_mailbox")
    assert not sensor.targets  # it files mail into landing/: the landing sensor runs the job
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    monkeypatch.delenv("SAFETYWH_IMAP_HOST", raising=False)
    skipped = sensor(dg.build_sensor_context())
    assert isinstance(skipped, dg.SkipReason) and "SAFETYWH_IMAP_HOST" in skipped.skip_message


def test_the_sensor_files_the_mail_and_the_landing_sensor_asks_for_a_run(box, imap, smtp, tmp_path, monkeypatch):
    import dagster as dg

    from pipelines.defs.landing.sensors import landing_folder
    from pipelines.defs.mailbox.sensors import reporting_mailbox

    user, home = box
    monkeypatch.setenv("SAFETYWH_HOME", str(home.root))
    imap.deliver(
        user, mail(YUTAN, BUREAU_BOX, "隐患台账", [("d.xlsx", xlsx_bytes(tmp_path, "hazards", [hazard()]), XLSX)])
    )

    first = reporting_mailbox(dg.build_sensor_context())
    assert isinstance(first, dg.SkipReason) and "处理邮件 1 封" in first.skip_message
    assert landed(home) == ["hazards/430182001/d.xlsx"]
    # what was filed is new in landing/ (no successful run yet): the landing sensor asks for one run
    asked = landing_folder(dg.build_sensor_context())
    assert isinstance(asked, dg.SensorResult) and len(asked.run_requests) == 1
    assert asked.run_requests[0].tags["safetywh/source"] == "landing" and asked.cursor == asked.run_requests[0].run_key
    assert len(smtp.handler.take()) == 1
    second = reporting_mailbox(dg.build_sensor_context())
    assert isinstance(second, dg.SkipReason) and "处理邮件 0 封" in second.skip_message


def test_the_header_decides_the_feed_before_the_file_name_and_the_file_name_before_the_subject(tmp_path):
    from pipelines.lib.mailbox import FeedChoice, choose_feed

    hazards = xlsx_bytes(tmp_path, "hazards", [hazard()])
    no_header = "姓名,单位\r\n张三,执法大队\r\n".encode()
    assert choose_feed("执法检查.xlsx", hazards, "执法检查", []) == FeedChoice("hazards", "header")
    assert choose_feed("隐患.csv", no_header, "执法检查", []) == FeedChoice("hazards", "filename")
    assert choose_feed("附件.csv", no_header, "森林火灾", []) == FeedChoice("forest_fires", "subject")
    assert choose_feed("附件.csv", no_header, "请查收", []) == FeedChoice(None, None)
