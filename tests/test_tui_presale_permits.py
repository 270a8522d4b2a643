"""楼盘表 and 销售许可·物管用房 at the terminal, 80×24: the board drawn, the cursor showing a unit
with its reminders, a permit dispatched and archived by key, an 80×24 snapshot of the board."""

from __future__ import annotations

import pytest
from test_tui_support import SIZE, FIXED_NOW, login, make_app, screen_text, settle, type_into

from services import cases
from services.presale import permits
from tests.conftest import freeze
from tests.permit_support import archive_survey, add_certificates, designate, grant
from tests.presale_support import PASSWORD, make_hall
from tui.screens.presale.board import SalesBoardScreen
from tui.screens.presale.board_grid import BoardGrid
from tui.screens.presale.permit import PermitScreen


@pytest.fixture
def permit_db(sqlite_sample_db):
    """The demo hall with an enterprise whose D004 is surveyed, has rooms 1-01, 1-02 and a permit."""
    freeze(sqlite_sample_db, FIXED_NOW)
    hall = make_hall(sqlite_sample_db, 71, username="dev_a", supervisor="super_p")
    archive_survey(hall)
    add_certificates(hall)
    from services.presale import projects
    from tests.conftest import SYSTEM

    projects.change_project(sqlite_sample_db, SYSTEM, hall.project_id, property_company="张家界物业服务有限公司")
    designate(hall, ["1-01", "1-02"])
    grant(hall, all_units=True)
    sqlite_sample_db.presale = hall  # type: ignore[attr-defined]
    return sqlite_sample_db


async def _press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def _open_board(pilot, project: int) -> None:
    await _press(pilot, "l")
    assert isinstance(pilot.app.screen, SalesBoardScreen)
    await type_into(pilot, "#board-project", str(project))
    await _press(pilot, "enter")
    await type_into(pilot, "#board-building", "D004")
    await _press(pilot, "enter")


async def test_the_board_shows_states_and_the_unit_under_the_cursor(permit_db) -> None:
    hall = permit_db.presale
    change = permits.start_permit(permit_db, hall.dev, type_code="permit_presale_change", project_id=hall.project_id,
                                  building="D004").case_number
    permits.set_scope(permit_db, hall.dev, change, remove=["17-06"])
    app = make_app(permit_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        assert "楼盘表" in screen_text(app)
        await _open_board(pilot, hall.project_id)
        shown = screen_text(app)
        assert "许可变更中" in shown and f"{change}（暂停签约）" in shown
        assert "变更中100" in shown and "物管用房2" in shown
        grid = app.screen.query_one("#board-grid", BoardGrid)
        assert grid.row_count == 17 and grid.has_focus
        shown = screen_text(app)
        assert "17-01" in shown and "变更中" in shown and "预售许可证正在变更" in shown
        for _ in range(5):
            await _press(pilot, "right")
        assert "17-06" in screen_text(app) and "不在许可范围内" in screen_text(app)
        for _ in range(16):
            await _press(pilot, "down")
        for _ in range(5):
            await _press(pilot, "left")
        assert "1-01" in screen_text(app) and "物管用房" in screen_text(app)


async def test_the_board_grows_with_the_terminal(permit_db) -> None:
    hall = permit_db.presale
    app = make_app(permit_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _open_board(pilot, hall.project_id)
        grid = app.screen.query_one("#board-grid", BoardGrid)
        assert grid.size.height >= 19  # the 17 floors and the header, with no scrolling
        assert "可售100" in screen_text(app)


async def test_a_permit_change_dispatched_and_archived_by_key(permit_db) -> None:
    hall = permit_db.presale
    change = permits.start_permit(permit_db, hall.dev, type_code="permit_presale_change", project_id=hall.project_id,
                                  building="D004").case_number
    designate(hall, ["3-01"], type_code="room_predicted_change")  # 3-01 becomes a room meanwhile
    app = make_app(permit_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _press(pilot, "y")
        assert isinstance(app.screen, PermitScreen)
        await type_into(pilot, "#permit-number", change)
        await _press(pilot, "enter", "f4")
        assert "户室3-01为物管用房，物管用房不能销售，不能纳入许可范围。" in screen_text(app)
    permits.set_scope(permit_db, hall.dev, change, remove=["3-01"])
    app = make_app(permit_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _press(pilot, "y")
        await type_into(pilot, "#permit-number", change)
        await _press(pilot, "enter", "f4")
        assert "已派工给主管部门。" in screen_text(app)
    cases.receive_case(permit_db, hall.authority, change)
    app = make_app(permit_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, hall.authority.username, "Passw0rd1")
        await _press(pilot, "y")
        await type_into(pilot, "#permit-number", change)
        await _press(pilot, "enter", "f9")
        shown = screen_text(app)
        assert "已归档：许可证号 YS2026-00001，许可户室 99 套。" in shown and "第2版" in shown
        await _press(pilot, "f8")
        assert "已生成" in screen_text(app) and "许可证_" in screen_text(app)


def test_snapshot_sales_board(snap_compare, permit_db) -> None:
    hall = permit_db.presale

    async def run_before(pilot) -> None:
        await login(pilot, "dev_a", PASSWORD)
        await _open_board(pilot, hall.project_id)
        await _press(pilot, "down")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(permit_db), terminal_size=SIZE, run_before=run_before)
