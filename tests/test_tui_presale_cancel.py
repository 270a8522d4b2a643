"""取消受理 on the presale work screens (F12, with its reason), at 80×24: the contract's unit is
released and a new contract on it starts; a paid contract is refused with the seed's way out (退房);
a survey is void and its building can be imported again; the key is offered only where the stage
allows it. The reason is typed with no pause between keys."""

from __future__ import annotations

from test_tui_support import SIZE, login, make_app, screen_text, settle, type_into

from services.presale import board, contracts, surveys
from tests.presale_support import PASSWORD
from tests.test_presale_contracts import entry
from tests.test_tui_presale_contracts import flat, keys, pc_db, said, typed  # noqa: F401 (pc_db: a fixture)
from tests.test_tui_presale_surveys import _open as open_survey
from tests.test_tui_presale_surveys import _start, survey_db  # noqa: F401 (survey_db: a fixture)
from tui.screens.dialogs import ReasonDialog
from tui.screens.presale.contract import PresaleContractScreen
from tui.screens.presale.survey import SurveyScreen


async def _show_contract(pilot, number: str) -> None:  # type: ignore[no-untyped-def]
    await login(pilot, "dev_a", PASSWORD)
    await keys(pilot, "q")
    assert isinstance(pilot.app.screen, PresaleContractScreen)
    await type_into(pilot, "#pc-number", number)
    await keys(pilot, "enter")


async def test_the_developer_cancels_a_contract_being_entered_and_the_unit_is_free(pc_db) -> None:
    hall, permit = pc_db.hall, pc_db.permit
    number = contracts.start_contract(pc_db, hall.dev, permit_number=permit, unit_no="2-01").case_number
    app = make_app(pc_db)
    async with app.run_test(size=SIZE) as pilot:
        await _show_contract(pilot, number)
        assert "F12取消受理" in said(app)
        await keys(pilot, "f12")
        assert isinstance(app.screen, ReasonDialog)
        await keys(pilot, "enter")  # no reason: the dialog stays open and says so
        assert isinstance(app.screen, ReasonDialog)
        await keys(pilot, *typed("buyer gave up"), "enter")
        assert isinstance(app.screen, PresaleContractScreen)
        assert flat(f"已取消受理{number}，户室2-01已释放，可重新签约。") in said(app)
        assert "已取消受理" in said(app) and "F12取消受理" not in said(app)  # nothing left to cancel
    assert board.unit_lookup(pc_db, hall.dev, hall.project_id, "D004", "2-01").state_label == "可售"
    assert contracts.start_contract(pc_db, hall.dev, permit_number=permit, unit_no="2-01").case_number != number


async def test_a_paid_contract_is_refused_and_a_sealed_one_offers_no_cancel(pc_db) -> None:
    hall, permit = pc_db.hall, pc_db.permit
    number = contracts.start_contract(pc_db, hall.dev, permit_number=permit, unit_no="2-02").case_number
    contracts.save_entry(pc_db, hall.dev, number, entry())
    contracts.record_payment(pc_db, hall.dev, number, "1000.00")
    app = make_app(pc_db)
    async with app.run_test(size=SIZE) as pilot:
        await _show_contract(pilot, number)
        await keys(pilot, "f12", *typed("no"), "enter")
        assert flat("买受人已缴款，不能取消受理，请办理退房。") in said(app)
        assert contracts.show_contract(pc_db, hall.dev, number).case_status_label == "未办结"
        view = contracts.show_contract(pc_db, hall.dev, number)
        contracts.record_payment(pc_db, hall.dev, number, view.amount_due - view.paid)
        contracts.complete_entry(pc_db, hall.dev, number)
        await keys(pilot, "f5")  # read again: at 签约环节 there is no F12
        assert "签约环节" in said(app) and "F12" not in screen_text(app)
        await keys(pilot, "f12")
        assert isinstance(app.screen, PresaleContractScreen)


async def test_the_developer_cancels_a_survey_before_dispatch(survey_db) -> None:
    number = _start(survey_db)
    app = make_app(survey_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_survey(pilot, "dev_a", PASSWORD, number)
        assert "F12 取消受理" in screen_text(app)
        await pilot.press("f12", *"file was wrong", "enter")  # a burst: the dialog gets every key
        await settle(pilot)
        assert isinstance(app.screen, SurveyScreen)
        assert flat(f"已取消受理{number}，该测绘成果已作废，本栋可重新导入。") in said(app)
        assert "F12 取消受理" not in screen_text(app)
    assert surveys.show_survey(survey_db, survey_db.presale.dev, number).status_label == "已作废"
    assert _start(survey_db) != number  # the building takes a new import


def test_snapshot_the_contract_cancel_reason(snap_compare, pc_db) -> None:
    number = contracts.start_contract(pc_db, pc_db.hall.dev, permit_number=pc_db.permit, unit_no="2-03").case_number

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _show_contract(pilot, number)
        await keys(pilot, "f12", *typed("买受人放弃购买"))
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(pc_db), terminal_size=SIZE, run_before=run_before)


def test_snapshot_a_survey_with_its_cancel_key(snap_compare, survey_db) -> None:
    number = _start(survey_db)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_survey(pilot, "dev_a", PASSWORD, number)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(survey_db), terminal_size=SIZE, run_before=run_before)
