"""商品房预售签约 at the terminal (80×24), typed with no pauses between keys: the developer accepts a
unit by permit and unit number (the seed's refusals shown in the form), enters the contract (the
buyer fixed once saved), prints the payment notice and records payment until paid equals due, has
the buyer confirm by SMS code (or attaches the paper scan), seals with the seal holder's code; the
bank's reviewer fills the mortgage details and passes it on; the authority files it. Snapshots of
every screen."""

from __future__ import annotations

import re

import pytest
from test_tui_support import FIXED_NOW, SIZE, login, make_app, screen_text, settle

from core.presale.contracts import Buyer
from services.presale import contracts
from tests.conftest import freeze
from tests.contract_support import latest_code
from tests.presale_support import PASSWORD
from tests.test_presale_contracts import BANK, BUYER, CENTRE, SEAL_PHONE, contract_hall, entry, reviewer
from tui.screens.presale.contract import ContractStepDialog, PresaleContractScreen
from tui.screens.presale.contract_entry import ContractEntryScreen


@pytest.fixture
def pc_db(sqlite_sample_db):
    freeze(sqlite_sample_db, FIXED_NOW)
    hall, permit = contract_hall(sqlite_sample_db, 91, rooms=["1-01"])
    sqlite_sample_db.hall, sqlite_sample_db.permit = hall, permit  # type: ignore[attr-defined]
    return sqlite_sample_db


async def keys(pilot, *pressed: str) -> None:
    """Every key at once, no pause between them; then wait for the workers."""
    await pilot.press(*pressed)
    await settle(pilot)


def flat(text: str) -> str:
    """``text`` without spaces, line breaks and box sides: a sentence wrapped over lines reads whole."""
    return re.sub(r"[\s│╭╮╰╯─▁▂▃▄▅▆▇█]", "", text)


def said(app) -> str:  # type: ignore[no-untyped-def]
    return flat(screen_text(app))


def typed(text: str) -> list[str]:
    return list(text)


async def _open(pilot) -> None:
    await keys(pilot, "q")
    assert isinstance(pilot.app.screen, PresaleContractScreen)


async def test_the_developer_starts_enters_pays_signs_and_seals(pc_db) -> None:
    hall, permit = pc_db.hall, pc_db.permit
    app = make_app(pc_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        assert flat("商品房预售签约") in said(app)
        await _open(pilot)
        await keys(pilot, "f2", *typed(permit), "tab", *typed("2-01"), "enter")
        shown = said(app)
        assert isinstance(app.screen, PresaleContractScreen), shown
        assert flat("已受理 F20261121") in shown and flat("合同信息录入") in shown
        number = app.screen.view.case_number
        # the entry: a commercial loan, typed in one go
        await keys(pilot, "f3")
        assert isinstance(app.screen, ContractEntryScreen)
        await keys(pilot, *typed(BUYER.name), "tab", *typed(BUYER.id_number), "tab", *typed(BUYER.phone), "tab",
                   "tab", "tab", "tab",  # no co-buyer
                   "tab", *typed("10000"), "tab", "right", "right", "enter",  # 按建筑面积计算, 单价, 商业贷款
                   "tab", *typed("401000"), "tab", *typed("900000"), "tab", "tab", *typed(BANK), "tab", "tab",
                   *typed("王小二"), "tab", *typed(BANK), "f9")
        shown = said(app)
        assert isinstance(app.screen, PresaleContractScreen)
        assert flat("合同已保存（第1版）：总价款 ¥1,301,000.00，应付 ¥401,000.00。") in shown
        assert flat("110101********4258") in shown and BUYER.id_number not in shown
        # the payment notice, then payments until paid equals due
        await keys(pilot, "f8")
        assert flat("资金缴款通知单未打印：未配置打印机，文件保存在") in said(app)
        await keys(pilot, "f6", *typed("500000"), "enter", "enter")
        assert flat("实付金额超过应付金额：应付401000.00元，已付0.00元，本次最多401000.00元。") in said(app)
        await keys(pilot, "ctrl+u", *typed("300000"), "tab", *typed("SK-001"), "enter")
        assert flat("已登记缴款：应付 ¥401,000.00，已付 ¥300,000.00，尚欠 ¥101,000.00。") in said(app)
        await keys(pilot, "f4")
        assert flat("缴款单上的实付金额必须等于应付金额，当前任务才能完成") in said(app)
        await keys(pilot, "f6", "f9")  # the dialog offers what is still owed
        assert flat("已缴清，请按 F4 完成录入。") in said(app)
        await keys(pilot, "f4")
        shown = said(app)
        assert flat("合同录入已完成，进入签约环节。") in shown and flat("签约环节") in shown
        # 电子合同: the buyer's code; a wrong one refused in the form
        await keys(pilot, "f4")
        assert flat("尚未完成短信验证签署，不能提交。") in said(app)
        await keys(pilot, "f7")
        assert isinstance(app.screen, ContractStepDialog) and flat("138****8000") in said(app)
        code = latest_code(pc_db, BUYER.phone)
        wrong = "000000" if code != "000000" else "111111"
        await keys(pilot, *typed(wrong), "enter")
        assert flat("验证码不正确") in said(app)
        await keys(pilot, "ctrl+u", *typed(code), "enter")
        assert flat("买受人已全部完成短信验证，请按 F4 提交签约。") in said(app)
        await keys(pilot, "f4")
        assert flat("签约已提交，请按 F9 合同盖章。") in said(app)
        # the seal holder's code; the case goes to the buyer's bank
        await keys(pilot, "f9")
        assert isinstance(app.screen, ContractStepDialog) and flat("152****1111") in said(app)
        await keys(pilot, *typed(latest_code(pc_db, SEAL_PHONE)), "enter")
        shown = said(app)
        assert flat("合同已盖章，已转“银行抵押审核”（中国工商银行）。") in shown, shown
    # the bank's reviewer: the contract in hand, the mortgage details, passed on
    reviewer(pc_db, "bank_a", BANK)
    app = make_app(pc_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "bank_a", PASSWORD)
        await _open(pilot)
        assert number in said(app) and flat("银行抵押审核") in said(app)
        await keys(pilot, "tab", "enter")
        shown = said(app)
        assert flat("待中国工商银行审核") in shown and flat("F9 审核通过") in shown, shown
        await keys(pilot, "f9", *typed("DY2026-0001"), "tab", *typed("99"), "tab", "enter")
        assert flat("贷款年限须为1至30年。") in said(app)
        await keys(pilot, "ctrl+u", *typed("20"), "tab", "enter")
        assert flat("审核通过，已转“备案归档”。") in said(app)
    # the authority files it
    app = make_app(pc_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super_p", "Passw0rd1")
        await _open(pilot)
        await keys(pilot, *typed(number), "enter")
        assert flat("F9 备案") in said(app)
        await keys(pilot, "f9", "enter")
        shown = said(app)
        assert flat(f"已备案，备案号 YSBA{number[1:]}，业务已归档。") in shown, shown
    assert contracts.show_contract(pc_db, hall.dev, number).status_label == "已备案"
