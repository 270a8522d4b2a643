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


async def test_the_seed_refusals_at_acceptance_stay_in_the_form(pc_db) -> None:
    hall, permit = pc_db.hall, pc_db.permit
    contracts.restrict_unit(pc_db, hall.authority, hall.project_id, "D004", "3-01", kind="seizure",
                            document="（2026）湘0802执保123号", authority="永定区人民法院")
    contracts.start_contract(pc_db, hall.dev, permit_number=permit, unit_no="4-01")
    app = make_app(pc_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _open(pilot)
        await keys(pilot, "f2", *typed(permit), "tab", *typed("99-99"), "enter")
        assert isinstance(app.screen, ContractStepDialog)
        assert flat("没有找到有效许可证户室信息。") in said(app)
        for unit, sentence in (("3-01", "该户室已司法查封或行政限制。"), ("1-01", "物管用房不能销售。"),
                               ("4-01", "户室4-01已签约，不能重复销售。")):
            app.screen.query_one("#f-unit").focus()
            await keys(pilot, "ctrl+u", *typed(unit), "enter")
            assert isinstance(app.screen, ContractStepDialog) and flat(sentence) in said(app), unit
        app.screen.query_one("#f-permit").focus()
        await keys(pilot, "ctrl+u", *typed("YS2099-99999"), "tab", "ctrl+u", *typed("2-01"), "enter")
        assert flat("没有找到有效许可证户室信息。") in said(app)
        await keys(pilot, "escape")
        assert isinstance(app.screen, PresaleContractScreen)
        # a permit change open on the building stops new contracts
        from services.presale import permits

        permits.start_permit(pc_db, hall.dev, type_code="permit_presale_change", project_id=hall.project_id,
                             building="D004")
        await keys(pilot, "f2", *typed(permit), "tab", *typed("2-01"), "enter")
        assert flat("预售签约暂时不能发起业务") in said(app)


async def test_entry_refusals_under_their_fields_and_the_buyer_fixed_once_saved(pc_db) -> None:
    hall, permit = pc_db.hall, pc_db.permit
    number = contracts.start_contract(pc_db, hall.dev, permit_number=permit, unit_no="2-01").case_number
    app = make_app(pc_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _open(pilot)
        await keys(pilot, *typed(number), "enter", "f3", "f9")
        assert isinstance(app.screen, ContractEntryScreen)
        assert flat("未能保存，请按红字提示更正。") in said(app)
        await keys(pilot, "escape", "f3", *typed(BUYER.name), "tab", *typed(BUYER.id_number), "tab",
                   *typed(BUYER.phone), "tab", *typed("李四"), "tab", *typed("110101198505120037"), "tab",
                   *typed("13900139000"), "f9")
        assert flat("请填写单价。") in said(app)
        assert app.screen.focused is app.screen.query_one("#f-unit_price")
        await keys(pilot, *typed("10000"), "tab", "right", "right", "enter", "tab", *typed("400000"), "tab",
                   *typed("900000"), "tab", "tab", *typed(BANK), "tab", "tab", *typed("王小二"), "tab", *typed(BANK),
                   "f9")
        assert flat("首付款与贷款金额之和（1300000.00元）须等于总价款（1301000.00元）。") in said(app)
        await keys(pilot, "ctrl+u", *typed("401000"), "f9")
        assert isinstance(app.screen, PresaleContractScreen)
        assert flat("合同已保存（第1版）") in said(app) and flat("王小二") in said(app) and flat("李四") in said(app)
        # the buyers are shown, masked, and no longer typed; a second save keeps them
        await keys(pilot, "f3")
        shown = said(app)
        assert flat("购房主体一旦保存后将不能再次更改") in shown and flat("110101********0037") in shown
        assert not app.screen.query("#f-b0-name")
        assert app.screen.query_one("#f-unit_price").value == "10000"
        await keys(pilot, "f9")
        assert flat("合同已保存（第2版）") in said(app)
    assert [b.name for b in contracts.show_contract(pc_db, hall.dev, number).buyers] == ["王小二", "李四"]


async def test_a_paper_contract_attaches_its_scan(pc_db, tmp_path) -> None:
    hall, permit = pc_db.hall, pc_db.permit
    number = contracts.start_contract(pc_db, hall.dev, permit_number=permit, unit_no="2-01").case_number
    contracts.save_entry(pc_db, hall.dev, number, entry(signing_form="纸质合同"))
    contracts.record_payment(pc_db, hall.dev, number, "1301000.00")
    contracts.complete_entry(pc_db, hall.dev, number)
    fake, scan = tmp_path / "fake.pdf", tmp_path / "signed.pdf"
    fake.write_bytes(b"PK\x03\x04 not a pdf")
    scan.write_bytes(b"%PDF-1.4\n% signed and sealed\n")
    app = make_app(pc_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _open(pilot)
        await keys(pilot, *typed(number), "enter", "f7", *typed(str(tmp_path / "none.pdf")), "enter")
        assert flat("找不到合同扫描件文件，请确认文件路径。") in said(app)
        await keys(pilot, "ctrl+u", *typed(str(fake)), "enter")
        assert flat("上传的合同扫描件不是PDF文件，请扫描成PDF文件后上传。") in said(app)
        await keys(pilot, "ctrl+u", *typed(str(scan)), "enter")
        assert flat("合同扫描件已上传，请按 F4 提交签约。") in said(app)
        assert flat("扫描件已上传，按 F4 提交签约") in said(app) and app.screen.view.scan_path.endswith("signed.pdf")
        await keys(pilot, "f4")
        assert flat("签约已提交，请按 F9 合同盖章。") in said(app)


def _combined(db) -> str:  # type: ignore[no-untyped-def]
    """A combined-loan contract of 2-01, paid, signed and sealed: at the fund centre."""
    hall, permit = db.hall, db.permit
    number = contracts.start_contract(db, hall.dev, permit_number=permit, unit_no="2-01").case_number
    contracts.save_entry(db, hall.dev, number, entry(
        payment_method="组合贷", down_payment="401000.00", commercial_loan="500000.00", fund_loan="400000.00",
        loan_bank=BANK, fund_centre=CENTRE, mortgagor="王小二", mortgagee=f"{BANK}、{CENTRE}"))
    contracts.record_payment(db, hall.dev, number, "401000.00")
    contracts.complete_entry(db, hall.dev, number)
    contracts.send_buyer_code(db, hall.dev, number)
    contracts.verify_buyer_code(db, hall.dev, number, latest_code(db, BUYER.phone))
    contracts.confirm_signing(db, hall.dev, number)
    contracts.send_seal_code(db, hall.dev, number)
    contracts.seal_contract(db, hall.dev, number, latest_code(db, SEAL_PHONE))
    return number


async def test_a_combined_loan_goes_to_the_fund_centre_then_the_bank(pc_db) -> None:
    reviewer(pc_db, "gjj_a", CENTRE)
    reviewer(pc_db, "bank_a", BANK)
    number = _combined(pc_db)
    app = make_app(pc_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "bank_a", PASSWORD)
        await _open(pilot)
        assert number not in said(app)  # not the bank's yet
        await keys(pilot, *typed(number), "enter")
        assert flat(f"没有业务号或合同编号为“{number}”的商品房买卖合同。") in said(app)
    app = make_app(pc_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "gjj_a", PASSWORD)
        await _open(pilot)
        await keys(pilot, "tab", "enter")
        assert flat(f"待{CENTRE}审核") in said(app)
        await keys(pilot, "f9", "enter")
        assert flat("审核通过，已转“银行抵押审核”。") in said(app)
    app = make_app(pc_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "bank_a", PASSWORD)
        await _open(pilot)
        await keys(pilot, "tab", "enter", "f9", "tab", "tab", "enter")
        assert flat("请填写抵押合同编号。") in said(app)
        assert isinstance(app.screen, ContractStepDialog)
        await keys(pilot, *typed("DY2026-0001"), "tab", *typed("30"), "tab", "enter")
        assert flat("审核通过，已转“备案归档”。") in said(app)


# ---------------------------------------------------------------- snapshots (80×24)


def _snap(snap_compare, db, user: str, secret: str, *steps) -> bool:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:
        await login(pilot, user, secret)
        await _open(pilot)
        for step in steps:
            await keys(pilot, *step)
        pilot.app.clear_notifications()
        await pilot.pause()

    return snap_compare(make_app(db), terminal_size=SIZE, run_before=run_before)


def _entered(db) -> str:  # type: ignore[no-untyped-def]
    hall, permit = db.hall, db.permit
    number = contracts.start_contract(db, hall.dev, permit_number=permit, unit_no="2-01").case_number
    contracts.save_entry(db, hall.dev, number, entry(payment_method="商业贷款", down_payment="401000.00",
                                                     commercial_loan="900000.00", loan_bank=BANK, mortgagor="王小二",
                                                     mortgagee=BANK))
    contracts.record_payment(db, hall.dev, number, "300000.00")
    return number


def test_snapshot_the_list(snap_compare, pc_db) -> None:
    _entered(pc_db)
    assert _snap(snap_compare, pc_db, "dev_a", PASSWORD)


def test_snapshot_a_contract_being_entered(snap_compare, pc_db) -> None:
    number = _entered(pc_db)
    assert _snap(snap_compare, pc_db, "dev_a", PASSWORD, (*typed(number), "enter"))


def test_snapshot_the_acceptance_refused(snap_compare, pc_db) -> None:
    assert _snap(snap_compare, pc_db, "dev_a", PASSWORD, ("f2", *typed(pc_db.permit), "tab", *typed("1-01"), "enter"))


def test_snapshot_the_entry_form(snap_compare, pc_db) -> None:
    number = contracts.start_contract(pc_db, pc_db.hall.dev, permit_number=pc_db.permit, unit_no="2-01").case_number
    assert _snap(snap_compare, pc_db, "dev_a", PASSWORD, (*typed(number), "enter", "f3"))


def test_snapshot_the_entry_form_saved_once(snap_compare, pc_db) -> None:
    number = _entered(pc_db)
    assert _snap(snap_compare, pc_db, "dev_a", PASSWORD, (*typed(number), "enter", "f3"))


def test_snapshot_the_payment(snap_compare, pc_db) -> None:
    number = _entered(pc_db)
    assert _snap(snap_compare, pc_db, "dev_a", PASSWORD, (*typed(number), "enter", "f6"))


def test_snapshot_the_buyer_code(snap_compare, pc_db) -> None:
    number = _entered(pc_db)
    contracts.record_payment(pc_db, pc_db.hall.dev, number, "101000.00")
    contracts.complete_entry(pc_db, pc_db.hall.dev, number)
    assert _snap(snap_compare, pc_db, "dev_a", PASSWORD, (*typed(number), "enter", "f7"))


def test_snapshot_the_seal(snap_compare, pc_db) -> None:
    number = _entered(pc_db)
    dev = pc_db.hall.dev
    contracts.record_payment(pc_db, dev, number, "101000.00")
    contracts.complete_entry(pc_db, dev, number)
    contracts.send_buyer_code(pc_db, dev, number)
    contracts.verify_buyer_code(pc_db, dev, number, latest_code(pc_db, BUYER.phone))
    contracts.confirm_signing(pc_db, dev, number)
    assert _snap(snap_compare, pc_db, "dev_a", PASSWORD, (*typed(number), "enter", "f9"))


def test_snapshot_the_bank_review(snap_compare, pc_db) -> None:
    reviewer(pc_db, "bank_a", BANK)
    reviewer(pc_db, "gjj_a", CENTRE)
    number = _combined(pc_db)
    contracts.review_loan(pc_db, operators_login(pc_db, "gjj_a"), number, opinion="同意贷款。")
    assert _snap(snap_compare, pc_db, "bank_a", PASSWORD, ("tab", "enter", "f9"))


def test_snapshot_the_filing(snap_compare, pc_db) -> None:
    number = _entered(pc_db)
    dev = pc_db.hall.dev
    contracts.record_payment(pc_db, dev, number, "101000.00")
    contracts.complete_entry(pc_db, dev, number)
    contracts.send_buyer_code(pc_db, dev, number)
    contracts.verify_buyer_code(pc_db, dev, number, latest_code(pc_db, BUYER.phone))
    contracts.confirm_signing(pc_db, dev, number)
    contracts.send_seal_code(pc_db, dev, number)
    contracts.seal_contract(pc_db, dev, number, latest_code(pc_db, SEAL_PHONE))
    reviewer(pc_db, "bank_a", BANK)
    contracts.review_loan(pc_db, operators_login(pc_db, "bank_a"), number)
    assert _snap(snap_compare, pc_db, "super_p", "Passw0rd1", (*typed(number), "enter", "f9"))


def operators_login(db, username: str):  # type: ignore[no-untyped-def]
    from services import operators

    return operators.login(db, username, PASSWORD)


async def test_the_screen_grows_with_the_terminal(pc_db) -> None:
    number = _entered(pc_db)
    app = make_app(pc_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _open(pilot)
        await keys(pilot, *typed(number), "enter")
        detail = app.screen.query_one("#pc-detail")
        assert detail.size.width > 100 and detail.size.height > 20
        shown = said(app)  # at 120×40 the whole contract and its progress fit
        assert flat("缴款 应付 ¥401,000.00 已付 ¥300,000.00 尚欠 ¥101,000.00") in shown and flat("业务进度") in shown
