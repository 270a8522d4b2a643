"""The 楼盘表's grid (``tui.screens.presale.board_grid.BoardGrid``) on its own, at 80×24, with
a 40-floor × 30-unit building: only the rows on screen are drawn, the header and the floor
column stay while the units scroll both ways, the keys and a click move the cursor, and the
cursor is always in view."""

from __future__ import annotations

from decimal import Decimal

from rich.style import Style
from textual.app import App, ComposeResult

from core.presale.board import Board, BoardCell
from core.presale.sale import SALE_STATE_LETTERS, SALE_STATE_ORDER, SaleState
from tui.screens.presale.board import STATE_STYLES
from tui.screens.presale.board_grid import CELL_WIDTH, LABEL_WIDTH, BoardGrid

FLOORS, PER_FLOOR = 40, 30


def building(floors: int = FLOORS, per_floor: int = PER_FLOOR, *, gap: tuple[int, int] | None = None) -> Board:
    """``floors`` × ``per_floor`` units named "12-03"; every third one 已签约; ``gap`` (floor, column) has none."""
    cells = {}
    for floor in range(1, floors + 1):
        for i in range(per_floor):
            if (floor, i) == gap:
                continue
            state = SaleState.SIGNED if (floor + i) % 3 == 0 else SaleState.SELLABLE
            cells[(floor, i)] = BoardCell(floor * 100 + i, f"{floor}-{i + 1:02d}", state, Decimal("100.00"), None,
                                          None, None, ())
    columns = [("A01", f"{i + 1:02d}") for i in range(per_floor)]
    return Board(list(range(floors, 0, -1)), columns, cells, [])


class GridApp(App[None]):
    def __init__(self, board: Board) -> None:
        super().__init__()
        self.board = board
        self.moves: list[BoardGrid.CursorMoved] = []

    def compose(self) -> ComposeResult:
        yield BoardGrid(STATE_STYLES, id="grid")

    def on_mount(self) -> None:
        grid = self.query_one(BoardGrid)
        grid.show(self.board)
        grid.focus()

    def on_board_grid_cursor_moved(self, message: BoardGrid.CursorMoved) -> None:
        self.moves.append(message)


def _line(grid: BoardGrid, y: int) -> str:
    return grid.render_line(y).text


async def test_only_the_rows_on_screen_are_drawn(monkeypatch) -> None:
    made: list[int] = []
    units = BoardGrid._units

    def counting(self, row, cursor_column, palette):  # type: ignore[no-untyped-def]
        made.append(row)
        return units(self, row, cursor_column, palette)

    monkeypatch.setattr(BoardGrid, "_units", counting)
    app = GridApp(building())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        grid = app.query_one(BoardGrid)
        assert grid.row_count == FLOORS and grid.column_count == PER_FLOOR
        assert made and max(made) < 24 and len(set(made)) <= 23  # 1,200 units, one screen of floors
        assert _line(grid, 0).startswith(" 层   01  02") and _line(grid, 1).startswith(" 40   售  售  签")


async def test_the_cursor_moves_by_key_and_stays_in_view_both_ways() -> None:
    app = GridApp(building())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        grid = app.query_one(BoardGrid)
        assert grid.cursor == (0, 0) and grid.cell is not None and grid.cell.unit_no == "40-01"
        await pilot.press("end")
        assert grid.cursor == (0, 29) and grid.cell.unit_no == "40-30"
        assert grid.scroll_offset.x > 0 and _line(grid, 1).startswith(" 40  ")  # the floors stay
        assert _line(grid, 0).rstrip().endswith("30")  # the header scrolls with the units
        await pilot.press("ctrl+end")
        assert grid.cursor == (39, 29) and grid.cell.unit_no == "1-30" and grid.scroll_offset.y > 0
        last = grid.scrollable_content_region.height - 1
        assert _line(grid, last).startswith(" 1   ") and _line(grid, 0).startswith(" 层  ")  # the header stays
        await pilot.press("home", "pageup")
        assert grid.cursor[1] == 0 and grid.cursor[0] < 39 and grid.scroll_offset.x == 0
        await pilot.press("ctrl+home", "right", "down")
        assert grid.cursor == (1, 1) and grid.cell.unit_no == "39-02" and grid.scroll_offset.y == 0
        await pilot.press("left", "left", "up", "up")  # kept inside the board
        assert grid.cursor == (0, 0)
        assert app.moves[-1].cell is not None and app.moves[-1].cell.unit_no == "40-01"


async def test_a_click_puts_the_cursor_on_the_unit_and_an_empty_place_has_no_cell() -> None:
    app = GridApp(building(gap=(38, 2)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        grid = app.query_one(BoardGrid)
        await pilot.click(BoardGrid, offset=(LABEL_WIDTH + 2 * CELL_WIDTH + 1, 3))  # floor 38, third position
        assert grid.cursor == (2, 2) and grid.cell is None and app.moves[-1].cell is None
        assert _line(grid, 3).startswith(" 38   售  签      售")
        await pilot.press("right")
        assert grid.cell is not None and grid.cell.unit_no == "38-04"


async def test_every_state_keeps_its_letter_and_colour_under_the_cursor_too() -> None:
    cells = {(1, i): BoardCell(i, f"1-{i + 1:02d}", state, Decimal("90.00"), None, None, None, ())
             for i, state in enumerate(SALE_STATE_ORDER)}
    board = Board([1], [("", f"{i + 1:02d}") for i in range(len(cells))], cells, [])
    app = GridApp(board)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        grid = app.query_one(BoardGrid)
        letters = {segment.text: segment.style for segment in grid.render_line(1) if segment.text.strip()}
        for state in SALE_STATE_ORDER:
            style = letters[SALE_STATE_LETTERS[state]]
            want = Style.parse(STATE_STYLES[state])
            assert style is not None and (style.color, style.bgcolor) == (want.color, want.bgcolor), state


async def test_the_cursor_dims_when_the_grid_loses_the_focus() -> None:
    app = GridApp(building())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        grid = app.query_one(BoardGrid)

        def cursor_background():  # type: ignore[no-untyped-def]
            first = next(iter(grid.render_line(1).crop(LABEL_WIDTH, LABEL_WIDTH + 1)))
            return first.style.bgcolor if first.style else None

        focused = cursor_background()
        grid.blur()
        await pilot.pause()
        blurred = cursor_background()
        grid.focus()
        await pilot.pause()
        assert focused != blurred and cursor_background() == focused
