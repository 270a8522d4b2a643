"""退款 after a house return at the terminal (80×24): the archived return (T) says what remains to
refund; the returned contract's ledger (J) shows it, F2 opens a 退款 with all of it filled in
(a receipt is refused by its sentence), the authority approves it and the return says all was
refunded. Snapshots of both screens with a refund due."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update
from test_tui_support import SIZE, login, make_app, screen_text, settle, text_of, type_into
from test_tui_presale_returns import SUPERVISOR_PASSWORD, return_db  # noqa: F401 (a fixture)

from core.money import format_yuan
from services.presale import contracts, ledger
from storage.models import PresaleReturn
from tests.conftest import SYSTEM
from tests.presale_support import PASSWORD
from tests.test_presale_refund import _returned
from tui.screens.presale.funds import FundFormDialog
from tui.screens.presale.ledger import LedgerScreen
from tui.screens.presale.returns import ReturnScreen


@pytest.fixture
def returned_db(return_db, tmp_path: Path):  # noqa: F811
    """The demo hall with a filed contract on D004 2-01 returned (archived), nothing refunded yet."""
    hall, permit, number = return_db.presale
    paid = contracts.show_contract(return_db, hall.dev, number).paid
    case = _returned(return_db, hall, number, tmp_path)
    with return_db.write() as session:  # the voucher's path as a hall keeps it, the same on every run
        session.execute(update(PresaleReturn).values(voucher_path="/srv/wangqian/scans/T-voucher.pdf"))
    return_db.returned = (hall, number, case, paid)  # type: ignore[attr-defined]
    return return_db


async def _press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
        await pilot.pause()


async def _open(pilot, menu: str, field: str, number: str) -> None:
    await _press(pilot, menu)
    await type_into(pilot, field, number)
    await _press(pilot, "enter")


def _flat(app) -> str:  # type: ignore[no-untyped-def]
    """The screen's text with its rows joined (a long sentence wraps at 80 columns)."""
    return "".join(line.strip() for line in screen_text(app).splitlines())


async def test_a_returned_contract_refunded_from_the_ledger(returned_db) -> None:
    hall, number, case, paid = returned_db.returned
    due = format_yuan(paid)
    app = make_app(returned_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _open(pilot, "t", "#return-number", case)
        assert isinstance(app.screen, ReturnScreen)
        assert f"退款：已退房，尚有{due}待退款，请在户室流水补录中办理退款。" in _flat(app)
        await _press(pilot, "escape")
        await _open(pilot, "j", "#ledger-number", number)
        assert isinstance(app.screen, LedgerScreen)
        shown = _flat(app)
        assert f"已退房：待退款 {due}，按 F2 补录退款流水。" in shown and "可补录：退款" in shown
        # F2: a refund of all that remains, filled in; changed to a receipt, refused by its sentence
        await _press(pilot, "f2")
        assert isinstance(app.screen, FundFormDialog)
        assert app.screen.title_text == f"退款　合同 {number}"
        assert app.screen.query_one("#fund-kind").value == "退款"
        assert app.screen.query_one("#fund-amount").value == str(paid)
        app.screen.query_one("#fund-kind").value = ""
        await type_into(pilot, "#fund-kind", "入账")
        await _press(pilot, "f9")
        # Refused in the form, which stays: the kind mended, the amount kept.
        assert text_of(app, "#fund-form-message") == "该合同已退房，不能再补录入账流水，只能补录退款流水。"
        await type_into(pilot, "#fund-kind", "退款")
        await type_into(pilot, "#fund-receipt", "TK20261120")
        await _press(pilot, "f9")
        shown = _flat(app)
        assert f"退款 {due}，已派工给主管部门审核。" in shown, screen_text(app)
        assert "已退房：待退款 ¥0.00，购房款已退清或退款正在审核。" in shown
        assert f"待审核 ¥0.00　待审核退款 {due}　可补录：无" in shown  # not a negative "pending"
    refund = ledger.ledger(returned_db, hall.dev, number).entries[-1].case_number
    app = make_app(returned_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super_p", SUPERVISOR_PASSWORD)
        await _open(pilot, "j", "#ledger-number", refund)
        await _press(pilot, "f9", "f9")
        assert f"审核通过，退款{paid}元已记入户室流水，业务已归档。" in _flat(app)
        await _press(pilot, "escape")
        await _open(pilot, "t", "#return-number", case)
        assert f"退款：已退房，购房款已全部退还（已退{due}）。" in _flat(app)


@pytest.mark.parametrize("who, menu, field", [("dev_a", "j", "#ledger-number"), ("super_p", "t", "#return-number")],
                         ids=["returned_contract_ledger", "archived_return_with_refund_due"])
def test_snapshot(snap_compare, returned_db, who: str, menu: str, field: str) -> None:
    hall, number, case, paid = returned_db.returned

    async def run_before(pilot) -> None:
        await login(pilot, who, PASSWORD if who == "dev_a" else SUPERVISOR_PASSWORD)
        await _open(pilot, menu, field, number if menu == "j" else case)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(returned_db), terminal_size=SIZE, run_before=run_before)


async def test_the_demo_withdrawal_table_keeps_the_refund_due_apart(sqlite_sample_db) -> None:
    """The demo's returned 6-01, half refunded: the fund agreement's money still counts the
    other half, and the withdrawal table (F7) says it is owed back, not withdrawable."""
    from sqlalchemy import select

    from demo import presale
    from services.presale import contracts as contract_service
    from storage.models import FundAgreement

    db = sqlite_sample_db
    with db.read() as s:
        agreement = s.execute(select(FundAgreement.agreement_number)).scalar_one()
    [returned] = [r for r in contract_service.list_contracts(db, SYSTEM) if r.unit_no == presale.RETURNED_UNIT]
    due = ledger.ledger(db, SYSTEM, returned.number).refund_due
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "xj01")
        await _open(pilot, "z", "#fund-number", agreement)
        await _press(pilot, "f7")
        shown = _flat(app)
        assert f"（含已退房待退款 {format_yuan(due)}，不可支取）" in shown and "一般资金可支取 ¥0.00" in shown
