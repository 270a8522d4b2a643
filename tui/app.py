"""The counter terminal: login, idle lock, and the screens of the working day.

One ``WangqianApp`` serves one window of the service hall. The logged-in
operator is ``app.actor``; every service call passes it, so the services
decide what the operator may do. The app itself only keeps the session:
who is logged in, when the keyboard or mouse was last touched, and whether
the terminal is locked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.app import App, ScreenStackError, UnknownModeError
from textual.notifications import SeverityLevel
from textual.binding import Binding
from textual.command import Provider
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, TextArea

from core.roles import ROLE_LABELS, Actor
from core.timeutil import to_local
from storage.engine import Database
from tui.logs import logger
from tui.screens.lock import LockScreen
from tui.screens.login import LoginScreen

if TYPE_CHECKING:
    from tui.ssh import RemoteLogin

# Only the login and lock screens are imported with the app: the first frame waits
# for nothing else. The desk's screens and the services behind them are imported
# when first needed, or by ``WangqianApp.warm_up`` once the login form is drawn.
WARM_UP_MODULES = ("services.operators", "tui.screens.home", "services.resale.contracts")

APP_TITLE = "网签柜台"

log = logger("wangqian.tui")

# Events that count as "someone is at the keyboard".
_ACTIVITY_EVENTS = (events.Key, events.MouseEvent, events.Paste)
#: The longest keys wait for a screen being drawn, or for the key before them to be dealt
#: with, before they go on regardless (a safeguard against a screen that never says it is
#: ready; a loaded machine can take seconds to draw one, so not less).
KEY_HOLD_LIMIT_SECONDS = 5.0


def _desk_commands() -> type[Provider]:
    """The palette's provider, loaded when the palette first opens."""
    from tui.commands import DeskCommands

    return DeskCommands


def operator_banner(actor: Actor) -> str:
    """What the title bar says about the logged-in operator: 张敏 · 窗口受理员 · 03号窗口."""
    parts = [actor.name, ROLE_LABELS[actor.role]]
    if actor.window:
        parts.append(f"{actor.window}号窗口")
    return " · ".join(parts)


class WangqianApp(App[None]):
    """The counter terminal of one service-hall window."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = APP_TITLE
    # 命令面板 (Ctrl+P) in Chinese: the screens the role may open and the screen's keys
    # (tui/commands.py; Textual's English system commands are not offered).
    COMMANDS = {_desk_commands}
    # Two screen stacks: the login form, and the operator's desk (removed at logout,
    # so nothing of one session survives into the next).
    DEFAULT_MODE = "login"
    DESK = "desk"
    BINDINGS = [
        Binding("ctrl+l", "lock", "锁屏", key_display="Ctrl+L", priority=True),
        # Shown by the screens whose footer has room for it (AppScreen.active_bindings, KeyFooter).
        Binding("f1", "help", "帮助", key_display="F1", show=False, priority=True),
        Binding("ctrl+p", "command_palette", "命令面板", key_display="Ctrl+P", show=False, priority=True),
        # Tab moves the focus before the next key is handed on. Without priority the Tab
        # waits in the focused field's queue behind the keys typed before it, and the keys
        # after it (already handed to that field) land there: a fast typist's or an
        # ID-card reader's phone number in the ID field.
        Binding("tab", "focus_next", "下一项", key_display="Tab", show=False, priority=True),
        Binding("shift+tab", "focus_previous", "上一项", key_display="Shift+Tab", show=False, priority=True),
    ]

    def __init__(
        self,
        db: Database,
        *,
        idle_seconds: int | None = None,
        demo_logins: list[dict] | None = None,
        draft_sweep_seconds: int | None = None,
        idle_clock: Callable[[], float] = time.monotonic,
        remote: RemoteLogin | None = None,
    ) -> None:
        """Made by ``tui.factory.create_app``. ``db`` carries the hall's settings
        and the clock every screen shows and every service stamps.
        ``idle_seconds``: lock after this long without a key or mouse event
        (default ``Settings.idle_lock_seconds``; 0 disables the idle lock).
        ``demo_logins``: accounts to show on the login screen (demo only).
        ``draft_sweep_seconds``: delete expired contract drafts at start-up and
        then this often (default ``Settings.draft_sweep_seconds``; 0: at
        start-up only; a negative value: never). ``idle_clock``: the seconds
        the idle lock counts (monotonic; a test moves its own). ``remote``: an SSH
        session's operator (``tui.ssh``): the login form is theirs alone, and
        without a password when the mapping says so."""
        super().__init__()
        self.db = db
        self.idle_seconds = db.settings.idle_lock_seconds if idle_seconds is None else idle_seconds
        self.draft_sweep_seconds = (db.settings.draft_sweep_seconds if draft_sweep_seconds is None
                                    else draft_sweep_seconds)
        # A terminal waits for a database server it cannot reach, and says so on the screen.
        db.reconnect_wait = db.settings.db_reconnect_seconds
        db.on_reconnecting = self._reconnecting
        self.drafts_swept: list[str] = []
        self.demo_logins = list(demo_logins or [])
        self.remote = remote
        self.actor: Actor | None = None
        self.farewell: str | None = None  # why the last session ended, when it was not the operator's choice
        self.idle_clock = idle_clock
        self._last_activity = idle_clock()
        self._held_keys: list[events.Key] = []  # typed while the screen on top was being drawn
        self._hold_timer: Timer | None = None
        self._key_settling = False  # the last key is being dealt with (_settle_after_key)
        self._settle_generation = 0
        self._settle_screen: Widget | None = None  # the screen of the key being settled
        self.first_frame = threading.Event()  # set once the first screen has been drawn
        self.add_mode(self.DEFAULT_MODE, lambda: LoginScreen(self.demo_logins))

    # ------------------------------------------------------------ session

    def on_mount(self) -> None:
        self.call_after_refresh(self.first_frame.set)
        self.warm_up()
        if self.idle_seconds > 0:
            interval = min(1.0, max(0.1, self.idle_seconds / 4))
            self.set_interval(interval, self.check_idle_lock, name="idle-lock")
        if self.draft_sweep_seconds >= 0:
            self.sweep_drafts()
            if self.draft_sweep_seconds > 0:
                self.set_interval(self.draft_sweep_seconds, self.sweep_drafts, name="draft-sweep")

    # ------------------------------------------------------------ database down

    def _reconnecting(self, waited: float) -> None:
        """Called by the database handle, in the thread of the call that waits for the server."""
        text = (f"数据库暂时无法连接，正在重试（已等待 {int(waited)} 秒）。已填写的内容都保留，"
                "连接恢复后本次操作自动继续。")
        try:
            self.call_from_thread(self._say_on_screen, text)
        except RuntimeError:  # called on the screen's own thread
            self._say_on_screen(text)

    def _say_on_screen(self, text: str) -> None:
        say = getattr(self.screen, "set_message", None)
        if say is not None:
            say(text, "error")
        else:
            self.notify(text, title="数据库", severity="warning", timeout=5)

    # ------------------------------------------------------------ draft sweep

    @work(thread=True, exclusive=True, group="draft-sweep", exit_on_error=False)
    def sweep_drafts(self) -> None:
        """Seed 002: a contract draft not submitted within 24 hours is deleted.
        Every terminal sweeps (at start-up and periodically); each deletion is
        one audited transaction and a draft already gone is skipped, so
        terminals sweeping at once do no harm. A failure is logged, never shown
        over the clerk's work."""
        self.first_frame.wait(timeout=5)  # the login form is drawn before anything else
        try:
            from services.resale import contracts

            self.drafts_swept.extend(contracts.sweep_expired_drafts(self.db))
        except Exception:
            log.exception("draft sweep failed")

    @work(thread=True, exclusive=True, group="warm-up", exit_on_error=False)
    def warm_up(self) -> None:
        """Once the login form is drawn, import what the desk will need
        (``WARM_UP_MODULES``), so the first login does not wait for it."""
        import importlib

        self.first_frame.wait(timeout=5)
        for name in WARM_UP_MODULES:
            try:
                importlib.import_module(name)
            except Exception:  # imported again when needed, and fails there visibly
                log.exception("warm-up import of %s failed", name)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """A notification shown as written: it names what someone typed (an enterprise called
        "星城[/x]置业" crashed the terminal when its toast was drawn as markup)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def local_now(self) -> datetime:
        """The database handle's clock, in Shanghai time."""
        return to_local(self.db.now())

    def require_actor(self) -> Actor:
        if self.actor is None:  # screens past the login are only reachable logged in
            raise RuntimeError("no operator is logged in")
        return self.actor

    def logged_in(self, actor: Actor) -> None:
        """Start the operator's session on the home screen (the keys typed while the password
        was checked are held here and go to it once it is drawn, in their order)."""
        self.actor = actor
        self.sub_title = operator_banner(actor)
        self.note_activity()
        from tui.screens.home import HomeScreen

        self.add_mode(self.DESK, HomeScreen)
        self.switch_mode(self.DESK)

    async def action_logout(self) -> None:
        """退出登录: drop every screen of the session and show the login form."""
        await self.end_session()

    async def end_session(self, reason: str | None = None) -> None:
        """Drop every screen of the session and show the login form, saying ``reason`` there
        (the account was disabled, locked or re-roled: the next action was refused).
        A remote session logged in without a password has no form to go back to: it
        ends, and the SSH connection with it."""
        if self.remote is not None and not self.remote.password:
            self.exit(message=Text(reason or "已退出登录。"))
            return
        self.actor = None
        self.sub_title = ""
        self.farewell = reason  # the login form says it when it comes back (on_screen_resume)
        await self.switch_mode(self.DEFAULT_MODE)
        try:
            await self.remove_mode(self.DESK)
        except UnknownModeError:  # logout twice, or before any login
            pass
        self.refresh_bindings()

    # ------------------------------------------------------------ idle lock

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, _ACTIVITY_EVENTS):
            self.note_activity()
        if isinstance(event, events.Key) and not event.is_forwarded and (self._held_keys or self._keys_wait()):
            # Three moments when the next key would land in the wrong place: a screen just opened
            # has not yet put its focus in its first field (the key would be dropped, or a Tab
            # would move the focus from nowhere); Enter in a field whose screen then moves the
            # focus to the next field (the keys typed after Enter would reach the field Enter
            # left); and a case or a step's result still loading (a function key would act on
            # what was shown before it: ``AppScreen.KEYS_WAIT_FOR``). The key waits, and so
            # does every key after it, to keep their order.
            self._held_keys.append(event)
            if self._hold_timer is None:
                self._hold_timer = self.set_timer(KEY_HOLD_LIMIT_SECONDS, self._release_keys_anyway)
            return
        await self._dispatch_key(event)

    async def _dispatch_key(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not self._screen_stack:
            return  # held past the last screen (the app is closing, or between modes): no one to type to
        target = self._focused_field() if isinstance(event, events.Key) else None
        await super().on_event(event)
        if not isinstance(event, events.Key) or target is None:
            return
        if isinstance(target, (Input, TextArea)) and event.is_printable:
            return  # a field types a character itself, in the order the characters came
        self._settle_after_key(target)

    def _focused_field(self) -> Widget | None:
        try:
            return self.focused
        except ScreenStackError:  # before the first screen
            return None

    def _keys_wait(self) -> bool:
        try:
            top = self.screen
        except ScreenStackError:
            return False
        if self._key_settling:
            if self._settle_screen is top:
                return True
            # The key took its screen away (it opened another, closed a dialog, logged out): the
            # rest of its settling may never come back; the screen now on top says when it is ready.
            self._key_settling = False
            self._settle_generation += 1
        return not getattr(top, "takes_keys", True) or getattr(top, "awaiting_outcome", False)

    def _settle_after_key(self, field: Widget) -> None:
        """Hold the next keys until the key just handed to ``field`` has been dealt with.

        Textual runs a key's non-priority binding (Enter submitting a field, Backspace, the
        arrows, Enter opening a dropdown, a list's letters) only when the key has bubbled from
        the focused widget up to the app, one message queue at a time; the keys typed after it
        are meanwhile handed to the widget that is still focused, and land before the action
        or in the field it was leaving ("1", Enter, "D004" gave "1D004"). So the next keys wait
        for two rounds of callbacks along the same path (the field, its containers, its screen,
        the app): the first comes after the key itself reached the app and ran its binding, the
        second after what that action posted (Submitted climbing to the screen, which moves the
        focus on; the dropdown taking the focus). This follows the messages' own order, not a
        clock. A hop whose widget has gone (a dialog closed by the key) is skipped; a screen
        coming back on top (``AppScreen.on_screen_resume``) ends the wait as well."""
        chain = list(field.ancestors_with_self)
        chain = chain[: next((i + 1 for i, node in enumerate(chain) if isinstance(node, Screen)), len(chain))]
        path: list[Widget | App] = [*chain, self, *chain, self]
        self._key_settling = True
        self._settle_screen = chain[-1]
        self._settle_generation += 1
        generation = self._settle_generation

        def hop(index: int) -> None:
            if generation != self._settle_generation:
                return  # a newer key's settling (or a screen's return) took over
            while index < len(path):
                node = path[index]
                if node is self or node.is_attached:
                    node.call_later(hop, index + 1)
                    return
                index += 1
            self.settled()

        hop(0)

    @property
    def settling_keys(self) -> bool:
        """Whether the last key is still being dealt with (the next ones wait)."""
        return self._key_settling

    def settled(self) -> None:
        """The last key has been dealt with (or the screen it acted on has gone): hand on the
        keys held meanwhile."""
        self._settle_generation += 1
        self._key_settling = False
        self.call_later(self.release_held_keys)

    async def release_held_keys(self) -> None:
        """Hand on the held keys, in order, while the screen on top takes keys (AppScreen calls
        this once its first field has the focus; a key's settling, once it is done)."""
        while self._held_keys and not self._keys_wait():
            await self._dispatch_key(self._held_keys.pop(0))
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        if self._held_keys:  # still waiting: not for ever
            self._hold_timer = self.set_timer(KEY_HOLD_LIMIT_SECONDS, self._release_keys_anyway)

    def drop_held_keys(self) -> None:
        """Forget the keys held (a refused login: they were meant for the home screen)."""
        self._held_keys.clear()
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None

    async def _release_keys_anyway(self) -> None:
        """A screen that never says it is ready, or a settling that never ends, must not
        swallow the keyboard: after KEY_HOLD_LIMIT_SECONDS the wait is given up (the keys
        after the next one still wait for that one to be dealt with). A screen waiting for an
        answer it will surely get (the login's check) keeps them until then."""
        self._hold_timer = None
        try:
            waiting = self.screen
        except ScreenStackError:
            waiting = None
        if waiting is not None and getattr(waiting, "holds_keys_until_answered", False) \
                and not getattr(waiting, "takes_keys", True):
            self._hold_timer = self.set_timer(KEY_HOLD_LIMIT_SECONDS, self._release_keys_anyway)
            return
        self._settle_generation += 1
        self._key_settling = False
        try:
            screen = self.screen
        except ScreenStackError:
            screen = None
        if screen is not None and not getattr(screen, "takes_keys", True):
            screen.takes_keys = True  # type: ignore[attr-defined]
        if screen is not None and getattr(screen, "awaiting_outcome", False):
            screen.stop_awaiting_outcomes()  # type: ignore[attr-defined]
        await self.release_held_keys()

    def note_activity(self) -> None:
        self._last_activity = self.idle_clock()

    @property
    def idle_for(self) -> float:
        """Seconds since the last key or mouse event."""
        return self.idle_clock() - self._last_activity

    @property
    def is_locked(self) -> bool:
        return any(isinstance(screen, LockScreen) for screen in self.screen_stack)

    def check_idle_lock(self) -> bool:
        """Lock the terminal if the operator has been away too long (timer callback)."""
        if self.idle_seconds > 0 and self.idle_for >= self.idle_seconds and self.can_lock():
            self.action_lock()
            return True
        return False

    def can_lock(self) -> bool:
        return self.actor is not None and not self.is_locked

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "lock":
            return self.can_lock()  # hidden on the login screen and while locked
        if action == "command_palette":
            return self.can_lock() and isinstance(self.screen, Screen) and not isinstance(self.screen, ModalScreen)
        if action == "help":
            return not self.is_locked
        return True

    def action_help(self) -> None:
        """帮助 (F1): the keys and steps of the screen in front (F1 again closes it)."""
        from tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen(self.screen))

    def action_command_palette(self) -> None:
        """命令面板 (Ctrl+P), in Chinese."""
        from textual.command import CommandPalette

        from tui.commands import DeskPalette

        if self.check_action("command_palette", ()) and not CommandPalette.is_open(self):
            self.push_screen(DeskPalette())

    def action_lock(self) -> None:
        """锁屏: cover whatever is on screen; the operator's password lifts it."""
        if not self.can_lock():
            return
        assert self.actor is not None
        self.push_screen(LockScreen(self.actor, locked_at=self.local_now()), callback=self._unlocked)
        self.refresh_bindings()

    def _unlocked(self, _result: object = None) -> None:
        self.note_activity()
        self.refresh_bindings()
