"""超期督办 (the supervisors' due list) and the clock in the case lists, in the terminal, on the
demo's sample: its cases due soon and overdue (demo.due_cases) seen on Monday 2026-11-23."""

from __future__ import annotations

import re

from datetime import UTC, datetime

from test_tui_support import SIZE, freeze_services_clock, login, make_app, screen_text, settle, text_of

from storage.engine import Database
from tui.screens.cases import DoneScreen, InHandScreen
from tui.screens.due import DueScreen
from tui.screens.help import HelpScreen
from tui.screens.home import HomeScreen

MONDAY = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, two days after the sample's load


def _rows(app) -> list:
    return list(app.screen.rows.values())


async def test_supervisor_sees_overdue_and_due_cases_and_narrows_to_overdue(sqlite_sample_db: Database) -> None:
    app = make_app(sqlite_sample_db, clock=freeze_services_clock(sqlite_sample_db, MONDAY))
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        assert "超期督办" in screen_text(app)  # in the supervisor's menu
        said = re.search(r"全厅已超期 (\d+) 件，按 W 查看超期督办。", text_of(app, "#home-counts"))
        assert said is not None
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, DueScreen)
        rows = _rows(app)
        overdue = [r for r in rows if r.clock.label.startswith("超")]
        assert int(said.group(1)) == len(overdue) >= 1
        # the demo's resale and lease cases set up to be due, in order (its developer's open
        # presale contracts, F…, are on the clock too)
        assert [(r.number[:9], r.clock.label) for r in rows if not r.number.startswith("F")] == [
            ("Q20261111", "超3日"), ("G20261116", "今日到期"), ("Q20261116", "今日到期")]
        assert text_of(app, "#due-count") == f"超期及即将到期 共 {len(rows)} 件"
        shown = screen_text(app)
        assert "超" in shown and "5个工作日（服务承诺，待核实）" in shown  # the selected case's limit and its source
        await pilot.press("f2")
        await settle(pilot)
        assert [r.number for r in _rows(app)] == [r.number for r in overdue]
        assert text_of(app, "#due-count") == f"已超期 共 {len(overdue)} 件"
        await pilot.press("f2")
        await settle(pilot)
        assert len(_rows(app)) == len(rows)
        await pilot.press("f1")  # help: the keys and how the due day is counted
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.screen.keys)
        assert keys["F2"] == "只看超期/全部" and keys["F5"] == "刷新" and keys["Esc"] == "返回"
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, DueScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_a_clerk_has_no_due_list_but_sees_the_clock_in_the_lists(sqlite_sample_db: Database) -> None:
    app = make_app(sqlite_sample_db, clock=freeze_services_clock(sqlite_sample_db, MONDAY))
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk2")
        assert "超期督办" not in screen_text(app) and "已超期" not in text_of(app, "#home-counts")
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, InHandScreen)
        labels = {r.number[:9]: r.clock.label for r in _rows(app)}
        assert labels["Q20261111"] == "超3日" and labels["G20261116"] == "今日到期"
        assert labels["F20261121"] == "剩4日"  # the demo's contract in entry, due Friday
        shown = screen_text(app)
        assert "任务状态" in shown and "到期日" in shown and "超3日" in shown
        await pilot.press("escape", "3")
        await settle(pilot)
        assert isinstance(app.screen, DoneScreen)
        assert {r.clock.label for r in _rows(app)} >= {"按期办结"}  # the demo's filed contracts


def _snapshot(snap_compare, db: Database, username: str, key: str) -> bool:
    """The screen ``key`` opens from ``username``'s home, on Monday, at 80x24."""
    async def run_before(pilot) -> None:
        await login(pilot, username)
        await pilot.press(key)
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    app = make_app(db, clock=freeze_services_clock(db, MONDAY))
    return snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_due_list_snapshot(snap_compare, sqlite_sample_db: Database) -> None:
    assert _snapshot(snap_compare, sqlite_sample_db, "super1", "w")


def test_in_hand_list_with_marks_snapshot(snap_compare, sqlite_sample_db: Database) -> None:
    assert _snapshot(snap_compare, sqlite_sample_db, "clerk2", "2")


def test_done_list_with_clock_snapshot(snap_compare, sqlite_sample_db: Database) -> None:
    assert _snapshot(snap_compare, sqlite_sample_db, "clerk2", "3")
