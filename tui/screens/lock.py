"""锁屏: an opaque cover over whatever the operator left on screen.

The screen beneath is kept as it was (unlocking returns to it) but none of it
shows through: a person's name, ID or phone number left on the desk is hidden
(``LockScreen``'s background in app.tcss is opaque).

Only the operator's own password lifts it. The check is a normal login with
the same user name, so a wrong password counts towards the lock-out after
five failures exactly as at the login screen. Another operator who wants the
window uses 退出登录 (F10), which ends the session instead.
"""

from __future__ import annotations

from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from core.roles import Actor
from tui.screens.base import AppModal
from tui.widgets.form import field_line
from tui.widgets.message import MessageLine


class LockScreen(AppModal[None]):
    """The terminal is locked; the screen under it is kept, and hidden."""

    BINDINGS = [
        Binding("f10", "app.logout", "退出登录", key_display="F10"),
    ]

    class Unlocked(Message):
        """The password was right."""

    def __init__(self, operator: Actor, *, locked_at: datetime) -> None:
        super().__init__()
        self.operator = operator
        self.locked_at = locked_at

    def compose(self) -> ComposeResult:
        with Vertical(id="lock-box", classes="dialog"):
            yield Label("终端已锁定", classes="form-title")
            yield Static(
                f"操作员：{self.operator.name}（{self.operator.username}）\n"
                f"锁屏时间：{self.locked_at:%Y-%m-%d %H:%M}",
                markup=False,
            )
            yield field_line("密　码", Input(placeholder="请输入本人密码解锁", password=True, id="unlock-password"),
                             tall=True)
            yield MessageLine(id="lock-error", classes="error-line")
            yield Static("Enter 解锁　F10 退出登录（换人办理）", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#unlock-password", Input).focus()

    @on(Input.Submitted, "#unlock-password")
    def _submit(self, event: Input.Submitted) -> None:
        self.set_message("正在核对……")
        self._unlock(event.value)

    @work(thread=True, exclusive=True, group="unlock", exit_on_error=False)
    def _unlock(self, password: str) -> None:
        from services import operators  # not before the first frame (see tui.app)

        remote = self.wq.remote
        operators.login(self.db, self.operator.username, password, purpose="unlock",
                        ssh_user=None if remote is None else remote.unix_user)
        self.post_message(self.Unlocked())

    def on_lock_screen_unlocked(self, _message: Unlocked) -> None:
        self.dismiss(None)

    def show_refusal(self, message: str) -> None:
        """The sentence under the password; it is typed again."""
        super().show_refusal(message)
        password = self.query_one("#unlock-password", Input)
        password.value = ""
        password.focus()
