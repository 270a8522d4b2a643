"""At 80×24, by keys only: a supervisor's 限购/限售核定 (home menu U), and the buyer's
作废资格码 on the signing screen (F4). Keys are pressed without pauses between them."""

from __future__ import annotations


from sqlalchemy import select
from test_tui_support import SIZE, login, make_app, screen_text, settle
from test_use_class_review import _unnormalised_home

from services.resale import house_check as hc
from services.resale import signing
from storage.models import Home, SmsMessage, UseClassReview
from tests.contract_support import draft_contract
from tests.contract_tui_fixtures import demo_clerk, tui_clock  # noqa: F401 (fixtures)
from tui.screens.home import HomeScreen
from tui.screens.resale.sign_verify import SignVerifyScreen
from tui.screens.resale.use_class_review import TradeAsDialog, UseClassReviewScreen


def _pending(db, clerk):  # noqa: F811 (the fixture)
    home_id, person_id, phone = _unnormalised_home(db)
    check = hc.run_house_check(db, clerk, city="shenzhen", home_id=home_id,
                               party=hc.Counterparty(person_id, identity_verified=True))
    assert check.verdict == "review"
    return home_id, check.id, phone


async def test_a_supervisor_lets_a_home_be_traded_as_offices(sqlite_sample_db, clock, clerk):  # noqa: F811
    db = sqlite_sample_db
    home_id, check_id, phone = _pending(db, clerk)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        assert isinstance(app.screen, HomeScreen)
        assert "限购核定 1 件" in screen_text(app)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, UseClassReviewScreen)
        shown = screen_text(app)
        assert "限购/限售核定" in shown and "用途大类未规范" in shown and "F5 可以交易" in shown
        await pilot.press("f5", "down", "down", "enter")  # 按办公用房办理, without a pause
        await settle(pilot)
        assert isinstance(app.screen, UseClassReviewScreen)
        shown = screen_text(app)
        assert "可以交易，按办公用房办理" in shown and "没有待限购/限售核定的房源核验" in shown
    with db.read() as s:
        assert s.get(Home, home_id).use_class == "office"
        assert s.execute(select(UseClassReview.decision)).scalar_one() == "office"
        assert s.execute(select(SmsMessage.id).where(SmsMessage.phone == phone,
                                                     SmsMessage.purpose == "use_class_review")).first()


async def test_a_restriction_takes_its_reason_as_typed(sqlite_sample_db, clock, clerk):  # noqa: F811
    db = sqlite_sample_db
    home_id, _check_id, _phone = _pending(db, clerk)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("f6", "enter")  # Enter on an empty reason: the dialog stays, and says why
        await settle(pilot)
        assert "请填写原因" in screen_text(app)
        await pilot.press(*"[/x]限售房屋", "enter")
        await settle(pilot)
        assert "限售，不予交易" in screen_text(app)
    with db.read() as s:
        row = s.execute(select(UseClassReview)).scalar_one()
        assert (row.decision, row.reason) == ("restricted", "[/x]限售房屋") and s.get(Home, home_id).restricted


async def test_esc_in_the_choice_decides_nothing(sqlite_sample_db, clock, clerk):  # noqa: F811
    db = sqlite_sample_db
    _pending(db, clerk)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, TradeAsDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, UseClassReviewScreen)
    with db.read() as s:
        assert s.execute(select(UseClassReview)).all() == []


async def test_a_clerk_voids_the_qualification_on_the_signing_screen(sqlite_sample_db, clock, clerk):  # noqa: F811
    db = sqlite_sample_db
    view = draft_contract(db, clerk, city="shenzhen")
    signing.request_qualification(db, clerk, view.id)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        app.push_screen(SignVerifyScreen(view.id))
        await settle(pilot)
        assert "F4 作废资格码" in screen_text(app)
        await pilot.press("f4", *"买受人改签其他房屋", "enter")
        await settle(pilot)
        assert "购房资格码已作废" in screen_text(app)
        assert "F4 作废资格码" not in screen_text(app)
    from services.resale import contracts

    assert contracts.get_contract(db, clerk, view.id).qualification == "voided"
