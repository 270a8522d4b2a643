"""锁屏: the idle lock and Ctrl+L cover the screen and keep it intact under them."""

from __future__ import annotations

from sqlalchemy import select
from test_tui_support import (
    SIZE,
    blacklisted_owner,
    login,
    make_app,
    password,
    screen_text,
    settle,
    text_of,
    type_into,
)

from storage.models import Operator
from tui.screens.home import HomeScreen
from tui.screens.lock import LockScreen
from tui.screens.login import LoginScreen
from tui.screens.lookup import LookupScreen


async def _unlock(pilot, secret: str) -> None:
    await type_into(pilot, "#unlock-password", secret)
    await pilot.press("enter")
    await settle(pilot)


class IdleClock:
    """The seconds the idle lock counts, moved by the test (not by how fast the machine types)."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


async def _until_locked(pilot, app) -> None:
    """The terminal's own timer notices the idle time (it checks every second)."""
    for _ in range(200):  # up to 20 s on a loaded machine; the timer checks every second
        if app.is_locked and app.screen.is_mounted:
            await settle(pilot)  # the lock screen built and drawn before the test reads it
            return
        await pilot.pause(0.1)
    raise AssertionError("the idle lock did not fire")


async def test_idle_terminal_locks_itself_and_unlocks_to_the_same_screen(sqlite_sample_db) -> None:
    person = blacklisted_owner(sqlite_sample_db)
    idle = IdleClock()
    app = make_app(sqlite_sample_db, idle_seconds=300, idle_clock=idle)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await pilot.press("1")
        await settle(pilot)
        lookup_screen = app.screen
        await type_into(pilot, "#query", person.id_number)
        await settle(pilot)
        idle.seconds += 299  # a minute short of the lock: nothing happens
        await pilot.pause(1.2)
        assert not app.is_locked
        idle.seconds += 1  # five minutes without a key
        await _until_locked(pilot, app)
        assert isinstance(app.screen, LockScreen)
        assert "终端已锁定" in screen_text(app)
        # A wrong password is refused and counted like any failed login, in the lock's
        # own words: the form has no user name to be wrong.
        await _unlock(pilot, "not-my-password")
        assert isinstance(app.screen, LockScreen)
        assert text_of(app, "#lock-error") == "密码错误。"
        await _unlock(pilot, password("clerk1"))
        assert app.screen is lookup_screen
        assert isinstance(app.screen, LookupScreen)
        assert app.screen.query_one("#query").value == person.id_number
        assert app.screen.detail is not None and app.screen.detail.id == person.id
        assert not app.is_locked


async def test_ctrl_l_locks_at_once_and_five_wrong_passwords_lock_the_account(sqlite_sample_db) -> None:
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk2")
        home = app.screen
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await pilot.press("ctrl+l")  # already locked: no second lock
        await pilot.pause()
        assert sum(isinstance(s, LockScreen) for s in app.screen_stack) == 1
        await _unlock(pilot, "")
        assert text_of(app, "#lock-error") == "请输入密码。"  # not counted
        for n in range(5):
            await _unlock(pilot, "wrong-again")
            if n < 4:
                assert text_of(app, "#lock-error") == "密码错误。"
        assert text_of(app, "#lock-error") == "密码连续错误 5 次，账户已锁定，请联系系统管理员解锁。"
        await _unlock(pilot, password("clerk2"))
        assert isinstance(app.screen, LockScreen)  # the account is locked now
        # Another operator takes the window: F10 ends the session.
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.actor is None
        assert home not in app.screen_stack
    with sqlite_sample_db.read() as session:
        assert session.execute(select(Operator.locked).where(Operator.username == "clerk2")).scalar_one()


async def test_activity_keeps_the_terminal_open_and_login_screen_never_locks(sqlite_sample_db) -> None:
    app = make_app(sqlite_sample_db, idle_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        app._last_activity -= 120  # long idle, but nobody is logged in
        assert app.check_idle_lock() is False
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        await login(pilot, "clerk1")
        app._last_activity -= 120
        await pilot.press("down")  # a key press is activity
        assert app.check_idle_lock() is False
        assert isinstance(app.screen, HomeScreen)
        app._last_activity -= 120
        assert app.check_idle_lock() is True
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
