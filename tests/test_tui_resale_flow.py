"""The whole resale flow at 80×24, from the home menu, by keys only, in each city:
产权校验·房源核验 → 合同录入 → (Shenzhen: 购房资格审查) → 短信验证 → 提交备案 → 备案.

The screens are tested one by one in their own files; this test proves they
are joined as a clerk and a supervisor use them (tui/screens/resale.py and the
home menu), with every service call made by the screens themselves.
"""

from __future__ import annotations

import pytest
from test_tui_contract_entry import BUYER_ID, _choose, _fill_buyer, _radio, _type
from test_tui_house_check import _fill_party, _lookup_certificate
from test_tui_support import (
    SIZE,
    login,
    make_app,
    screen_text,
    settle,
    text_of,
    type_into,
)

from services.resale import contracts as svc
from storage.models import ContractParty
from tests.conftest import configure, freeze
from tests.contract_support import BUYER_PHONE, NOW, latest_code, pick_home
from tests.test_tui_cases import _actor
from tui.screens.resale.desk import ContractDeskScreen
from tui.screens.resale.entry import ContractEntryScreen
from tui.screens.resale.filing_review import FilingReviewScreen
from tui.screens.home import HomeScreen
from tui.screens.resale.house_check import HouseCheckScreen
from tui.screens.resale.sign_verify import SignVerifyScreen


async def _press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def _back_home(pilot) -> None:
    for _ in range(6):
        if isinstance(pilot.app.screen, HomeScreen):
            return
        await _press(pilot, "escape")
    assert isinstance(pilot.app.screen, HomeScreen)


async def _logout_login(pilot, username: str) -> None:
    await _back_home(pilot)
    await _press(pilot, "f10")
    await login(pilot, username)
    assert isinstance(pilot.app.screen, HomeScreen)


async def _open_desk_on(pilot, number: str) -> ContractDeskScreen:
    await _press(pilot, "c")
    desk = pilot.app.screen
    assert isinstance(desk, ContractDeskScreen)
    await type_into(pilot, "#desk-number", number)
    await _press(pilot, "enter")
    assert desk.view is not None and desk.view.number == number
    return desk


def _phone(db, contract_id: int, key: str) -> str:
    from sqlalchemy import select

    with db.read() as s:
        return s.execute(select(ContractParty.phone).where(ContractParty.contract_id == contract_id,
                                                           ContractParty.party_key == key)).scalar_one()


@pytest.mark.parametrize("city", ["shenzhen", "zhongshan", "wuhan"])
async def test_a_clerk_and_a_supervisor_take_a_home_from_check_to_filing(sample_db, city):
    db = sample_db  # both databases: the whole counter flow through the screens
    freeze(db, NOW)  # the services' clock and the app's
    configure(db, city=city)
    home, owner = pick_home(db, city)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")

        # 1. 产权校验·房源核验 (H)
        await _press(pilot, "h")
        check = app.screen
        assert isinstance(check, HouseCheckScreen)
        if city == "wuhan":
            await type_into(pilot, "#f-records_id", owner.id_number)
            await _press(pilot, "enter")
            if check.home is None:
                await check.query_one("#homes").move_cursor(row=list(check.hits).index(str(home.id)))
                await _press(pilot, "enter")
            check.query_one("#pr-not_restricted").value = True  # the district office's answer
            await settle(pilot)
        else:
            await _lookup_certificate(pilot, home.certificate_number,
                                      home.check_code if city == "zhongshan" else None)
        assert check.home.id == home.id
        await _fill_party(pilot, owner.name, owner.id_number)
        await _press(pilot, "f5")
        assert check.result.passed, [r.reason for r in check.result.failures]

        # 2. 合同录入 (F7 on the passed check)
        await _press(pilot, "f7")
        entry = app.screen
        assert isinstance(entry, ContractEntryScreen)
        await settle(pilot)
        await _radio(pilot, "co_ownership", 0)
        await _fill_buyer(pilot, 0, "李买方", BUYER_ID, BUYER_PHONE)
        await _type(pilot, "price", "2350000")
        await _choose(pilot, "payment_method", 1)
        await _radio(pilot, "fund_supervised", 1)  # 否
        await _press(pilot, "ctrl+s")
        view = entry.view
        assert view is not None and view.status == "draft", text_of(app, "#ce-message")
        number = view.number

        # 3. Shenzhen: the buyer's qualification, requested by the clerk, approved by a supervisor
        if view.qualification_required:
            await _back_home(pilot)
            desk = await _open_desk_on(pilot, number)
            await _press(pilot, "f3")
            assert desk.view.qualification_label == "审查中"
            await _logout_login(pilot, "super1")
            await _press(pilot, "b")
            review = app.screen
            assert isinstance(review, FilingReviewScreen)
            await _press(pilot, "f3")  # the 购房资格审查 tab
            await _press(pilot, "f5")
            assert svc.get_contract(db, _actor(db, "clerk1"), view.id).qualification == "approved"
            await _logout_login(pilot, "clerk1")
            desk = await _open_desk_on(pilot, number)
            await _press(pilot, "f5")  # 短信验证
        else:
            await _press(pilot, "f6")  # 短信验证 straight from the saved draft

        # 4. 短信验证: each party's code from their own phone
        sign = app.screen
        assert isinstance(sign, SignVerifyScreen)
        for index, key in enumerate(("seller:0", "buyer:0")):
            sign.query_one(f"#code-{index}").focus()
            await _press(pilot, "f5")
            await type_into(pilot, f"#code-{index}", latest_code(db, _phone(db, view.id, key)))
            await _press(pilot, "enter")
        await _press(pilot, "f9")
        assert text_of(app, "#sv-status") == ("合同状态：已备案" if city == "zhongshan" else "合同状态：已签约")

        # 5. 备案 as the city files (core.resale.filing), from the desk
        await _back_home(pilot)
        desk = await _open_desk_on(pilot, number)
        if city == "zhongshan":  # signed is filed (seed 002 三(六)): nothing is left to do
            assert desk.view.status == "filed" and desk.check_action("file", ()) is False
        elif city == "wuhan":  # filed at the transfer registration (seed 003 提示3)
            assert desk.view.status == "signed"
            await _press(pilot, "f4")
            await type_into(pilot, "#text", "WHDJ202611200007")
            await _press(pilot, "enter")
            assert desk.view.status == "filed"
        else:  # Shenzhen: the 承诺书 handed back (seed 001 §5.3.4), then the supervisors' review
            assert desk.view.status == "signed"
            await _press(pilot, "f4", "enter")  # 登记承诺书
            await _press(pilot, "f4")  # 提交备案
            assert desk.view.case_stage == "filing_review"
            await _logout_login(pilot, "super1")
            await _press(pilot, "b")
            assert number in screen_text(app)
            await _press(pilot, "f5")
    filed = svc.get_contract(db, _actor(db, "clerk1"), view.id)
    assert filed.status == "filed" and filed.filing_number and filed.profile_ref == f"{city}/1"
