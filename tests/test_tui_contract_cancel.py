"""Ending a resale contract through the terminal: 注销网签 of a draft at once
(case 3), of a signed contract confirmed by the other side's code (case 1),
the refusal of case 2, 注销备案 of a filed contract confirmed by everyone and
approved in 注销审核, a withdrawal, and 撤销网签 by number + ID + code in Wuhan
(refused in Shenzhen). The services' clock and the app's clock are one frozen
clock, on the day before the sample register's (see test_tui_contract_desk);
codes are read from the SMS outbox.
"""

from __future__ import annotations

from sqlalchemy import select
from textual.widgets import Input, Select

from core.roles import Actor
from services.resale import cancel as cc
from services.resale import signing
from services.resale import contracts as svc
from storage.engine import Database
from storage.models import ContractParty
from tests.conftest import configure
from tests.contract_support import (
    BUYER_PHONE,
    Clock,
    _phone_of,
    draft_contract,
    filed_contract,
    latest_code,
    signed_contract,
)
from tests.contract_tui_fixtures import demo_clerk, demo_supervisor, tui_clock  # noqa: F401 (fixtures)
from tests.test_tui_support import (
    SIZE,
    login,
    make_app,
    screen_text,
    settle,
    text_of,
    type_into,
)
from tui.screens.resale.cancel import CancelReviewScreen, CancelScreen, RevokeScreen
from tui.screens.dialogs import REASON_REQUIRED, ReasonDialog


async def _press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def _open(pilot, screen) -> None:
    await pilot.app.push_screen(screen)
    await settle(pilot)


async def _apply(pilot, applicant: str, reason: str, kind: str | None = None) -> None:
    """Fill the form (申请人, 注销类型, 原因) and press F5."""
    pilot.app.screen.query_one("#cc-applicant", Select).value = applicant
    if kind is not None:
        pilot.app.screen.query_one("#cc-kind", Select).value = kind
    await type_into(pilot, "#cc-reason", reason)
    await _press(pilot, "f5")


async def _enter(pilot, selector: str, code: str) -> None:
    await type_into(pilot, selector, code)
    await _press(pilot, "enter")


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _status(db: Database, clerk: Actor, contract_id: int) -> str:
    return svc.get_contract(db, clerk, contract_id).status


def _id_number(db: Database, contract_id: int, key: str = "buyer:0") -> str:
    with db.read() as s:
        return s.execute(select(ContractParty.id_number).where(ContractParty.contract_id == contract_id,
                                                               ContractParty.party_key == key)).scalar_one()


def _hidden(app, selector: str) -> bool:
    return app.screen.query_one(selector).has_class("-hidden")


# ---------------------------------------------------------------- 注销网签, not filed


async def test_unsigned_online_draft_is_cancelled_at_once(sqlite_sample_db, clock, clerk) -> None:
    db = sqlite_sample_db
    draft = draft_contract(db, clerk, "zhongshan")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, CancelScreen(draft.id))
        shown = screen_text(app)
        for text in ("注销网签", draft.number, "合同状态", "草稿", "139****5678", "申请人", "原　因"):
            assert text in shown, text
        assert BUYER_PHONE not in shown
        assert _hidden(app, "#cc-kind-box")  # not filed: no 注销备案
        await _apply(pilot, "buyer:0", "双方不再交易")
        assert text_of(app, "#cc-message").startswith("已注销，无需对方确认")
        assert _status(db, clerk, draft.id) == "cancelled"
        assert "已注销" in screen_text(app)  # the status line was read again
        assert _hidden(app, "#cc-form") and _hidden(app, "#cc-app")


async def test_signed_contract_is_cancelled_when_the_other_side_confirms(
        sqlite_sample_db, clock, clerk, supervisor) -> None:
    db = sqlite_sample_db
    signed = signed_contract(db, clerk, supervisor, clock, "wuhan")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, CancelScreen(signed.id))
        # The reason is required: refused under the form, the reason field focused.
        await _apply(pilot, "seller:0", "  ")
        assert text_of(app, "#cc-form-error") == "请填写注销网签的原因。"
        assert app.focused is app.screen.query_one("#cc-reason")
        await _apply(pilot, "seller:0", "协商解除")
        assert "已受理注销网签（未备案）申请" in text_of(app, "#cc-message")
        assert _hidden(app, "#cc-form") and not _hidden(app, "#cc-app")
        shown = screen_text(app)
        for text in ("待当事人确认", "乙方(买受人)", "139****5678", "待确认"):
            assert text in shown, text
        assert app.focused is app.screen.query_one("#code-0")

        await _press(pilot, "f6")
        # the sample hall has no SMS gateway: the code waits in the outbox, and the screen says so
        assert text_of(app, "#note-0").startswith("验证码短信已放入短信发件箱") and "139****5678" in text_of(app, "#note-0")
        assert str(app.screen.query_one("#state-0").content) == "待手工发送"
        code = latest_code(db, BUYER_PHONE)
        await _enter(pilot, "#code-0", _wrong(code))
        assert text_of(app, "#note-0").startswith("验证码不正确")
        assert _status(db, clerk, signed.id) == "signed"
        await _enter(pilot, "#code-0", code)
        assert text_of(app, "#cc-message") == "当事人已确认，合同已注销，已短信通知各方当事人。"
        assert _status(db, clerk, signed.id) == "cancelled"
        assert "已注销" in screen_text(app)


async def test_case_2_refusal_is_shown_at_the_form(sqlite_sample_db, clock, clerk) -> None:
    db = sqlite_sample_db
    draft = draft_contract(db, clerk, "shenzhen")
    signing.request_qualification(db, clerk, draft.id)
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, CancelScreen(draft.id))
        await _apply(pilot, "seller:0", "不卖了")
        assert "须由买方先作废资格码" in text_of(app, "#cc-form-error")
        assert not _hidden(app, "#cc-form")
        assert _status(db, clerk, draft.id) == "draft"
        assert cc.cancellations_of(db, clerk, draft.id) == []


async def test_withdraw_a_pending_application(sqlite_sample_db, clock, clerk, supervisor) -> None:
    db = sqlite_sample_db
    signed = signed_contract(db, clerk, supervisor, clock, "wuhan")
    cc.apply_cancellation(db, clerk, signed.id, applicant_key="buyer:0", reason="协商解除")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, CancelScreen(signed.id))
        assert "待当事人确认" in screen_text(app) and _hidden(app, "#cc-form")
        await _press(pilot, "f7")
        assert isinstance(app.screen, ReasonDialog)
        await _press(pilot, "enter")  # no reason: refused in the dialog, which stays open
        assert isinstance(app.screen, ReasonDialog) and text_of(app, ".error-line") == REASON_REQUIRED
        assert cc.cancellations_of(db, clerk, signed.id)[0].state == "confirming"
        await type_into(pilot, "#reason", "当事人继续履行合同")
        await _press(pilot, "enter")
        assert isinstance(app.screen, CancelScreen)
        assert text_of(app, "#cc-message").startswith("注销网签（未备案）申请已撤回，合同继续有效")
        assert not _hidden(app, "#cc-form") and _hidden(app, "#cc-app")
        assert [h.state for h in cc.cancellations_of(db, clerk, signed.id)] == ["withdrawn"]
        assert _status(db, clerk, signed.id) == "signed"


# ---------------------------------------------------------------- filed: 注销备案 → 注销审核


async def test_filed_cancel_filing_confirmed_by_all_then_approved(
        sqlite_sample_db, clock, clerk, supervisor) -> None:
    db = sqlite_sample_db
    filed = filed_contract(db, clerk, supervisor, clock, "zhongshan")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, CancelScreen(filed.id))
        assert not _hidden(app, "#cc-kind-box")
        assert "注销备案——撤销备案，合同恢复为已签约" in screen_text(app)
        await _apply(pilot, "buyer:0", "变更付款方式后重新备案")  # no kind chosen: refused
        assert text_of(app, "#cc-form-error") == "请选择注销网签或注销备案。"
        await _apply(pilot, "buyer:0", "变更付款方式后重新备案", kind="cancel_filing")
        pending = cc.cancellations_of(db, clerk, filed.id)[0]
        assert pending.kind == "cancel_filing" and [c.key for c in pending.confirmers] == ["seller:0", "buyer:0"]
        for index, key in enumerate(("seller:0", "buyer:0")):
            app.screen.query_one(f"#code-{index}", Input).focus()
            await _press(pilot, "f6")
            await _enter(pilot, f"#code-{index}", latest_code(db, _phone_of(db, filed.id, key)))
            clock.advance(seconds=61)
        assert "已提交审核（待审核）" in text_of(app, "#cc-message")
        assert "待审核" in screen_text(app)
        assert _status(db, clerk, filed.id) == "filed"

    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await _open(pilot, CancelReviewScreen())
        shown = screen_text(app)
        for text in (filed.number, "注销备案", "已确认 ✓", "变更付款方式后重新备案"):
            assert text in shown, text
        await _press(pilot, "f5")
        assert text_of(app, "#cr-message").startswith(f"已同意合同 {filed.number} 的注销备案申请，合同现为已签约")
        assert "没有待审核的注销申请" in screen_text(app)
    view = svc.get_contract(db, clerk, filed.id)
    assert view.status == "signed" and view.filing_number is None


async def test_review_refusal_needs_a_reason(sqlite_sample_db, clock, clerk, supervisor) -> None:
    db = sqlite_sample_db
    filed = filed_contract(db, clerk, supervisor, clock, "zhongshan")
    _to_review(db, clerk, filed.id, clock)
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await _open(pilot, CancelReviewScreen())
        await _press(pilot, "f6")
        await type_into(pilot, "#reason", "材料不全")
        await _press(pilot, "enter")
        assert "不同意合同" in text_of(app, "#cr-message") and "合同仍为已备案" in text_of(app, "#cr-message")
    assert cc.cancellations_of(db, clerk, filed.id)[0].state == "refused"


def _to_review(db: Database, clerk: Actor, contract_id: int, clock: Clock) -> cc.CancellationView:
    view = cc.apply_filed_cancellation(db, clerk, contract_id, kind="cancel_filing", applicant_key="buyer:0",
                                       reason="变更付款方式后重新备案")
    for c in view.confirmers:
        cc.send_cancellation_code(db, clerk, view.id, c.key)
        view = cc.confirm_cancellation(db, clerk, view.id, c.key, latest_code(db, _phone_of(db, contract_id, c.key)))
        clock.advance(seconds=61)
    assert view.state == "review"
    return view


# ---------------------------------------------------------------- 撤销网签 (seed 003)


async def test_wuhan_revocation_by_number_id_and_code(sqlite_sample_db, clock, clerk, supervisor) -> None:
    db = sqlite_sample_db
    configure(db, city="wuhan")
    signed = signed_contract(db, clerk, supervisor, clock, "wuhan")
    seller_phone = _phone_of(db, signed.id, "seller:0")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, RevokeScreen())
        await type_into(pilot, "#rv-number", signed.number)
        await type_into(pilot, "#rv-id", "110101199001011237")
        await _press(pilot, "f5")
        assert text_of(app, "#rv-send-note") == "合同编号与身份证件号码不匹配，请核对后重新输入。"
        await type_into(pilot, "#rv-id", _id_number(db, signed.id))
        await _press(pilot, "f5")
        assert "139****5678" in text_of(app, "#rv-send-note")
        assert app.focused is app.screen.query_one("#rv-code")
        code = latest_code(db, BUYER_PHONE)
        await type_into(pilot, "#rv-code", _wrong(code))
        await _press(pilot, "f9")
        assert text_of(app, "#rv-note").startswith("验证码不正确")
        assert _status(db, clerk, signed.id) == "signed"
        await type_into(pilot, "#rv-code", code)
        await type_into(pilot, "#rv-reason", "不买了")
        await _press(pilot, "f9")
        result = text_of(app, "#rv-result")
        assert "已撤销网签" in result and "已短信通知对方当事人" in result
        assert app.screen.query_one("#rv-code", Input).disabled
    assert _status(db, clerk, signed.id) == "revoked"
    with db.read() as s:
        from storage.models import SmsMessage

        told = s.execute(select(SmsMessage.text).where(SmsMessage.phone == seller_phone)
                         .order_by(SmsMessage.id.desc()).limit(1)).scalar_one()
    assert "撤销网签" in told and signed.number in told


async def test_shenzhen_revocation_is_refused_at_the_field(
        sqlite_sample_db, clock, clerk, supervisor) -> None:
    db = sqlite_sample_db
    signed = signed_contract(db, clerk, supervisor, clock, "shenzhen")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, RevokeScreen())
        await type_into(pilot, "#rv-number", signed.number)
        await type_into(pilot, "#rv-id", _id_number(db, signed.id))
        await _press(pilot, "enter")  # Enter in the ID field sends
        assert "不办理凭短信验证码撤销网签" in text_of(app, "#rv-send-note")
        assert "深圳" in text_of(app, "#rv-send-note")
    assert _status(db, clerk, signed.id) == "signed"


# ---------------------------------------------------------------- snapshots


def test_snapshot_cancel_waiting_for_the_other_side(snap_compare, sqlite_sample_db, clock, clerk, supervisor) -> None:
    db = sqlite_sample_db
    signed = signed_contract(db, clerk, supervisor, clock, "wuhan")
    cc.apply_cancellation(db, clerk, signed.id, applicant_key="seller:0", reason="协商解除")

    async def run_before(pilot) -> None:
        await login(pilot, "clerk1")
        await _open(pilot, CancelScreen(signed.id))
        await _press(pilot, "f6")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(db, clock=clock), terminal_size=SIZE, run_before=run_before)


def test_snapshot_revoke_refused(snap_compare, sqlite_sample_db, clock, clerk, supervisor) -> None:
    db = sqlite_sample_db
    signed = signed_contract(db, clerk, supervisor, clock, "shenzhen")

    async def run_before(pilot) -> None:
        await login(pilot, "clerk1")
        await _open(pilot, RevokeScreen())
        await type_into(pilot, "#rv-number", signed.number)
        await type_into(pilot, "#rv-id", _id_number(db, signed.id))
        await _press(pilot, "f5")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(db, clock=clock), terminal_size=SIZE, run_before=run_before)


def test_snapshot_review_with_one_item(snap_compare, sqlite_sample_db, clock, clerk, supervisor) -> None:
    db = sqlite_sample_db
    filed = filed_contract(db, clerk, supervisor, clock, "zhongshan")
    _to_review(db, clerk, filed.id, clock)

    async def run_before(pilot) -> None:
        await login(pilot, "super1")
        await _open(pilot, CancelReviewScreen())
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(db, clock=clock), terminal_size=SIZE, run_before=run_before)


# ---------------------------------------------------------------- at the counter (seed 002 §四, seed 001 §8)


async def test_zhongshan_parties_confirm_at_the_counter(sqlite_sample_db, clock, clerk, supervisor) -> None:
    db = sqlite_sample_db
    filed = filed_contract(db, clerk, supervisor, clock, "zhongshan")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, CancelScreen(filed.id))
        await _apply(pilot, "seller:0", "买卖双方协商一致解除", kind="cancel_signing")
        assert "F9 本人到场" in screen_text(app)
        app.screen.query_one("#code-0", Input).focus()
        await _press(pilot, "f9", "enter")  # the seller in person, with the original ID
        app.screen.query_one("#code-1", Input).focus()
        await pilot.press("f11", *"(2026)粤中中山证字第88号", "enter")  # the buyer's notarised proxy, typed at once
        await settle(pilot)
        assert "已提交审核（待审核）" in text_of(app, "#cc-message")
    pending = cc.cancellations_of(db, clerk, filed.id)[0]
    assert pending.state == "review" and all(c.confirmed for c in pending.confirmers)


async def test_one_party_applies_with_a_court_judgment(sqlite_sample_db, clock, clerk, supervisor) -> None:
    db = sqlite_sample_db
    filed = filed_contract(db, clerk, supervisor, clock, "shenzhen")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, CancelScreen(filed.id))
        app.screen.query_one("#cc-applicant", Select).value = "buyer:0"
        app.screen.query_one("#cc-kind", Select).value = "cancel_signing"
        await type_into(pilot, "#cc-reason", "法院判决解除合同")
        await pilot.press("f12", *"判决书 [/x]", "enter")  # no court named: refused under the form, nothing written
        await settle(pilot)
        assert cc.cancellations_of(db, clerk, filed.id) == []
        assert "请填写作出文书的法院或仲裁机构。" in screen_text(app)
        await pilot.press("f12", *"判决书 (2026)粤0304民初1234号 深圳市福田区人民法院", "enter")
        await settle(pilot)
        assert "已登记法律文书" in text_of(app, "#cc-message")
    [pending] = cc.cancellations_of(db, clerk, filed.id)
    assert pending.state == "review" and [c.key for c in pending.confirmers] == ["buyer:0"]
