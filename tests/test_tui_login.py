"""登录 and 退出登录 through the terminal."""

from __future__ import annotations

from sqlalchemy import select
from test_tui_support import SIZE, login, make_app, screen_text, settle, text_of

from storage.models import Operator
from tui.screens.home import HomeScreen
from tui.screens.login import LoginScreen


async def test_login_shows_the_operator_in_the_title_bar(sqlite_sample_db) -> None:
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        assert isinstance(app.screen, HomeScreen)
        name = app.actor.name
        assert app.sub_title == f"{name} · 窗口受理员 · 03号窗口"
        shown = screen_text(app)
        assert f"网签柜台 — {name} · 窗口受理员 · 03号窗口" in shown
        assert "待处理业务数：0" in shown
        assert "退出登录" in shown


async def test_wrong_password_is_refused_and_five_failures_lock_the_account(sqlite_sample_db) -> None:
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk2", "wrong-password")
        assert isinstance(app.screen, LoginScreen)
        assert text_of(app, "#login-error") == "用户名或密码错误。"
        assert "用户名或密码错误。" in screen_text(app)
        for _ in range(4):
            await login(pilot, "clerk2", "wrong-password")
        assert text_of(app, "#login-error") == "密码连续错误 5 次，账户已锁定，请联系系统管理员解锁。"
        # Locked now: even the right password is refused.
        await login(pilot, "clerk2")
        assert isinstance(app.screen, LoginScreen)
        assert "已锁定" in text_of(app, "#login-error")
    with sqlite_sample_db.read() as session:
        op = session.execute(select(Operator).where(Operator.username == "clerk2")).scalar_one()
        assert op.locked


async def test_empty_form_is_refused(sqlite_sample_db) -> None:
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert text_of(app, "#login-error") == "请输入用户名和密码。"


async def test_logout_returns_to_an_empty_login_form(sqlite_sample_db) -> None:
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await pilot.press("2")  # 在手业务, to have a screen stacked on the desk
        await settle(pilot)
        await pilot.press("escape", "f10")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.actor is None and app.sub_title == ""
        assert app.screen.query_one("#password").value == ""
        await login(pilot, "super1")
        assert isinstance(app.screen, HomeScreen)
        assert "审核主管" in app.sub_title


async def test_home_menu_opens_functions_and_logs_out(sqlite_sample_db) -> None:
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await pilot.press("enter")  # 申请人查询 is highlighted first
        await settle(pilot)
        assert type(app.screen).__name__ == "LookupScreen"
        await pilot.press("escape")
        menu = app.screen.query_one("#home-menu")
        menu.highlighted = menu.get_option_index("logout")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "Ctrl+Q" in screen_text(app) and "退出程序" in screen_text(app)
