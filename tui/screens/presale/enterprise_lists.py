"""An enterprise's lists kept at the keyboard (seed 004 §3): a project's certificates (四证),
the enterprise's banks (按揭银行, 监管银行账户, 贷款银行), its users and their admission
(企业用户管理: the administrator adds users and applies for them; 入网审核: the authority
admits or refuses each).

Each screen shows one list (F5 刷新), adds through a dialog of ``enterprise_forms`` (F2) and
acts on the highlighted row; the use cases decide and their refusals are shown as they are.
Every value is shown as text, phone numbers masked (``services.presale``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Header, Input, Static

from core.roles import Admission, Permission
from core.timeutil import to_local
from services.presale import developers, projects, users
from services.presale.common import ProjectView
from services.presale.users import UserView
from tui.screens.base import AppScreen
from tui.screens.dialogs import ConfirmDialog, ReasonDialog
from tui.screens.presale.enterprise_forms import BankDialog, CertificateDialog, Field, FormDialog
from tui.widgets.footer import KeyFooter
from tui.widgets.message import MessageLine
from tui.widgets.tables import ListTable

__all__ = ["AddUserDialog", "BanksScreen", "CertificatesScreen", "OpenAdminDialog", "UsersScreen"]

Row = tuple[str, Sequence[str]]


class Listed(Message):
    """A list's rows as loaded (key, cells), and what to say about it."""

    def __init__(self, rows: list[Row], note: str = "", data: object = None) -> None:
        super().__init__()
        self.rows = rows
        self.note = note
        self.data = data


class Done(Message):
    """An act on a row went through: what to say."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class _ListScreen(AppScreen):
    """A title, a message line, one list and the footer; ``load`` runs in a worker."""

    CSS_PATH = "presale.tcss"
    COLUMNS: ClassVar[list[tuple[str, int | None]]] = []
    EMPTY: ClassVar[str] = ""

    def title_text(self) -> str:
        raise NotImplementedError

    def columns(self) -> list[tuple[str, int | None]]:
        return self.COLUMNS

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="status-row"):
            yield Static(self.title_text(), id="list-title", classes="screen-title", markup=False)
            yield MessageLine(id="list-message", classes="status-line")
        yield ListTable(self.columns(), id="maintain-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#maintain-list", ListTable).focus()
        self.action_reload()

    def action_reload(self, note: str = "") -> None:
        self._load(note)

    @work(thread=True, exclusive=True, group="list", exit_on_error=False)
    def _load(self, note: str) -> None:
        rows, data = self.load()
        self.post_message(Listed(rows, note, data))

    def load(self) -> tuple[list[Row], object]:
        """The rows (in the worker) and anything the screen keeps of them."""
        raise NotImplementedError

    def on_listed(self, message: Listed) -> None:
        # (Textual calls every class's handler of a message: subclasses use the hooks below.)
        self.loaded(message.data)
        self.query_one("#maintain-list", ListTable).set_rows(self.decorate(message.rows))
        if not message.rows and not message.note:
            self.set_message(self.EMPTY)
        else:
            self.say_loaded(message.note)

    def decorate(self, rows: list[Row]) -> list[Row]:
        """The rows as shown (a mark added)."""
        return rows

    def say_loaded(self, note: str) -> None:
        """What the message line says of a list loaded: what was just done, if anything."""
        self.set_message(note, "ok")

    def loaded(self, data: object) -> None:
        """Keep what ``load`` returned besides the rows (on the screen's thread)."""

    def highlighted(self) -> str | None:
        table = self.query_one("#maintain-list", ListTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def on_done(self, message: Done) -> None:
        self.action_reload(message.text)

    def after_dialog(self, what: str) -> Any:
        """A dialog's callback: reload the list and say ``what`` when something was made."""
        def reload(result: object) -> None:
            if result is not None:
                self.action_reload(what)
        return reload


# ---------------------------------------------------------------- 项目证件


def _day(value: object) -> str:
    return "" if value is None else str(value)


class CertificatesScreen(_ListScreen):
    """项目证件: a project's certificates; F2 新增, Delete 删除 one entered in error."""

    COLUMNS = [("证件类型", 18), ("证件编号", 24), ("发证日期", None), ("发证机关", 12)]
    EMPTY = "该项目尚未登记证件，按 F2 新增。"
    BINDINGS = [
        Binding("f2", "add", "新增证件", key_display="F2"),
        Binding("delete", "remove", "删除", key_display="Del"),
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "列出项目的证件：国有土地使用证、建设用地规划许可证、建设工程规划许可证、建设工程施工许可证（四证）。",
        "F2 新增证件：类型填编号或名称，国有土地使用证还可填土地用途、面积和使用期限；F9 保存。",
        "↑↓ 选择证件，Del 删除录入有误的证件（须确认）。四证齐全后方可申请商品房预售许可。",
    )

    def __init__(self, project: ProjectView) -> None:
        super().__init__()
        self.project = project

    def title_text(self) -> str:
        return f"项目证件　{self.project.name}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "remove"):
            return self.actor.can(Permission.DEVELOPER_MAINTAIN)
        return True

    def load(self) -> tuple[list[Row], object]:
        view = projects.show_project(self.db, self.actor, self.project.id)
        rows = [(str(c.id), [c.kind_label, c.number, _day(c.issued_on), c.issuer or ""]) for c in view.certificates]
        return rows, view

    def loaded(self, data: object) -> None:
        assert isinstance(data, ProjectView)
        self.project = data

    def say_loaded(self, note: str) -> None:
        missing = self.project.missing
        self.set_message(note + ("四证齐全。" if not missing else f"四证尚缺：{'、'.join(missing)}。"),
                         "ok" if not missing else "neutral")

    def action_add(self) -> None:
        self.app.push_screen(CertificateDialog(self.project), self.after_dialog("已新增证件。"))

    def action_remove(self) -> None:
        key = self.highlighted()
        if key is None:
            self.show_refusal("没有可删除的证件。")
            return
        cert = next(c for c in self.project.certificates if str(c.id) == key)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._remove(cert.id)

        self.app.push_screen(ConfirmDialog("删除项目证件", f"删除{cert.kind_label} {cert.number}？"), confirmed)

    @work(thread=True, exclusive=True, group="act", exit_on_error=False)
    def _remove(self, certificate_id: int) -> None:
        projects.remove_certificate(self.db, self.actor, certificate_id)
        self.post_message(Done("已删除该证件。"))


# ---------------------------------------------------------------- 银行信息


class BanksScreen(_ListScreen):
    """银行信息: the enterprise's 按揭银行, 监管银行账户 and 贷款银行; F2 添加, Delete 删除."""

    COLUMNS = [("类别", 12), ("银行名称", 16), ("开户行（网点）", 16), ("账户名称", 12), ("监管账号", None)]
    EMPTY = "尚未登记银行信息，按 F2 添加。"
    BINDINGS = [
        Binding("f2", "add", "添加银行", key_display="F2"),
        Binding("delete", "remove", "删除", key_display="Del"),
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "列出本企业的按揭银行（购房人贷款）、监管银行账户（预售资金监管）和贷款银行（在建工程抵押）。",
        "F2 添加：类别填编号或名称；监管银行账户须填开户行、账户名称和监管账号，其他类别只填银行名称和网点。",
        "↑↓ 选择，Del 删除（须确认；已签的协议仍保留其记录）。",
    )

    def __init__(self, credit_code: str | None, developer_name: str) -> None:
        super().__init__()
        self.credit_code = credit_code
        self.developer_name = developer_name
        self.banks: dict[str, str] = {}

    def title_text(self) -> str:
        return f"银行信息　{self.developer_name}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "remove"):
            return self.actor.can(Permission.DEVELOPER_MAINTAIN)
        return True

    def load(self) -> tuple[list[Row], object]:
        banks = developers.list_banks(self.db, self.actor, self.credit_code)
        rows = [(str(b.id), [b.purpose_label, b.bank_name, b.branch or "", b.account_name or "", b.account_number or ""])
                for b in banks]
        return rows, {str(b.id): f"{b.purpose_label} {b.bank_name}" for b in banks}

    def loaded(self, data: object) -> None:
        assert isinstance(data, dict)
        self.banks = data

    def action_add(self) -> None:
        self.app.push_screen(BankDialog(self.credit_code), self.after_dialog("已添加银行信息。"))

    def action_remove(self) -> None:
        key = self.highlighted()
        if key is None:
            self.show_refusal("没有可删除的银行信息。")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._remove(int(key))

        self.app.push_screen(ConfirmDialog("删除银行信息", f"删除{self.banks[key]}？"), confirmed)

    @work(thread=True, exclusive=True, group="act", exit_on_error=False)
    def _remove(self, bank_id: int) -> None:
        developers.remove_bank(self.db, self.actor, bank_id)
        self.post_message(Done("已删除该银行信息。"))


# ---------------------------------------------------------------- 企业用户 · 入网审核

ACCOUNT_FIELDS: tuple[Field, ...] = (
    ("username", "用户名", "登录用的名字（字母、数字）", 32),
    ("name", "姓名", "", 40),
    ("phone", "手机号码", "11位手机号码", 20),
    ("password", "初始密码", "至少12位，首次登录后修改", 128),
)


class _AccountDialog(FormDialog):
    """An account's four facts (the password typed hidden)."""

    FIELDS = ACCOUNT_FIELDS

    def __init__(self, credit_code: str | None) -> None:
        super().__init__()
        self.credit_code = credit_code

    def on_mount(self) -> None:
        self.query_one("#f-password", Input).password = True


class AddUserDialog(_AccountDialog):
    """用户入网·添加用户: the enterprise's administrator adds an operator (not yet admitted)."""

    TITLE_TEXT = "添加企业用户"

    def submit(self, values: dict[str, str]) -> UserView:
        return users.add_user(self.db, self.actor, credit_code=self.credit_code, **values)


class OpenAdminDialog(_AccountDialog):
    """开设管理员账户: the authority opens the enterprise's administrator account (admitted at once)."""

    TITLE_TEXT = "开设企业管理员账户"

    def submit(self, values: dict[str, str]) -> int:
        assert self.credit_code is not None
        return developers.add_developer_admin(self.db, self.actor, self.credit_code, **values)


def _when(view: UserView) -> str:
    moment = view.decided_at or view.applied_at
    return f"{to_local(moment):%Y-%m-%d %H:%M}" if moment else ""  # in the hall's time, not UTC


class UsersScreen(_ListScreen):
    """企业用户管理 (an enterprise's administrator) and 入网审核 (the authority).

    The administrator sees the enterprise's users: F2 添加用户, Space 选中 (several at once),
    F9 申请入网 for the chosen (or the highlighted). The authority sees the queue of every
    application (F9 准予入网, F8 不予入网 with a reason); with an enterprise open, F6 shows that
    enterprise's users and F2 opens its administrator account."""

    COLUMNS = [("选", None), ("用户名", 12), ("姓名", 8), ("企业", 14), ("手机", None), ("入网状态", None),
               ("时间", None)]
    #: What a developer's administrator is not shown (its own enterprise's name on every row), and the
    #: authority (the choice of several at once is the administrator's).
    _NOT_FOR_DEVELOPER = 3
    _NOT_FOR_AUTHORITY = 0
    BINDINGS = [
        Binding("f2", "add", "添加用户", key_display="F2"),
        Binding("space", "mark", "选中", key_display="Space"),
        Binding("f9", "decide(True)", "申请入网", key_display="F9"),
        Binding("f8", "decide(False)", "不予入网", key_display="F8"),
        Binding("f6", "switch", "切换列表", key_display="F6"),
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "开发企业管理员：F2 添加用户（姓名、手机号码、用户名、初始密码）；Space 选中一个或多个用户，F9 申请入网。",
        "主管部门：列出待审核的入网申请，F9 准予入网，F8 不予入网（须写明原因，企业可再次申请）。",
        "主管部门打开某企业后，F6 在“待审核”和“本企业用户”之间切换，F2 为该企业开设管理员账户。",
        "只有准予入网的用户才能登录办理业务。手机号码已遮蔽。",
    )

    def __init__(self, credit_code: str | None = None, developer_name: str = "") -> None:
        super().__init__()
        self.credit_code = credit_code
        self.developer_name = developer_name
        self.authority = False
        self.queue = True  # the authority's view: the admission queue, or the enterprise's users
        self.marked: set[str] = set()
        self.views: dict[str, UserView] = {}

    def on_mount(self) -> None:
        self.authority = self.actor.developer_id is None and self.actor.can(Permission.USER_ADMISSION)
        self.queue = self.authority
        self.refresh_bindings()

    def title_text(self) -> str:
        if self.actor.developer_id is None and self.actor.can(Permission.USER_ADMISSION) and self.queue:
            return "入网审核（各企业的申请）"
        return f"企业用户　{self.developer_name}"

    def step_actions(self) -> Sequence[str]:
        return ("decide", "add", "mark") if not self.authority else ("decide", "switch", "add")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add":
            return (not self.authority and self.actor.can(Permission.DEVELOPER_USERS)) or (
                self.authority and self.credit_code is not None and self.actor.can(Permission.DEVELOPER_REGISTER))
        if action == "mark":
            return not self.authority
        if action == "decide":
            return (parameters == (True,) and not self.authority) or (self.authority and self.queue)
        if action == "switch":
            return self.authority and self.credit_code is not None
        return True

    @property
    def active_bindings(self):  # type: ignore[no-untyped-def]
        """The authority's F9 reads 准予入网, the administrator's 申请入网."""
        bindings = super().active_bindings
        if self.authority:
            for key, active in bindings.items():
                if active.binding.action == "decide(True)":
                    bindings[key] = active._replace(binding=replace(active.binding, description="准予入网"))
                elif active.binding.action == "add":
                    bindings[key] = active._replace(binding=replace(active.binding, description="开设管理员"))
        return bindings

    def _hidden(self) -> int:
        return self._NOT_FOR_DEVELOPER if self.actor.developer_id is not None else self._NOT_FOR_AUTHORITY

    def columns(self) -> list[tuple[str, int | None]]:
        hidden = self._hidden()
        return [c for i, c in enumerate(self.COLUMNS) if i != hidden]

    def load(self) -> tuple[list[Row], object]:
        if self.authority and self.queue:
            found = users.admission_queue(self.db, self.actor)
            self.EMPTY = "没有待审核的入网申请。"
        else:
            found = users.list_users(self.db, self.actor, self.credit_code)
            self.EMPTY = "本企业尚无用户，按 F2 添加。"
        return [(v.username, ["", v.username, v.name, v.developer_name, v.masked_phone, v.admission_label, _when(v)])
                for v in found], {v.username: v for v in found}

    def loaded(self, data: object) -> None:
        assert isinstance(data, dict)
        self.views = data
        self.marked &= set(data)

    def decorate(self, rows: list[Row]) -> list[Row]:
        hidden = self._hidden()
        marked = [(key, ["✓" if key in self.marked else "", *cells[1:]]) for key, cells in rows]
        return [(key, [c for i, c in enumerate(cells) if i != hidden]) for key, cells in marked]

    def on_data_table_row_highlighted(self) -> None:
        """A refused user's reason, for the administrator to put right before applying again."""
        view = self.views.get(self.highlighted() or "")
        if view is not None and view.admission == Admission.REFUSED and view.decision_note:
            self.set_message(f"{view.username} 未通过入网审核：{view.decision_note}")

    def action_mark(self) -> None:
        key = self.highlighted()
        if key is None:
            return
        self.marked.symmetric_difference_update({key})
        table = self.query_one("#maintain-list", ListTable)
        row = table.cursor_row
        table.update_cell(key, "c0", "✓" if key in self.marked else "")
        if row + 1 < table.row_count:
            table.move_cursor(row=row + 1)

    def action_switch(self) -> None:
        self.queue = not self.queue
        self.query_one("#list-title", Static).update(self.title_text())
        self.refresh_bindings()
        self.action_reload()

    def action_add(self) -> None:
        if self.authority:
            self.app.push_screen(OpenAdminDialog(self.credit_code), self.after_dialog("已开设管理员账户，可直接登录。"))
        else:
            self.app.push_screen(AddUserDialog(self.credit_code), self.after_dialog("已添加用户，请申请入网。"))

    def action_decide(self, approve: bool) -> None:
        key = self.highlighted()
        if not self.authority:
            chosen = sorted(self.marked) or ([key] if key else [])
            if not chosen:
                self.show_refusal("请选择要申请入网的用户。")
                return
            self._apply(chosen)
            return
        if key is None:
            self.show_refusal("没有待审核的入网申请。")
            return
        if approve:
            self._decide(key, True, None)
            return

        def reason(text: str | None) -> None:
            if text:
                self._decide(key, False, text)

        self.app.push_screen(ReasonDialog("不予入网", "不予入网的原因"), reason)

    @work(thread=True, exclusive=True, group="act", exit_on_error=False)
    def _apply(self, usernames: list[str]) -> None:
        done = users.apply_admission(self.db, self.actor, usernames)
        self.post_message(Done(f"已申请入网：{'、'.join(v.username for v in done)}，等待主管部门审核。"))

    @work(thread=True, exclusive=True, group="act", exit_on_error=False)
    def _decide(self, username: str, approve: bool, note: str | None) -> None:
        view = users.decide_admission(self.db, self.actor, username, approve=approve, note=note)
        self.post_message(Done(f"{view.username}（{view.developer_name}）：{view.admission_label}。"))

    def on_done(self, message: Done) -> None:  # before _ListScreen's, which reloads
        self.marked.clear()
