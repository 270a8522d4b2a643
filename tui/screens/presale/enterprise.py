"""开发企业·项目 (seed 004 §3.1 机构信息管理): an enterprise's facts, its projects with their
四证, and each project's buildings as their surveys left them.

A developer's staff see their own enterprise at once; the authority types a credit code
(or part of a name) and presses Enter. Every value is shown as text, never as markup, and
the legal representative's ID and phone masked (``services.presale``). Keys: F5 刷新,
↑↓ in the project list, Esc 返回. The use cases are ``services.presale.developers`` and
``services.presale.projects``, called in thread workers.

Who may keep what is the role's (``core.roles``); each key is offered only to those who hold
its permission: F2 登记企业 (the authority), F3 编辑企业, F4 新增项目, F6 编辑项目 and
F7 项目证件 (the enterprise's administrator, the authority), F8 银行信息 (all who see the
enterprise), F9 企业用户 / 入网审核 (``enterprise_forms``, ``enterprise_lists``).
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Static

from core.roles import Permission
from services.presale import developers, projects
from services.presale.common import DeveloperView, ProjectView
from tui.screens.base import AppScreen
from tui.screens.presale.enterprise_forms import DeveloperFormScreen, ProjectDialog
from tui.screens.presale.enterprise_lists import BanksScreen, CertificatesScreen, UsersScreen
from tui.widgets.detail import LABEL_STYLE, MUTED, DetailPane
from tui.widgets.footer import KeyFooter
from tui.widgets.form import compact_input, field_line
from tui.widgets.message import MessageLine
from tui.widgets.tables import ListTable

__all__ = ["EnterpriseScreen", "enterprise_renderable", "project_renderable"]


def _grid() -> Table:
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style=LABEL_STYLE, width=10, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    return grid


def enterprise_renderable(v: DeveloperView) -> RenderableType:
    """The enterprise in three lines: who it is, its legal representative, its standing."""
    grid = _grid()
    grid.add_row("开发企业", Text(f"{v.name}　{v.credit_code}　{v.kind}"))
    grid.add_row("法定代表人", Text(f"{v.legal_rep_name}　{v.legal_rep_document} {v.legal_rep_masked_id}　"
                                  f"电话 {v.legal_rep_masked_phone}"))
    capitals = ""
    if v.registered_capital is not None:
        capitals = f"　注册资本 {v.capital_wan(v.registered_capital)} 万元"
    if v.paid_in_capital is not None:
        capitals += f"　实缴 {v.capital_wan(v.paid_in_capital)} 万元"
    standing = Text(f"{v.region}　{v.status_label}{'' if v.valid else '（无效）'}{capitals}")
    if v.status != "normal" or not v.valid:
        standing.stylize("bold red")
    grid.add_row("状态", standing)
    return grid


def project_renderable(p: ProjectView) -> RenderableType:
    """A project: where, its certificates (and which of the 四证 it lacks), its buildings."""
    grid = _grid()
    grid.add_row("坐落", Text(f"{p.location}（{p.district}）"))
    certs = Text("\n").join(Text(f"{c.kind_label} {c.number}" + (f"（{c.issued_on}）" if c.issued_on else ""))
                            for c in p.certificates) if p.certificates else Text("未登记", style=MUTED)
    grid.add_row("项目证件", certs)
    grid.add_row("四证", Text("齐全") if not p.missing else Text(f"尚缺：{'、'.join(p.missing)}", style="bold red"))
    if p.buildings:
        lines = []
        for b in p.buildings:
            current = f"{b.survey_kind}成果 {b.survey_number}，{b.units} 户" if b.survey_number else "尚无备案成果"
            lines.append(Text(f"{b.number}　{current}" + (f"　办理中 {b.live_case}" if b.live_case else "")))
        grid.add_row("楼栋", Text("\n").join(lines))
    else:
        grid.add_row("楼栋", Text("尚无楼栋（导入测绘成果时建立）", style=MUTED))
    return Group(grid)


class EnterpriseScreen(AppScreen):
    """开发企业·项目: the enterprise, its projects and, for the selected one, its details."""

    CSS_PATH = "presale.tcss"
    COLUMNS: list[tuple[str, int | None]] = [("编号", None), ("项目名称", 24), ("区县", 8), ("楼栋", None), ("四证", 10)]
    BINDINGS = [
        Binding("f2", "register", "登记企业", key_display="F2"),
        Binding("f3", "edit", "编辑企业", key_display="F3"),
        Binding("f4", "add_project", "新增项目", key_display="F4"),
        Binding("f6", "edit_project", "编辑项目", key_display="F6"),
        Binding("f7", "certificates", "项目证件", key_display="F7"),
        Binding("f8", "banks", "银行信息", key_display="F8"),
        Binding("f9", "users", "企业用户", key_display="F9"),
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "主管部门：输入开发企业的统一社会信用代码（或名称中的文字），按 Enter 查询；F2 登记新的开发企业。",
        "↑↓ 选择项目，下方显示其坐落、项目证件（四证）和楼栋。",
        "F3 编辑企业信息；F4 新增项目，F6 编辑选中的项目，F7 登记或删除其证件（四证）。",
        "F8 银行信息：按揭银行、监管银行账户、贷款银行。",
        "F9 企业用户：企业管理员添加用户并申请入网；主管部门审核入网申请，并为企业开设管理员账户。",
        "开发企业的人员只看到本企业的信息。",
    )

    class Loaded(Message):
        def __init__(self, developer: DeveloperView | None, found: int, projects: list[ProjectView]) -> None:
            super().__init__()
            self.developer = developer
            self.found = found
            self.projects = projects

    def __init__(self) -> None:
        super().__init__()
        self.projects: dict[str, ProjectView] = {}
        self.query_text = ""
        self.developer: DeveloperView | None = None
        self.away = False  # a list screen opened from here: reload when back

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="status-row"):
            yield Static("开发企业·项目", classes="screen-title", markup=False)
            yield MessageLine(id="enterprise-message", classes="status-line")
        if self.actor.developer_id is None:
            query = compact_input(placeholder="统一社会信用代码或名称，Enter 查询", max_length=60)
            query.id = "enterprise-query"
            yield field_line("开发企业", query)
        yield DetailPane(id="enterprise-facts")
        yield ListTable(self.COLUMNS, id="project-list")
        with VerticalScroll(id="project-scroll"):
            yield DetailPane(id="project-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#project-scroll").border_title = "项目详情"
        self.query_one("#project-detail", DetailPane).show_hint("选择一个项目，这里显示其证件和楼栋。")
        if self.actor.developer_id is None:
            self.query_one("#enterprise-facts", DetailPane).show_hint("请输入开发企业的统一社会信用代码或名称。")
            self.query_one(Input).focus()
        else:
            self.query_one("#project-list", ListTable).focus()
            self.action_reload()

    @on(Input.Submitted)
    def _search(self, event: Input.Submitted) -> None:
        self.query_text = event.value.strip()
        if not self.query_text:
            self.show_refusal("请输入开发企业的统一社会信用代码或名称。")
            return
        self.action_reload()

    def action_reload(self) -> None:
        self.clear_message()
        self._load(self.query_text)

    @work(thread=True, exclusive=True, group="enterprise", exit_on_error=False)
    def _load(self, text: str) -> None:
        if self.actor.developer_id is not None:
            found = [developers.show_developer(self.db, self.actor)]
        else:
            found = developers.list_developers(self.db, self.actor, text, limit=20)
        chosen = next((d for d in found if d.credit_code == text.upper()), found[0] if len(found) == 1 else None)
        listed = projects.list_projects(self.db, self.actor, chosen.credit_code) if chosen else []
        self.post_message(self.Loaded(chosen, len(found), listed))

    def on_enterprise_screen_loaded(self, message: Loaded) -> None:
        facts = self.query_one("#enterprise-facts", DetailPane)
        table = self.query_one("#project-list", ListTable)
        self.developer = message.developer
        self.refresh_bindings()
        if message.developer is None:
            facts.show_hint("没有找到该开发企业。" if not message.found else
                            f"找到 {message.found} 家开发企业，请输入完整的统一社会信用代码。")
            self.projects = {}
            table.set_rows([])
            self._show_selected()
            return
        facts.update(enterprise_renderable(message.developer))
        self.projects = {str(p.id): p for p in message.projects}
        table.set_rows([(key, [key, p.name, p.district, str(len(p.buildings)),
                               "齐全" if not p.missing else f"缺{len(p.missing)}证"])
                        for key, p in self.projects.items()])
        if not self.projects:
            self.set_message("该企业尚未登记项目。")
        self._show_selected()

    @on(DataTable.RowHighlighted, "#project-list")
    def _highlighted(self) -> None:
        self._show_selected()
        self.refresh_bindings()

    def _show_selected(self) -> None:
        pane = self.query_one("#project-detail", DetailPane)
        table = self.query_one("#project-list", ListTable)
        if not table.row_count:
            pane.show_hint("选择一个项目，这里显示其证件和楼栋。")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        project = self.projects.get(key or "")
        if project is not None:
            pane.update(project_renderable(project))

    # ------------------------------------------------------------ keeping the enterprise

    def _selected_project(self) -> ProjectView | None:
        table = next(iter(self.query("#project-list").results(ListTable)), None)  # None before compose
        if table is None or not table.row_count:
            return None
        return self.projects.get(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or "")

    def step_actions(self) -> tuple[str, ...]:
        if self.developer is None:
            return ("register", "users")
        return ("edit", "add_project", "certificates", "banks", "users")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        can = self.actor.can
        if action == "register":
            return can(Permission.DEVELOPER_REGISTER)
        if action in ("edit", "add_project"):
            return can(Permission.DEVELOPER_MAINTAIN) and self.developer is not None
        if action in ("edit_project", "certificates"):
            return can(Permission.DEVELOPER_MAINTAIN) and self._selected_project() is not None
        if action == "banks":
            return self.developer is not None
        if action == "users":
            return can(Permission.USER_ADMISSION) or (can(Permission.DEVELOPER_USERS) and self.developer is not None)
        return True

    def _show(self, code: str) -> None:
        """Show the enterprise of ``code`` (just registered or changed)."""
        self.query_text = code
        if self.actor.developer_id is None:
            self.query_one("#enterprise-query", Input).value = code
        self.action_reload()

    def _saved(self, view: DeveloperView | None) -> None:
        if view is not None:
            self._show(view.credit_code)

    def _project_saved(self, view: ProjectView | None) -> None:
        if view is not None and self.developer is not None:
            self._show(self.developer.credit_code)
            self.app.notify(f"已保存项目：{view.name}", title="开发企业·项目")

    def action_register(self) -> None:
        self.app.push_screen(DeveloperFormScreen(), self._saved)

    def action_edit(self) -> None:
        if self.developer is not None:
            self.app.push_screen(DeveloperFormScreen(self.developer), self._saved)

    def action_add_project(self) -> None:
        if self.developer is not None:
            self.app.push_screen(ProjectDialog(self.developer.credit_code), self._project_saved)

    def action_edit_project(self) -> None:
        project = self._selected_project()
        if project is not None and self.developer is not None:
            self.app.push_screen(ProjectDialog(self.developer.credit_code, project), self._project_saved)

    def action_certificates(self) -> None:
        project = self._selected_project()
        if project is not None:
            self.away = True
            self.app.push_screen(CertificatesScreen(project))

    def action_banks(self) -> None:
        if self.developer is not None:
            self.away = True
            self.app.push_screen(BanksScreen(self.developer.credit_code, self.developer.name))

    def action_users(self) -> None:
        self.away = True
        d = self.developer
        self.app.push_screen(UsersScreen(d.credit_code if d else None, d.name if d else ""))

    def on_screen_resume(self) -> None:
        if self.away:
            self.away = False
            if self.developer is not None:
                self._show(self.developer.credit_code)
