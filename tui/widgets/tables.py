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

from collections.abc import Sequence

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
    """Row-cursor table with a one-cell gap between columns, filled as a whole."""

    def __init__(self, columns: Sequence[tuple[str, int | None]], **kwargs) -> None:
        """``columns``: (header, at most this many cells per line, or None) per column."""
        header_height = max((header.count("\n") + 1 for header, _ in columns), default=1)
        super().__init__(cursor_type="row", cell_padding=0, header_height=header_height, **kwargs)
        self._headers = [header.split("\n") for header, _ in columns]
        self._limits = [limit for _, limit in columns]
        self.set_rows([])

    def set_rows(self, rows: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Replace every row: (row key, one plain string per column); never markup."""
        cells = [(key, [_lines(value, self._limits[i]) for i, value in enumerate(values)]) for key, values in rows]
        last = len(self._headers) - 1
        widths = []
        for i, header in enumerate(self._headers):
            lines = header + [line for _, row in cells for line in row[i]]
            widths.append(max(cell_len(line) for line in lines) + (GAP if i != last else 0))
        self.clear(columns=True)
        for i, header in enumerate(self._headers):
            self.add_column(Text("\n".join(header)), key=f"c{i}", width=widths[i])
        for key, row in cells:
            self.add_row(*(Text("\n".join(lines)) for lines in row), key=key, height=max(len(lines) for lines in row))
