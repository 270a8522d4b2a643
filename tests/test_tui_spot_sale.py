"""现房签约 (seed 004 §5.7) at the terminal, 80×24, from the keyboard: on the demo's spot-sale permit
(现售许可证 XS…), the developer's operator accepts a unit, enters a full-payment contract, records
the payment until paid equals due, has the buyer confirm by SMS code and seals it; with no loan the
case goes straight to the authority, who files it. The presale contract screen serves both kinds."""

from __future__ import annotations

from sqlalchemy import select
from test_tui_support import SIZE, FIXED_NOW, login, make_app, settle

from core.presale.sale import SaleState
from services import operators
from services.presale import board, contracts, permits, projects
from storage.models import Developer
from tests.conftest import freeze
from tests.contract_support import latest_code
from tests.test_tui_presale_contracts import flat, keys, said, typed
from tui.screens.presale.contract import ContractStepDialog, PresaleContractScreen
from tui.screens.presale.contract_entry import ContractEntryScreen

BUYER = ("赵现房", "110101199003074258", "13800138011")


def _spot_unit(db, dev):  # type: ignore[no-untyped-def]
    """The demo's spot-sale permit and a unit under it still for sale."""
    [permit] = [p for p in permits.list_permits(db, dev) if (p.permit_number or "").startswith("XS")
                and p.status == "current"]
    [project] = [p for p in projects.list_projects(db, dev) if p.name == permit.project_name]
    view = board.board(db, dev, project.id, permit.building_number)
    unit = next(c.unit_no for c in view.board.cells.values()
                if c.state is SaleState.SELLABLE and c.permit_number == permit.permit_number)
    return permit.permit_number, unit


async def test_a_spot_sale_from_acceptance_to_filing_at_the_keyboard(sqlite_sample_db) -> None:
    db = sqlite_sample_db
    freeze(db, FIXED_NOW)
    dev = operators.login(db, "xj01", "Demo2026xj01")
    permit, unit = _spot_unit(db, dev)
    with db.read() as session:
        seal_phone = session.execute(select(Developer.legal_rep_phone).where(Developer.id == dev.developer_id)
                                     ).scalar_one()
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "xj01", "Demo2026xj01")
        await keys(pilot, "q")
        assert isinstance(app.screen, PresaleContractScreen)
        await keys(pilot, "f2", *typed(permit), "tab", *typed(unit), "enter")
        shown = said(app)
        assert flat("已受理") in shown and flat("XSHT") in shown and flat("商品房现售签约") in shown, shown
        number = app.screen.view.case_number
        await keys(pilot, "f3")
        assert isinstance(app.screen, ContractEntryScreen)
        name, id_number, phone = BUYER
        await keys(pilot, *typed(name), "tab", *typed(id_number), "tab", *typed(phone), "tab",
                   "tab", "tab", "tab",  # no co-buyer
                   "tab", *typed("9000"), "tab", "enter",  # 按建筑面积计算, 单价, 一次性付款
                   "f9")
        shown = said(app)
        assert isinstance(app.screen, PresaleContractScreen), shown
        assert flat("合同已保存（第1版）") in shown, shown
        await keys(pilot, "f6", "f9")  # the dialog offers what is owed: all of it
        assert flat("已缴清，请按 F4 完成录入。") in said(app)
        await keys(pilot, "f4")
        assert flat("合同录入已完成，进入签约环节。") in said(app)
        await keys(pilot, "f7")
        assert isinstance(app.screen, ContractStepDialog)
        await keys(pilot, *typed(latest_code(db, phone)), "enter")
        await keys(pilot, "f4")
        assert flat("签约已提交，请按 F9 合同盖章。") in said(app)
        await keys(pilot, "f9")
        assert isinstance(app.screen, ContractStepDialog)
        await keys(pilot, *typed(latest_code(db, seal_phone)), "enter")
        shown = said(app)
        assert flat("合同已盖章，已转“备案归档”（主管部门）。") in shown, shown
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1", "Demo2026super1")
        await keys(pilot, "q")
        await keys(pilot, *typed(number), "enter")
        assert flat("F9 备案") in said(app)
        await keys(pilot, "f9", "enter")
        await settle(pilot)
        shown = said(app)
        assert flat(f"已备案，备案号 XSBA{number[1:]}，业务已归档。") in shown, shown
    view = contracts.show_contract(db, dev, number)
    assert view.status_label == "已备案" and view.number.startswith("XSHT")
