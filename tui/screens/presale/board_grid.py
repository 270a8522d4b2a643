"""The sales board's grid: floors (top first) × units, each unit its state's letter on its
colour, drawn with Textual's Line API.

A ``DataTable`` of a 40-floor × 30-unit building measures, lays out and renders 1,200 cells
through Rich before the first frame (about 200 ms). This widget draws only the rows on
screen: a row is a handful of segments made from styles cached per state, so the first
frame of any building costs about as much as that of a small one. The header (the
positions) and the floor column stay in place while the units scroll both ways; the
cursor's floor and position are marked in them.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from core.presale.board import Board, BoardCell
from core.presale.sale import SALE_STATE_LETTERS, SaleState

__all__ = ["BoardGrid", "CELL_WIDTH", "LABEL_WIDTH"]

#: A unit: its letter (two columns) with one column of space either side.
CELL_WIDTH = 4
#: The floor column: a floor number of up to three columns with one column of space either side.
LABEL_WIDTH = 5


class BoardGrid(ScrollView, can_focus=True):
    """A building's units as floors × positions; the arrow keys move the cursor over them.

    ``state_styles`` gives each state's colour (a Rich style string). The grid posts
    ``BoardGrid.CursorMoved`` when the cursor lands on another place; ``cell`` is the unit
    under it (``None`` where the floor has no unit at that position).
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "board-grid--header",
        "board-grid--label",
        "board-grid--cursor",
        "board-grid--label-cursor",
    }

    DEFAULT_CSS = """
    BoardGrid {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .board-grid--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .board-grid--header {
            background: $panel;
            color: $foreground;
            text-style: bold;
        }
        & > .board-grid--label {
            color: $foreground;
        }
        & > .board-grid--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .board-grid--label-cursor {
            background: $accent-darken-1;
            color: $foreground;
            text-style: bold;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "上", show=False),
        Binding("down", "cursor_down", "下", show=False),
        Binding("left", "cursor_left", "左", show=False),
        Binding("right", "cursor_right", "右", show=False),
        Binding("pageup", "page_up", "上一页", show=False),
        Binding("pagedown", "page_down", "下一页", show=False),
        Binding("home", "first_unit", "本层第一户", show=False),
        Binding("end", "last_unit", "本层最后一户", show=False),
        Binding("ctrl+home", "top", "顶层", show=False),
        Binding("ctrl+end", "bottom", "底层", show=False),
    ]

    class CursorMoved(Message):
        """The cursor is on another place of the board."""

        def __init__(self, grid: BoardGrid, row: int, column: int, cell: BoardCell | None) -> None:
            super().__init__()
            self.grid = grid
            self.row = row
            self.column = column
            self.cell = cell

        @property
        def control(self) -> BoardGrid:
            return self.grid

    def __init__(self, state_styles: dict[SaleState, str], *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._state_styles = {state: Style.parse(style) for state, style in state_styles.items()}
        self.board: Board | None = None
        self._cursor = (0, 0)  # (row, column): row 0 is the top floor, column 0 the first position
        self._rows: dict[tuple[int, int], Strip] = {}  # (row, cursor column or -1): a floor's units
        self._palette: _Palette | None = None

    # ------------------------------------------------------------ the board

    @property
    def row_count(self) -> int:
        """How many floors are drawn."""
        return len(self.board.floors) if self.board else 0

    @property
    def column_count(self) -> int:
        """How many positions a floor has."""
        return len(self.board.columns) if self.board else 0

    @property
    def cursor(self) -> tuple[int, int]:
        """The cursor as (row, column): row 0 is the top floor."""
        return self._cursor

    @property
    def cell(self) -> BoardCell | None:
        """The unit under the cursor (``None`` where there is none, or no board)."""
        if self.board is None or not self.board.columns:
            return None
        row, column = self._cursor
        return self.board.cells.get((self.board.floors[row], column))

    def show(self, board: Board | None) -> None:
        """Draw ``board`` (``None``: nothing), the cursor on the top floor's first unit."""
        self.board = board
        self._rows.clear()
        self._cursor = (0, 0)
        width = LABEL_WIDTH + CELL_WIDTH * self.column_count
        self.virtual_size = Size(width, 1 + self.row_count if board else 0)
        self.scroll_to(0, 0, animate=False)
        self.refresh()
        self._moved()

    def move_cursor(self, row: int, column: int) -> None:
        """Put the cursor on (row, column), kept inside the board, and scroll it into view."""
        if not self.row_count or not self.column_count:
            return
        place = (max(0, min(row, self.row_count - 1)), max(0, min(column, self.column_count - 1)))
        if place == self._cursor:
            return
        (old_row, _), self._cursor = self._cursor, place
        self._refresh_row(old_row)
        self._refresh_row(place[0])
        self.refresh(Region(0, 0, self.size.width, 1))  # the header marks the cursor's position
        self._scroll_to_cursor()
        self._moved()

    def _moved(self) -> None:
        row, column = self._cursor
        self.post_message(self.CursorMoved(self, row, column, self.cell))

    def _scroll_to_cursor(self) -> None:
        row, column = self._cursor
        self.scroll_to_region(Region(LABEL_WIDTH + column * CELL_WIDTH, row + 1, CELL_WIDTH, 1),
                              spacing=Spacing(top=1, left=LABEL_WIDTH), animate=False, immediate=True,
                              force=True)

    def _refresh_row(self, row: int) -> None:
        self.refresh_line(row + 1)

    # ------------------------------------------------------------ keys and mouse

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor[0] - 1, self._cursor[1])

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor[0] + 1, self._cursor[1])

    def action_cursor_left(self) -> None:
        self.move_cursor(self._cursor[0], self._cursor[1] - 1)

    def action_cursor_right(self) -> None:
        self.move_cursor(self._cursor[0], self._cursor[1] + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor[0] - self._page(), self._cursor[1])

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor[0] + self._page(), self._cursor[1])

    def action_first_unit(self) -> None:
        self.move_cursor(self._cursor[0], 0)

    def action_last_unit(self) -> None:
        self.move_cursor(self._cursor[0], self.column_count - 1)

    def action_top(self) -> None:
        self.move_cursor(0, self._cursor[1])

    def action_bottom(self) -> None:
        self.move_cursor(self.row_count - 1, self._cursor[1])

    def on_click(self, event: events.Click) -> None:
        """A click on a unit puts the cursor there."""
        if event.y < 1 or event.x < LABEL_WIDTH:
            return
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + event.y - 1
        column = (scroll_x + event.x - LABEL_WIDTH) // CELL_WIDTH
        if row < self.row_count and column < self.column_count:
            self.move_cursor(row, column)

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        self.notify_style_update()  # the cursor's colour follows the focus
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        super()._on_blur(event)
        self.notify_style_update()
        self.refresh()

    def notify_style_update(self) -> None:
        """The theme or the stylesheet changed: make the styles again."""
        super().notify_style_update()
        self._palette = None
        self._rows.clear()

    # ------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        """Line ``y`` of the widget: the header at 0, then the floors from the scroll offset."""
        width = self.scrollable_content_region.width
        palette = self._styles()
        if self.board is None:
            return Strip.blank(width, palette.base)
        scroll_x, scroll_y = self.scroll_offset
        body = width - LABEL_WIDTH
        if y == 0:
            label, units = self._header(palette)
        else:
            row = scroll_y + y - 1
            if row >= self.row_count:
                return Strip.blank(width, palette.base)
            label, units = self._row(row, palette)
        line = Strip.join([label, units.crop_extend(scroll_x, scroll_x + body, palette.base)])
        return line.crop_extend(0, width, palette.base)

    def _styles(self) -> _Palette:
        if self._palette is None:
            self._palette = _Palette(self)
        return self._palette

    def _header(self, palette: _Palette) -> tuple[Strip, Strip]:
        assert self.board is not None
        column = self._cursor[1]
        label = Strip([Segment(" 层  ", palette.header)], LABEL_WIDTH)
        segments = []
        for i, (unit, position) in enumerate(self.board.columns):
            style = palette.label_cursor if i == column else palette.header
            segments.append(Segment(f" {set_cell_size(position or unit, 2)} ", style))
        return label, Strip(segments, CELL_WIDTH * len(segments))

    def _row(self, row: int, palette: _Palette) -> tuple[Strip, Strip]:
        assert self.board is not None
        cursor_row, cursor_column = self._cursor
        label_style = palette.label_cursor if row == cursor_row else palette.label
        label = Strip([Segment(f" {set_cell_size(str(self.board.floors[row]), 3)} ", label_style)], LABEL_WIDTH)
        key = (row, cursor_column if row == cursor_row else -1)
        units = self._rows.get(key)
        if units is None:
            units = self._rows[key] = self._units(row, key[1], palette)
        return label, units

    def _units(self, row: int, cursor_column: int, palette: _Palette) -> Strip:
        """A floor's units: for each, a space, its letter on its colour, a space."""
        assert self.board is not None
        segments: list[Segment] = []
        add = segments.extend
        for column, cell in enumerate(self.board.row(self.board.floors[row])):
            around = palette.cursor if column == cursor_column else palette.base
            if cell is None:
                add((Segment("    ", around),))
            else:
                add((Segment(" ", around), palette.letters[cell.state], Segment(" ", around)))
        return Strip(segments, CELL_WIDTH * self.column_count)


class _Palette:
    """The grid's styles, resolved once from its CSS and its states' colours."""

    def __init__(self, grid: BoardGrid) -> None:
        style = grid.get_component_rich_style
        self.base = grid.rich_style
        self.header = self.base + style("board-grid--header")
        self.label = self.base + style("board-grid--label")
        self.label_cursor = self.base + style("board-grid--label-cursor")
        self.cursor = self.base + style("board-grid--cursor")
        self.letters = {state: Segment(SALE_STATE_LETTERS[state], self.base + colour)
                        for state, colour in grid._state_styles.items()}
