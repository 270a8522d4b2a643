"""Enter on a case in 在手业务 / 已办业务 opens the screen where it is worked, on that case: a
presale contract (the developer's, the bank's), a permit, a property-room designation, a fund
agreement, a resale contract; a type without a screen of its own shows the case, its footer naming
the keys that work on it. Esc comes back to the list."""

from __future__ import annotations

from test_tui_support import SIZE, FixedClock, login, make_app, screen_text, settle

from textual.widgets import Input

from tui.screens.cases import CaseDetailScreen
from tui.screens.cases import DoneScreen, InHandScreen
from tui.screens.presale.contract import PresaleContractScreen
from tui.screens.presale.funds import FundScreen
from tui.screens.presale.permit import PermitScreen
from tui.screens.resale.desk import ContractDeskScreen


async def _list(pilot, key: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(key)  # 2 在手业务, 3 已办业务
    await settle(pilot)
    assert isinstance(pilot.app.screen, InHandScreen if key == "2" else DoneScreen)


async def _enter_on(pilot, type_code: str) -> str:  # type: ignore[no-untyped-def]
    """Put the list's cursor on the first case of ``type_code`` (as ↓ would) and press Enter."""
    screen = pilot.app.screen
    rows = list(screen.rows.values())
    index = next(i for i, row in enumerate(rows) if row.type_code == type_code)
    table = screen.query_one("#cases")
    table.focus()
    table.move_cursor(row=index)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    return rows[index].number


async def _back(pilot) -> None:  # type: ignore[no-untyped-def]
    while not isinstance(pilot.app.screen, InHandScreen | DoneScreen):
        await pilot.press("escape")
        await settle(pilot)


async def test_the_developer_opens_a_presale_contract_from_the_cases_in_hand(sqlite_sample_db) -> None:
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "xj01", "Demo2026xj01")
        await _list(pilot, "2")
        number = await _enter_on(pilot, "presale_signing")
        screen = app.screen
        assert isinstance(screen, PresaleContractScreen)
        assert screen.view is not None and screen.view.case_number == number
        assert number in screen_text(app) and "合同信息录入" in screen_text(app)
        await _back(pilot)  # Esc: the contract's list first, then the cases in hand
        assert isinstance(app.screen, InHandScreen)
        # 已办业务: the same screen shows a case the developer finished a stage of
        await pilot.press("escape")
        await settle(pilot)
        await _list(pilot, "3")
        number = await _enter_on(pilot, "presale_signing")
        assert isinstance(app.screen, PresaleContractScreen) and app.screen.view.case_number == number


async def test_the_bank_reviewer_opens_the_contract_it_reviews(sqlite_sample_db) -> None:
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "bank01", "Demo2026bank01")
        await _list(pilot, "2")
        number = await _enter_on(pilot, "presale_signing")
        assert isinstance(app.screen, PresaleContractScreen) and app.screen.view.case_number == number
        assert "审核通过" in screen_text(app)  # its F9, at the bank's stage
        await _back(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await _list(pilot, "3")
        number = await _enter_on(pilot, "fund_agreement")
        assert isinstance(app.screen, FundScreen) and number in screen_text(app)


async def test_the_authority_opens_permits_rooms_agreements_and_resale_contracts_it_worked(sqlite_sample_db) -> None:
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1", "Demo2026super1")
        await _list(pilot, "3")
        for type_code, kind in (("permit_presale", PermitScreen), ("room_predicted", PermitScreen),
                                ("fund_agreement", FundScreen), ("spot_signing", PresaleContractScreen),
                                ("resale_signing", ContractDeskScreen)):
            number = await _enter_on(pilot, type_code)
            assert isinstance(app.screen, kind), type_code
            assert number in screen_text(app) or app.screen.query_one(Input).value == number, type_code
            await _back(pilot)


async def test_a_case_without_a_screen_of_its_own_shows_itself_and_the_keys_that_work(sqlite_sample_db) -> None:
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1", "Demo2026super1")
        await _list(pilot, "2")
        number = await _enter_on(pilot, "resale_cancel")  # a cancellation waiting to be received
        assert isinstance(app.screen, CaseDetailScreen)
        text = screen_text(app)
        assert number in text and "存量房网签注销" in text and "F5 接件" in text and "Esc" in text
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f5")  # 接件 on the list, as the screen said
        await settle(pilot)
        assert f"已接件：{number}。" in screen_text(app)


def test_snapshot_a_case_without_a_screen_of_its_own(snap_compare, sqlite_sample_db) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await login(pilot, "super1", "Demo2026super1")
        await _list(pilot, "2")
        await _enter_on(pilot, "resale_cancel")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(sqlite_sample_db, clock=FixedClock()), terminal_size=SIZE, run_before=run_before)
