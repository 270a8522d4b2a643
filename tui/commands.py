"""命令面板 (Ctrl+P), in Chinese: the screens the operator's role may open and the keys of
the screen in front of them, found by name.

Textual's palette comes with English system commands (Theme, Quit, Keys,
Screenshot) and English words of its own ("Search for commands…", "No matches
found"); the terminal uses neither: ``DeskCommands`` is the app's only provider
and ``DeskPalette`` says its few words in Chinese. The palette opens only in a
logged-in, unlocked session (``WangqianApp.check_action``).

The screens are the home menu's (``tui.screens.home.MENU``), filtered by the
same permissions (``MENU_PERMISSION``, ``may_open``) and opened by the home screen itself, so
the palette can open nothing the menu would not. The keys are the calling
screen's (``tui.screens.help.key_lines``: what its ``check_action`` allows now).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, NamedTuple, cast

from rich.align import Align
from rich.text import Text
from textual.binding import Binding
from textual.command import (
    CommandList,
    CommandPalette,
    DiscoveryHit,
    Hit,
    Hits,
    Provider,
)
from textual.widgets.option_list import Option

from tui.screens.help import key_lines
from tui.screens.home import MENU, HomeScreen, may_open

if TYPE_CHECKING:
    from tui.app import WangqianApp

PLACEHOLDER = "输入功能或画面名称查找，如：选房、网签、锁屏"
NO_MATCHES = "没有找到该功能"


class Command(NamedTuple):
    title: str  # what is searched and shown
    help: str  # the line under it
    run: Callable[[], object]


def _open_from_home(app: WangqianApp, code: str) -> None:
    """Open a menu entry as the home menu does (it checks the role again)."""
    if code == "lock":
        app.action_lock()
        return
    if code == "logout":
        app.call_later(app.run_action, "logout")
        return
    home = next((s for s in reversed(app.screen_stack) if isinstance(s, HomeScreen)), None)
    if home is not None:
        home.action_open(code)


def desk_commands(app: WangqianApp, screen: object) -> list[Command]:
    """The keys of ``screen`` first (its current step's first), then every screen the role may open."""
    actor = app.actor
    if actor is None:
        return []
    out: list[Command] = []
    seen: set[str] = set()
    for namespace, binding in _screen_actions(screen):
        keys = app.get_key_display(binding)
        if binding.description in seen:
            continue
        seen.add(binding.description)
        out.append(Command(binding.description, f"本画面功能　按键 {keys}",
                           partial(app.run_action, binding.action, namespace)))
    out.append(Command("帮助", "本画面的按键和办理步骤　按键 F1", app.action_help))
    seen.add("帮助")
    for code, key, name in MENU:
        if not may_open(actor, code):
            continue
        if name in seen:
            continue
        seen.add(name)
        where = "工作台功能" if code in {"lock", "logout", "accept"} else "打开画面"
        out.append(Command(name, f"{where}　工作台按键 {key}", partial(_open_from_home, app, code)))
    return out


def _screen_actions(screen: object) -> Iterator[tuple[object, Binding]]:
    """(namespace, binding) of the screen's own keys that ``key_lines`` lists, enabled ones
    only: not the app's (Tab, 锁屏, F1) and not the home screen's (its keys are the menu,
    listed below with the role's permissions)."""
    if isinstance(screen, HomeScreen):
        return
    listed = {description for _, description in key_lines(screen)}  # type: ignore[arg-type]
    for active in screen.active_bindings.values():  # type: ignore[attr-defined]
        binding = active.binding
        if active.enabled and active.node is screen and binding.description in listed:
            yield active.node, binding


class DeskCommands(Provider):
    """The palette's one source: the calling screen's keys and the screens of the home menu."""

    def _commands(self) -> list[Command]:
        return desk_commands(cast("WangqianApp", self.app), self.screen)

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.title, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), command.run, help=command.help)


class DeskPalette(CommandPalette):
    """Textual's palette with its words in Chinese."""

    BINDINGS = [
        Binding("ctrl+end, shift+end", "command_list('last')", "到最后一项", show=False),
        Binding("ctrl+home, shift+home", "command_list('first')", "到第一项", show=False),
        Binding("down", "cursor_down", "下一项", show=False),
        Binding("escape", "escape", "关闭命令面板", key_display="Esc"),
        Binding("pagedown", "command_list('page_down')", "下一页", show=False),
        Binding("pageup", "command_list('page_up')", "上一页", show=False),
        Binding("up", "command_list('cursor_up')", "上一项", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(placeholder=PLACEHOLDER, id="--command-palette")

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """As Textual's, with the sentence in Chinese."""
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(NO_MATCHES, style="not bold")), disabled=True, id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
