"""The developer's desk (seed 004 §2.1): after login a developer's operator sees how many cases
wait (待处理业务数) and how many of the enterprise's cases were finished lately (最近业务处理数,
近期办结); 2 opens the cases in hand. Counted by ``services.cases.recently_finished`` on both
databases; the desk at 80×24 as a Pilot test and a snapshot, on the demo's presale; and the
demo's sales board, where a contract in progress is 签约中."""

from __future__ import annotations

import pytest
from test_tui_support import SIZE, FIXED_NOW, login, make_app, screen_text, settle, type_into

from demo import presale
from demo.contracts import actor_of
from services import cases
from storage.engine import Database
from tests.conftest import SYSTEM, freeze
from tests.presale_support import make_hall
from tui.screens.cases import InHandScreen
from tui.screens.presale.board import SalesBoardScreen


def _actor(db: Database, username: str):  # type: ignore[no-untyped-def]
    with db.read() as s:
        return actor_of(s, username)


def test_recent_cases_are_the_enterprises_finished_within_the_window(sample_db) -> None:
    """The demo's filings: the spot-sale contract 18 days before the load, the presale one 12 days."""
    db = sample_db
    freeze(db, FIXED_NOW)
    one, two = _actor(db, "xj01"), _actor(db, "xj02")
    assert cases.recently_finished(db, one) == cases.recently_finished(db, two) == 2  # the enterprise's
    assert cases.recently_finished(db, one, days=19) == 2 and cases.recently_finished(db, one, days=18) == 1
    assert cases.recently_finished(db, one, days=13) == 1 and cases.recently_finished(db, one, days=12) == 0
    # the returned contract (filed 57 days back), its return (39) and its first refund (37)
    assert cases.recently_finished(db, one, days=36) == 2 and cases.recently_finished(db, one, days=60) == 5
    assert cases.recently_finished(db, one, days=365) == 5  # the rest was done more than a year before
    assert cases.recently_finished(db, one, days=500) == 5 + 2 + 2 + 2 + 1  # surveys, rooms, permits, agreement
    held = cases.in_hand(db, one)
    assert len(held) == 3 and not any(r.waiting for r in held)  # a draft, awaiting payment, awaiting the seal
    # the bank's reviewer: the agreement it reviewed (more than a year back) is not recent
    assert cases.recently_finished(db, _actor(db, "bank01")) == 0
    assert cases.recently_finished(db, _actor(db, "bank01"), days=500) == 1


def test_another_enterprise_finished_nothing(db) -> None:
    hall = make_hall(db, 91)
    assert cases.recently_finished(db, hall.dev) == 0
    assert cases.recently_finished(db, SYSTEM) == 0


@pytest.fixture
def desk_db(sqlite_sample_db):
    freeze(sqlite_sample_db, FIXED_NOW)
    return sqlite_sample_db


async def test_the_developers_desk_shows_pending_and_recent_counts(desk_db) -> None:
    app = make_app(desk_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "xj01")
        shown = screen_text(app)
        assert "待处理业务数：3　（办理中 3 件，待接件 0 件）" in shown
        assert f"最近业务处理数：2　（近{cases.RECENT_DAYS}日办结）" in shown
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, InHandScreen)
        rows = list(app.screen.rows.values())
        assert len(rows) == 3 and all(r.summary.startswith(presale.PROJECT) for r in rows)
        assert {r.type_name for r in rows} == {"商品房预售签约"}


async def test_the_hall_staff_desk_has_no_recent_line(desk_db) -> None:
    app = make_app(desk_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        shown = screen_text(app)
        assert "待处理业务数" in shown and "最近业务处理数" not in shown


def test_snapshot_developer_desk(snap_compare, desk_db) -> None:
    async def run_before(pilot) -> None:
        await login(pilot, "xj01")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(desk_db), terminal_size=SIZE, run_before=run_before)


async def test_the_demo_board_shows_a_contract_in_progress_as_its_own_state(desk_db) -> None:
    """楼盘表 of the demo's 1栋: the draft's unit (15-04) is 签约中, distinct from 可售 and 已签约; the
    returned 6-01 is 可售 again; floors 16-17 are under the works mortgage but 16-01."""
    app = make_app(desk_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "xj01")
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, SalesBoardScreen)
        await type_into(pilot, "#board-project", "1")
        await pilot.press("enter")
        await settle(pilot)
        await type_into(pilot, "#board-building", presale.PREDICTED)
        await pilot.press("enter")
        await settle(pilot)
        shown = screen_text(app)
        assert "签约中3" in shown and "已签约3" in shown and "已备案1" in shown and "可售82" in shown
        assert "在建抵押11" in shown  # floors 16-17 under the works mortgage, 16-01 authorised (可售)
        for key in ("down", "down", "right", "right", "right"):
            await pilot.press(key)
            await settle(pilot)
        shown = screen_text(app)
        assert "15-04　签约中" in shown
        await pilot.press("down", "down", "down", "down", "down", "down", "down", "left", "left")  # 8-02: with the bank
        await settle(pilot)
        assert "8-02　已签约" in screen_text(app)
