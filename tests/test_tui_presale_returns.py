"""退房 at the terminal, 80×24: the developer opens it from the menu (T), accepts a return by contract
number, chooses the applicant and types the reason as fast as keys come, dispatches it; the
supervisor opens it from the menu, uploads the voucher and archives; the unit is sellable again.
Refusals are shown as their sentences; stored text is shown literally; an 80×24 snapshot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_tui_support import FIXED_NOW, SIZE, login, make_app, screen_text, settle, type_into
from textual import events
from textual.widgets import Input

from services.presale import board, contracts, developers
from services.presale import returns as return_service
from tests.conftest import SYSTEM, freeze
from tests.permit_support import add_certificates, archive_survey, grant
from tests.presale_support import PASSWORD, make_hall
from tests.test_presale_contracts import BANK, entry, paid_up, signed_and_sealed
from tui.screens.dialogs import ReasonDialog
from tui.screens.presale.returns import ReturnScreen

SUPERVISOR_PASSWORD = "Passw0rd1"  # conftest.make_operator's


@pytest.fixture
def return_db(sqlite_sample_db):
    """The demo hall with an enterprise whose D004 is under a permit and whose 2-01 is sold and filed."""
    from core.presale.developers import BankEntry
    from services.presale import projects

    db = sqlite_sample_db
    freeze(db, FIXED_NOW)
    hall = make_hall(db, 91, username="dev_a", supervisor="super_p")
    archive_survey(hall)
    add_certificates(hall)
    projects.change_project(db, SYSTEM, hall.project_id, property_company="张家界物业服务有限公司")
    permit = grant(hall, all_units=True).permit_number
    developers.add_bank(db, SYSTEM, hall.code, BankEntry(purpose="mortgage", bank_name=BANK, branch="张家界分行"))
    case = contracts.start_contract(db, hall.dev, permit_number=permit, unit_no="2-01").case_number
    contracts.save_entry(db, hall.dev, case, entry())
    paid_up(db, hall.dev, case)
    signed_and_sealed(db, hall.dev, case)
    db.presale = (hall, permit, contracts.file_contract(db, hall.authority, case).number)  # type: ignore[attr-defined]
    return db


async def _press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def _accept(pilot, number: str) -> None:
    await _press(pilot, "t")
    assert isinstance(pilot.app.screen, ReturnScreen)
    await type_into(pilot, "#return-contract", number)
    await _press(pilot, "f2")


async def _choose_first_buyer(pilot) -> None:
    pilot.app.screen.query_one("#return-applicant").focus()
    await _press(pilot, "enter", "down", "enter")


async def test_a_return_from_the_developer_to_the_authority(return_db, tmp_path: Path) -> None:
    hall, permit, number = return_db.presale
    app = make_app(return_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        assert "退房" in screen_text(app)
        await _accept(pilot, "NO-SUCH")
        assert "没有业务号或合同编号为“NO-SUCH”的商品房买卖合同。" in screen_text(app)
        await type_into(pilot, "#return-contract", number)
        await _press(pilot, "f2")
        shown = screen_text(app)
        assert "已受理，业务号 T" in shown and "退房原因录入" in shown and "买受人1：王小二" in shown
        case = app.screen.number  # type: ignore[attr-defined]
        # F4 before the reason: refused by its sentence
        await _press(pilot, "f4")
        assert "请先选择申请注销人并填写退房原因，再派工。" in screen_text(app)
        await _choose_first_buyer(pilot)
        # typed key by key with no pause, markup-looking text kept literally
        app.screen.query_one("#return-reason").focus()
        for key in "[b]资金困难[/b]":
            await pilot.press(key if key not in "[]/" else {"[": "left_square_bracket", "]": "right_square_bracket",
                                                            "/": "slash"}[key])
        await _press(pilot, "f3")
        shown = screen_text(app)
        assert "退房原因已保存" in shown and "退房原因：[b]资金困难[/b]" in shown and "申请注销人：王小二" in shown
        assert app.screen.query_one("#return-reason").value == ""  # typed (unmasked) text gone once saved
        await _press(pilot, "f4")
        assert "已派工给主管部门。" in screen_text(app)
        assert "F9" not in screen_text(app)  # the authority's keys are not the developer's
    voucher = tmp_path / "voucher.pdf"
    voucher.write_bytes(b"%PDF-1.4\n")
    app = make_app(return_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super_p", SUPERVISOR_PASSWORD)
        await _press(pilot, "t")
        assert isinstance(app.screen, ReturnScreen)
        assert "F2" not in screen_text(app)
        await type_into(pilot, "#return-number", case)
        await _press(pilot, "enter", "f9")
        assert "请先上传退房凭证（PDF），再归档。" in screen_text(app)  # received on the way, then refused
        await type_into(pilot, "#return-voucher", str(voucher))
        await _press(pilot, "f6", "f9")
        shown = screen_text(app)
        assert f"已归档：合同{number}已退房，户室2-01恢复可售。" in shown and "已退房" in shown
    lookup = board.unit_lookup(return_db, hall.dev, hall.project_id, "D004", "2-01")
    assert lookup.state_label == "可售" and lookup.history[0].status_label == "已退房"


async def test_the_screen_grows_with_the_terminal(return_db) -> None:
    hall, permit, number = return_db.presale
    app = make_app(return_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _accept(pilot, number)
        detail = app.screen.query_one("#return-detail")
        assert detail.size.height >= 20 and detail.size.width >= 110
        assert "已受理，业务号 T" in screen_text(app)


async def test_a_clerk_has_no_return_entry(return_db) -> None:
    from test_tui_support import password

    app = make_app(return_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1", password("clerk1"))
        await _press(pilot, "t")
        assert not isinstance(app.screen, ReturnScreen)


def test_snapshot_return_with_its_reason(snap_compare, return_db) -> None:
    hall, permit, number = return_db.presale
    case = return_service.start_return(return_db, hall.dev, contract=number).case_number
    return_service.save_reason(return_db, hall.dev, case, applicant=0,
                               reason="买受人因工作调动申请退房，电话13800138000。")

    async def run_before(pilot) -> None:
        await login(pilot, "dev_a", PASSWORD)
        await _press(pilot, "t")
        await type_into(pilot, "#return-number", case)
        await _press(pilot, "enter")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(return_db), terminal_size=SIZE, run_before=run_before)


async def test_a_long_paste_into_the_cancel_dialog_is_cut_to_the_field_and_said_so(return_db) -> None:
    """Found by use: 10,000 characters pasted into 取消受理's 400-character reason left it empty
    without a word (Textual's own Input refuses a paste that does not fit whole)."""
    hall, permit, number = return_db.presale
    app = make_app(return_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _accept(pilot, number)
        await _press(pilot, "f12")
        assert isinstance(app.screen, ReasonDialog)
        reason = app.screen.query_one("#reason", Input)
        assert app.focused is reason
        app.post_message(events.Paste("退" * 10_000))
        await settle(pilot)
        assert reason.value == "退" * 400
        shown = re.sub(r"[\s│]", "", screen_text(app))  # the sentence wraps in the dialog
        assert "粘贴的内容超出本栏长度，只保留了前400个字（本栏最多400个字）。" in shown
        # the return's own reason field says so too
        await _press(pilot, "escape")
        field = app.screen.query_one("#return-reason", Input)
        field.focus()
        await settle(pilot)
        app.post_message(events.Paste("因" * 10_000))
        await settle(pilot)
        assert field.value == "因" * 200 and "只保留了前 200 个字（本栏最多 200 个字）" in screen_text(app)


async def test_a_clerks_slips_at_the_return_are_answered_plainly(return_db) -> None:
    """No applicant chosen; the room typed without its separator; the contract number typed in
    full width with a Chinese input method; a list opened: each answered in plain Chinese."""
    hall, permit, number = return_db.presale
    app = make_app(return_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _press(pilot, "t")
        await type_into(pilot, "#return-building", "D004")
        await type_into(pilot, "#return-unit", "201")
        await _press(pilot, "f2")
        assert "没有找到有效许可证户室信息；该幢有户室“2-01”，请按许可证上的户室号输入。" in screen_text(app)
        await type_into(pilot, "#return-unit", "")
        wide = number.lower().translate({code: code + 0xFEE0 for code in range(0x21, 0x7F)})
        await type_into(pilot, "#return-contract", wide[:8])
        await _press(pilot, "f2")
        assert f"没有业务号或合同编号为“{wide[:8]}”的商品房买卖合同。" in screen_text(app)
        await type_into(pilot, "#return-contract", wide)
        await _press(pilot, "f2")
        assert "已受理，业务号 T" in screen_text(app)
        app.screen.query_one("#return-reason").focus()
        await pilot.press(*"资金困难")
        await _press(pilot, "f3")
        assert "请选择申请注销人。" in screen_text(app) and "买受人之一" not in screen_text(app)
        # the list of buyers open: its key in the footer in Chinese, never Textual's "Dismiss menu"
        app.screen.query_one("#return-applicant").focus()
        await _press(pilot, "enter")
        keys = {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
        assert "收起列表" in keys and not any(key.isascii() for key in keys), keys

