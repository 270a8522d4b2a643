"""户室信息补录 (seed 004 §5.11): a building's missing facts — 项目信息, 栋信息, 户室信息 (all
units at once) — the required ones marked *, each line what is recorded and what the
back-entry adds.

The developer's keys: F2 业务受理 (project, 栋号), F3 项目信息补录, F6 栋信息补录, F7 户室信息补录
(全选户室: each value goes to every unit lacking it), F4 派件. The authority's: F9 审核通过 (the
facts are written, the case archived), F8 不通过 (退回, an opinion). The use cases are
``services.presale.facts_backfill``, called in thread workers; every value is shown as text.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Static

from core.places import building_label
from core.roles import Permission
from services.presale import facts_backfill
from tui.screens.base import AppScreen
from tui.screens.presale.funds import FormField, FundFormDialog
from tui.widgets.detail import MUTED
from tui.screens.presale.case_header import case_header
from tui.widgets.footer import KeyFooter

__all__ = ["FactsScreen"]

#: The unit fields the bulk form offers (key, label); * marks a required one.
UNIT_FORM = (("unit", "单元*"), ("nominal_floor", "名义层*"), ("house_type", "房屋类型*"), ("use", "房屋用途*"),
             ("nature", "房屋性质*"), ("layout", "户　　型"), ("decoration", "装修情况"), ("sale_price", "销售单价"))


class FactsScreen(AppScreen):
    """户室信息补录: find an X case; complete, dispatch or review it with the keys of one's role."""

    CSS_PATH = "presale.tcss"
    BINDINGS = [
        Binding("f2", "start", "受理", key_display="F2"),
        Binding("f3", "project", "项目", key_display="F3"),
        Binding("f6", "building", "栋", key_display="F6"),
        Binding("f7", "units", "户室", key_display="F7"),
        Binding("f4", "submit", "派件", key_display="F4"),
        Binding("f9", "approve", "审核通过", key_display="F9"),
        Binding("f8", "refuse", "退回", key_display="F8"),
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "输入户室信息补录业务的业务号（X…）按 Enter 显示；开发企业按 F2 选择项目和栋号受理。",
        "F3 项目信息补录，F6 栋信息补录，F7 户室信息补录（全选户室，每项写入该项为空的所有户室）；带*号为必填项，只能补录缺失的信息。",
        "必填项补录完整后按 F4 派件到主管部门；被退回的业务先在在手业务中接件。",
        "主管部门：F9 审核通过（写入补录的信息并归档），F8 审核不通过（填写意见，退回开发企业）。",
    )

    class Loaded(Message):
        def __init__(self, view: facts_backfill.FactsView) -> None:
            super().__init__()
            self.view = view

    class Done(Message):
        def __init__(self, text: str, number: str) -> None:
            super().__init__()
            self.text = text
            self.number = number

    def __init__(self, number: str = "") -> None:
        super().__init__()
        self.number = number
        self.view: facts_backfill.FactsView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield from case_header("户室信息补录", "facts", self.number, "业务号，如 X202612070000001，Enter 显示")
        yield Static("", id="facts-summary", markup=False)
        yield DataTable(id="facts-lines", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("start", "project", "building", "units", "submit"):
            return self.actor.can(Permission.SURVEY_WORK)
        if action in ("approve", "refuse"):
            return self.actor.can(Permission.SURVEY_REVIEW)
        return True

    def on_mount(self) -> None:
        self.query_one("#facts-summary", Static).update(
            Text("请输入业务号；开发企业按 F2 受理户室信息补录。", style=MUTED))
        self.query_one("#facts-number", Input).focus()
        if self.number:
            self.action_reload()

    @on(Input.Submitted, "#facts-number")
    def _find(self, event: Input.Submitted) -> None:
        self.number = event.value.strip().upper()
        self.action_reload()

    def action_reload(self) -> None:
        if not self.number:
            self.show_refusal("请输入业务号。")
            return
        self.clear_message()
        self._load(self.number)

    @work(thread=True, exclusive=True, group="facts", exit_on_error=False)
    def _load(self, number: str) -> None:
        self.post_message(self.Loaded(facts_backfill.show_facts(self.db, self.actor, number)))

    def on_facts_screen_loaded(self, message: Loaded) -> None:
        v = self.view = message.view
        self.query_one("#facts-summary", Static).update(Text("\n".join([
            f"{v.case_number} 户室信息补录　{v.stage_name}（{v.case_status_label}）　办理人 {v.holder or '—'}",
            f"{v.project_name} {building_label(v.building_number)}　测绘宗号 {v.survey_number}　户室 {v.unit_count} 套",
            "尚缺必填项：" + ("；".join(v.missing) if v.missing else "无，可以派件"),
        ])))
        table = self.query_one("#facts-lines", DataTable)
        table.clear(columns=True)
        for col in ("部分", "项目（*必填）", "已登记", "补录"):
            table.add_column(col)
        for part, lines in (("项目", v.project), ("栋", v.building), ("户室", v.units)):
            for line in lines:
                table.add_row(Text(part), Text(line.label), Text(line.recorded or "—"), Text(line.entered))

    # ------------------------------------------------------------ steps

    @work(thread=True, exclusive=True, group="facts", exit_on_error=False)
    def _run_step(self, run: Callable[[], tuple[str, str]]) -> None:
        text, number = run()
        self.post_message(self.Done(text, number))

    def on_facts_screen_done(self, message: Done) -> None:
        self.number = message.number
        self.query_one("#facts-number", Input).value = self.number
        self._load(self.number)
        self.set_message(message.text, "ok")

    def _step(self, run: Callable[[], tuple[str, str]]) -> None:
        self.set_message("正在办理……")
        self._run_step(run)

    def _need_case(self) -> str | None:
        if self.view is None:
            self.show_refusal("请先输入业务号并按 Enter 显示。")
            return None
        return self.view.case_number

    def action_start(self) -> None:
        """F2: 业务受理 on a building."""
        self.app.push_screen(FundFormDialog("户室信息补录　业务受理", [
            FormField("project", "项目编号", "如 1", 10), FormField("building", "栋　　号", "如 D004", 20),
        ], run=self._start_facts), callback=self._form_done)

    def _form_done(self, outcome: tuple[str, str] | None) -> None:
        """A form's use case has run in its dialog: the case shown again and its
        sentence said, at once (the dialog's close ends the step)."""
        if outcome is not None:
            self.on_facts_screen_done(self.Done(*outcome))

    def _start_facts(self, values: dict[str, str]) -> tuple[str, str]:
        v = facts_backfill.start_facts(self.db, self.actor, values["project"], values["building"])
        return f"已受理 {v.case_number}，请补录带*号的必填项。", v.case_number

    def _form(self, title: str, fields: list[FormField], save: Callable[[str, dict[str, str]], object]) -> None:
        number = self._need_case()
        if number is None:
            return

        def run(values: dict[str, str]) -> tuple[str, str]:
            save(number, values)
            return f"{title}已保存。", number

        self.app.push_screen(FundFormDialog(title, fields, note="带*号为必填项；只能补录缺失的信息，不填的项不变。", run=run),
                             callback=self._form_done)

    def action_project(self) -> None:
        """F3: 项目信息补录."""
        self._form("项目信息补录", [FormField("land_area", "用地面积*", "平方米", 16),
                                   FormField("floor_area", "规划面积*", "规划总建筑面积，平方米", 16),
                                   FormField("property_company", "物业公司*", "物业服务企业名称", 120)],
                   lambda n, v: facts_backfill.save_project(self.db, self.actor, n, **v))

    def action_building(self) -> None:
        """F6: 栋信息补录."""
        self._form("栋信息补录", [FormField("structure", "建筑结构*", "如 钢筋混凝土结构", 20),
                                 FormField("floors_above", "地上层数*", "整数", 4),
                                 FormField("floors_below", "地下层数", "整数", 4),
                                 FormField("height", "建筑高度", "米", 10),
                                 FormField("building_use", "规划用途*", "如 住宅", 12)],
                   lambda n, v: facts_backfill.save_building(self.db, self.actor, n, **v))

    def action_units(self) -> None:
        """F7: 户室信息补录 of all the units."""
        count = self.view.unit_count if self.view else 0
        self._form(f"户室信息补录（全选 {count} 户）", [FormField(k, label, "", 40) for k, label in UNIT_FORM],
                   lambda n, v: facts_backfill.save_units(self.db, self.actor, n, v))

    def action_submit(self) -> None:
        """F4: 派件."""
        number = self._need_case()
        if number is None:
            return

        def submit() -> tuple[str, str]:
            facts_backfill.submit_facts(self.db, self.actor, number)
            return "已派件到主管部门审核。", number

        self._step(submit)

    def _review(self, approve: bool) -> None:
        number = self._need_case()
        if number is None:
            return

        def run(values: dict[str, str]) -> tuple[str, str]:
            return facts_backfill.review_facts(self.db, self.actor, number, approve=approve,
                                               opinion=values["opinion"] or None), number

        self.app.push_screen(FundFormDialog("主管部门审核", [
            FormField("opinion", "审批意见", "同意可不填" if approve else "须填写退回的原因", 200)], run=run),
            callback=self._form_done)

    def action_approve(self) -> None:
        """F9: 审核通过."""
        self._review(True)

    def action_refuse(self) -> None:
        """F8: 审核不通过 (退回)."""
        self._review(False)
