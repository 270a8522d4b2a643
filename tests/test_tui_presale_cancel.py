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


async def _from_in_hand(pilot, number: str) -> None:  # type: ignore[no-untyped-def]
    """在手业务, the cursor on case ``number``, Enter: the screen where it is worked."""
    await keys(pilot, "2")
    screen = pilot.app.screen
    index = next(i for i, row in enumerate(screen.rows.values()) if row.number == number)
    screen.query_one("#cases").move_cursor(row=index)
    await settle(pilot)
    await keys(pilot, "enter")


async def test_a_house_return_and_a_permit_change_cancelled_on_their_screens(sqlite_sample_db) -> None:
    from services import operators
    from services.presale import permits, projects, returns
    from tui.screens.presale.permit import PermitScreen
    from tui.screens.presale.returns import ReturnScreen

    db = sqlite_sample_db
    dev = operators.login(db, "xj01", "Demo2026xj01")
    filed = next(r for r in contracts.list_contracts(db, dev) if r.filing_number and r.number.startswith("YS"))
    back = returns.start_return(db, dev, contract=filed.number).case_number
    [project] = [p for p in projects.list_projects(db, dev) if p.name == "星城雅苑"]
    change = permits.start_permit(db, dev, type_code="permit_presale_change", project_id=project.id,
                                  building="1栋").case_number
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "xj01", "Demo2026xj01")
        await _from_in_hand(pilot, back)
        assert isinstance(app.screen, ReturnScreen) and "F12 取消受理" in screen_text(app)
        await keys(pilot, "f12", *typed("buyer keeps the house"), "enter")
        assert flat(f"已取消受理 {back}，合同{filed.number}照常履行。") in said(app)
        assert "F12 取消受理" not in screen_text(app)
        await keys(pilot, "escape")
        await _from_in_hand(pilot, change)
        assert isinstance(app.screen, PermitScreen) and change in screen_text(app)
        await keys(pilot, "f12", *typed("no change needed"), "enter")
        assert flat(f"已取消受理 {change}，该申请已作废。") in said(app)
    assert returns.show_return(db, dev, back).case_status_label == "已取消受理"
    assert contracts.show_contract(db, dev, filed.number).status_label == "已备案"


async def test_a_fund_withdrawal_cancelled_on_its_screen(sqlite_sample_db) -> None:
    from services import operators
    from services.presale import funds
    from tui.screens.presale.funds import FundScreen

    db = sqlite_sample_db
    dev = operators.login(db, "xj01", "Demo2026xj01")
    agreement = next(r.agreement_number for r in funds.list_agreements(db, dev) if r.status_label == "现行")
    number = funds.start_withdrawal(db, dev, agreement)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "xj01", "Demo2026xj01")
        await _from_in_hand(pilot, number)
        assert isinstance(app.screen, FundScreen) and "F12 取消受理" in screen_text(app)
        await keys(pilot, "f12", *typed("not now"), "enter")
        assert flat(f"已取消受理 {number}，该支取申请已作废。") in said(app)
        assert "F12 取消受理" not in screen_text(app)
    assert funds.show_withdrawal(db, dev, number).status_label == "已作废"
