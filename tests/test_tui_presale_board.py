"""楼盘表 at the terminal (80x24): the project number and 栋号 are read by the use case, so
whatever is typed answers with its sentence ("²" passed str.isdigit and int() then failed:
系统错误; a 5,000-digit number is the use case's test, tests/test_presale_typed_values.py), the cursor goes to the field it names, and a real building is drawn."""

from __future__ import annotations

import pytest
from test_tui_support import FIXED_NOW, SIZE, login, make_app, screen_text, settle, text_of, type_into

from tests.conftest import freeze
from tests.test_presale_contracts import contract_hall
from tui.screens.presale.board import SalesBoardScreen


@pytest.fixture
def board_db(sqlite_sample_db):
    freeze(sqlite_sample_db, FIXED_NOW)
    hall, _permit = contract_hall(sqlite_sample_db, 181)
    sqlite_sample_db.hall = hall  # type: ignore[attr-defined]
    return sqlite_sample_db


async def _find(pilot, project: str, building: str) -> None:
    await type_into(pilot, "#board-project", project)
    await type_into(pilot, "#board-building", building)
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize(("project", "building", "said", "field"), [
    ("²", "D004", "项目编号应为数字。", "board-project"),
    ("-1", "D004", "项目编号应为数字。", "board-project"),
    ("1e309", "D004", "项目编号应为数字。", "board-project"),
    ("[/x]", "D004", "项目编号应为数字。", "board-project"),
    ("", "D004", "请填写项目编号。", "board-project"),
    ("999999", "D004", "没有", "board-project"),
])
async def test_what_is_typed_for_the_project_answers_with_its_sentence(board_db, project, building, said,
                                                                       field) -> None:
    app = make_app(board_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super_p", "Passw0rd1")
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, SalesBoardScreen)
        await _find(pilot, project, building)
        assert said in text_of(app, "#board-message") and "系统错误" not in screen_text(app)
        assert app.focused is not None and app.focused.id == field


async def test_a_building_typed_in_full_width_is_drawn(board_db) -> None:
    app = make_app(board_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super_p", "Passw0rd1")
        await pilot.press("l")
        await settle(pilot)
        await _find(pilot, "".join(chr(ord(c) + 0xFEE0) for c in str(board_db.hall.project_id)), "D004")
        assert text_of(app, "#board-message") == "" and "D004" in screen_text(app)
