"""在建工程抵押 (seed 004 §1.1): a building's construction-in-progress mortgages, found by
project and 栋号; the selected one's units below its facts.

The authority's keys: F2 设立 (the developer's loan bank, the mortgage contract, the amount,
the units), F3 签约授权 (units of the selected mortgage; none typed: all not yet authorised),
F4 注销 (a reason). A developer's staff see their enterprise's mortgages. The use cases are
``services.presale.mortgages``, called in thread workers; every value is shown as text.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Static

from core.places import building_label
from core.roles import Permission
from services.presale import mortgages
from tui.screens.base import AppScreen
from tui.screens.presale.funds import FormField, FundFormDialog, _yuan
from tui.widgets.detail import MUTED
from tui.widgets.footer import KeyFooter
from tui.widgets.form import compact_input, field_line
from tui.widgets.message import MessageLine

__all__ = ["MortgageScreen"]


class MortgageScreen(AppScreen):
    """在建工程抵押: a building's mortgages; set up, authorise and cancel with the authority's keys."""

    CSS_PATH = "presale.tcss"
    BINDINGS = [
        Binding("f2", "set_up", "设立", key_display="F2"),
        Binding("f3", "authorise", "签约授权", key_display="F3"),
        Binding("f4", "cancel", "注销", key_display="F4"),
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "输入项目编号和栋号，按 Enter 显示该栋的在建工程抵押；↑↓ 选择一条，下方显示其户室。",
        "主管部门：F2 在建工程抵押设立（贷款银行取自开发企业银行信息中的贷款银行；只能在预测成果的在建楼栋上设立）。",
        "F3 签约授权：抵押权人同意所选户室预售签约（不填室号：全部未授权户室）；未授权的抵押户室不能签约。",
        "F4 在建工程抵押注销（须填写原因），注销后户室不再受该抵押限制。",
    )

    class Loaded(Message):
        def __init__(self, where: tuple[str, str], rows: list[mortgages.MortgageView],
                     banks: list[tuple[int, str]]) -> None:
            super().__init__()
            self.where = where
            self.rows = rows
            self.banks = banks

    class Done(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[mortgages.MortgageView] = []
        self.banks: list[tuple[int, str]] = []
        self.where: tuple[str, str] | None = None  # the project and 栋号 shown, as typed

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="status-row"):
            yield Static("在建工程抵押", classes="screen-title", markup=False)
            yield MessageLine(id="mortgage-message", classes="status-line")
        with Horizontal(id="mortgage-find"):
            project = compact_input("", placeholder="如 1", max_length=10)
            project.id = "mortgage-project"
            yield field_line("项目编号", project)
            building = compact_input("", placeholder="如 D004，Enter 显示", max_length=20)
            building.id = "mortgage-building"
            yield field_line("栋　　号", building)
        yield Static("", id="mortgage-summary", markup=False)
        yield DataTable(id="mortgage-list", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("set_up", "authorise", "cancel"):
            return self.actor.can(Permission.PERMIT_REVIEW)
        return True

    def on_mount(self) -> None:
        self.query_one("#mortgage-summary", Static).update(Text("请输入项目编号和栋号，按 Enter 显示。", style=MUTED))
        self.query_one("#mortgage-project", Input).focus()

    @on(Input.Submitted, "#mortgage-project")
    def _next(self) -> None:
        self.query_one("#mortgage-building", Input).focus()

    @on(Input.Submitted, "#mortgage-building")
    def _find(self) -> None:
        """The building typed: its mortgages shown (the service refuses a project or 栋号 it cannot
        read, and the one shown before stays)."""
        project = self.query_one("#mortgage-project", Input).value
        building = self.query_one("#mortgage-building", Input).value.strip().upper()
        self.clear_message()
        self._load(project, building)

    def action_reload(self) -> None:
        if self.where is None:
            self.show_refusal("请输入项目编号和栋号，按 Enter 显示。")
            return
        self.clear_message()
        self._load(*self.where)

    @work(thread=True, exclusive=True, group="mortgage", exit_on_error=False)
    def _load(self, project: str, building: str) -> None:
        rows = mortgages.list_mortgages(self.db, self.actor, project, building)
        self.post_message(self.Loaded((project, building), rows, mortgages.loan_banks(self.db, self.actor, project)))

    def on_mortgage_screen_loaded(self, message: Loaded) -> None:
        self.where, self.rows, self.banks = message.where, message.rows, message.banks
        table = self.query_one("#mortgage-list", DataTable)
        table.clear(columns=True)
        for col in ("编号", "状态", "抵押权人", "抵押合同", "债权数额", "户室", "已授权"):
            table.add_column(col)
        for v in self.rows:
            table.add_row(Text(str(v.id)), Text(v.status_label), Text(v.bank_name), Text(v.mortgage_contract),
                          Text(_yuan(v.amount)), Text(str(len(v.units))), Text(str(v.authorised)))
        self._describe(0)

    def _describe(self, row: int) -> None:
        summary = self.query_one("#mortgage-summary", Static)
        banks = "、".join(f"{i} {name}" for i, name in self.banks) or "未维护（须先在银行信息中添加贷款银行）"
        if not self.rows:
            summary.update(Text(f"该栋没有在建工程抵押。\n贷款银行：{banks}"))
            return
        v = self.rows[min(row, len(self.rows) - 1)]
        units = "、".join(f"{u.unit_no}{'(授权)' if u.authorised else ''}" for u in v.units)
        lines = [f"抵押编号 {v.id}　{v.status_label}　{v.project_name} {building_label(v.building_number)}　抵押权人 {v.bank_name}",
                 f"户室 {len(v.units)} 套，已授权预售签约 {v.authorised} 套：{units}"]
        if v.cancel_reason:
            lines.append(f"注销原因：{v.cancel_reason}")
        lines.append(f"贷款银行：{banks}")
        summary.update(Text("\n".join(lines)))

    @on(DataTable.RowHighlighted, "#mortgage-list")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe(event.cursor_row)

    def _selected(self) -> mortgages.MortgageView | None:
        if not self.rows:
            self.show_refusal("请先显示该栋的在建工程抵押并选择一条。")
            return None
        row = self.query_one("#mortgage-list", DataTable).cursor_row
        return self.rows[min(max(row, 0), len(self.rows) - 1)]

    # ------------------------------------------------------------ steps

    def on_mortgage_screen_done(self, message: Done) -> None:
        self.action_reload()
        self.set_message(message.text, "ok")

    def action_set_up(self) -> None:
        """F2: 在建工程抵押设立 on the building shown."""
        if self.where is None:
            self.show_refusal("请先输入项目编号和栋号，按 Enter 显示。")
            return
        hint = "只有一家时可不填" if len(self.banks) == 1 else "贷款银行编号"
        self.app.push_screen(FundFormDialog(f"在建工程抵押设立　{building_label(self.where[1])}", [
            FormField("bank", "贷款银行", hint, 10),
            FormField("contract", "抵押合同", "抵押合同编号", 40),
            FormField("amount", "债权数额", "被担保债权数额（元）", 16),
            FormField("units", "抵押户室", "室号，逗号分隔；不填为该栋全部户室", 400),
        ], run=self._set_up(*self.where)), callback=self._form_done)

    def _form_done(self, text: str | None) -> None:
        """A form's use case has run in its dialog: the mortgages shown again and its
        sentence said, at once (the dialog's close ends the step)."""
        if text is not None:
            self.on_mortgage_screen_done(self.Done(text))

    def _set_up(self, project: str, building: str) -> Callable[[dict[str, str]], str]:
        def set_up(values: dict[str, str]) -> str:
            made = mortgages.set_up_mortgage(self.db, self.actor, project, building, bank_id=values["bank"],
                                             mortgage_contract=values["contract"], amount=values["amount"],
                                             units=values["units"])
            return f"已设立在建工程抵押 {made.id}：户室 {len(made.units)} 套，抵押权人 {made.bank_name}。"

        return set_up

    def action_authorise(self) -> None:
        """F3: 签约授权 on units of the selected mortgage."""
        chosen = self._selected()
        if chosen is None:
            return
        mortgage_id = chosen.id

        def authorise(values: dict[str, str]) -> str:
            v = mortgages.authorise_signing(self.db, self.actor, mortgage_id, values["units"])
            return f"已授权预售签约：抵押编号 {v.id}，已授权 {v.authorised}/{len(v.units)} 套。"

        self.app.push_screen(FundFormDialog(f"在建工程抵押签约授权　抵押编号 {mortgage_id}", [
            FormField("units", "授权户室", "室号，逗号分隔；不填为全部未授权户室", 400),
        ], run=authorise), callback=self._form_done)

    def action_cancel(self) -> None:
        """F4: 在建工程抵押注销."""
        chosen = self._selected()
        if chosen is None:
            return
        mortgage_id = chosen.id

        def cancel(values: dict[str, str]) -> str:
            mortgages.cancel_mortgage(self.db, self.actor, mortgage_id, reason=values["reason"])
            return f"在建工程抵押 {mortgage_id} 已注销。"

        self.app.push_screen(FundFormDialog(f"在建工程抵押注销　抵押编号 {mortgage_id}", [
            FormField("reason", "注销原因", "如 贷款已结清", 200),
        ], run=cancel), callback=self._form_done)
