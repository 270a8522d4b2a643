"""租赁签约 through the terminal: a housed family's lease from 发起签约 to
签约审核, by key presses, with a refusal shown at its field, the printed
contract, the supervisor's approval and its SMS; and the reject path.

The family, round and house are built with the helpers of tests/test_lease.py
(the sample register has no rounds); the services' clock is fixed.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from test_tui_cases import _actor
from test_tui_support import (
    SIZE,
    freeze_services_clock,
    login,
    make_app,
    screen_text,
    settle,
    text_of,
    type_into,
)

from core.allocation import lease as rules
from services.allocation import lease as lease_service
from services import sms
from storage.engine import Database
from storage.models import AllocationRound, Family, RoundFamily
from tests.conftest import configure
from tests.test_lease import CARD, NEW_PHONE, PHONE, _family, _house, _round
from tui.screens.allocation.lease import LeaseScreen, LeaseStartDialog
from tui.screens.outbox import OutboxScreen

HAS_PDFTOTEXT = shutil.which("pdftotext") is not None
BAD_CARD = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)  # a wrong Luhn check digit


def housed_families(db: Database) -> dict[str, int]:
    """A published round in which two families were allocated a house each (王小明 and 李大军)."""
    with db.write() as session:
        rank = (session.execute(select(func.max(Family.rank))).scalar_one() or 0) + 1
        a = _family(session, rank, "王小明", "440301199001011234", PHONE)
        b = _family(session, rank + 1, "李大军", "440301198502021235", "13700002222")
        number = (session.execute(select(func.max(AllocationRound.number))).scalar_one() or 0) + 1
        rnd = _round(session, number, "published")
        rnd.published_at = db.now() - timedelta(days=1)  # the families are inside their signing window
        ids = {"round": rnd.id, "a": a.id, "b": b.id}
        for family, code, room in ((a, "LYJ3-1203", "1203"), (b, "LYJ3-1204", "1204")):
            house = _house(session, code, room)
            house.state, house.taken_round_id, house.taken_family_id, house.taken_rank = (
                "taken", rnd.id, family.id, family.rank)
            session.add(RoundFamily(round_id=rnd.id, family_id=family.id, rank=family.rank,
                                    result_house_id=house.id, result_status="allocated"))
        session.flush()
        return ids  # type: ignore[return-value]


def lease_at_review(db: Database, ids: dict[str, int], family: str) -> str:
    """clerk1 takes a family's lease through the clerk stages by the services; returns the case number."""
    clerk = _actor(db, "clerk1")
    number = lease_service.start_lease(db, clerk, ids["round"], ids[family])
    lease_service.save_tenant_info(db, clerk, number, phone=NEW_PHONE, employer="深圳市某某科技有限公司",
                                   bank_name="招商银行深圳福田支行", bank_account=CARD)
    lease_service.record_identity_check(db, clerk, number, who="main_applicant", document_seen="居民身份证原件")
    lease_service.sign_contract(db, clerk, number)
    lease_service.record_deposit(db, clerk, number)
    return number


@pytest.fixture
def lease_env(sqlite_sample_db: Database, tmp_path: Path) -> Path:
    """Messages stay in the outbox (no SMS gateway; deposit, lessor and house city at
    their defaults); documents go to a fresh data folder; the database's clock is frozen."""
    data = tmp_path / "data"
    settings = configure(sqlite_sample_db, data_dir=data)
    assert settings.sms_url is None and settings.lessor is None and settings.house_city is None
    assert settings.deposit_months == rules.DEFAULT_DEPOSIT_MONTHS
    freeze_services_clock(sqlite_sample_db)
    return data


def _view(app):
    return app.screen.view


async def _open(pilot, screen) -> None:
    await pilot.app.push_screen(screen)
    await settle(pilot)


async def _press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def _relogin(pilot, username: str) -> None:
    while len(pilot.app.screen_stack) > 1:
        await _press(pilot, "escape")
    await _press(pilot, "f10")
    await login(pilot, username)


# ---------------------------------------------------------------- the whole flow


async def test_lease_from_start_to_approval_through_the_terminal(sqlite_sample_db, lease_env) -> None:
    db = sqlite_sample_db
    ids = housed_families(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, LeaseScreen())

        # 发起签约: choose the round, then 王小明's family.
        await _press(pilot, "f3")
        assert isinstance(app.screen, LeaseStartDialog)
        app.screen.query_one("#start-round").value = ids["round"]
        await settle(pilot)
        assert "王**" in screen_text(app) and "LYJ3-1203" in screen_text(app)
        # The words of 选房场次 and 家庭选房: a round is a 场次 and a family has an 排位 (it said 第N批, 第N号).
        shown = screen_text(app)
        assert "第5批 龙悦居" not in shown and "第5场 龙悦居" in shown and "选房场次" in shown and "排位第" in shown
        families = app.screen.query_one("#start-families")
        families.highlighted = families.get_option_index(str(ids["a"]))
        await _press(pilot, "enter")
        assert isinstance(app.screen, LeaseScreen)
        view = _view(app)
        number = view.case_number
        assert view.stage == rules.TENANT_INFO and view.family_id == ids["a"]
        assert text_of(app, "#lease-message") == f"已发起签约，业务号 {number}。"
        shown = screen_text(app)
        assert "王小明" in shown and "138****5678" in shown and "完善承租信息" in shown
        assert [f"{s.operator}{s.action}" for s in app.screen.progress.timeline] == ["李晓敏发起业务"]

        # 完善承租信息 with a mistyped card number: the sentence is shown at the account field.
        await type_into(pilot, "#f-phone", NEW_PHONE)
        await type_into(pilot, "#f-bank_name", "招商银行深圳福田支行")
        await type_into(pilot, "#f-bank_account", BAD_CARD)
        await _press(pilot, "f5")
        assert text_of(app, "#e-bank_account") == "银行卡号校验位不正确，请核对卡号后重新输入。"
        assert "银行卡号校验位不正确" in screen_text(app)
        assert app.focused is app.screen.query_one("#f-bank_account")
        assert _view(app).stage == rules.TENANT_INFO
        await type_into(pilot, "#f-bank_account", CARD)
        await _press(pilot, "enter")  # Enter in the last field submits
        assert _view(app).stage == rules.IDENTITY_CHECK
        assert text_of(app, "#lease-message") == "承租信息已保存，请进行身份核验。"
        assert "139****1111" in screen_text(app)

        # 身份核验: the main applicant, with the identity card.
        await type_into(pilot, "#f-document_seen", "居民身份证原件")
        await _press(pilot, "f5")
        assert _view(app).stage == rules.CONTRACT
        assert _view(app).identity_checked == "主申请人本人（居民身份证原件）"

        # 签订合同 from today; print the contract.
        await _press(pilot, "f5")
        view = _view(app)
        assert view.stage == rules.DEPOSIT and view.contract_number == "GZ" + number[1:]
        await _press(pilot, "f8")
        contract = lease_env / "reports" / f"{number}-租赁合同.pdf"
        assert contract.is_file() and contract.read_bytes().startswith(b"%PDF")
        assert text_of(app, "#lease-message") == f"租赁合同未打印：未配置打印机，文件保存在 {contract}"
        if HAS_PDFTOTEXT:
            out = subprocess.run(["pdftotext", str(contract), "-"], capture_output=True, text=True, check=True).stdout
            assert "王小明" in "".join(out.split())

        # 押金缴纳: the amount the rule sets is prefilled.
        assert app.screen.query_one("#f-amount").value == "2612.80"
        await _press(pilot, "f5")
        view = _view(app)
        assert (view.stage, view.waiting_for, view.deposit_paid) == (rules.REVIEW, "审核主管", view.deposit_due)
        assert text_of(app, "#lease-message") == f"押金已收取，收据编号 {view.deposit_receipt}；签约申请已提交审核。"
        assert app.screen.check_action("review", (True,)) is False  # a clerk does not review

        # 签约审核 by super1.
        await _relogin(pilot, "super1")
        await _open(pilot, LeaseScreen(number))
        assert _view(app).stage == rules.REVIEW and "审核意见" in screen_text(app)
        await _press(pilot, "f6")
        view = _view(app)
        assert (view.status, view.review_status, view.reviewed_by) == ("archived", rules.APPROVED, "陈国华")
        assert text_of(app, "#lease-message") == "签约审核通过，已短信通知承租人。"
        assert "已通过" in screen_text(app)
        await _press(pilot, "f12")
        assert (lease_env / "reports" / f"{number}-入住通知书.pdf").is_file()

        # 短信发件箱: the approval message, phone masked; mark it sent.
        await _press(pilot, "escape")
        await _open(pilot, OutboxScreen())
        [row] = [r for r in app.screen.rows.values() if r.case_number == number]
        assert (row.purpose, row.case_number, row.phone, row.status) == (
            lease_service.SMS_APPROVED, number, "139****1111", "待发送")
        shown = screen_text(app)
        assert "139****1111" in shown and "签约审核通过" in shown and NEW_PHONE not in shown
        await _press(pilot, "f5")
        assert text_of(app, "#outbox-message") == f"已将第 {row.id} 号短信标记为已发送。"
        assert [r.status for r in app.screen.rows.values() if r.case_number == number] == ["已发送"]
    assert [m.status_code for m in sms.outbox(db, _actor(db, "super1")) if m.case_number == number] == [sms.SENT]


async def test_supervisor_sends_a_lease_back_with_a_reason(sqlite_sample_db, lease_env) -> None:
    db = sqlite_sample_db
    number = lease_at_review(db, housed_families(db), "b")
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await _open(pilot, LeaseScreen(number))
        await _press(pilot, "f7")  # no reason: refused at the field
        assert text_of(app, "#e-note") == "审核不通过时必须填写需要更正的内容。"
        assert _view(app).stage == rules.REVIEW
        await type_into(pilot, "#f-note", "托收银行账户户名与承租人不一致")
        await _press(pilot, "f7")
        view = _view(app)
        assert (view.stage, view.review_status) == (rules.TENANT_INFO, rules.REJECTED)
        assert view.next_step.startswith("审核退回：托收银行账户户名与承租人不一致。")
        assert text_of(app, "#lease-message") == "签约审核不通过，已退回完善承租信息，并短信告知承租人。"
        assert app.screen.check_action("submit", ()) is True
    [message] = sms.outbox(db, _actor(db, "super1"), status=sms.QUEUED)
    assert message.purpose == lease_service.SMS_REJECTED and message.case_number == number


async def test_unknown_case_number_and_wrong_role_are_refused_on_the_message_line(sqlite_sample_db, lease_env) -> None:
    db = sqlite_sample_db
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await _open(pilot, LeaseScreen())
        await type_into(pilot, "#case-number", "G999")
        await _press(pilot, "enter")
        assert text_of(app, "#lease-message") == "没有业务号为“G999”的公租房租赁签约业务。"
        assert _view(app) is None and app.screen.check_action("submit", ()) is False


# ---------------------------------------------------------------- snapshots


def test_snapshot_tenant_info_with_a_field_refusal(snap_compare, sqlite_sample_db, lease_env) -> None:
    db = sqlite_sample_db
    ids = housed_families(db)
    number = lease_service.start_lease(db, _actor(db, "clerk1"), ids["round"], ids["a"])

    async def run_before(pilot) -> None:
        await login(pilot, "clerk1")
        await _open(pilot, LeaseScreen(number))
        await type_into(pilot, "#f-phone", NEW_PHONE)
        await type_into(pilot, "#f-bank_name", "招商银行深圳福田支行")
        await type_into(pilot, "#f-bank_account", "6217-0000-12A4-5678")
        await _press(pilot, "f5")
        pilot.app.clear_notifications()
        await pilot.pause()

    app = make_app(db)  # on the handle's clock, frozen by lease_env
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_review_for_the_supervisor(snap_compare, sqlite_sample_db, lease_env) -> None:
    db = sqlite_sample_db
    number = lease_at_review(db, housed_families(db), "a")

    async def run_before(pilot) -> None:
        await login(pilot, "super1")
        await _open(pilot, LeaseScreen(number))
        pilot.app.clear_notifications()
        await pilot.pause()

    app = make_app(db)  # on the handle's clock, frozen by lease_env
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_home_menu_opens_lease_and_outbox(sqlite_sample_db):
    """The workbench reaches both screens by their keys; a clerk has no outbox entry."""
    from tests.test_tui_support import login, make_app
    from tui.screens.allocation.lease import LeaseScreen
    from tui.screens.outbox import OutboxScreen

    app = make_app(sqlite_sample_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "super1")
        await pilot.press("9")
        await pilot.pause()
        assert isinstance(app.screen, LeaseScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, OutboxScreen)
