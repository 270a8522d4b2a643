"""帮助 (F1): the keys of the screen in front of the operator and the steps of its task.

Textual's own key panel speaks English and lists widget internals; this dialog
lists only what the operator can press on the screen it was opened over (the
keys its ``check_action`` allows now, shown or not in the footer), each with its
Chinese description, and the screen's ``HELP_STEPS`` (``AppScreen``), in the
guides' words. It is a plain modal (no session needed): F1 works on the login
form too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from tui.widgets.message import Wrapped

_CJK = re.compile(r"[\u3400-\u9fff]")
_NOT_LISTED = {"help"}  # F1 itself: the dialog says how to close it


def screen_title(screen: Screen) -> str:
    """What the screen calls itself: its title line (``.screen-title``, a dialog's ``.form-title``)."""
    for selector in (".screen-title", ".form-title"):
        for widget in screen.query(selector):
            if isinstance(widget, Static):
                return str(widget.content).strip()
    return ""


def key_lines(screen: Screen) -> list[tuple[str, str]]:
    """(keys, Chinese description) of every key the screen answers now, in footer order;
    keys with one action are joined ("R / F5"). Widget internals with English
    descriptions (a table's cursor keys, an input's editing keys) are left out."""
    app = screen.app
    by_action: dict[tuple[int, str], tuple[list[str], str]] = {}
    for active in screen.active_bindings.values():
        binding: Binding = active.binding
        description = binding.description or binding.tooltip
        action = binding.action.removeprefix("app.").removeprefix("screen.")
        if binding.system or action in _NOT_LISTED or not _CJK.search(description or ""):
            continue
        keys, _ = by_action.setdefault((id(active.node), binding.action), ([], description))
        display = app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
    return [(" / ".join(keys), description) for keys, description in by_action.values()]


def keys_table(keys: Sequence[tuple[str, str]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    for key, description in keys:
        grid.add_row(Text(key), Text(description))
    return grid


class HelpScreen(ModalScreen[None]):
    """The keys and the steps of one screen; Esc or F1 closes it."""

    BINDINGS = [Binding("escape", "close", "关闭", key_display="Esc")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.title_text = screen_title(screen)
        self.keys = key_lines(screen)
        self.steps: Sequence[str] = tuple(getattr(screen, "HELP_STEPS", ()))

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog"):
            yield Label(f"帮助　{self.title_text}" if self.title_text else "帮助", classes="form-title", markup=False)
            with VerticalScroll(id="help-body"):
                if self.steps:
                    yield Static("办理步骤", classes="help-head")
                    yield Static(Wrapped("\n".join(f"{i}. {step}" for i, step in enumerate(self.steps, 1))),
                                 id="help-steps")
                yield Static("按键", classes="help-head")
                if self.keys:
                    yield Static(keys_table(self.keys), id="help-keys")
                else:
                    yield Static("本画面没有功能键。", id="help-keys", markup=False)
            yield Static("Esc 或 F1 关闭帮助　↑↓ 滚动", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
