"""登录: the operator's user name and password; the refusal sentence under the form.

In a remote session (``app.remote``, docs/ssh.md) the user name is the one the SSH
login maps to, fixed; the operator types only the password, or nothing at all when
the mapping says ``nopassword``: the form then logs them in as it is drawn."""

from __future__ import annotations

from rich.table import Table
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.message import Message
from textual.widgets import Footer, Header, Input, Label, Static

from core.roles import ROLE_LABELS, Actor, Role
from tui.screens.base import AppScreen
from tui.widgets.form import field_line
from tui.widgets.message import MessageLine


def _role_label(role: str) -> str:
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role


def demo_table(logins: list[dict]) -> Table:
    """The demo accounts, for the demonstration database only."""
    table = Table(title="演示账户（仅用于演示数据库）", expand=True, box=None, padding=(0, 1), title_style="bold")
    for header in ("用户名", "姓名", "角色", "密码"):
        table.add_column(header, no_wrap=True)
    for entry in logins:
        table.add_row(
            str(entry.get("username", "")),
            str(entry.get("name", "")),
            _role_label(str(entry.get("role", ""))),
            str(entry.get("password", "")),
        )
    return table


class LoginScreen(AppScreen):
    """The first screen of the terminal, and the one a logout returns to."""

    class LoggedIn(Message):
        def __init__(self, actor: Actor) -> None:
            super().__init__()
            self.actor = actor

    def __init__(self, demo_logins: list[dict] | None = None) -> None:
        super().__init__()
        self.demo_logins = list(demo_logins or [])

    def compose(self) -> ComposeResult:
        remote = self.wq.remote
        username = Input(placeholder="请输入用户名", id="username")
        if remote is not None:  # the SSH login decides who this is
            username = Input(remote.operator, id="username", disabled=True)
        yield Header()
        with Center():
            with Vertical(id="login-form", classes="panel"):
                yield Label("操作员登录", classes="form-title")
                yield field_line("用户名", username, tall=True)
                yield field_line("密　码", Input(placeholder="请输入密码", password=True, id="password"), tall=True)
                yield MessageLine(id="login-error", classes="error-line")
                if remote is None:
                    yield Static("Enter 登录　Tab 切换输入框　Ctrl+Q 退出程序", classes="hint")
                else:
                    yield Static(f"SSH 远程登录（系统账户 {remote.unix_user}）", classes="hint", markup=False)
                    yield Static("Enter 登录　Ctrl+Q 断开连接", classes="hint")
        if self.demo_logins:
            self.add_class("-demo")
            with Center():
                yield Static(demo_table(self.demo_logins), id="demo-logins")
        yield Footer()

    def on_mount(self) -> None:
        remote = self.wq.remote
        if remote is None:
            self.query_one("#username", Input).focus()
            self.call_after_refresh(self._ready_for_keys)
            return
        self.query_one("#password", Input).focus()
        if not remote.password:
            self.set_message("正在登录……")
            self._hold_keys()
            self._login_without_password(remote.operator, remote.unix_user)
        else:
            self.call_after_refresh(self._ready_for_keys)

    async def _ready_for_keys(self) -> None:
        """The focus is in the form (a focus is set through the app's queue, behind keys
        already typed): from now on keys land in it; those typed before wait until here."""
        self.takes_keys = True
        # Handed on in the app's own task, never in this screen's: a held key may end this
        # screen (退出登录), which waits for this screen's task — a deadlock if it were this one.
        self.wq.call_later(self.wq.release_held_keys)

    def on_screen_resume(self) -> None:
        """Back from a logout: an empty form, nothing of the last session — but why it
        ended, when the terminal ended it (the account was disabled, locked or re-roled)."""
        if self.wq.actor is None:
            if self.focused is None:  # the form gave up its focus to the last check
                username = self.query_one("#username", Input)
                (username if not username.value else self.query_one("#password", Input)).focus()
            # The keys typed right after 退出登录 wait (takes_keys is still False from the
            # check that logged in) until that focus is in place: the focus is set through the
            # app's queue, and so is this, after it.
            self.app.call_later(self._ready_for_keys)
            self.query_one("#password", Input).value = ""
            farewell, self.wq.farewell = self.wq.farewell, None
            if farewell:
                self.show_refusal(farewell)
            else:
                self.clear_message()

    @on(Input.Submitted, "#username")
    def _to_password(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    def _submit(self) -> None:
        remote = self.wq.remote
        username = self.query_one("#username", Input).value if remote is None else remote.operator
        password = self.query_one("#password", Input).value
        self.set_message("正在核对……")
        self._hold_keys()
        self._login(username, password, None if remote is None else remote.unix_user)

    #: False while the password is checked: what is typed meanwhile (the first menu key, a
    #: whole form) waits in the app, Tab and the function keys included, for the home screen,
    #: as for any screen being drawn (WangqianApp.on_event); a refusal drops it.
    takes_keys = False  # until the focus is in the form (on_mount, on_screen_resume)
    #: While the check runs, the app's limit on holding keys does not apply: its answer ends the wait.
    holds_keys_until_answered = False

    def _hold_keys(self) -> None:
        self.takes_keys = False
        self.holds_keys_until_answered = True
        self.set_focus(None)

    @work(thread=True, exclusive=True, group="login", exit_on_error=False)
    def _login(self, username: str, password: str, ssh_user: str | None) -> None:
        from services import operators  # not before the first frame (see tui.app)

        actor = operators.login(self.db, username, password, ssh_user=ssh_user)
        self.post_message(self.LoggedIn(actor))

    @work(thread=True, exclusive=True, group="login", exit_on_error=False)
    def _login_without_password(self, username: str, ssh_user: str) -> None:
        from services import operators

        actor = operators.login_without_password(self.db, username, ssh_user=ssh_user)
        self.post_message(self.LoggedIn(actor))

    def on_login_screen_logged_in(self, message: LoggedIn) -> None:
        self.holds_keys_until_answered = False
        self.wq.logged_in(message.actor)  # the held keys go to the home screen once it is drawn

    def show_refusal(self, message: str) -> None:
        """The sentence under the form; the password is typed again (what was typed
        meanwhile was meant for the home screen, and is dropped)."""
        self.wq.drop_held_keys()
        self.holds_keys_until_answered = False
        self.takes_keys = True
        super().show_refusal(message)
        password = self.query_one("#password", Input)
        password.value = ""
        password.focus()
