"""登录 and 退出登录 through the terminal."""

from __future__ import annotations

import threading

from sqlalchemy import select
from test_tui_support import SIZE, login, make_app, password, screen_text, settle, text_of, type_into

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
        await pilot.press("right", "end", "enter")  # 退出登录 ends the right column
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "Ctrl+Q" in screen_text(app) and "退出程序" in screen_text(app)


async def test_a_menu_letter_works_in_either_case(sqlite_sample_db) -> None:
    """The menu shows C, H, S…: with Caps Lock on (left on after a credit code) C opens it too."""
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await pilot.press("C")
        await settle(pilot)
        assert type(app.screen).__name__ == "ContractDeskScreen"
        await pilot.press("escape", "h")
        await settle(pilot)
        assert type(app.screen).__name__ == "HouseCheckScreen"
        await pilot.press("escape", "f1")
        await settle(pilot)
        keys = [key for key, _ in app.screen.keys]
        assert "C" in keys and len(keys) == len(set(keys))  # each key listed once


def _held_login(monkeypatch) -> threading.Event:
    """Hold every password check until the test lets it go, as a slow hash would."""
    from services import operators

    checked = operators.login
    release = threading.Event()

    def held(*args, **kwargs):
        release.wait(10)
        return checked(*args, **kwargs)

    monkeypatch.setattr(operators, "login", held)
    return release


async def test_keys_typed_while_the_password_is_checked_reach_the_home_screen(sqlite_sample_db, monkeypatch) -> None:
    """A clerk types on while the password is checked (argon2 takes a moment): those keys
    are kept and go to the home screen once it is drawn, in their order — not into the
    password field, and not lost."""
    release = _held_login(monkeypatch)
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await type_into(pilot, "#username", "clerk1")
        await type_into(pilot, "#password", password("clerk1"))
        await pilot.press("enter", "down", "down")
        assert isinstance(app.screen, LoginScreen)  # still checking
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one("#home-menu").highlighted_id == "done"


async def test_keys_typed_while_a_wrong_password_is_checked_are_dropped(sqlite_sample_db, monkeypatch) -> None:
    release = _held_login(monkeypatch)
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await type_into(pilot, "#username", "clerk1")
        await type_into(pilot, "#password", "wrong-password")
        await pilot.press("enter", "x", "y")
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert text_of(app, "#login-error") == "用户名或密码错误。"
        assert app.screen.query_one("#password").value == "" and app.focused is app.screen.query_one("#password")
        await type_into(pilot, "#password", password("clerk1"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one("#home-menu").highlighted_id == "lookup"


async def test_a_whole_login_typed_in_one_go_and_the_first_key_after_it(sqlite_sample_db) -> None:
    """User name, Tab, password, Enter and the home screen's "2" (在手业务) typed with no
    pause, as a fast clerk does: each key lands where it was meant; after a logout the
    form has its focus back on the password (the user name is kept)."""
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"clerk1", "tab", *password("clerk1"), "enter", "2")
        await settle(pilot)
        assert type(app.screen).__name__ == "InHandScreen"
        await pilot.press("escape", "f10")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.focused is app.screen.query_one("#password")
        await pilot.press(*password("clerk1"), "enter", "3")
        await settle(pilot)
        assert type(app.screen).__name__ == "DoneScreen"


async def test_a_supervisors_whole_menu_fits_80x24_in_two_columns(sqlite_sample_db) -> None:
    """Every function a supervisor has is on the screen at once; ↓ runs from the bottom of
    the left column into the right one and ↑ back, ←→ keep the row."""
    from tui.screens.home import MENU

    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        shown = screen_text(app)
        names = [name for code, _, name in MENU if app.screen._may(code)]
        assert len(names) > 20 and all(name in shown for name in names)
        menu = app.screen.query_one("#home-menu")
        left, right = menu.columns
        await pilot.press("end", "down")
        assert app.focused is right and menu.highlighted_id == right.get_option_at_index(0).id
        await pilot.press("up")
        assert app.focused is left and left.highlighted == left.option_count - 1
        await pilot.press("home", "down", "down", "right")
        assert app.focused is right and right.highlighted == 2
        await pilot.press("left", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "DoneScreen"  # the third entry: 已办业务
