"""SMS at a hall without a gateway: who sees which messages, revealing a number for
sending by hand (audited, the number never in the audit), dead codes leaving the
stored text (expired, used, superseded), what the counter says after a code was
made (sent vs. waiting in the outbox), the supervisor's home count, and the
command line reaching the demo's database."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from sqlalchemy import select
from test_tui_support import login, make_app, screen_text, settle, text_of
from typer.testing import CliRunner

from core.codes import CODE_TTL
from core.errors import RuleViolation
from core.roles import Role
from services import sms
from services.resale import cancel as cc
from services.resale import signing
from storage.engine import Database
from storage.models import AuditEntry, ContractParty, SmsMessage
from tests.conftest import configure, make_operator
from tests.contract_fixtures import clerk, clock, supervisor  # noqa: F401 (fixtures)
from tests.contract_support import (
    BUYER_PHONE,
    draft_contract,
    latest_code,
    signed_contract,
)

CODE = re.compile(r"验证码\d{6}")


def _refused(code: str, fn, *args, **kwargs) -> RuleViolation:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleViolation) as refusal:
        fn(*args, **kwargs)
    assert refusal.value.code == code, refusal.value
    return refusal.value


def _message(db: Database, message_id: int) -> SmsMessage:
    with db.read() as s:
        return s.get(SmsMessage, message_id)


def _latest_message(db: Database, phone: str) -> SmsMessage:
    with db.read() as s:
        return s.execute(select(SmsMessage).where(SmsMessage.phone == phone)
                         .order_by(SmsMessage.id.desc()).limit(1)).scalar_one()


def _send_buyer_code(db: Database, actor, city: str = "zhongshan"):  # type: ignore[no-untyped-def]
    """A draft (Zhongshan: no qualification) and the buyer's signing code, made by ``actor``."""
    view = draft_contract(db, actor, city)
    sent = signing.send_signing_code(db, actor, view.id, "buyer:0", expected_version=view.version)
    return view, sent, _latest_message(db, BUYER_PHONE)


# ---------------------------------------------------------------- scope per role


def test_a_clerk_sees_the_messages_of_their_own_cases_and_a_supervisor_sees_all(sample_db, clerk, supervisor,
                                                                               clock):
    other = make_operator(sample_db, "clerk_o", Role.CLERK, window="07")
    _, sent, message = _send_buyer_code(sample_db, clerk)
    assert sent.in_outbox and message.backend == sms.OUTBOX_BACKEND  # no gateway configured
    mine = [r.id for r in sms.outbox(sample_db, clerk)]
    assert message.id in mine
    assert all(r.case_number is not None for r in sms.outbox(sample_db, clerk))
    assert message.id not in [r.id for r in sms.outbox(sample_db, other)]
    assert message.id in [r.id for r in sms.outbox(sample_db, supervisor)]
    assert sms.sees_every_message(supervisor) and not sms.sees_every_message(clerk)
    # The other clerk may neither read the number nor mark it; the clerk who made it may.
    _refused("SMS_NOT_YOURS", sms.reveal, sample_db, other, message.id)
    _refused("SMS_NOT_YOURS", sms.mark_sent, sample_db, other, [message.id])
    assert sms.mark_sent(sample_db, clerk, [message.id]) == 1
    assert _message(sample_db, message.id).status == sms.SENT


def test_revealing_a_number_is_audited_without_the_number(sample_db, clerk, supervisor, clock):
    _, _, message = _send_buyer_code(sample_db, clerk)
    listed = next(r for r in sms.outbox(sample_db, supervisor) if r.id == message.id)
    assert listed.phone == "139****5678"  # list rows stay masked
    revealed = sms.reveal(sample_db, supervisor, message.id)
    assert revealed.phone == BUYER_PHONE and CODE.search(revealed.row.text)  # what is sent by hand
    with sample_db.read() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "sms_phone_revealed")
                          .order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
    assert (entry.operator, entry.object_type, entry.object_id) == (supervisor.username, "sms_message",
                                                                    str(message.id))
    assert BUYER_PHONE not in f"{entry.before}{entry.after}"
    _refused("SMS_NOT_FOUND", sms.reveal, sample_db, supervisor, 999_999)


# ---------------------------------------------------------------- dead codes leave the stored text


def test_an_expired_code_leaves_the_stored_text(sample_db, clerk, supervisor, clock):
    _, _, message = _send_buyer_code(sample_db, clerk)
    assert CODE.search(_message(sample_db, message.id).text)  # alive: kept for sending by hand
    clock.advance(seconds=CODE_TTL.total_seconds() + 1)
    sms.outbox(sample_db, clerk)  # any read of the outbox sweeps, in the database
    text = _message(sample_db, message.id).text
    assert not CODE.search(text) and "验证码******" in text  # in the database, not only on screen
    assert _message(sample_db, message.id).status == sms.QUEUED  # still to be told it expired, by hand


def test_sms_sweep_clears_expired_codes_without_anyone_reading(sample_db, clerk, supervisor, clock):
    _, _, message = _send_buyer_code(sample_db, clerk)
    clock.advance(seconds=CODE_TTL.total_seconds())
    assert sms.sweep_codes(sample_db, supervisor) >= 1
    assert not CODE.search(_message(sample_db, message.id).text)
    _refused("ROLE_FORBIDDEN", sms.sweep_codes, sample_db, clerk)


def test_a_used_or_superseded_code_leaves_the_stored_text(sample_db, clerk, supervisor, clock):
    view, _, first = _send_buyer_code(sample_db, clerk)
    clock.advance(seconds=61)
    signing.send_signing_code(sample_db, clerk, view.id, "buyer:0", expected_version=view.version)
    second = _latest_message(sample_db, BUYER_PHONE)
    assert not CODE.search(_message(sample_db, first.id).text)  # superseded: voided, redacted at once
    code = latest_code(sample_db, BUYER_PHONE)
    signing.verify_signing_code(sample_db, clerk, view.id, "buyer:0", code, expected_version=view.version)
    assert not CODE.search(_message(sample_db, second.id).text)  # used


# ---------------------------------------------------------------- the counter's words


def test_the_code_notice_says_sent_only_with_a_gateway(sample_db, clerk, supervisor, clock):
    view = signed_contract(sample_db, clerk, supervisor, clock, "wuhan")
    with sample_db.read() as s:
        buyer_id = s.execute(select(ContractParty.id_number).where(ContractParty.contract_id == view.id,
                                                                   ContractParty.party_key == "buyer:0")).scalar_one()
    clock.advance(seconds=61)
    queued = cc.send_revocation_code(sample_db, clerk, contract_number=view.number, id_number=buyer_id)
    message = _latest_message(sample_db, BUYER_PHONE)
    assert message.purpose == "revocation" and message.status == sms.QUEUED  # it is queued, in the outbox
    assert queued.in_outbox
    words = queued.notice("合同登记的手机号码")
    assert "已发送" not in words and "发件箱" in words and "139****5678" in words
    assert message.id in [r.id for r in sms.outbox(sample_db, clerk)]  # the clerk can send it by hand
    configure(sample_db, sms_url="http://127.0.0.1:9/sms")
    clock.advance(seconds=61)
    gateway = cc.send_revocation_code(sample_db, clerk, contract_number=view.number, id_number=buyer_id)
    assert not gateway.in_outbox and gateway.notice().startswith("验证码已发送至 139****5678")


# ---------------------------------------------------------------- the terminal


async def test_a_clerk_at_80x24_sees_reveals_and_marks_their_code(sqlite_sample_db):
    from test_tui_cases import _actor

    from tui.screens.outbox import OutboxScreen

    db = sqlite_sample_db
    clerk1 = _actor(db, "clerk1")
    _, _, message = _send_buyer_code(db, clerk1)
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "clerk1")
        assert "短信发件箱" in screen_text(app)  # on the clerk's menu now
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, OutboxScreen)
        shown = screen_text(app)
        assert "短信发件箱（本人经办）" in shown and "139****5678" in shown and BUYER_PHONE not in shown
        assert list(app.screen.rows) == [str(message.id)]
        assert "立即投递" not in shown  # the gateway run is the supervisors'
        await pilot.press("f7")
        await settle(pilot)
        shown = screen_text(app)
        assert BUYER_PHONE in shown and CODE.search(shown)  # number and code in the detail pane
        assert text_of(app, "#outbox-message") == "完整号码已显示并记入审计日志；手工发送后按 F5。"
        assert "完整号码已显示" in shown  # the message line is on screen at 80 columns
        await pilot.press("f5")
        await settle(pilot)
        assert text_of(app, "#outbox-message") == f"已将第 {message.id} 号短信标记为已发送。"
        shown = screen_text(app)
        assert "已发送" in shown and BUYER_PHONE not in shown and not CODE.search(shown)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_outbox_message_line_is_visible(sqlite_sample_db, size):
    from tui.screens.outbox import OutboxScreen

    app = make_app(sqlite_sample_db)
    async with app.run_test(size=size) as pilot:
        await login(pilot, "super1")
        await pilot.app.push_screen(OutboxScreen())
        await settle(pilot)
        await pilot.press("f6")  # no gateway: a sentence on the message line
        await settle(pilot)
        line = app.screen.query_one("#outbox-message")
        assert line.region.width > 0 and line.region.height > 0 and line.region.y < size[1]
        assert "未配置短信网关" in screen_text(app)


async def test_the_supervisors_home_counts_a_waiting_qualification_request(sqlite_sample_db):
    from test_tui_cases import _actor

    db = sqlite_sample_db
    clerk1 = _actor(db, "clerk1")
    view = draft_contract(db, clerk1, "shenzhen")  # residential in Shenzhen: qualification needed
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "super1")
        before = re.search(r"待处理业务数：(\d+)", screen_text(app))
        assert before and "资格审查 0 件" in screen_text(app)
        signing.request_qualification(db, clerk1, view.id)
        app.screen._load_counts()  # as on every return to the desk
        await settle(pilot)
        shown = screen_text(app)
        assert "资格审查 1 件" in shown
        assert re.search(r"待处理业务数：(\d+)", shown).group(1) == str(int(before.group(1)) + 1)


# ---------------------------------------------------------------- the command line and the demo database


runner = CliRunner()


@pytest.mark.sqlite_only(reason="the demo is a SQLite file the terminal opens by its path")
def test_the_cli_reaches_the_demo_database_with_demo(sqlite_sample_db, tmp_path, monkeypatch):
    from tui.cli.main import app

    data = tmp_path / "hall"
    data.mkdir()
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(data))
    for name in ("WANGQIAN_DB_URL", "WANGQIAN_SMS_URL"):
        monkeypatch.delenv(name, raising=False)
    missing = runner.invoke(app, ["sms", "outbox", "--demo"])
    assert missing.exit_code == 2 and "DEMO_NOT_READY" in missing.stderr and "wangqian demo" in missing.stderr
    assert not (data / "demo.db").exists()  # not created empty
    # The demo's file as `wangqian demo` leaves it (the sample data, made through the use cases).
    source = sqlite_sample_db.url.removeprefix("sqlite:///")
    sqlite_sample_db.dispose()
    shutil.copyfile(source, data / "demo.db")
    listed = runner.invoke(app, ["sms", "outbox", "--demo", "--json"])
    assert listed.exit_code == 0, listed.output
    assert "sent" in listed.stdout and not re.search(r"1[3-9]\d{9}", listed.stdout)  # masked
    first = json.loads(listed.stdout)[0]["id"]
    shown = runner.invoke(app, ["sms", "show", str(first), "--demo"])
    assert shown.exit_code == 0, shown.output
    assert re.search(r"手机号：1[3-9]\d{9}", shown.stdout)
    # Without --demo the command stays on the hall's own (here unmade) database and says so.
    plain = runner.invoke(app, ["sms", "outbox"])
    assert plain.exit_code != 0 and "wangqian db upgrade" in plain.stderr
