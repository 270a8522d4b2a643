"""操作员管理: the hall's administrator keeps the accounts of the hall's staff and of the banks'
and provident-fund centres' reviewers.

The list shows every such account (user name, name, role, window or bank or centre, state);
a developer's staff are kept by the enterprise's administrator and admitted by the authority
(企业用户管理, 入网审核) and are not listed here. F2 新增 opens a form (the role chosen from a
list; the bank or centre named for their reviewers; the password typed twice, never shown);
on the highlighted account F3 变更角色, F4 停用 / 启用, F6 解锁, F7 重设密码 (typed twice).
Every act is ``services.operators``'s, as the logged-in administrator: authorised against
their account as it is now and audited; its refusals (the last active administrator, one's
own account, a role of another kind) are shown as the service words them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from core.errors import RuleViolation
from core.roles import DEVELOPER_ROLES, ROLE_LABELS, Role
from services import operators
from services.operators import OperatorView
from tui.screens.base import AppModal, AppScreen
from tui.screens.dialogs import ConfirmDialog
from tui.screens.presale.enterprise_forms import Field, FormDialog
from tui.widgets.footer import KeyFooter
from tui.widgets.form import clear_field_errors, show_field_error
from tui.widgets.message import MessageLine
from tui.widgets.tables import ListTable

__all__ = ["ROLES", "AddOperatorDialog", "OperatorsScreen", "PasswordDialog", "RoleDialog", "account_state"]

#: The roles this screen gives (a developer's are the enterprise's administrator's to give).
ROLES: tuple[Role, ...] = tuple(r for r in Role if r not in DEVELOPER_ROLES)
PASSWORDS_DIFFER = "两次输入的密码不一致，请重新输入。"


class RoleList(OptionList):
    """The roles to choose from. ↑↓ and Enter are handled as each key arrives (not as bindings,
    which run when the key has bubbled back to the app, behind the rest of a fast typist's
    keys): a burst that picks a role and types on lands every key where it belongs."""

    def on_key(self, event: events.Key) -> None:
        moves = {"down": self.action_cursor_down, "up": self.action_cursor_up, "enter": self.action_select}
        if event.key in moves:
            event.stop()
            event.prevent_default()
            moves[event.key]()


def account_state(view: OperatorView) -> str:
    """正常, 已停用, 已锁定 (or both)."""
    marks = [m for m, on_ in (("已停用", not view.active), ("已锁定", view.locked)) if on_]
    return "·".join(marks) or "正常"


def _check_twice(root: AppModal, first: str, second: str) -> bool:
    """The password typed twice alike, else said under the second field (and nothing sent)."""
    if first != second:
        show_field_error(root, "password2", PASSWORDS_DIFFER)
        root.show_refusal(PASSWORDS_DIFFER)
        return False
    return True


class AddOperatorDialog(FormDialog):
    """新增操作员: user name, name, role (a list), window, bank or centre, password twice."""

    CSS_PATH = None  # (the rules are the shared ones: tui/app.tcss)
    TITLE_TEXT = "新增操作员"
    HINT = "Tab / Enter 下一项，↑↓ 选择角色，F9 保存；Esc 取消"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        ("username", "用户名", "登录名：小写字母、数字", 40),
        ("name", "姓名", "", 40),
        ("window", "窗口号", "窗口受理员填写，如 03", 10),
        ("bank", "所属银行/中心", "银行、公积金中心审核员填写", 60),
        ("password", "初始密码", "至少8位，含字母和数字", 128),
        ("password2", "再次输入密码", "与初始密码相同", 128),
    )

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog operator-dialog"):
            yield Label(self.title_text(), classes="form-title", markup=False)
            with VerticalScroll(classes="operator-form"):
                rows = list(self.form_rows())
                yield from rows[:2]
                with Horizontal(classes="form-field operator-role"):
                    yield Label("角色", classes="form-label")
                    yield RoleList(*[Option(ROLE_LABELS[r], id=r.value) for r in ROLES], id="f-role")
                yield from rows[2:]
            yield MessageLine(classes="error-line")
            yield Static(self.HINT, classes="hint", markup=False)

    def on_mount(self) -> None:
        for name in ("password", "password2"):
            self.query_one(f"#f-{name}", Input).password = True
        self.query_one("#f-role", OptionList).highlighted = 0

    @on(OptionList.OptionSelected, "#f-role")
    def _role_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.focus_next()

    def action_save(self) -> None:
        clear_field_errors(self)
        values = self.values()
        if not _check_twice(self, values["password"], values.pop("password2")):
            return
        roles = self.query_one("#f-role", OptionList)
        values["role"] = ROLES[roles.highlighted or 0].value
        self.set_message("正在保存……")
        self._save(values)

    def submit(self, values: dict[str, str]) -> OperatorView:
        return operators.add_operator(self.db, self.actor, **values)


class PasswordDialog(FormDialog):
    """重设密码: the new password typed twice (never shown)."""

    CSS_PATH = None
    HINT = "Tab / Enter 下一项，F9 保存；Esc 取消"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        ("password", "新密码", "至少8位，含字母和数字", 128),
        ("password2", "再次输入密码", "与新密码相同", 128),
    )

    def __init__(self, view: OperatorView) -> None:
        super().__init__()
        self.view = view

    def title_text(self) -> str:
        return f"重设密码　{self.view.username}（{self.view.name}）"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog operator-dialog"):
            yield Label(self.title_text(), classes="form-title", markup=False)
            with VerticalScroll(classes="operator-form"):
                yield from self.form_rows()
            yield MessageLine(classes="error-line")
            yield Static(self.HINT, classes="hint", markup=False)

    def on_mount(self) -> None:
        for name in ("password", "password2"):
            self.query_one(f"#f-{name}", Input).password = True

    def action_save(self) -> None:
        clear_field_errors(self)
        values = self.values()
        if not _check_twice(self, values["password"], values["password2"]):
            return
        self.set_message("正在保存……")
        self._save(values)

    def submit(self, values: dict[str, str]) -> str:
        operators.change_password(self.db, self.actor, self.view.username, values["password"])
        return self.view.username


class RoleDialog(AppModal[OperatorView]):
    """变更角色: choose the new role from the list; Enter changes it (the service decides)."""

    BINDINGS = [Binding("escape", "cancel", "取消", key_display="Esc")]

    class Changed(Message):
        def __init__(self, view: OperatorView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, view: OperatorView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog operator-dialog"):
            yield Label(f"变更角色　{self.view.username}（{self.view.name}）", classes="form-title", markup=False)
            yield Static(f"现在的角色：{ROLE_LABELS[self.view.role]}", markup=False)
            yield RoleList(*[Option(ROLE_LABELS[r], id=r.value) for r in ROLES], id="role-choice")
            yield MessageLine(classes="error-line")
            yield Static("↑↓ 选择角色，Enter 确定；Esc 取消", classes="hint")

    def on_mount(self) -> None:
        choice = self.query_one("#role-choice", OptionList)
        choice.highlighted = ROLES.index(self.view.role) if self.view.role in ROLES else 0
        choice.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected, "#role-choice")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        assert event.option.id is not None
        self.set_message("正在保存……")
        self._change(event.option.id)

    @work(thread=True, exclusive=True, group="role", exit_on_error=False)
    def _change(self, role: str) -> None:
        self.post_message(self.Changed(operators.set_role(self.db, self.actor, self.view.username, role)))

    def on_role_dialog_changed(self, message: Changed) -> None:
        self.dismiss(message.view)


class OperatorsScreen(AppScreen):
    """操作员管理 (see the module docstring)."""

    COLUMNS: ClassVar[list[tuple[str, int | None]]] = [
        ("用户名", 10), ("姓名", 8), ("角色", None), ("窗口/所属机构", 14), ("状态", None)]
    BINDINGS = [
        # (priority: a dialog opened is on top before the next key of a burst is handed on)
        Binding("f2", "add", "新增", key_display="F2", priority=True),
        Binding("f3", "role", "变更角色", key_display="F3", priority=True),
        Binding("f4", "toggle", "停用/启用", key_display="F4", priority=True),
        Binding("f6", "unlock", "解锁", key_display="F6"),
        Binding("f7", "password", "重设密码", key_display="F7", priority=True),
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "↑↓ 选中操作员；F2 新增（选择角色；监管银行、公积金中心审核员须填写所属银行或公积金中心；密码输入两次）。",
        "F3 变更角色，F4 停用或重新启用，F6 解除因密码错误造成的锁定，F7 重设密码（输入两次）。",
        "不能停用或变更自己正在使用的账户；大厅须至少保留一位在用的系统管理员。",
        "开发企业的用户由企业管理员添加、主管部门审核入网，不在此处管理。",
    )

    class Listed(Message):
        def __init__(self, views: list[OperatorView], note: str) -> None:
            super().__init__()
            self.views = views
            self.note = note

    class Done(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self) -> None:
        super().__init__()
        self.views: dict[str, OperatorView] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="status-row"):
            yield Static("操作员管理", classes="screen-title")
            yield MessageLine(id="operators-message", classes="status-line")
            yield Static("", id="operators-count", markup=False)
        yield ListTable(self.COLUMNS, id="operators-list")
        yield KeyFooter()

    def step_actions(self) -> Sequence[str]:
        return ("add", "role", "toggle", "unlock", "password")

    def on_mount(self) -> None:
        self.query_one("#operators-list", ListTable).focus()
        self.action_reload()

    # ------------------------------------------------------------ the list

    def action_reload(self, note: str = "") -> None:
        self._load(note)

    @work(thread=True, exclusive=True, group="operators-list", exit_on_error=False)
    def _load(self, note: str) -> None:
        views = [v for v in operators.list_operators(self.db, self.actor) if v.developer_id is None]
        self.post_message(self.Listed(views, note))

    def on_operators_screen_listed(self, message: Listed) -> None:
        table = self.query_one("#operators-list", ListTable)
        keep = self.selected.username if self.selected else None
        self.views = {v.username: v for v in message.views}
        table.set_rows([(v.username, [v.username, v.name, v.role_label, v.place, account_state(v)])
                        for v in message.views])
        self.query_one("#operators-count", Static).update(f"共 {len(message.views)} 人")
        if keep in self.views:
            table.move_cursor(row=list(self.views).index(keep))  # type: ignore[arg-type]
        if message.note:
            self.set_message(message.note, "ok")

    @property
    def selected(self) -> OperatorView | None:
        table = self.query_one("#operators-list", ListTable)
        if not table.row_count:
            return None
        return self.views.get(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or "")

    def _chosen(self) -> OperatorView | None:
        view = self.selected
        if view is None:
            self.show_refusal("请先选择操作员。")
        return view

    def _after(self, what: str):  # type: ignore[no-untyped-def]
        def reload(result: object) -> None:
            if result is not None:
                self.action_reload(what(result) if callable(what) else what)
        return reload

    # ------------------------------------------------------------ acts

    def action_add(self) -> None:
        self.clear_message()
        self.app.push_screen(AddOperatorDialog(), self._after(
            lambda v: f"已新增操作员 {v.username}（{v.name}，{v.role_label}）。"))

    def action_role(self) -> None:
        view = self._chosen()
        if view is not None:
            self.clear_message()
            self.app.push_screen(RoleDialog(view), self._after(
                lambda v: f"{v.username} 的角色已变更为{v.role_label}，其已登录的终端须重新登录。"))

    def action_password(self) -> None:
        view = self._chosen()
        if view is not None:
            self.clear_message()
            self.app.push_screen(PasswordDialog(view), self._after(f"{view.username} 的密码已重设，请告知本人。"))

    def action_toggle(self) -> None:
        view = self._chosen()
        if view is None:
            return
        what = "重新启用" if not view.active else "停用"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._set_active(view.username, not view.active, what)

        self.app.push_screen(ConfirmDialog(f"{what}操作员", f"{what}{view.username}（{view.name}）的账户？"), confirmed)

    @work(thread=True, exclusive=True, group="operators-act", exit_on_error=False)
    def _set_active(self, username: str, active: bool, what: str) -> None:
        operators.set_active(self.db, self.actor, username, active)
        self.post_message(self.Done(f"已{what} {username} 的账户。"))

    def action_unlock(self) -> None:
        view = self._chosen()
        if view is None:
            return
        if not view.locked:
            self.show_refusal(f"{view.username} 的账户没有被锁定。")
            return
        self._unlock(view.username)

    @work(thread=True, exclusive=True, group="operators-act", exit_on_error=False)
    def _unlock(self, username: str) -> None:
        operators.unlock(self.db, self.actor, username)
        self.post_message(self.Done(f"已解锁 {username} 的账户。"))

    def on_operators_screen_done(self, message: Done) -> None:
        self.action_reload(message.text)

    def show_field_refusal(self, error: RuleViolation) -> bool:
        return False
