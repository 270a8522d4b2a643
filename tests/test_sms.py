"""SMS: the transactional outbox, the HTTP gateway against a real local server,
delivery without double sends, the supervisor's outbox, and the CLI."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from core.errors import RuleViolation
from core.roles import Actor, Role
from core.timeutil import SHANGHAI
from services import audit, sms
from storage.engine import Database
from storage.models import AuditEntry, SmsMessage
from storage.settings import load_settings, plain_settings
from tests.conftest import SYSTEM, accounts_for, configure, freeze

# Actors without operator rows: the SMS services check the role only (and no
# password hashing slows the tests down).
SUPERVISOR = Actor(101, "super_a", "测试主管", Role.SUPERVISOR)
CLERK = Actor(102, "clerk_a", "测试受理员", Role.CLERK, "01")
_accounts = accounts_for(SUPERVISOR, CLERK)
PHONE = "13812345678"
MASKED = "138****5678"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib would send the gateway's requests through a proxy the shell names."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)


# ------------------------------------------------------------------ a real local gateway


@dataclass
class Gateway:
    """A local HTTP server standing in for the SMS provider; records each request."""

    url: str = ""
    status: int = 200
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: When set, a request is held (after ``answering`` is set) until ``release`` is.
    hold: bool = False
    answering: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def ids(self) -> list[int]:
        return [r["body"]["id"] for r in self.requests]


@pytest.fixture
def gateway() -> Any:
    rec = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with rec.lock:
                rec.requests.append({
                    "path": self.path,
                    "content_type": self.headers.get("Content-Type"),
                    "authorization": self.headers.get("Authorization"),
                    "body": json.loads(body),
                })
            if rec.hold:
                rec.answering.set()
                rec.release.wait(120)
            if rec.delay:
                time.sleep(rec.delay)
            try:
                self.send_response(rec.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except BrokenPipeError:  # the client gave up waiting (a timeout test): nobody to answer
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    yield rec
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ helpers


def _queue(db: Database, phone: str = PHONE, text: str = "您的业务已受理。", **kw: Any) -> int:
    with db.write() as session:
        message = sms.notify(session, SYSTEM, phone, text, purpose=kw.pop("purpose", "case_accepted"), **kw)
        return message.id  # type: ignore[return-value]


def _messages(db: Database) -> list[SmsMessage]:
    with db.read() as session:
        return list(session.execute(select(SmsMessage).order_by(SmsMessage.id)).scalars())


def _audit(db: Database) -> list[AuditEntry]:
    with db.read() as session:
        return list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())


def _count(db: Database, model: type) -> int:
    with db.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


# ------------------------------------------------------------------ notify


def test_notify_queues_a_message_and_an_audit_row_in_the_callers_transaction(db):
    with db.write() as session:
        message = sms.notify(session, SYSTEM, "+86 138-1234-5678", "  您的业务已受理。 ", purpose="case_accepted",
                             case_number="F202601010000001")
        # visible inside the caller's transaction, before its commit
        assert session.get(SmsMessage, message.id) is not None
    [row] = _messages(db)
    # every message carries the hall's signature (the providers require one)
    assert (row.phone, row.text, row.status, row.backend) == (PHONE, "【网签】您的业务已受理。", "queued", "outbox")
    assert row.case_number == "F202601010000001" and row.sent_at is None
    [entry] = _audit(db)
    assert entry.action == "sms_queued" and entry.object_id == str(row.id)
    assert entry.case_number == "F202601010000001"
    assert MASKED in entry.after and PHONE not in entry.after
    assert "受理" not in entry.after  # the text may carry a one-time code: not in the audit


def test_nothing_is_written_on_a_refusal_or_when_the_callers_transaction_rolls_back(db):
    with pytest.raises(RuntimeError):
        with db.write() as session:
            sms.notify(session, SYSTEM, PHONE, "您的业务已受理。", purpose="case_accepted")
            raise RuntimeError("the business change failed")
    for phone, text, code in (
        ("12345", "正文", "PHONE_BAD_FORMAT"),
        ("", "正文", "PHONE_EMPTY"),
        (PHONE, "   ", "SMS_TEXT_EMPTY"),
        (PHONE, "字" * 501, "SMS_TEXT_TOO_LONG"),
    ):
        with pytest.raises(RuleViolation) as refusal:
            with db.write() as session:
                sms.notify(session, SYSTEM, phone, text, purpose="case_accepted")
        assert refusal.value.code == code
    assert _count(db, SmsMessage) == 0 and _count(db, AuditEntry) == 0


def test_500_characters_fit_and_the_backend_follows_the_configuration(db, monkeypatch):
    _queue(db, text="字" * (500 - len(sms.SIGNATURE)))  # 500 with the signature
    configure(db, sms_url="http://127.0.0.1:9/sms")
    _queue(db)
    rows = _messages(db)
    assert len(rows[0].text) == 500 and [m.backend for m in rows] == ["outbox", "http"]


# ------------------------------------------------------------------ the HTTP gateway


def test_http_gateway_posts_json_with_bearer_token_and_2xx_is_sent(db, gateway, monkeypatch):
    by_hand = _queue(db)  # queued while no gateway was configured: staff send it by hand
    configure(db, sms_url=gateway.url)
    first = _queue(db, text="请于3月1日前到窗口签约。", case_number="F202601010000001")
    second = _queue(db, phone="13900000000", text="第二条")
    report = sms.deliver_pending(db, SYSTEM, sms.HttpGateway(gateway.url, token="s3cret", timeout=10))
    assert report == sms.DeliveryReport(sent=2, failed=0)
    assert [r["body"] for r in gateway.requests] == [
        {"phone": PHONE, "text": "【网签】请于3月1日前到窗口签约。", "id": first},
        {"phone": "13900000000", "text": "【网签】第二条", "id": second},
    ]
    assert all(r["content_type"] == "application/json" for r in gateway.requests)
    assert all(r["authorization"] == "Bearer s3cret" for r in gateway.requests)
    assert gateway.requests[0]["path"] == "/sms"
    manual, *rows = _messages(db)
    assert [m.status for m in rows] == ["sent", "sent"] and all(m.sent_at and m.error is None for m in rows)
    assert (manual.id, manual.status) == (by_hand, "queued")  # never sent by the gateway as well
    assert [e.action for e in _audit(db)][-2:] == ["sms_sent", "sms_sent"]
    # nothing is left to send
    assert sms.deliver_pending(db, SYSTEM, sms.HttpGateway(gateway.url)) == sms.DeliveryReport(0, 0)
    assert len(gateway.requests) == 2
    assert audit.verify(db, SYSTEM).intact


def test_http_500_marks_the_message_failed_and_it_is_not_retried(db, gateway, monkeypatch):
    configure(db, sms_url=gateway.url)
    gateway.status = 500
    _queue(db)
    report = sms.deliver_pending(db, SYSTEM, sms.HttpGateway(gateway.url, timeout=10))
    assert report == sms.DeliveryReport(sent=0, failed=1)
    assert gateway.requests[0]["authorization"] is None  # no token, no header
    [row] = _messages(db)
    assert row.status == "failed" and row.sent_at is None
    assert "500" in row.error and "短信网关" in row.error
    assert _audit(db)[-1].action == "sms_failed"
    gateway.status = 200
    assert sms.deliver_pending(db, SYSTEM, sms.HttpGateway(gateway.url)) == sms.DeliveryReport(0, 0)
    assert len(gateway.requests) == 1


def test_connection_refused_and_timeout_mark_the_message_failed(db, gateway, monkeypatch):
    url = f"http://127.0.0.1:{_closed_port()}/sms"
    configure(db, sms_url=url)
    _queue(db)
    assert sms.deliver_pending(db, SYSTEM, sms.HttpGateway(url, timeout=2)) == sms.DeliveryReport(0, 1)
    assert "无法连接短信网关" in _messages(db)[0].error
    gateway.delay = 0.5
    _queue(db)
    assert sms.deliver_pending(db, SYSTEM, sms.HttpGateway(gateway.url, timeout=0.1)) == sms.DeliveryReport(0, 1)
    assert "没有答复" in _messages(db)[1].error


def test_a_crash_after_the_send_leaves_the_message_claimed_and_it_is_sent_again(db):
    """At least once: the send and its 'sent' are not atomic; an abandoned claim is taken again."""
    configure(db, sms_url="http://127.0.0.1:9/sms")
    clock = freeze(db, datetime(2026, 11, 21, 2, 0, tzinfo=UTC))
    message = _queue(db)
    calls: list[int | None] = []

    class CrashAfterSending:
        name = "http"

        def send(self, phone: str, text: str, *, message_id: int | None = None) -> None:
            calls.append(message_id)
            raise SystemExit("power cut")

    with pytest.raises(SystemExit):
        sms.deliver_pending(db, SYSTEM, CrashAfterSending())
    assert _messages(db)[0].status == "sending"

    class Working(CrashAfterSending):
        def send(self, phone: str, text: str, *, message_id: int | None = None) -> None:
            calls.append(message_id)

    # a fresh claim may be a slow send still in flight on another terminal: not taken
    assert sms.deliver_pending(db, SYSTEM, Working()) == sms.DeliveryReport(0, 0)
    clock.advance(seconds=sms.CLAIM_STALE_AFTER.total_seconds() + 1)
    assert sms.deliver_pending(db, SYSTEM, Working()) == sms.DeliveryReport(1, 0)
    assert calls == [message, message]  # the same id both times: a gateway can de-duplicate


def test_two_terminals_delivering_at_once_never_send_a_message_twice(db, gateway, monkeypatch):
    configure(db, sms_url=gateway.url)
    ids = [_queue(db, text=f"第{i}条") for i in range(16)]
    gateway.delay = 0.01
    start = threading.Barrier(2)
    reports: list[sms.DeliveryReport] = []
    errors: list[BaseException] = []

    def terminal() -> None:
        own = db.reopen()
        try:
            start.wait()
            reports.append(sms.deliver_pending(own, SYSTEM, sms.HttpGateway(gateway.url, timeout=5)))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=terminal) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(gateway.ids()) == ids  # each message exactly once
    assert sum(r.sent for r in reports) == 16 and sum(r.failed for r in reports) == 0
    assert all(m.status == "sent" for m in _messages(db))
    assert audit.verify(db, SYSTEM).intact


# ------------------------------------------------------------------ the manual outbox


def test_outbox_gateway_leaves_messages_queued_and_a_supervisor_marks_them_sent(db):
    first, second = _queue(db), _queue(db, phone="13900000000")
    assert sms.deliver_pending(db, SYSTEM, sms.OutboxGateway()) == sms.DeliveryReport(0, 0)
    assert [m.status for m in _messages(db)] == ["queued", "queued"]
    assert sms.mark_sent(db, SUPERVISOR, [first]) == 1
    rows = _messages(db)
    assert rows[0].status == "sent" and rows[0].sent_at is not None and rows[1].status == "queued"
    entry = _audit(db)[-1]
    assert (entry.action, entry.operator, entry.object_id) == ("sms_marked_sent", SUPERVISOR.username, str(first))
    for ids, code in (([first, second], "SMS_ALREADY_SENT"), ([second, 999], "SMS_NOT_FOUND"), ([], "SMS_NONE_SELECTED")):
        with pytest.raises(RuleViolation) as refusal:
            sms.mark_sent(db, SUPERVISOR, ids)
        assert refusal.value.code == code
    assert _messages(db)[1].status == "queued"  # all or nothing


def test_outbox_lists_newest_first_with_masked_phones_and_a_clerk_sees_only_their_cases(db):
    _queue(db, text="第一条", case_number="F202601010000001")
    second = _queue(db, phone="13900001234", text="第二条")
    sms.mark_sent(db, SUPERVISOR, [second])
    rows = sms.outbox(db, SUPERVISOR)
    assert [(r.phone, r.status, r.text) for r in rows] == [("139****1234", "已发送", "【网签】第二条"),
                                                                  (MASKED, "待发送", "【网签】第一条")]
    assert rows[1].case_number == "F202601010000001" and rows[1].purpose == "case_accepted"
    assert rows[1].purpose_label == "case_accepted"  # an unknown purpose shows as it is
    created = _messages(db)[0].created_at.astimezone(SHANGHAI)
    assert rows[1].created == f"{created:%Y-%m-%d %H:%M:%S}"  # shown in Shanghai time
    assert [r.id for r in sms.outbox(db, SUPERVISOR, status="queued")] == [rows[1].id]
    lease = _queue(db, purpose="lease_approved")
    assert next(r for r in sms.outbox(db, SUPERVISOR) if r.id == lease).purpose_label == "签约审核通过"
    with pytest.raises(RuleViolation) as refusal:
        sms.outbox(db, SUPERVISOR, status="pending")
    assert refusal.value.code == "SMS_BAD_STATUS"
    # A clerk's outbox holds the messages of their own cases only; these were queued by the system.
    assert sms.outbox(db, CLERK) == []
    with pytest.raises(RuleViolation) as refusal:
        sms.mark_sent(db, CLERK, [rows[1].id])
    assert refusal.value.code == "SMS_NOT_YOURS" and "不属于您经办的业务" in refusal.value.message
    assert _messages(db)[0].status == "queued"


def test_sent_today_counts_from_shanghai_midnight(db):
    midnight_utc = datetime(2026, 2, 28, 16, 0, tzinfo=UTC)  # 2026-03-01 00:00 in Shanghai
    with db.write() as session:
        for phone, at in (
            (PHONE, midnight_utc - timedelta(seconds=1)),  # yesterday, locally
            (PHONE, midnight_utc),
            (PHONE, midnight_utc + timedelta(hours=8)),
            ("13900000000", midnight_utc + timedelta(hours=1)),
        ):
            session.add(SmsMessage(phone=phone, text="码", purpose="sign_code", backend="outbox", created_at=at))
    now = midnight_utc + timedelta(hours=9)
    with db.read() as session:
        assert sms.sent_today(session, "+86 138 1234 5678", now) == 2
        assert sms.sent_today(session, "13900000000", now) == 1
        assert sms.sent_today(session, PHONE, midnight_utc - timedelta(seconds=1)) == 1  # the day before
        assert sms.sent_today(session, PHONE, midnight_utc + timedelta(hours=1)) == 1  # later ones not yet
        assert sms.count_since(session, PHONE, now - timedelta(hours=1, seconds=1)) == 1


# ------------------------------------------------------------------ configuration


def test_the_configured_gateway(monkeypatch):
    assert isinstance(sms.configured_gateway(plain_settings()), sms.OutboxGateway)
    monkeypatch.setenv("WANGQIAN_SMS_URL", "https://sms.example.cn/send")
    monkeypatch.setenv("WANGQIAN_SMS_TOKEN", "tok")
    monkeypatch.setenv("WANGQIAN_SMS_TIMEOUT", "2.5")
    gw = sms.configured_gateway(load_settings())
    assert isinstance(gw, sms.HttpGateway) and (gw.name, gw.url, gw.token, gw.timeout) == (
        "http", "https://sms.example.cn/send", "tok", 2.5)
    for bad in ("abc", "0", "600"):
        monkeypatch.setenv("WANGQIAN_SMS_TIMEOUT", bad)
        with pytest.raises(RuleViolation) as refusal:
            load_settings()
        assert refusal.value.code == "SETTINGS_INVALID" and "WANGQIAN_SMS_TIMEOUT" in refusal.value.message
    with pytest.raises(RuleViolation) as refusal:
        sms.HttpGateway("ftp://sms.example.cn")
    assert refusal.value.code == "SMS_BAD_URL"


# ------------------------------------------------------------------ the CLI


runner = CliRunner()


@pytest.fixture
def cli(cli_db) -> Any:
    """The commands and the database (each backend) they open."""
    from tui.cli.main import app

    return app, cli_db


def test_cli_outbox_json_masks_phones_and_refuses_a_bad_status(cli):
    app, db = cli
    message = _queue(db, text="您的业务已受理。")
    result = runner.invoke(app, ["sms", "outbox", "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert (row["id"], row["phone"], row["status"], row["status_code"]) == (message, MASKED, "待发送", "queued")
    assert PHONE not in result.stdout
    table = runner.invoke(app, ["sms", "outbox"])
    assert table.exit_code == 0 and MASKED in table.stdout and PHONE not in table.stdout
    bad = runner.invoke(app, ["sms", "outbox", "--status", "bogus"])
    assert bad.exit_code == 1 and "SMS_BAD_STATUS" in bad.stderr and "短信状态" in bad.stderr
    marked = runner.invoke(app, ["sms", "mark-sent", str(message)])
    assert marked.exit_code == 0 and "1 条" in marked.stdout
    again = runner.invoke(app, ["sms", "mark-sent", str(message)])
    assert again.exit_code == 1 and "SMS_ALREADY_SENT" in again.stderr


def test_cli_outbox_says_what_a_message_is_for_in_chinese(cli):
    """`sms outbox` printed the stored purpose (sign_confirm) where 短信发件箱 and `sms show` say 签约确认验证码."""
    app, db = cli
    _queue(db, text="您的购房资格审查已通过。", purpose="qualification")
    table = runner.invoke(app, ["sms", "outbox"])
    assert table.exit_code == 0, table.output
    assert "购房资格审查结果" in table.stdout and "qualification" not in table.stdout


def test_cli_deliver(cli, gateway, monkeypatch):
    app, db = cli
    idle = runner.invoke(app, ["sms", "deliver"])
    assert idle.exit_code == 0 and "未配置短信网关" in idle.stdout
    for limit in ("0", "-1"):  # no count, refused even while there is no gateway to send through
        refused = runner.invoke(app, ["sms", "deliver", "--limit", limit])
        assert refused.exit_code == 1 and "SMS_BAD_LIMIT" in refused.stderr and "未配置" not in refused.stdout
    monkeypatch.setenv("WANGQIAN_SMS_URL", gateway.url)
    monkeypatch.setenv("WANGQIAN_SMS_TOKEN", "tok")
    configure(db, sms_url=gateway.url)  # the test's own handle queues for the gateway too
    _queue(db)
    _queue(db)
    result = runner.invoke(app, ["sms", "deliver", "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert "已发送 1 条，发送失败 0 条" in result.stdout
    assert gateway.requests[0]["authorization"] == "Bearer tok"
    assert [m.status for m in _messages(db)] == ["sent", "queued"]
    monkeypatch.setenv("WANGQIAN_SMS_TIMEOUT", "x")
    bad = runner.invoke(app, ["sms", "deliver"])
    assert bad.exit_code == 2 and "SETTINGS_INVALID" in bad.stderr and "WANGQIAN_SMS_TIMEOUT" in bad.stderr


def test_a_code_leaves_the_stored_text_once_the_message_is_sent(db, gateway, monkeypatch):
    """The gateway (or the staff member sending by hand) gets the code; the outbox keeps the text without it."""
    by_hand = _queue(db, text="【网签】验证码482913，5分钟内有效，请勿泄露。")
    sms.mark_sent(db, SUPERVISOR, [by_hand])
    configure(db, sms_url=gateway.url)
    sent = _queue(db, phone="13900000000", text="【网签】验证码305117，5分钟内有效。")
    assert sms.deliver_pending(db, SYSTEM, sms.HttpGateway(gateway.url)) == sms.DeliveryReport(sent=1, failed=0)
    assert gateway.requests[0]["body"]["text"] == "【网签】验证码305117，5分钟内有效。"
    texts = {m.id: m.text for m in _messages(db)}
    assert texts == {by_hand: "【网签】验证码******，5分钟内有效，请勿泄露。", sent: "【网签】验证码******，5分钟内有效。"}
    assert sms.redact_codes("您的业务已受理。") == "您的业务已受理。"


def test_a_slow_gateway_holds_no_lock_while_it_answers(db):
    """While the gateway takes its time with a message, the other terminals write at once
    (on SQLite the whole database is one lock: a send inside a transaction would stall them)."""
    configure(db, sms_url="http://127.0.0.1:9/sms")
    _queue(db)
    inside, release = threading.Event(), threading.Event()

    class Slow:
        name = "http"

        def send(self, phone: str, text: str, *, message_id: int | None = None) -> None:
            inside.set()
            release.wait(60)

    deliverer = db.reopen()
    reports: list[sms.DeliveryReport] = []
    thread = threading.Thread(target=lambda: reports.append(sms.deliver_pending(deliverer, SYSTEM, Slow())))
    thread.start()
    try:
        assert inside.wait(60)
        for n in range(3):  # three other terminals, each its own connection, while the send is in flight
            other = db.reopen()
            try:
                _queue(other, text=f"窗口{n}")
                with other.write() as session:
                    audit.append(session, SYSTEM, "probe", object_type="terminal", object_id=n)
            finally:
                other.dispose()
        assert thread.is_alive() and not release.is_set()  # all three wrote before the gateway answered
    finally:
        release.set()
        thread.join(60)
        deliverer.dispose()
    assert reports == [sms.DeliveryReport(sent=4, failed=0)]  # its own message, then the three queued meanwhile


def test_three_terminals_write_while_a_real_gateway_on_loopback_keeps_its_answer(db, gateway, tmp_path):
    """`sms deliver` against a gateway that does not answer yet; meanwhile three other
    terminals (separate processes, the real `wangqian` command) write and are audited:
    none sees a lock error, all finish before the gateway answers. (Seconds are the
    benchmark's business; here the gateway simply holds its answer until they are done.)"""
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import TEST_CODE_KEY

    gateway.hold = True
    configure(db, sms_url=gateway.url, sms_timeout=20)
    _queue(db)
    deliverer = db.reopen()
    reports: list[sms.DeliveryReport] = []
    # The gateway answers only once the three terminals are done: the client must outwait three
    # interpreters starting on a loaded machine, which may take longer than the 20 s a hall may set.
    patient = sms.configured_gateway(deliverer.settings)
    patient.timeout = 600
    thread = threading.Thread(target=lambda: reports.append(sms.deliver_pending(deliverer, SYSTEM, patient)))
    thread.start()
    wangqian = Path(sys.executable).with_name("wangqian")
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "WANGQIAN_DB_URL": str(db.url),
           "WANGQIAN_DATA_DIR": str(tmp_path), "WANGQIAN_CODE_KEY": TEST_CODE_KEY}
    try:
        assert gateway.answering.wait(60)
        # A registration at each window (no password hashing: what is measured is the lock,
        # not how fast a loaded machine runs argon2 within the gateway's 20 seconds).
        terminals = [subprocess.Popen([str(wangqian), "party", "add-person", "--name", "测试当事人",
                                       "--number", number, "--phone", "13800138000"],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
                     for number in ("110101197503010008", "110101197503010016", "110101197503010024")]
        said = [t.communicate(timeout=120) for t in terminals]
        codes = [t.returncode for t in terminals]
        assert thread.is_alive() and not gateway.release.is_set()  # the gateway has not answered yet
    finally:
        gateway.release.set()
        thread.join(60)
        deliverer.dispose()
    errors = [e.decode("utf-8", "replace") for _, e in said]
    assert codes == [0, 0, 0], errors
    assert not any("locked" in e or "DB_BUSY" in e for e in errors)
    assert reports == [sms.DeliveryReport(sent=1, failed=0)]
    with db.read() as session:
        added = session.execute(select(func.count()).select_from(AuditEntry)
                                .where(AuditEntry.action == "party_register_person")).scalar_one()
    assert added >= 3
