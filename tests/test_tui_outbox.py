"""短信发件箱 through the terminal: the list with masked phones, the status
filter, 标记已发送 (and its refusal for a message already sent), 立即投递
through an HTTP gateway or without one, and a clerk's outbox of their own cases
(revealing numbers and hand sending: tests/test_outbox_hand_sending.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from test_tui_cases import _actor
from test_tui_lease import housed_families, lease_at_review, lease_env  # noqa: F401  (fixture)
from test_tui_support import SIZE, login, make_app, screen_text, settle, text_of

from core.clock import ManualClock
from services.allocation import lease as lease_service
from services import sms
from storage.engine import Database
from tests.conftest import configure
from tui.screens.outbox import OutboxScreen


def _approved_and_rejected(db: Database, clock: ManualClock | None = None) -> tuple[str, str]:
    """super1 approves 王小明's lease and sends 李大军's back: two messages in the outbox."""
    ids = housed_families(db)
    first, second = lease_at_review(db, ids, "a"), lease_at_review(db, ids, "b")
    supervisor = _actor(db, "super1")
    lease_service.review_lease(db, supervisor, first, approve=True)
    if clock is not None:
        clock.advance(minutes=12)
    lease_service.review_lease(db, supervisor, second, approve=False, note="工作单位名称与劳动合同不一致")
    return first, second


async def _outbox(pilot, username: str = "super1") -> None:
    await login(pilot, username)
    await pilot.app.push_screen(OutboxScreen())
    await settle(pilot)


def _rows(app, cases: set[str] | None = None) -> list[sms.OutboxRow]:
    """The listed messages; with ``cases``, only those of the test's own cases (the demo's
    contract messages, already sent, are listed too)."""
    return [r for r in app.screen.rows.values() if cases is None or r.case_number in cases]


async def test_outbox_lists_filters_and_marks_sent(sqlite_sample_db, lease_env) -> None:  # noqa: F811
    db = sqlite_sample_db
    approved, rejected = _approved_and_rejected(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await _outbox(pilot)
        mine = {approved, rejected}
        rows = _rows(app, mine)
        assert _rows(app)[:2] == rows  # newest first
        assert [(r.case_number, r.purpose, r.status) for r in rows] == [
            (rejected, lease_service.SMS_REJECTED, "待发送"), (approved, lease_service.SMS_APPROVED, "待发送")]
        shown = screen_text(app)
        assert "139****1111" in shown and "13900001111" not in shown
        assert "签约审核退回" in shown and f"共 {len(_rows(app))} 条" in shown
        assert "工作单位名称与劳动合同不一致" in shown  # the selected message in full

        await pilot.press("f5")
        await settle(pilot)
        assert text_of(app, "#outbox-message") == f"已将第 {rows[0].id} 号短信标记为已发送。"
        assert [r.status for r in _rows(app, mine)] == ["已发送", "待发送"]
        await pilot.press("f5")  # the same message again: the service refuses
        await settle(pilot)
        assert text_of(app, "#outbox-message") == f"编号为 {rows[0].id} 的短信已标记为已发送。"

        app.screen.query_one("#outbox-filter").value = sms.QUEUED
        await settle(pilot)
        assert [r.case_number for r in _rows(app)] == [approved]
        app.screen.query_one("#outbox-filter").value = sms.FAILED
        await settle(pilot)
        assert _rows(app) == [] and "没有符合条件的短信。" in screen_text(app)

        await pilot.press("f6")  # no gateway configured
        await settle(pilot)
        assert text_of(app, "#outbox-message").startswith("未配置短信网关（WANGQIAN_SMS_URL）")


class _Gateway(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.received.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway(sqlite_sample_db: Database) -> Iterator[list[bytes]]:
    """An HTTP SMS gateway on localhost, configured as the hall's (``sms_url``, ``sms_timeout``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.received = []
    configure(sqlite_sample_db, sms_url=f"http://127.0.0.1:{server.server_address[1]}/sms", sms_timeout=3)
    yield _Gateway.received
    server.shutdown()
    server.server_close()


async def test_deliver_now_through_the_gateway(sqlite_sample_db, lease_env, gateway) -> None:  # noqa: F811
    db = sqlite_sample_db
    _approved_and_rejected(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await _outbox(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert text_of(app, "#outbox-message") == "投递完成：成功 2 条，失败 0 条。"
        assert {r.status for r in _rows(app)} == {"已发送"}
    assert len(gateway) == 2 and "13900001111" in gateway[0].decode("utf-8")


async def test_a_clerk_sees_only_the_messages_of_their_own_cases(sqlite_sample_db, lease_env) -> None:  # noqa: F811
    """A clerk sends their window's messages by hand (no gateway): they see their own cases' messages."""
    from sqlalchemy import select

    from storage.models import AuditEntry

    db = sqlite_sample_db
    _approved_and_rejected(db)
    clerk = _actor(db, "clerk1")
    with db.read() as session:
        worked = set(session.execute(select(AuditEntry.case_number).where(AuditEntry.operator == "clerk1")).scalars())
    everything = sms.outbox(db, _actor(db, "super1"))
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await _outbox(pilot, "clerk1")
        assert "短信发件箱（本人经办）" in screen_text(app) and "立即投递" not in screen_text(app)
        assert [r.id for r in _rows(app)] == [r.id for r in everything if r.case_number in worked]
        assert [r.id for r in _rows(app)] == [r.id for r in sms.outbox(db, clerk)]


def test_snapshot_outbox_list(snap_compare, sqlite_sample_db, lease_env) -> None:  # noqa: F811
    db = sqlite_sample_db
    _approved_and_rejected(db, db.clock)  # the frozen clock of lease_env

    async def run_before(pilot) -> None:
        await _outbox(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(db), terminal_size=SIZE, run_before=run_before)
