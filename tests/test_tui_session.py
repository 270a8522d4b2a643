"""A terminal's session follows its account: when an administrator disables or re-roles
the operator, the next action is refused, the session ends and the login form says why."""

from __future__ import annotations

from test_tui_support import SIZE, login, make_app, screen_text, settle, type_into

from services import operators
from tests.conftest import SYSTEM
from tui.screens.login import LoginScreen


async def _search_from_lookup(pilot, text: str) -> None:
    await pilot.press("1")  # 申请人查询
    await settle(pilot)
    await type_into(pilot, "#query", text)
    await settle(pilot)


async def test_a_disabled_operator_is_sent_back_to_the_login_form(sqlite_sample_db) -> None:
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        operators.set_active(sqlite_sample_db, SYSTEM, "clerk1", False)  # meanwhile, at the admin's desk
        await _search_from_lookup(pilot, "王")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.actor is None
        assert "您的账户已被停用" in screen_text(app)
        await login(pilot, "clerk1")  # and the account cannot come back in
        assert isinstance(app.screen, LoginScreen) and "该账户已停用" in screen_text(app)


async def test_a_re_roled_operator_logs_in_again_under_the_new_role(sqlite_sample_db) -> None:
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        operators.set_role(sqlite_sample_db, SYSTEM, "super1", "clerk")
        await _search_from_lookup(pilot, "王")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and "您的角色已变更为窗口受理员" in screen_text(app)
        await login(pilot, "super1")
        assert app.actor is not None and app.actor.role.value == "clerk"
