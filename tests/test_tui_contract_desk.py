"""网签合同 through the terminal: the 短信验证 dialog (send, wrong code, resend too
soon, verify, 提交), a contract changed meanwhile, the contract desk (find,
detail, 申请购房资格审查, 提交备案), and the supervisors' 网签审核 (备案 with its
number, 退回 with a required reason, 购房资格审查 pass and refuse) — and a clerk
kept out of the review. The services' clock and the app's clock are one
frozen clock; codes are read from the SMS outbox.

The clock stands on the day BEFORE the sample register's day: the sample's own
contracts are made at load time (real time) and take case numbers of their
day, so a test on another day keeps its numbers (and snapshots) to itself.
"""

from __future__ import annotations

import subprocess

from dataclasses import replace
from decimal import Decimal

from sqlalchemy import select
from textual.widgets import Button, Input

from core.resale.contract_record import to_form
from services.resale import signing
from services.resale import contracts as svc
from storage.models import Case
from tests.contract_support import (
    BUYER_PHONE,
    _phone_of,
    draft_contract,
    latest_code,
    signed_contract,
    submit_for_review,
)
from tests.conftest import configure
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
from tui.screens.resale.desk import ContractDeskScreen
from tui.screens.dialogs import REASON_REQUIRED, ReasonDialog
from tui.screens.resale.filing_review import QUALIFICATION, FilingReviewScreen
from tui.screens.resale.sign_verify import SignVerifyScreen


async def _press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def _open(pilot, screen, callback=None) -> None:
    await pilot.app.push_screen(screen, callback=callback)
    await settle(pilot)


async def _enter_code(pilot, index: int, code: str) -> None:
    await type_into(pilot, f"#code-{index}", code)
    await _press(pilot, "enter")


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _state(app, index: int) -> str:
    return str(app.screen.query_one(f"#state-{index}").content)


# ---------------------------------------------------------------- 短信验证


async def test_sms_verification_of_both_parties_then_submit(sqlite_sample_db, clock, clerk) -> None:
    db = sqlite_sample_db
    draft = draft_contract(db, clerk, "zhongshan")
    seller_phone = _phone_of(db, draft.id, "seller:0")
    results: list = []
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, SignVerifyScreen(draft.id), callback=results.append)
        screen = app.screen
        shown = screen_text(app)
        for text in ("短信验证", draft.case_number, draft.number, "甲方(转让方)", "乙方(受让方)", "139****5678",
                     "贰佰叁拾伍万元整", "合同状态：草稿"):
            assert text in shown, text
        assert BUYER_PHONE not in shown and seller_phone not in shown
        assert [_state(app, i) for i in (0, 1)] == ["未发送", "未发送"]
        assert app.focused is screen.query_one("#code-0")
        assert screen.query_one("#sv-submit", Button).disabled

        # F5 sends to the focused party (the seller); the countdown follows the clock.
        await _press(pilot, "f5")
        assert _state(app, 0) == "已发送，60秒后可重发"
        assert text_of(app, "#note-0").startswith("验证码短信已放入短信发件箱")  # the sample hall has no gateway
        clock.advance(seconds=15)
        screen.refresh_states()
        assert _state(app, 0) == "已发送，45秒后可重发"
        await _press(pilot, "f5")  # too soon: refused at the row
        assert text_of(app, "#note-0") == "验证码已发送，请45秒后再重新获取。"

        # A wrong code is refused at the row; the right one verifies.
        code = latest_code(db, seller_phone)
        await _enter_code(pilot, 0, _wrong(code))
        assert text_of(app, "#note-0") == "验证码不正确，还可再试4次。"
        assert _state(app, 0) == "已发送，45秒后可重发"
        await _enter_code(pilot, 0, code)
        assert _state(app, 0) == "已验证 ✓" and text_of(app, "#note-0") == "验证成功。"
        assert screen.query_one("#code-0").disabled and app.focused is screen.query_one("#code-1")
        assert screen.query_one("#sv-submit", Button).disabled
        await _press(pilot, "f9")  # not every party verified: nothing happens
        assert svc.get_contract(db, clerk, draft.id).status == "draft"

        # The buyer: the send button, then Enter in the code field.
        await pilot.click("#send-1")
        await settle(pilot)
        assert _state(app, 1) == "已发送，60秒后可重发"
        await _enter_code(pilot, 1, latest_code(db, BUYER_PHONE))
        assert _state(app, 1) == "已验证 ✓"
        assert not screen.query_one("#sv-submit", Button).disabled

        await _press(pilot, "f9")  # 中山: signed is filed (seed 002 三(六))
        assert text_of(app, "#sv-status") == "合同状态：已备案"
        assert "合同已签约并完成网签备案，备案号 ZB" in text_of(app, "#sv-message")
        await _press(pilot, "escape")
    [signed] = results
    assert signed.status == "filed" and signed.signed_at == clock.now == signed.filed_at
    assert svc.get_contract(db, clerk, draft.id).status_label == "已备案"


async def test_a_code_typed_in_full_width_digits_is_taken(sqlite_sample_db, clock, clerk) -> None:
    """A Chinese input method in full-width mode types ４７１６３８: the field shows it and the code verifies
    (the field used to drop every key, and Enter then said 请输入短信验证码)."""
    db = sqlite_sample_db
    draft = draft_contract(db, clerk, "zhongshan")
    seller_phone = _phone_of(db, draft.id, "seller:0")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, SignVerifyScreen(draft.id), callback=lambda _: None)
        await _press(pilot, "f5")
        code = latest_code(db, seller_phone)
        wide = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        await type_into(pilot, "#code-0", wide, keys=True)
        assert app.screen.query_one("#code-0", Input).value == wide
        await _press(pilot, "enter")
        assert _state(app, 0) == "已验证 ✓", text_of(app, "#note-0")


async def test_up_and_down_choose_the_party_as_the_help_says(sqlite_sample_db, clock, clerk) -> None:
    """The help says ↑↓ 选择当事人: Down moved nothing, so F5 sent to the seller again."""
    db = sqlite_sample_db
    draft = draft_contract(db, clerk, "zhongshan")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, SignVerifyScreen(draft.id), callback=lambda _: None)
        screen = app.screen
        assert app.focused is screen.query_one("#code-0")
        await _press(pilot, "down")
        assert app.focused is screen.query_one("#code-1")
        await _press(pilot, "f5")
        assert _state(app, 1) == "已发送，60秒后可重发" and _state(app, 0) == "未发送"
        await _press(pilot, "up")
        assert app.focused is screen.query_one("#code-0")


async def test_a_contract_changed_meanwhile_is_refused_at_the_row(sqlite_sample_db, clock, clerk) -> None:
    db = sqlite_sample_db
    draft = draft_contract(db, clerk, "zhongshan")
    seller_phone = _phone_of(db, draft.id, "seller:0")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, SignVerifyScreen(draft.id))
        await _press(pilot, "f5")
        code = latest_code(db, seller_phone)
        # Another window changes the price: the code sent for version 1 is void.
        svc.update_draft(db, clerk, draft.id, replace(to_form(draft.draft), price=Decimal(2400000)),
                         expected_version=draft.version)
        await _enter_code(pilot, 0, code)
        stale = "合同已被其他窗口修改，请重新打开合同核对后再操作。"
        assert text_of(app, "#note-0") == stale
        assert _state(app, 0) != "已验证 ✓"
        app.screen.query_one("#code-1").focus()
        await _press(pilot, "f5")
        assert text_of(app, "#note-1") == stale
        assert "2,350,000.00元" in screen_text(app)  # what the parties were shown stays on screen


async def test_sending_without_qualification_is_refused_at_the_row(sqlite_sample_db, clock, clerk) -> None:
    db = sqlite_sample_db
    draft = draft_contract(db, clerk, "shenzhen")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, SignVerifyScreen(draft.id))
        assert "购房资格" in screen_text(app) and "未申请" in screen_text(app)
        await _press(pilot, "f5")
        assert text_of(app, "#note-0") == "该住宅须经购房资格审查通过后方可签约，请先申请购房资格审查。"
        assert _state(app, 0) == "未发送"


# ---------------------------------------------------------------- 网签合同


async def test_desk_finds_a_signed_contract_and_submits_it_for_filing(sqlite_sample_db, clock, clerk,
                                                                     supervisor) -> None:
    db = sqlite_sample_db
    signed = signed_contract(db, clerk, supervisor, clock, "shenzhen")  # a city that reviews its filings
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, ContractDeskScreen())
        screen = app.screen
        await type_into(pilot, "#desk-number", signed.case_number.lower())
        await _press(pilot, "enter")
        assert screen.view.id == signed.id
        assert text_of(app, "#desk-message") == f"已找到合同 {signed.number}（已签约）。"
        detail = str(screen.query_one("#desk-detail").render())
        buyer = next(p for p in signed.parties if p.key == "buyer:0")
        assert buyer.masked_id in screen_text(app) or buyer.masked_id in detail
        shown = screen_text(app)
        assert "139****5678" in shown and BUYER_PHONE not in shown
        assert "2,350,000.00元（人民币贰佰叁拾伍万元整）" in shown or "贰佰叁拾伍万元整" in shown
        assert "线上签署" in shown and "已签约" in shown
        # Draft keys are not offered for a signed contract; no entry opener: hidden.
        assert [screen.check_action(a, p) for a, p in (("sign", ()), ("qualify", ()), ("entry", ("change",)))] \
            == [False] * 3
        assert screen.check_action("print", ("contract",)) is True
        assert screen.check_action("file", ()) is True
        assert screen.check_action("print", ("undertaking",)) is True and "F11 承诺书" in shown

        # F4 first records the 承诺书 the parties signed and handed back (seed 001 §5.3.4), then submits.
        await _press(pilot, "f4", "enter")
        assert text_of(app, "#desk-message") == "已登记承诺书。按 F4 提交备案。"
        assert screen.check_action("print", ("undertaking",)) is False
        await _press(pilot, "f4")
        assert text_of(app, "#desk-message") == f"合同 {signed.number} 已提交备案，等待审核主管审核。"
        assert screen.view.case_stage == "filing_review"
        assert screen.check_action("file", ()) is False
        assert "备案审核" in screen_text(app)
    assert [r.number for r in signing.filing_queue(db, supervisor)] == [signed.number]


async def test_desk_requests_qualification_and_opens_sms_and_entry(sqlite_sample_db, clock, clerk) -> None:
    db = sqlite_sample_db
    draft = draft_contract(db, clerk, "shenzhen")
    opened: list[tuple[int, str]] = []
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, ContractDeskScreen(open_entry=lambda cid, mode: opened.append((cid, mode))))
        screen = app.screen
        assert screen.view.id == draft.id  # the list's first row
        assert "未申请" in screen_text(app)
        await _press(pilot, "f3")
        assert text_of(app, "#desk-message") == "已申请购房资格审查，请等待审核主管审查。"
        assert screen.view.qualification_label == "审查中" and screen.check_action("qualify", ()) is False
        await _press(pilot, "f6")
        assert opened == [(draft.id, "edit")]
        assert screen.check_action("entry", ("change",)) is False
        await _press(pilot, "f5")
        assert isinstance(app.screen, SignVerifyScreen)
        await _press(pilot, "escape")
        assert app.screen is screen

        # The status filter: no signed contracts.
        screen.query_one("#desk-status").value = "signed"
        await settle(pilot)
        assert screen.rows == {}


# ---------------------------------------------------------------- 网签审核


def _queued(db, clerk, supervisor, clock):
    view = signed_contract(db, clerk, supervisor, clock, "shenzhen")  # a city that reviews its filings
    submit_for_review(db, clerk, view)
    return view


async def test_filing_review_approves_with_a_filing_number(sqlite_sample_db, clock, clerk, supervisor) -> None:
    db = sqlite_sample_db
    queued = _queued(db, clerk, supervisor, clock)
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await _open(pilot, FilingReviewScreen())
        screen = app.screen
        assert list(screen.filing) == [str(queued.id)] and screen.view.id == queued.id
        assert "备案审核（1）" in screen_text(app)
        await _press(pilot, "f5")
        filed = svc.get_contract(db, supervisor, queued.id)
        assert filed.status == "filed" and filed.filing_number.startswith("SB")
        message = text_of(app, "#review-message")
        assert message == f"合同 {queued.number} 已备案，备案号 {filed.filing_number}，备案日期 2026-11-20。"
        assert screen.filing == {} and filed.filing_number in screen_text(app)
        assert screen.check_action("approve", ()) is False


async def test_filing_review_reject_needs_a_reason_and_returns_the_case(sqlite_sample_db, clock, clerk,
                                                                       supervisor) -> None:
    db = sqlite_sample_db
    queued = _queued(db, clerk, supervisor, clock)
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await _open(pilot, FilingReviewScreen())
        await _press(pilot, "f6")
        assert isinstance(app.screen, ReasonDialog)
        await _press(pilot, "enter")  # no reason: refused in the dialog, which stays open
        assert isinstance(app.screen, ReasonDialog) and text_of(app, ".error-line") == REASON_REQUIRED
        await type_into(pilot, "#reason", "缺少资金监管协议")
        await _press(pilot, "enter")
        assert text_of(app, "#review-message") == f"合同 {queued.number} 已退回签约环节，原因：缺少资金监管协议。"
        assert app.screen.filing == {}
    view = svc.get_contract(db, clerk, queued.id)
    assert view.status == "signed" and view.case_stage == "signing"
    with db.read() as s:
        case = s.execute(select(Case).where(Case.number == queued.case_number)).scalar_one()
    assert case.pending_operator_id == clerk.operator_id


async def test_qualification_review_passes_and_refuses(sqlite_sample_db, clock, clerk) -> None:
    db = sqlite_sample_db
    first = draft_contract(db, clerk, "shenzhen")
    signing.request_qualification(db, clerk, first.id)
    clock.advance(minutes=5)
    second = draft_contract(db, clerk, "shenzhen")
    signing.request_qualification(db, clerk, second.id)
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await _open(pilot, FilingReviewScreen())
        screen = app.screen
        assert screen.filing == {} and "备案审核队列为空" in screen_text(app)
        await _press(pilot, "f3")
        assert screen.active == QUALIFICATION
        assert list(screen.qualification) == [str(first.id), str(second.id)]  # oldest request first
        assert screen.view.id == first.id and screen.view.qualification_label == "审查中"
        assert "购房资格 审查中" in screen_text(app)
        await _press(pilot, "f6")
        await type_into(pilot, "#reason", "名下已有两套住房")
        await _press(pilot, "enter")
        assert text_of(app, "#review-message") == (
            f"合同 {first.number} 的买受人购房资格审查不通过，已短信通知买卖双方。")
        assert list(screen.qualification) == [str(second.id)] and screen.view.id == second.id
        await _press(pilot, "f5")
        assert text_of(app, "#review-message") == f"合同 {second.number} 的买受人购房资格审查通过，已短信通知买卖双方。"
        assert screen.qualification == {}
    a, b = svc.get_contract(db, clerk, first.id), svc.get_contract(db, clerk, second.id)
    assert (a.qualification, a.qualification_reason) == ("refused", "名下已有两套住房")
    assert b.qualification == "approved"


async def test_switching_tabs_reads_the_queues_again(sqlite_sample_db, clock, clerk, supervisor) -> None:
    """The supervisor approves a qualification (F3), the clerk signs and submits meanwhile, the
    supervisor turns to 备案审核 (F2): the contract is there (the queues were read only on opening,
    so the tab said 备案审核（0） until the screen was left and opened again)."""
    db = sqlite_sample_db
    view = signed_contract(db, clerk, supervisor, clock, "shenzhen")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await _open(pilot, FilingReviewScreen())
        screen = app.screen
        await _press(pilot, "f3")
        assert screen.filing == {}
        submit_for_review(db, clerk, view)  # at the clerk's window
        await _press(pilot, "f2")
        await settle(pilot)
        assert list(screen.filing) == [str(view.id)]
        assert "备案审核（1）" in screen_text(app)


async def test_a_clerk_is_refused_the_review(sqlite_sample_db, clock, clerk, supervisor) -> None:
    db = sqlite_sample_db
    _queued(db, clerk, supervisor, clock)
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, FilingReviewScreen())
        screen = app.screen
        assert text_of(app, "#review-message") == "您的角色（窗口受理员）无权审核网签备案。"
        assert screen.check_action("approve", ()) is False and screen.check_action("reject", ()) is False
        await _press(pilot, "f5", "f6", "f3")
        assert app.screen is screen and screen.filing == {}
    assert signing.filing_queue(db, supervisor)  # still waiting


# ---------------------------------------------------------------- snapshots


def test_snapshot_sms_with_the_seller_verified(snap_compare, sqlite_sample_db, clock, clerk) -> None:
    db = sqlite_sample_db
    draft = draft_contract(db, clerk, "zhongshan")
    seller_phone = _phone_of(db, draft.id, "seller:0")

    async def run_before(pilot) -> None:
        await login(pilot, "clerk1")
        await _open(pilot, SignVerifyScreen(draft.id))
        await _press(pilot, "f5")
        await _enter_code(pilot, 0, latest_code(db, seller_phone))
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(db, clock=clock), terminal_size=SIZE, run_before=run_before)


def test_snapshot_desk_with_a_signed_contract(snap_compare, sqlite_sample_db, clock, clerk, supervisor) -> None:
    db = sqlite_sample_db
    signed = signed_contract(db, clerk, supervisor, clock, "wuhan")  # signed, filed later at its transfer

    async def run_before(pilot) -> None:
        await login(pilot, "clerk1")
        await _open(pilot, ContractDeskScreen(signed.number))
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(db, clock=clock), terminal_size=SIZE, run_before=run_before)


def test_snapshot_filing_queue(snap_compare, sqlite_sample_db, clock, clerk, supervisor) -> None:
    db = sqlite_sample_db
    _queued(db, clerk, supervisor, clock)

    async def run_before(pilot) -> None:
        await login(pilot, "super1")
        await _open(pilot, FilingReviewScreen())
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(db, clock=clock), terminal_size=SIZE, run_before=run_before)


async def test_the_sms_screen_requests_the_qualification_it_waits_for(sqlite_sample_db, clock, clerk) -> None:
    db = sqlite_sample_db
    draft = draft_contract(db, clerk, "shenzhen")
    assert draft.qualification_required and draft.qualification is None
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, SignVerifyScreen(draft.id), callback=lambda _: None)
        screen = app.screen
        assert screen.check_action("qualify", ()) is True
        await _press(pilot, "f5")  # a code before the qualification: refused, and the screen says what to do
        assert "资格" in screen_text(app)
        await _press(pilot, "f3")
        assert "已申请购房资格审查" in screen_text(app)
        assert "购房资格 待审查" in screen_text(app) or "购房资格 审查中" in screen_text(app), screen_text(app)
        assert screen.check_action("qualify", ()) is False  # asked once; the supervisor decides
        # The refusal that asked for the request is answered: it no longer tells the clerk to request it.
        assert "请先申请购房资格审查" not in screen_text(app)
        assert text_of(app, "#note-0") == ""
    assert svc.get_contract(db, clerk, draft.id).qualification == "requested"


async def test_a_code_sent_replaces_the_wait_for_the_qualification(sqlite_sample_db, clock, clerk,
                                                                    supervisor) -> None:
    """F3, the supervisor approves, F5 sends the seller's code: the top line no longer says to wait for
    the supervisor (it stayed over the whole signing)."""
    db = sqlite_sample_db
    draft = draft_contract(db, clerk, "shenzhen")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, SignVerifyScreen(draft.id), callback=lambda _: None)
        await _press(pilot, "f3")
        assert "审核主管审查通过后即可发送验证码" in text_of(app, "#sv-message")
        signing.decide_qualification(db, supervisor, draft.id, approved=True)
        await _press(pilot, "f5")
        assert _state(app, 0) == "已发送，60秒后可重发"
        assert "审核主管审查通过后即可发送验证码" not in screen_text(app)
        assert "购房资格 审查通过" in screen_text(app)


async def test_desk_keeps_reprints_and_prints_a_draft_as_a_draft(sqlite_sample_db, clock, clerk, supervisor,
                                                                 tmp_path) -> None:
    """F8 twice on a signed contract keeps both prints (…-2.pdf); F8 on a draft
    writes a file named （草稿） and records no print of the contract."""
    db = sqlite_sample_db
    configure(db, data_dir=tmp_path / "data")
    signed = signed_contract(db, clerk, supervisor, clock, "zhongshan")
    draft = draft_contract(db, clerk, "shenzhen")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, ContractDeskScreen())
        for number in (signed.case_number, signed.case_number, draft.case_number):
            await type_into(pilot, "#desk-number", number)
            await _press(pilot, "enter")
            await _press(pilot, "f8")
            await app.workers.wait_for_complete()
            await settle(pilot)
            assert text_of(app, "#desk-message").startswith("存量房买卖合同")
            assert "未打印：未配置打印机，文件保存在 " in text_of(app, "#desk-message")
    names = sorted(p.name for p in (tmp_path / "data" / "reports").iterdir())
    assert names == sorted([f"{signed.case_number}-存量房买卖合同.pdf", f"{signed.case_number}-存量房买卖合同-2.pdf",
                            f"{draft.case_number}-存量房买卖合同（草稿）.pdf"])
    assert svc.get_contract(db, clerk, draft.id).printed_at is None
    assert svc.get_contract(db, clerk, signed.id).printed_at is not None


async def test_the_receipt_lists_what_the_clerk_ticked(sqlite_sample_db, clock, clerk, tmp_path) -> None:
    """F9: the checklist comes up; the clerk ticks what was handed in; the receipt lists that."""
    from services.resale import documents as docs
    from tui.screens.resale.desk import MaterialsDialog

    db = sqlite_sample_db
    configure(db, data_dir=tmp_path / "data")
    draft = draft_contract(db, clerk, "shenzhen")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, ContractDeskScreen(draft.number))
        await _press(pilot, "f9")
        assert isinstance(app.screen, MaterialsDialog)
        assert "存量房买卖合同" in screen_text(app) and "收件登记" in screen_text(app)
        await _press(pilot, "f5")  # nothing ticked: refused in the dialog
        assert isinstance(app.screen, MaterialsDialog) and "请勾选当事人已提交的材料" in screen_text(app)
        await pilot.press("space", "down", "space", "f5")  # the contract and the title, without a pause
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert text_of(app, "#desk-message").startswith("受理回执未打印：未配置打印机，文件保存在 ")
    assert docs.case_materials(db, clerk, draft.number).received == {"contract", "title"}
    [receipt] = (tmp_path / "data" / "reports").iterdir()
    text = subprocess.run(["pdftotext", str(receipt), "-"], capture_output=True, text=True, check=True).stdout
    assert "不动产权证书" in text and "出卖人身份证明" not in text
