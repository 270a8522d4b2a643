"""Keys typed with no pause across the moments a terminal is busy with something else: Enter
in a field whose screen then moves the focus on, a screen being opened, a password being
checked. Every key is queued at once (``burst``), as from a fast typist or an ID-card reader,
and must land where it was meant."""

from __future__ import annotations

from test_tui_support import SIZE, burst, make_app, password, settle

from tui.screens.home import HomeScreen
from tui.screens.presale.board import SalesBoardScreen


async def test_a_whole_login_with_enter_between_the_fields_and_the_first_key_after_it(sqlite_sample_db) -> None:
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, [*"clerk1", "enter", *password("clerk1"), "enter", "2"])
        await settle(pilot)
        assert type(app.screen).__name__ == "InHandScreen"


async def test_enter_moves_on_to_the_next_field_before_the_next_keys_arrive(sqlite_sample_db) -> None:
    """楼盘表: 项目编号, Enter, 栋号 typed in one go — "1" then "D004", not "1D004" in the first box."""
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, [*"super1", "enter", *password("super1"), "enter"])
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        burst(app, ["l", "1", "enter", *"D004"])
        await settle(pilot)
        assert isinstance(app.screen, SalesBoardScreen)
        assert app.screen.query_one("#board-project").value == "1"
        assert app.screen.query_one("#board-building").value == "D004"


async def test_editing_keys_in_a_burst_act_where_they_were_typed(sqlite_sample_db) -> None:
    """当事人登记: "王x国", ←, Backspace, "建" typed in one go — a field's editing keys act through
    bindings that Textual runs only once the key has climbed to the app; the characters after
    them must wait for that, or they land first ("王x国建", then the wrong character deleted)."""
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, [*"clerk1", "enter", *password("clerk1"), "enter"])
        await settle(pilot)
        burst(app, ["p", *"王x国", "left", "backspace", "建", "tab", "1"])
        await settle(pilot)
        assert app.screen.query_one("#f-person-name").value == "王建国"
        assert app.screen.query_one("#f-person-id_kind").value == "1"


async def test_a_dropdown_opened_and_chosen_in_a_burst_then_the_next_field(sqlite_sample_db) -> None:
    """在手业务: the type filter's dropdown opened with Enter, two steps down, Enter, Tab and a
    number typed in one go — the choice is made in the dropdown (not by keys that reached the
    closed box) and the number lands in the number filter."""
    from tui.screens.cases import type_options

    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, [*"clerk1", "enter", *password("clerk1"), "enter", "2",
                    "shift+tab", "shift+tab", "enter", "down", "down", "enter", "tab", *"2026"])
        await settle(pilot)
        assert type(app.screen).__name__ == "InHandScreen"
        assert app.screen.query_one("#filter-type").value == type_options()[1][1]
        assert app.screen.query_one("#filter-number").value == "2026"


async def test_a_logout_and_the_next_login_in_one_burst(sqlite_sample_db) -> None:
    """退出登录 (0) and the login typed straight after it: the form takes the keys only once its
    focus is back (in 密码: the form keeps the user name), so none is lost on a form with
    nothing focused; a whole new operator's login after Shift+Tab as well."""
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, [*"super1", "tab", *password("super1"), "enter"])
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.actor.username == "super1"
        burst(app, ["0", *password("super1"), "enter", "2"])
        await settle(pilot)
        assert app.actor is not None and app.actor.username == "super1"
        assert type(app.screen).__name__ == "InHandScreen"
        burst(app, ["escape", "0", "shift+tab", "ctrl+a", "ctrl+k", *"clerk1", "tab", *password("clerk1"),
                    "enter", "2"])
        await settle(pilot)
        assert app.actor is not None and app.actor.username == "clerk1"
        assert type(app.screen).__name__ == "InHandScreen"
