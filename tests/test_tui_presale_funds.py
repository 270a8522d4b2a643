"""预售资金监管 at the terminal (80x24): the developer accepts an agreement (F2), enters it (F3:
the key supervised amount computed), saves the text (F6) and dispatches it (F4); the authority
signs its opinion (F9); on the agreement in force the withdrawal table (F7) shows every unit
未售 and a second withdrawal is refused in the seed's words; a snapshot of an agreement."""

from __future__ import annotations

import pytest
from test_tui_support import FIXED_NOW, SIZE, login, make_app, screen_text, settle, text_of, type_into

from services import cases
from services.presale import funds
from tests.conftest import freeze
from tests.fund_support import make_fund_hall
from tests.presale_support import PASSWORD
from tui.screens.presale.funds import FundFormDialog, FundScreen


@pytest.fixture
def fund_db(sqlite_sample_db):
    freeze(sqlite_sample_db, FIXED_NOW)
    sqlite_sample_db.fund = make_fund_hall(sqlite_sample_db, 81)  # type: ignore[attr-defined]
    return sqlite_sample_db


async def _press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def _open(pilot, number: str = "") -> None:
    await _press(pilot, "z")
    assert isinstance(pilot.app.screen, FundScreen)
    if number:
        await type_into(pilot, "#fund-number", number)
        await _press(pilot, "enter")


def _entered(h) -> str:  # type: ignore[no-untyped-def]
    number = funds.start_agreement(h.db, h.dev, kind="sign", project_id=h.hall.project_id, building="D004").case_number
    funds.enter_agreement(h.db, h.dev, number, bank_id=h.bank_id, works_progress="主体结构施工至3层",
                          presale_total="15000000", unsupervised=["3-04"])
    return number


async def test_the_developer_accepts_enters_and_dispatches_an_agreement(fund_db) -> None:
    h = fund_db.fund
    app = make_app(fund_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        assert "预售资金监管" in screen_text(app)
        await _open(pilot)
        await _press(pilot, "f2")
        assert isinstance(app.screen, FundFormDialog)
        await type_into(pilot, "#fund-project", "1e309")  # the service reads what was typed
        await type_into(pilot, "#fund-building", "D004")
        await _press(pilot, "f9")
        assert isinstance(app.screen, FundFormDialog) and app.focused.id == "fund-project"  # type: ignore[union-attr]
        assert text_of(app, "#fund-form-message") == "项目编号应为数字。"
        await type_into(pilot, "#fund-project", str(h.hall.project_id))
        await _press(pilot, "f9")
        shown = screen_text(app)
        assert "已受理 Z20261121" in shown and "预售资金监管协议签订　协议录入（未办结）" in shown
        await _press(pilot, "f4")
        assert "请先完成协议录入，再编辑协议书。" in screen_text(app)
        await _press(pilot, "f3")
        await type_into(pilot, "#fund-bank", "[/x]")
        await _press(pilot, "f9")
        assert app.focused.id == "fund-bank" and text_of(app, "#fund-form-message") == "监管账户编号应为数字。"  # type: ignore[union-attr]
        await type_into(pilot, "#fund-bank", "")  # the enterprise's only account
        await type_into(pilot, "#fund-progress", "主体结构施工至3层")
        await type_into(pilot, "#fund-total", "15000000")
        await type_into(pilot, "#fund-unsupervised", "3-04")
        await _press(pilot, "f9")
        shown = screen_text(app)
        assert "协议录入已保存：重点监管金额 ¥1,650,000.00。" in shown and "监管户室 11/12 套" in shown
        assert "3-04" in shown and "不监管" in shown
        await _press(pilot, "f4")
        assert "请先编辑协议书（选择协议模板并保存），再派工。" in screen_text(app)
        await _press(pilot, "f6", "f4")
        shown = screen_text(app)
        assert "已派工审核。" in shown and "主管部门审核" in shown


async def test_the_authority_signs_its_opinion(fund_db) -> None:
    h = fund_db.fund
    number = _entered(h)
    funds.save_text(h.db, h.dev, number)
    funds.submit_agreement(h.db, h.dev, number)
    cases.receive_case(h.db, h.authority, number)
    app = make_app(fund_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super_p", "Passw0rd1")
        await _open(pilot, number)
        await _press(pilot, "f9")
        assert isinstance(app.screen, FundFormDialog)
        await _press(pilot, "f9")
        assert "审核通过，已派工至“监管银行审核”。" in screen_text(app)


async def test_the_withdrawal_table_and_one_withdrawal_at_a_time(fund_db) -> None:
    h = fund_db.fund
    number = _entered(h)
    funds.save_text(h.db, h.dev, number)
    funds.submit_agreement(h.db, h.dev, number)
    for reviewer in (h.authority, h.bank):
        cases.receive_case(h.db, reviewer, number)
        funds.review_agreement(h.db, reviewer, number)
    app = make_app(fund_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _open(pilot, number)
        assert "现行" in screen_text(app)
        await _press(pilot, "f7")
        shown = screen_text(app)
        assert "一般资金支取　协议号" in shown and "未售" in shown and "当前没有在支取中的业务" in shown
        await _press(pilot, "f2")
        assert "已受理一般资金支取 Z20261121" in screen_text(app)
        await _press(pilot, "f7", "f2")
        assert "该协议有在支取中的业务，不能同时再发起。" in screen_text(app)


def test_snapshot_agreement_entered(snap_compare, fund_db) -> None:
    number = _entered(fund_db.fund)

    async def run_before(pilot) -> None:
        await login(pilot, "dev_a", PASSWORD)
        await _open(pilot, number)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(fund_db), terminal_size=SIZE, run_before=run_before)


async def test_a_back_entry_uploads_the_signed_agreement_before_it_goes_to_the_bank(fund_db, tmp_path) -> None:
    h = fund_db.fund
    number = funds.start_agreement(h.db, h.dev, kind="backfill", project_id=h.hall.project_id,
                                   building="D004").case_number
    funds.enter_agreement(h.db, h.dev, number, bank_id=h.bank_id, works_progress="已封顶", presale_total="9000000")
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(b"%PDF-1.4\n%signed\n")
    app = make_app(fund_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _open(pilot, number)
        assert "协议扫描件：未上传" in screen_text(app)
        await _press(pilot, "f6")
        assert isinstance(app.screen, FundFormDialog)
        await type_into(pilot, "#fund-file", str(tmp_path / "nothing.pdf"))
        await _press(pilot, "f9")
        assert text_of(app, "#fund-form-message") == "找不到资金监管协议扫描件文件，请确认文件路径。"
        await _press(pilot, "escape", "f4")
        assert "协议补录须先上传已签订的资金监管协议扫描件" in screen_text(app)
        await _press(pilot, "f6")
        await type_into(pilot, "#fund-file", str(scan))
        await _press(pilot, "f9")
        assert "协议扫描件：已上传" in screen_text(app)
        await _press(pilot, "f4")
        shown = screen_text(app)
        assert "已派工审核。" in shown and "监管银行审核" in shown
