"""The selection screens at 80x24, as SVG snapshots: 选房场次 (before and after a run), 场次设置,
家庭选房 with lint, the forecast (推算) and 房源信息播报.

They run on a database without the sample (only the two demo operators), with
the services' clock fixed, so the picture does not follow the sample data as
it grows. Inputs do not blink in headless runs; the board's refresh timer is
off; no toast is on screen when the picture is taken.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_tui_allocation_support import (  # noqa: F401 - fixtures
    actor_of,
    desk_round,
    empty_counter_db,
    freeze,
    make_app,
    press,
    rank_of,
    set_formal,
    three_rounds,
)
from test_tui_support import SIZE, login, settle

from services.allocation import rounds


async def _at(pilot, username: str, *keys: str) -> None:
    await login(pilot, username)
    await press(pilot, *keys)


async def _quiet(pilot) -> None:
    pilot.app.clear_notifications()
    await settle(pilot)


@pytest.fixture
def hall_three(empty_counter_db):
    clock = freeze(empty_counter_db)
    return empty_counter_db, clock, three_rounds(empty_counter_db, clock)


def test_rounds_list(snap_compare, hall_three) -> None:
    db, clock, _ = hall_three

    async def run_before(pilot) -> None:
        await _at(pilot, "super1", "6", "down")
        await _quiet(pilot)

    assert snap_compare(make_app(db, clock), terminal_size=SIZE, run_before=run_before)


def test_round_run_finished_with_results(snap_compare, hall_three) -> None:
    db, clock, _ = hall_three

    async def run_before(pilot) -> None:
        await _at(pilot, "super1", "6", "down", "down", "f5", "enter", "up", "f5", "enter")
        await _quiet(pilot)

    assert snap_compare(make_app(db, clock), terminal_size=SIZE, run_before=run_before)


def test_round_setup_new(snap_compare, empty_counter_db) -> None:
    """场次设置 of a new round (F2 on 选房场次): the offered number and windows, the file fields."""
    clock = freeze(empty_counter_db)

    async def run_before(pilot) -> None:
        await _at(pilot, "super1", "6", "f2")
        await _quiet(pilot)

    assert snap_compare(make_app(empty_counter_db, clock), terminal_size=SIZE, run_before=run_before)


@pytest.fixture
def desk(empty_counter_db):
    """A family (the second of the round, one-bedroom only) whose pre list has a two-bedroom house
    and is too short; in the formal window the first family lists its best house too."""
    db = empty_counter_db
    clock = freeze(db)
    hall = desk_round(db, clock, eligible="1b")
    rid = hall.rounds[hall.numbers[0]]
    f0, f1 = hall.families[:2]
    clerk = actor_of(db, "clerk1")
    for code in ("T2-0201", "T2-0102"):
        rounds.add_wish(db, clerk, rid, f1, hall.houses[code], "pre")
    return db, clock, hall, rid, f0, f1


def test_family_wish_list_with_lint(snap_compare, desk) -> None:
    db, clock, _, _, _, f1 = desk

    async def run_before(pilot) -> None:
        await _at(pilot, "clerk1", "7", *str(rank_of(db, f1)), "enter")
        await _quiet(pilot)

    assert snap_compare(make_app(db, clock), terminal_size=SIZE, run_before=run_before)


def test_forecast_view(snap_compare, desk) -> None:
    db, clock, hall, rid, f0, f1 = desk
    clock.advance(hours=2, minutes=30)
    supervisor = actor_of(db, "super1")
    set_formal(db, supervisor, rid, f0, [hall.houses["T2-0201"]], {"formal_open": clock.now - timedelta(minutes=30)})
    set_formal(db, supervisor, rid, f1, [hall.houses["T2-0201"], hall.houses["T2-0103"]],
               {"formal_open": clock.now - timedelta(minutes=30)})

    async def run_before(pilot) -> None:
        await _at(pilot, "clerk1", "7", *str(rank_of(db, f1)), "enter", "f2", "f")
        await _quiet(pilot)

    assert snap_compare(make_app(db, clock), terminal_size=SIZE, run_before=run_before)


def test_status_board(snap_compare, hall_three) -> None:
    db, clock, hall = hall_three
    boss = actor_of(db, "super1")
    for number in hall.numbers[:2]:
        rounds.run_round(db, boss, hall.rounds[number])

    async def run_before(pilot) -> None:
        await _at(pilot, "clerk1", "8")
        await _quiet(pilot)

    assert snap_compare(make_app(db, clock), terminal_size=SIZE, run_before=run_before)
