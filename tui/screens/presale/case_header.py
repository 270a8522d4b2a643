"""The top of a presale case screen: its title with the message line beside it, and the box
where the case (or contract, or permit) number is typed. Six screens had written these lines
each; the ids stay ``<prefix>-message`` and ``<prefix>-number``, which the screens query."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from tui.widgets.form import compact_input, field_line
from tui.widgets.message import MessageLine


def case_header(title: str, prefix: str, number: str, placeholder: str, *, label: str = "业务号",
                max_length: int = 20) -> ComposeResult:
    """``yield from`` in a screen's compose."""
    with Horizontal(classes="status-row"):
        yield Static(title, classes="screen-title", markup=False)
        yield MessageLine(id=f"{prefix}-message", classes="status-line")
    field = compact_input(number, placeholder=placeholder, max_length=max_length)
    field.id = f"{prefix}-number"
    yield field_line(label, field)
