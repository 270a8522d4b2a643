"""A menu in two columns: the desk's functions side by side, so that a supervisor's two
dozen of them fit an 80×24 terminal without scrolling.

Two OptionLists read in column order: ↑↓ move within a column and run on into the other
(↓ from the last entry of the left column to the first of the right, ↑ back), ←→ jump
to the same row of the other column. Choosing an entry posts ``MenuColumns.Chosen`` with
the entry's id.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class MenuColumn(OptionList):
    """One column: ↑ at its top and ↓ at its bottom hand over to the other column."""

    def action_cursor_down(self) -> None:
        if self.highlighted is not None and self.highlighted == self.option_count - 1:
            self.post_message(MenuColumns.Edge(self, +1))
            return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.highlighted == 0:
            self.post_message(MenuColumns.Edge(self, -1))
            return
        super().action_cursor_up()


class MenuColumns(Horizontal, can_focus=False):
    """``entries``: (id, label) in reading order; the first half goes to the left column."""

    BINDINGS = [
        Binding("left", "column(-1)", show=False),
        Binding("right", "column(1)", show=False),
    ]

    class Chosen(Message):
        def __init__(self, menu: MenuColumns, option_id: str) -> None:
            super().__init__()
            self.menu = menu
            self.option_id = option_id

        @property
        def control(self) -> MenuColumns:
            return self.menu

    class Edge(Message):
        """A column's cursor ran off its end (+1 below, -1 above)."""

        def __init__(self, column: MenuColumn, direction: int) -> None:
            super().__init__()
            self.column = column
            self.direction = direction

    def __init__(self, entries: Sequence[tuple[str, str]], *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        half = (len(entries) + 1) // 2
        self._halves = (list(entries[:half]), list(entries[half:]))

    def compose(self) -> ComposeResult:
        for index, half in enumerate(self._halves):
            yield MenuColumn(*[Option(label, id=code) for code, label in half],
                             id=f"{self.id or 'menu'}-{index + 1}", classes="menu-column")

    @property
    def columns(self) -> list[MenuColumn]:
        return list(self.query(MenuColumn))

    @property
    def highlighted_id(self) -> str | None:
        """The id of the entry under the cursor (in the focused column, else the left one)."""
        columns = self.columns
        column = next((c for c in columns if c.has_focus), columns[0])
        if column.highlighted is None or not column.option_count:
            return None
        return column.get_option_at_index(column.highlighted).id

    def focus_first(self) -> None:
        first = self.columns[0]
        first.highlighted = 0
        first.focus()

    def _move_to(self, index: int, row: int) -> None:
        columns = [c for c in self.columns if c.option_count]
        if not columns:
            return
        target = columns[index % len(columns)]
        target.highlighted = max(0, min(row, target.option_count - 1))
        target.focus()

    def action_column(self, step: int) -> None:
        columns = self.columns
        current = next((i for i, c in enumerate(columns) if c.has_focus), 0)
        self._move_to(current + step, columns[current].highlighted or 0)

    @on(Edge)
    def _edge(self, event: Edge) -> None:
        event.stop()
        columns = self.columns
        index = columns.index(event.column)
        if event.direction > 0 and index + 1 < len(columns) and columns[index + 1].option_count:
            self._move_to(index + 1, 0)
        elif event.direction < 0 and index > 0:
            self._move_to(index - 1, columns[index - 1].option_count - 1)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Chosen(self, event.option.id))
