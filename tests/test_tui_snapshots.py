"""Every screen of the terminal at 80x24, as SVG snapshots.

The database's clock (the services' and the app's) is fixed (and moved by hand
while the cases are being prepared), so every time on screen comes from the test. Inputs do not blink
in headless runs; no toast is on screen when the picture is taken.
Regenerate with ``--snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import pytest
from test_tui_support import SIZE, blacklisted_owner, freeze_services_clock, login, settle, type_into

from core.clock import ManualClock
from core.roles import Actor, Role
from services import cases, operators
from storage.engine import Database
from demo.sample import demo_logins
from tui.app import WangqianApp
from tui.factory import create_app


def _actor(db: Database, username: str) -> Actor:
    view = next(v for v in operators.list_operators(db, Actor.system("test")) if v.username == username)
    return Actor(view.id, view.username, view.name, view.role, view.window)


def _prepare_desk(db: Database, clock: ManualClock) -> None:
    """clerk1's morning: one case in hand, one returned to them, one finished by a supervisor."""
    clerk1, clerk2, super1 = (_actor(db, name) for name in ("clerk1", "clerk2", "super1"))
    start = clock.now
    clock.advance(hours=-1, minutes=-25)  # 09:05 in Shanghai, 2026-11-21
    cases.accept_case(db, clerk1, "resale_signing", summary="存量房买卖 福田区香蜜湖街道")
    clock.advance(minutes=7)
    lease = cases.accept_case(db, clerk1, "lease_signing", summary="公租房配租 第12号轮候家庭")
    clock.advance(minutes=8)
    cases.dispatch_case(db, clerk1, lease, operator="clerk2")
    clock.advance(minutes=11)
    cases.receive_case(db, clerk2, lease)
    clock.advance(minutes=9)
    cases.return_case(db, clerk2, lease, to_stage="tenant_info", reason="承租人信息与户籍资料不符")
    clock.advance(minutes=10)
    cancel = cases.accept_case(db, clerk1, "resale_cancel", summary="买卖双方协商一致注销网签")
    clock.advance(minutes=8)
    cases.dispatch_case(db, clerk1, cancel, role=Role.SUPERVISOR)
    clock.advance(minutes=7)
    cases.receive_case(db, super1, cancel)
    clock.advance(minutes=7)
    cases.archive_case(db, super1, cancel)
    clock.set(start)


@pytest.fixture
def desk(sqlite_sample_db: Database) -> tuple[Database, ManualClock]:
    clock = freeze_services_clock(sqlite_sample_db)
    _prepare_desk(sqlite_sample_db, clock)
    return sqlite_sample_db, clock


def _app(db: Database, clock: ManualClock, **kwargs) -> WangqianApp:
    """The terminal on ``db``, whose clock (every service's and the app's) is ``clock``."""
    db.clock = clock
    return create_app(db, idle_seconds=0, draft_sweep_seconds=-1, **kwargs)


async def _clerk_at(pilot, *keys: str) -> None:
    await login(pilot, "clerk1")
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


def test_login_screen_with_demo_logins(snap_compare, desk) -> None:
    db, clock = desk
    assert snap_compare(_app(db, clock, demo_logins=demo_logins()), terminal_size=SIZE)


def test_home_screen(snap_compare, desk) -> None:
    db, clock = desk

    async def run_before(pilot) -> None:
        await _clerk_at(pilot)

    assert snap_compare(_app(db, clock), terminal_size=SIZE, run_before=run_before)


def test_lookup_with_results_and_detail(snap_compare, desk) -> None:
    db, clock = desk

    async def run_before(pilot) -> None:
        await _clerk_at(pilot, "f2")
        await type_into(pilot, "#query", blacklisted_owner(db).name)
        await settle(pilot)

    assert snap_compare(_app(db, clock), terminal_size=SIZE, run_before=run_before)


def test_in_hand_list_with_progress(snap_compare, desk) -> None:
    db, clock = desk

    async def run_before(pilot) -> None:
        await _clerk_at(pilot, "2")

    assert snap_compare(_app(db, clock), terminal_size=SIZE, run_before=run_before)


def test_done_list_with_progress(snap_compare, desk) -> None:
    db, clock = desk

    async def run_before(pilot) -> None:
        await _clerk_at(pilot, "3")

    assert snap_compare(_app(db, clock), terminal_size=SIZE, run_before=run_before)


def test_lock_modal_over_the_lookup(snap_compare, desk) -> None:
    db, clock = desk

    async def run_before(pilot) -> None:
        await _clerk_at(pilot, "f2")
        await type_into(pilot, "#query", blacklisted_owner(db).name)
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)

    assert snap_compare(_app(db, clock), terminal_size=SIZE, run_before=run_before)


def test_dispatch_modal(snap_compare, desk) -> None:
    db, clock = desk

    async def run_before(pilot) -> None:
        await _clerk_at(pilot, "2", "down", "f6")

    assert snap_compare(_app(db, clock), terminal_size=SIZE, run_before=run_before)


def test_accept_modal(snap_compare, desk) -> None:
    db, clock = desk

    async def run_before(pilot) -> None:
        await _clerk_at(pilot, "4")

    assert snap_compare(_app(db, clock), terminal_size=SIZE, run_before=run_before)
