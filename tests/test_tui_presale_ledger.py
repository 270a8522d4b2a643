"""户室流水补录 and 在建工程抵押 at the terminal (80x24): the developer finds a contract by its
permit, adds a receipt (a refund over what is refundable refused by its sentence); the authority
opens the case by its number and approves it; the authority sets up a mortgage, authorises a
unit's signing and cancels it; snapshots of a ledger and of a building's mortgages."""

from __future__ import annotations

import pytest
from test_tui_support import FIXED_NOW, SIZE, login, make_app, screen_text, settle, text_of, type_into

from core.presale.developers import BankEntry
from services.presale import contracts, developers, ledger, mortgages
from tests.conftest import SYSTEM, freeze
from tests.presale_support import PASSWORD
from tests.test_presale_contracts import contract_hall, entry
from tui.screens.presale.funds import FundFormDialog
from tui.screens.presale.ledger import LedgerScreen
from tui.screens.presale.mortgages import MortgageScreen


@pytest.fixture
def sold_db(sqlite_sample_db):
    freeze(sqlite_sample_db, FIXED_NOW)
    hall, permit = contract_hall(sqlite_sample_db, 181)
    number = contracts.start_contract(sqlite_sample_db, hall.dev, permit_number=permit, unit_no="2-01").number
    contracts.save_entry(sqlite_sample_db, hall.dev, number, entry())
    contracts.record_payment(sqlite_sample_db, hall.dev, number, "1000.00")
    sqlite_sample_db.sold = (hall, permit, number)  # type: ignore[attr-defined]
    return sqlite_sample_db


async def _press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
        await pilot.pause()  # a message line that grew to two rows is laid out again


async def _ledger(pilot, number: str) -> None:
    await _press(pilot, "j")
    assert isinstance(pilot.app.screen, LedgerScreen)
    await type_into(pilot, "#ledger-number", number)
    await _press(pilot, "enter")


async def test_the_developer_adds_a_receipt_and_a_refund_over_paid_is_refused(sold_db) -> None:
    hall, permit, number = sold_db.sold
    app = make_app(sold_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        assert "户室流水补录" in screen_text(app)
        await _ledger(pilot, permit)
        shown = screen_text(app)
        assert f"合同 {number}" in shown and "实缴 ¥1,000.00" in shown and "可补录：入账、退款" in shown
        assert "缴款通知单" in shown
        await _press(pilot, "f2")
        assert isinstance(app.screen, FundFormDialog)
        await type_into(pilot, "#fund-kind", "退款")
        await type_into(pilot, "#fund-amount", "1000.01")
        await _press(pilot, "f9")
        # Refused in the form, which stays with what was typed and the cursor on the amount.
        assert isinstance(app.screen, FundFormDialog)
        assert text_of(app, "#fund-form-message") == \
            "退款金额¥1,000.01大于可退金额¥1,000.00（已缴¥1,000.00，已退¥0.00），不能补录。"
        shown = "".join(screen_text(app).split()).replace("│", "")
        assert "已退¥0.00），不能补录。" in shown  # wrapped onto a second row of the form, nothing cut
        assert app.screen.query_one("#fund-amount").value == "1000.01" and app.focused.id == "fund-amount"
        await type_into(pilot, "#fund-kind", "入账")
        await type_into(pilot, "#fund-amount", "5000.50")
        await type_into(pilot, "#fund-receipt", "YH20261120")
        await type_into(pilot, "#fund-paid_on", "2026-11-20")
        await _press(pilot, "f9")
        shown = screen_text(app)
        assert "已受理 Z20261121" in shown and "入账 ¥5,000.50，已派工给主管部门审核。" in shown
        assert "待审核" in shown and "YH20261120" in shown


async def test_the_authority_opens_the_case_and_approves_it(sold_db) -> None:
    hall, _, number = sold_db.sold
    case = ledger.add_entry(sold_db, hall.dev, number, kind="入账", amount="5000.50").case_number
    app = make_app(sold_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super_p", "Passw0rd1")
        await _ledger(pilot, case)
        shown = screen_text(app)
        assert f"业务 {case}：入账 ¥5,000.50　主管部门审核" in shown
        await _press(pilot, "f6", "f9")
        assert "请填写审核意见。" in screen_text(app)
        await _press(pilot, "escape", "f9", "f9")
        shown = screen_text(app)
        assert "审核通过，入账5000.50元已记入户室流水，业务已归档。" in shown and "实缴 ¥6,000.50" in shown


async def test_the_authority_sets_up_authorises_and_cancels_a_mortgage(sold_db) -> None:
    hall, permit, _ = sold_db.sold
    app = make_app(sold_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super_p", "Passw0rd1")
        await _press(pilot, "g")
        assert isinstance(app.screen, MortgageScreen)
        await type_into(pilot, "#mortgage-project", "9" * 10)  # read by the service, not by the screen
        await type_into(pilot, "#mortgage-building", "D004")
        await _press(pilot, "enter")
        assert text_of(app, "#mortgage-message") == "项目编号应为数字。"
        await type_into(pilot, "#mortgage-project", str(hall.project_id))
        await type_into(pilot, "#mortgage-building", "D004")
        await _press(pilot, "enter")
        assert "该栋没有在建工程抵押。" in screen_text(app) and "未维护" in screen_text(app)
        await _press(pilot, "f2")
        await type_into(pilot, "#fund-contract", "DY2026-001")
        await type_into(pilot, "#fund-amount", "30000000")
        await type_into(pilot, "#fund-units", "3-01,3-02")
        await _press(pilot, "f9")
        assert "本企业还未维护贷款银行信息" in screen_text(app)
        developers.add_bank(sold_db, SYSTEM, hall.code, BankEntry(purpose="贷款银行", bank_name="中国农业银行"))
        await _press(pilot, "f5", "f2")
        await type_into(pilot, "#fund-bank", "😀")
        await type_into(pilot, "#fund-contract", "DY2026-001")
        await type_into(pilot, "#fund-amount", "30000000")
        await type_into(pilot, "#fund-units", "3-01，3-02")
        await _press(pilot, "f9")
        assert app.focused.id == "fund-bank"  # type: ignore[union-attr]
        assert text_of(app, "#fund-form-message") == "请选择本企业银行信息中的贷款银行。"
        await type_into(pilot, "#fund-bank", "")  # the only loan bank
        await _press(pilot, "f9")
        shown = screen_text(app)
        assert "已设立在建工程抵押" in shown and "户室 2 套" in shown and "中国农业银行" in shown
        await _press(pilot, "f3")
        await type_into(pilot, "#fund-units", "3-01")
        await _press(pilot, "f9")
        assert "已授权 1/2 套" in screen_text(app)
        await _press(pilot, "f4", "f9")
        assert "请填写注销原因。" in screen_text(app)
        await _press(pilot, "f4")
        await type_into(pilot, "#fund-reason", "贷款已结清")
        await _press(pilot, "f9")
        assert "已注销" in screen_text(app)


def test_snapshot_ledger(snap_compare, sold_db) -> None:
    hall, permit, number = sold_db.sold
    ledger.add_entry(sold_db, hall.dev, number, kind="入账", amount="5000.50", receipt="YH20261120",
                     paid_on="2026-11-20")

    async def run_before(pilot) -> None:
        await login(pilot, "dev_a", PASSWORD)
        await _ledger(pilot, number)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(sold_db), terminal_size=SIZE, run_before=run_before)


def test_snapshot_mortgages(snap_compare, sold_db) -> None:
    hall, _, _ = sold_db.sold
    developers.add_bank(sold_db, SYSTEM, hall.code, BankEntry(purpose="贷款银行", bank_name="中国农业银行",
                                                              branch="张家界分行"))
    made = mortgages.set_up_mortgage(sold_db, SYSTEM, hall.project_id, "D004", bank_id=None,
                                     mortgage_contract="DY2026-001", amount="30000000", units=["3-01", "3-02", "4-01"])
    mortgages.authorise_signing(sold_db, SYSTEM, made.id, ["3-01"])

    async def run_before(pilot) -> None:
        await login(pilot, "super_p", "Passw0rd1")
        await _press(pilot, "g")
        await type_into(pilot, "#mortgage-project", str(hall.project_id))
        await type_into(pilot, "#mortgage-building", "D004")
        await _press(pilot, "enter")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(sold_db), terminal_size=SIZE, run_before=run_before)


async def test_the_missing_facts_entered_and_archived_at_the_terminal(sold_db) -> None:
    from tui.screens.presale.facts import FactsScreen

    hall, _, _ = sold_db.sold
    app = make_app(sold_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _press(pilot, "x")
        assert isinstance(app.screen, FactsScreen)
        await _press(pilot, "f2")
        await type_into(pilot, "#fund-building", "D004")
        await _press(pilot, "f9")  # no project typed: said by the use case, the cursor on the field
        assert app.focused.id == "fund-project" and text_of(app, "#fund-form-message") == "请填写项目编号。"  # type: ignore[union-attr]
        await type_into(pilot, "#fund-project", str(hall.project_id))
        await _press(pilot, "f9")
        shown = screen_text(app)
        assert "已受理 X20261121" in shown and "尚缺必填项：项目信息：用地面积、规划总建筑面积" in shown
        assert "用地面积*" in shown
        await _press(pilot, "f4")
        assert text_of(app, "#facts-message").startswith("请先补录带*号的必填项")
        await _press(pilot, "f3")
        await type_into(pilot, "#fund-property_company", "别的物业")
        await _press(pilot, "f9")
        assert text_of(app, "#fund-form-message") == "项目的“物业公司”已有信息，户室信息补录只补录缺失的信息。"
        await type_into(pilot, "#fund-property_company", "")  # mended in the form, nothing else retyped
        await type_into(pilot, "#fund-land_area", "12000")
        await type_into(pilot, "#fund-floor_area", "56000")
        await _press(pilot, "f9", "f6")
        await type_into(pilot, "#fund-building_use", "住宅")
        await _press(pilot, "f9", "f7")
        await type_into(pilot, "#fund-sale_price", "9800")
        await _press(pilot, "f9")
        assert "尚缺必填项：无，可以派件" in screen_text(app)
        await _press(pilot, "f4")
        assert "已派件到主管部门审核。" in screen_text(app)


def test_snapshot_facts(snap_compare, sold_db) -> None:
    from services.presale import facts_backfill

    hall, _, _ = sold_db.sold
    number = facts_backfill.start_facts(sold_db, hall.dev, hall.project_id, "D004").case_number
    facts_backfill.save_project(sold_db, hall.dev, number, land_area="12000")

    async def run_before(pilot) -> None:
        await login(pilot, "dev_a", PASSWORD)
        await _press(pilot, "x")
        await type_into(pilot, "#facts-number", number)
        await _press(pilot, "enter")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(sold_db), terminal_size=SIZE, run_before=run_before)


async def test_a_fast_typist_lands_every_key_in_its_field(sold_db) -> None:
    """The new-entry form typed with no pause between keys (Tab between the fields)."""
    hall, _, number = sold_db.sold
    app = make_app(sold_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _ledger(pilot, number)
        await _press(pilot, "f2")
        assert isinstance(app.screen, FundFormDialog)
        keys = ["tab", *"2000.50", "tab", *"YH0001", "tab", *"2026-11-20", "tab", *"补录"]
        await pilot.press(*keys)
        await settle(pilot)
        values = {f: app.screen.query_one(f"#fund-{f}").value for f in ("kind", "amount", "receipt", "paid_on", "note")}
        assert values == {"kind": "入账", "amount": "2000.50", "receipt": "YH0001", "paid_on": "2026-11-20",
                          "note": "补录"}
        await _press(pilot, "f9")
        assert "入账 ¥2,000.50，已派工给主管部门审核。" in screen_text(app)


async def test_an_entry_without_a_date_shows_the_halls_day_it_was_recorded(sold_db) -> None:
    """Recorded at 01:30 in the hall (17:30 UTC the day before) with no 流水日期 typed: the list
    shows the hall's day, as the case number does, not the UTC date."""
    hall, permit, number = sold_db.sold
    evening_utc = FIXED_NOW.replace(day=21, hour=17, minute=30)  # 2026-11-22 01:30 in Shanghai
    sold_db.clock = type(sold_db.clock)(evening_utc)
    ledger.add_entry(sold_db, hall.dev, number, kind="入账", amount="10.00")
    app = make_app(sold_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _ledger(pilot, permit)
        [row] = [line for line in screen_text(app).splitlines() if "¥10.00 " in line and "待审核" in line]
        assert "2026-11-22" in row and "Z202611220000001" in row, row
