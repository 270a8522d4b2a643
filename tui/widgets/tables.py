"""A DataTable for Chinese lists at 80 columns.

Textual's default cell padding puts two blank cells between columns; with
wide (two-cell) Chinese text that costs too much at 80 columns. ``ListTable``
uses no padding and one blank cell between columns, and ``clip`` shortens
over-long values by display cells (not characters), with an ellipsis, so a
long organisation name cannot push the other columns off screen. A header or
value may hold two lines ("业务号\\n业务类型"): the header and the rows then
grow to the tallest one, which lets a wide list (已办业务) stack pairs of
columns instead of scrolling sideways.

The table is always filled as a whole (``set_rows``) with column widths
measured here, by display cells, rather than left to the DataTable's own
measuring on its next idle: the first picture of a new list is then already
laid out (no frame with columns at their header widths).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

GAP = 1  # blank cells between columns


def clip(value: str, cells: int | None) -> str:
    """``value`` cut to at most ``cells`` display cells, ending in … when cut."""
    if cells is None or cell_len(value) <= cells:
        return value
    out = ""
    for ch in value:
        if cell_len(out + ch) > cells - 1:
            break
        out += ch
    return out + "…"


def _lines(value: str | None, limit: int | None) -> list[str]:
    return [clip(line, limit) for line in (value or "").split("\n")]


class ListTable(DataTable):
    """Row-cursor table with a one-cell gap between columns, filled as a whole.

    The stylesheet gives it its size (lists fill their screen: ``width: 1fr``);
    a column's limit is the least it is cut to: when the table is wider than its
    columns (120 columns, or a short list), the columns that had to be cut get
    the spare room, up to their whole text, and a resize refills the table.
    """

    def __init__(self, columns: Sequence[tuple[str, int | None]], **kwargs) -> None:
        """``columns``: (header, at most this many cells per line when room is short, or None) per column."""
        header_height = max((header.count("\n") + 1 for header, _ in columns), default=1)
        super().__init__(cursor_type="row", cell_padding=0, header_height=header_height, **kwargs)
        self._headers = [header.split("\n") for header, _ in columns]
        self._limits = [limit for _, limit in columns]
        self._rows: list[tuple[str, list[str]]] = []
        self._styles: dict[str, dict[int, str]] = {}  # row key -> column -> Rich style
        self._filled_for = 0  # the room the table was last filled for
        self.set_rows([])

    def set_rows(self, rows: Sequence[tuple[str, Sequence[str]]],
                 styles: Mapping[str, Mapping[int, str]] | None = None) -> None:
        """Replace every row: (row key, one plain string per column); never markup.
        ``styles``: by row key, a Rich style for some of its columns (a mark such as overdue)."""
        self._rows = [(key, list(values)) for key, values in rows]
        self._styles = {key: dict(cols) for key, cols in (styles or {}).items()}
        self._fill()

    def _room(self) -> int:
        """Cells the columns may take: the table's width less a vertical scrollbar's (reserved
        whether shown or not, so rows arriving later never force a horizontal one); 0 before
        the first layout."""
        return max(0, self.size.width - self.styles.scrollbar_size_vertical)

    def _fitted_limits(self, room: int) -> list[int | None]:
        """The columns' limits, widened into ``room`` for the columns their limit cuts."""
        limits = list(self._limits)
        last = len(self._headers) - 1
        whole = []
        for i, header in enumerate(self._headers):
            lines = header + [line for _, row in self._rows for line in (row[i] or "").split("\n")]
            whole.append(max(cell_len(line) for line in lines))
        cut = [min(w, limit) if limit is not None else w for w, limit in zip(whole, limits, strict=True)]
        spare = room - sum(cut) - GAP * last
        for i, limit in enumerate(limits):
            if spare <= 0:
                break
            if limit is not None and whole[i] > limit:
                extra = min(whole[i] - limit, spare)
                limits[i] = limit + extra
                spare -= extra
        return limits

    def _fill(self) -> None:
        room = self._room()
        self._filled_for = room
        limits = self._fitted_limits(room) if room else self._limits
        cells = [(key, [_lines(value, limits[i]) for i, value in enumerate(values)]) for key, values in self._rows]
        last = len(self._headers) - 1
        widths = []
        for i, header in enumerate(self._headers):
            lines = header + [line for _, row in cells for line in row[i]]
            widths.append(max(cell_len(line) for line in lines) + (GAP if i != last else 0))
        self.clear(columns=True)
        for i, header in enumerate(self._headers):
            self.add_column(Text("\n".join(header)), key=f"c{i}", width=widths[i])
        for key, row in cells:
            marks = self._styles.get(key, {})
            self.add_row(*(Text("\n".join(lines), style=marks.get(i, "")) for i, lines in enumerate(row)),
                         key=key, height=max(len(lines) for lines in row))

    def on_resize(self) -> None:
        """Refill for the new width, the cursor staying on its row."""
        if self._room() == self._filled_for:
            return
        row = self.cursor_row
        self._fill()
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1), animate=False)
