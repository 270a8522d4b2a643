"""测绘成果备案 (seed 004 §5.1): a survey case found by its number, its price and area check
grid (价格面积核对: floors × units, each cell 毛 / 装 / 面 / 销), the import of a survey
file that accepts a new case (文件导入), and the case's steps from import to archive.

F2 导入 opens ``SurveyImportDialog`` (a developer's operator: type, project, 栋号, 测绘宗号,
the file's path); a file with bad rows writes nothing and every bad row is listed here.
F6 switches the grid between the whole cell and one figure per cell (销, 毛, 装, 面), so a
tall building fits the screen; a cell that wants a look (未定价, 销≠毛+装) is marked.

The developer's keys while the case is at 测绘信息编辑: F3 当前栋信息, F7 批量设置 (Enter on
a cell: that unit, 价格核对), F8 快捷设置价格, F9 从原测绘同步, F4 派工. The authority's
(after 接件 in 在手业务): F8 户室关系对照 (link, unlink, confirm), F9 审核归档 with its
opinion. F10 变更前后对比 for a survey that replaces another. The keys of one role share
F-keys with the other's (``check_action`` offers each role only its own). The forms and
the two views are ``tui.screens.presale.survey_edit``; the use cases are
``services.presale.surveys``, called in thread workers; every value is shown as text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Label, Select, Static

from core.cases import CASE_STATUS_LABELS, CaseStatus
from core.errors import RuleViolation
from core.parties import decode_register_file
from core.presale.pricing import Grid, GridCell
from core.presale.surveys import SURVEY_TYPES
from core.presale.units import show_value
from core.roles import Permission
from services.presale import surveys
from tui.screens.base import AppModal, AppScreen
from tui.screens.dialogs import cancel_dialog
from tui.screens.presale.survey_edit import (
    FormField,
    SurveyChangesScreen,
    SurveyFormDialog,
    SurveyMappingScreen,
    batch_fields,
    batch_request,
    building_fields,
    price_fields,
    price_rule,
)
from tui.widgets.detail import MUTED
from tui.screens.presale.case_header import case_header
from tui.widgets.footer import KeyFooter
from tui.widgets.form import compact_input, field_line
from tui.widgets.message import MessageLine

__all__ = ["ImportChoice", "SurveyImportDialog", "SurveyScreen", "cell_text"]

#: What a grid cell shows: everything, or one figure (F6 cycles).
MODES: tuple[str, ...] = ("全部", "销", "毛", "装", "面")
FLAG_STYLE = "bold red"


def cell_text(cell: GridCell | None, mode: str) -> Text:
    """One grid cell: its unit and 毛 / 装 / 面 / 销 (``全部``), or its unit and one figure."""
    if cell is None:
        return Text("")
    if mode == "全部":
        text = Text("\n".join(cell.lines()))
    else:
        value = {"销": ("sale_price", cell.sale), "毛": ("rough_price", cell.rough),
                 "装": ("decoration_price", cell.decoration), "面": ("built_area", cell.area)}[mode]
        text = Text(f"{cell.unit_no} {show_value(*value) or '—'}")
    if cell.flag:
        text.append("\n" + cell.flag if mode == "全部" else "!", style=FLAG_STYLE)
    return text


@dataclass(frozen=True)
class ImportChoice:
    type_code: str
    project: str
    building: str
    survey_number: str
    path: str


class SurveyImportDialog(AppModal["ImportChoice | None"]):
    """文件导入: the case type, the project, 栋号, 测绘宗号 and the survey file's path."""

    CSS_PATH = "presale.tcss"
    AUTO_FOCUS = "#import-project"  # as the form is composed: keys typed ahead start there
    BINDINGS = [Binding("escape", "cancel", "取消", key_display="Esc"),
                Binding("f9", "submit", "导入", key_display="F9")]

    def compose(self) -> ComposeResult:
        with Vertical(id="survey-import-box", classes="dialog"):
            yield Label("测绘成果备案　文件导入", classes="form-title")
            yield field_line("业务类型", Select([(t.name, t.code) for t in SURVEY_TYPES.values()], value="survey_predicted",
                                            allow_blank=False, compact=True, id="import-type"))
            for key, label, hint, size in (("project", "项目编号", "如 1（开发企业·项目中可查）", 10),
                                           ("building", "栋　　号", "如 D004", 20),
                                           ("number", "测绘宗号", "如 CL20220406001", 40),
                                           ("path", "文　　件", "测绘成果 CSV 文件的路径", 500)):
                field = compact_input(placeholder=hint, max_length=size)
                field.id = f"import-{key}"
                yield field_line(label, field)
            yield MessageLine(classes="error-line")
            yield Static("Tab 切换栏目，F9 导入（受理新业务）；Esc 取消", classes="hint")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        values = {key: self.query_one(f"#import-{key}", Input).value.strip()
                  for key in ("project", "building", "number", "path")}
        for key, label in (("project", "项目编号"), ("building", "栋号"), ("number", "测绘宗号"), ("path", "文件")):
            if not values[key]:
                self.show_refusal(f"请填写{label}。")
                self.query_one(f"#import-{key}", Input).focus()
                return
        kind = self.query_one("#import-type", Select).value
        self.dismiss(ImportChoice(str(kind), values["project"], values["building"], values["number"], values["path"]))


class SurveyScreen(AppScreen):
    """测绘成果: find a survey case, read its check grid; import a new one (F2)."""

    CSS_PATH = "presale.tcss"
    BINDINGS = [
        # The keys that open a form are priority: the form opens as the key is read, so the keys
        # typed right after it reach the form, not this screen's fields.
        Binding("f2", "import_file", "导入", key_display="F2", priority=True),
        Binding("f3", "building", "栋信息", key_display="F3", priority=True),
        Binding("f7", "batch", "批量设置", key_display="F7", priority=True),
        Binding("f8", "price", "快捷定价", key_display="F8", priority=True),
        Binding("f8", "mapping", "户室对照", key_display="F8"),
        Binding("f9", "sync", "同步原测绘", key_display="F9"),
        Binding("f9", "archive", "审核归档", key_display="F9", priority=True),
        Binding("f4", "submit", "派工", key_display="F4"),
        Binding("f10", "changes", "变更对比", key_display="F10"),
        Binding("f12", "cancel_case", "取消受理", key_display="F12", priority=True),
        Binding("f6", "mode", "切换显示", key_display="F6"),
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "输入测绘业务的业务号，按 Enter 显示价格面积核对表（楼层 × 户室，毛 / 装 / 面 / 销）。",
        "F6 在整格与单项（销、毛、装、面）之间切换；标红的户室未定价或销售单价不等于毛坯单价加装修单价。",
        "开发企业操作员按 F2 导入测绘成果文件，受理新的测绘成果备案业务；文件有错时逐行列出，不导入任何数据。",
        "测绘信息编辑：F3 完善当前栋信息；F7 批量设置（按室号向前或向后匹配、室号长度、单元号等选择户室）；"
        "在核对表的户室上按 Enter 修改该户；F8 快捷设置价格（按户型、实际层，从基准层向上或向下递增或递减）；"
        "变更或预测转实测的成果可按 F9 从原测绘同步相同户室的信息。",
        "完善信息后按 F4 派工给主管部门审核；F10 查看变更前后对比；派工前可按 F12 取消受理（填写原因），该成果作废。",
        "主管部门在在手业务中接件后：变更或预测转实测的成果按 F8 核对户室关系对照（拆分、合并、新增、删除）并确认，"
        "再按 F9 签署审核意见并归档；不通过的在在手业务中退件。",
    )

    class Loaded(Message):
        def __init__(self, view: surveys.SurveyView, grid: Grid, mapping: surveys.MappingView | None) -> None:
            super().__init__()
            self.view = view
            self.grid = grid
            self.mapping = mapping

    class Done(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Refused(Message):
        def __init__(self, errors: list[str]) -> None:
            super().__init__()
            self.errors = errors

    class Opened(Message):
        def __init__(self, make: Callable[[], AppScreen]) -> None:
            super().__init__()
            self.make = make

    class Imported(Message):
        def __init__(self, done: surveys.SurveyStarted) -> None:
            super().__init__()
            self.done = done

    def __init__(self, number: str = "") -> None:
        super().__init__()
        self.number = number
        self.mode = MODES[0]
        self.current: Grid | None = None
        self.view: surveys.SurveyView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield from case_header("测绘成果备案", "survey", self.number, "业务号，如 C202612070000001，Enter 显示")
        yield Static("", id="survey-summary", markup=False)
        yield DataTable(id="survey-grid", cursor_type="cell", cell_padding=0, zebra_stripes=False)
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The developer's keys (导入, 栋信息, 批量设置, 快捷定价, 同步, 派工) and the authority's
        (户室对照, 审核归档) by permission."""
        if action == "cancel_case":  # before the dispatch only
            return self.actor.can(Permission.SURVEY_WORK) and self.view is not None and self.view.stage == "entry" \
                and self.view.case_status_label == CASE_STATUS_LABELS[CaseStatus.ACTIVE]
        if action in DEVELOPER_ACTIONS:
            return self.actor.can(Permission.SURVEY_WORK)
        if action in AUTHORITY_ACTIONS:
            return self.actor.can(Permission.SURVEY_REVIEW)
        return True

    def step_actions(self) -> tuple[str, ...]:
        """The keys of where the case stands, first in the footer."""
        if self.view is None:
            return ("import_file",)
        if self.view.stage == "entry":
            return ("batch", "price", "building", "submit", "cancel_case")
        if self.view.stage == "review":
            return ("mapping", "archive")
        return ()

    def on_mount(self) -> None:
        self.query_one("#survey-summary", Static).update(Text("请输入业务号，或按 F2 导入测绘成果文件。", style=MUTED))
        self.query_one("#survey-number", Input).focus()
        if self.number:
            self.action_reload()

    @on(Input.Submitted, "#survey-number")
    def _find(self, event: Input.Submitted) -> None:
        self.number = event.value.strip().upper()
        if not self.number:
            self.show_refusal("请输入业务号。")
            return
        self.action_reload()

    def action_reload(self) -> None:
        if not self.number:
            self.show_refusal("请输入业务号。")
            return
        self.clear_message()
        self._load(self.number)

    @work(thread=True, exclusive=True, group="survey", exit_on_error=False)
    def _load(self, number: str) -> None:
        view = surveys.show_survey(self.db, self.actor, number)
        mapping = surveys.mapping_view(self.db, self.actor, number) if view.base_survey_number else None
        self.post_message(self.Loaded(view, surveys.grid(self.db, self.actor, number), mapping))

    def on_survey_screen_loaded(self, message: Loaded) -> None:
        v = message.view
        checked = f"，待核对 {message.grid.flagged}" if message.grid.flagged else ""
        lines = [f"{v.type_name}　{v.stage_name}（{v.case_status_label}）　{len(v.units)} 户，已定价 {v.priced}{checked}",
                 f"{v.project_name} {v.building_number}　{v.kind_label} {v.survey_number}（{v.status_label}）"]
        if message.mapping is not None:
            summary = message.mapping.summary
            lines.append(f"户室对照{'（已确认）' if message.mapping.confirmed_at else '（未确认）'}："
                         f"原{summary.old_count}套，新{summary.new_count}套，对应{len(summary.matched)} "
                         f"拆分{len(summary.split)} 合并{len(summary.merged)} "
                         f"新增{len(summary.added)} 删除{len(summary.deleted)}")
        self.query_one("#survey-summary", Static).update(Text("\n".join(lines)))
        self.current = message.grid
        self.view = v
        self.refresh_bindings()
        self._draw()
        if self.is_current:  # a reload under a form must not move the form's cursor
            self.query_one("#survey-grid", DataTable).focus()

    def _draw(self) -> None:
        table = self.query_one("#survey-grid", DataTable)
        table.clear(columns=True)
        grid = self.current
        if grid is None:
            return
        width = 12 if self.mode == "全部" else 11
        table.add_column(Text("层"), key="floor", width=4)
        for i, (unit, position) in enumerate(grid.columns):
            table.add_column(Text(f"{unit} {position}".strip()), key=f"c{i}", width=width)
        for floor in grid.floors:
            cells = [cell_text(cell, self.mode) for cell in grid.row(floor)]
            lines = max((len(c.plain.split("\n")) for c in cells), default=1)
            table.add_row(Text(str(floor)), *cells, key=str(floor), height=lines)

    def action_mode(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        self.set_message(f"显示：{self.mode}{'（毛 / 装 / 面 / 销）' if self.mode == '全部' else ''}")
        self._draw()

    # ------------------------------------------------------------ import

    def action_import_file(self) -> None:
        self.app.push_screen(SurveyImportDialog(), callback=self._import_chosen)

    def _import_chosen(self, choice: ImportChoice | None) -> None:
        if choice is not None:
            self.set_message("正在导入……")
            self._import(choice)

    @work(thread=True, exclusive=True, group="survey", exit_on_error=False)
    def _import(self, choice: ImportChoice) -> None:
        path = Path(choice.path).expanduser()
        try:
            text = decode_register_file(path.read_bytes())
        except OSError:
            raise RuleViolation("SURVEY_FILE_UNREADABLE", f"无法读取文件 {path}。", field="file") from None
        try:
            done = surveys.start_survey(self.db, self.actor, type_code=choice.type_code, project_id=choice.project,
                                        building=choice.building, survey_number=choice.survey_number, text=text)
        except surveys.SurveyFileInvalid as refused:
            self.post_message(self.Refused([f"{e.text()}（{e.code}）" for e in refused.errors]))
            return
        self.post_message(self.Imported(done))

    def on_survey_screen_refused(self, message: Refused) -> None:
        self.show_refusal(f"测绘成果文件有 {len(message.errors)} 处错误，未导入任何数据。")
        self.current = None
        self.view = None
        self._draw()
        self.query_one("#survey-summary", Static).update(Text("\n".join(message.errors), style=FLAG_STYLE))

    def on_survey_screen_imported(self, message: Imported) -> None:
        self.number = message.done.case_number
        self.query_one("#survey-number", Input).value = self.number
        self._load(self.number)
        self.set_message(f"已受理 {self.number}：导入户室 {message.done.units} 套。", "ok")

    # ------------------------------------------------------------ the case's steps

    def _step(self, run: Callable[[str], str]) -> None:
        """Run one step of the case (``run(number)`` calls the service and says what was done)."""
        if not self.number:
            self.show_refusal("请先输入业务号。")
            return
        self.set_message("正在办理……")
        self._run_step(run, self.number)

    # A group of its own: the reload as a dialog closes (on_screen_resume) must not cancel the
    # step that dialog started; the step reloads the case again when it is done.
    @work(thread=True, exclusive=True, group="survey-step", exit_on_error=False)
    def _run_step(self, run: Callable[[str], str], number: str) -> None:
        self.post_message(self.Done(run(number)))

    def on_survey_screen_done(self, message: Done) -> None:
        self._load(self.number)
        self.set_message(message.text, "ok")

    def action_submit(self) -> None:
        """派工 to the authority (the building and every unit complete)."""
        def submit(number: str) -> str:
            surveys.submit_survey(self.db, self.actor, number)
            return "已派工给主管部门审核。"

        self._step(submit)

    def action_cancel_case(self) -> None:
        """F12 (the developer, before the dispatch): 取消受理 with a reason; the survey is void."""
        number = self._need_case()
        if number is None:
            return

        def chosen(reason: str | None) -> None:
            if reason is not None:
                def cancel(number: str) -> str:
                    surveys.cancel_survey(self.db, self.actor, number, reason=reason)
                    return f"已取消受理 {number}，该测绘成果已作废，本栋可重新导入。"

                self._step(cancel)

        self.app.push_screen(cancel_dialog(number), callback=chosen)

    def _need_case(self) -> str | None:
        """The case shown (its number), or None with the sentence that asks for it."""
        if self.view is None or self.view.case_number != self.number:
            self.show_refusal("请先输入业务号并按 Enter 显示。")
            return None
        return self.number

    def _form(self, title: str, sections, run: Callable[[dict[str, str]], str], *, columns: int = 1,  # type: ignore[no-untyped-def]
              note: str = "", action: str = "保存") -> None:
        """Open a survey form whose F9 calls ``run``; the survey is read again when it closes."""
        def finished(text: str | None) -> None:
            if text:
                self.set_message(text, "ok")

        self.app.push_screen(SurveyFormDialog(title, sections, run, columns=columns, note=note, action=action),
                             callback=finished)

    def action_building(self) -> None:
        """完善当前栋信息 (what the survey file gave stays; blank facts are completed)."""
        if (number := self._need_case()) is None:
            return
        assert self.view is not None

        def run(values: dict[str, str]) -> str:
            surveys.set_building_info(self.db, self.actor, number, **values)
            return "已保存当前栋信息。"

        self._form("测绘信息编辑　完善当前栋信息", building_fields(self.view.info), run)

    def action_batch(self, unit_nos: tuple[str, ...] = ()) -> None:
        """批量设置: the units chosen by number pattern, 单元, 室号 …; the fields typed."""
        if (number := self._need_case()) is None:
            return

        def run(values: dict[str, str]) -> str:
            selection, chosen = batch_request(values)
            done = surveys.batch_set(self.db, self.actor, number, selection, chosen)
            return f"已设置 {done.units} 户（{done.selection}）。"

        title = f"测绘信息编辑　修改户室 {unit_nos[0]}" if len(unit_nos) == 1 else "测绘信息编辑　批量设置"
        self._form(title, batch_fields(unit_nos), run, columns=2,
                   note="来自测绘成果的项不能修改（可只选该项为空的户室）。")

    @on(DataTable.CellSelected, "#survey-grid")
    def _cell_chosen(self, event: DataTable.CellSelected) -> None:
        """Enter on a unit of the grid: correct that unit (价格核对)."""
        if self.current is None or not self.actor.can(Permission.SURVEY_WORK):
            return
        row, column = event.cell_key.row_key.value, event.cell_key.column_key.value
        if row is None or column is None or not column.startswith("c"):
            return
        cell = self.current.cells.get((int(row), int(column[1:])))
        if cell is not None:
            self.action_batch((cell.unit_no,))

    def action_price(self) -> None:
        """快捷设置价格: by layout and actual floor, from a base floor up or down."""
        if (number := self._need_case()) is None:
            return

        def run(values: dict[str, str]) -> str:
            done = surveys.quick_price(self.db, self.actor, number, price_rule(values))
            return f"已设置 {done.units} 户：{done.selection}。"

        self._form("测绘信息编辑　快捷设置价格", price_fields(), run,
                   note="按户型、实际层设置：基准层及其以上（向上）或以下（向下）的户室，每层递增或递减。")

    def action_sync(self) -> None:
        """从原测绘同步: matched units take what the survey replaced had (empty fields only)."""
        def sync(number: str) -> str:
            done = surveys.sync_from_base(self.db, self.actor, number)
            return f"已从原测绘同步 {done.units} 户的 {done.values} 项信息。"

        self._step(sync)

    def action_changes(self) -> None:
        """变更前后对比 (a survey that replaces another)."""
        if (number := self._need_case()) is not None:
            self._open_changes(number)

    @work(thread=True, exclusive=True, group="survey", exit_on_error=False)
    def _open_changes(self, number: str) -> None:
        changes = surveys.survey_changes(self.db, self.actor, number)
        self.post_message(self.Opened(lambda: SurveyChangesScreen(number, changes)))

    def action_mapping(self) -> None:
        """户室关系对照 (the authority links, unlinks and confirms)."""
        if (number := self._need_case()) is not None:
            self._open_mapping(number)

    @work(thread=True, exclusive=True, group="survey", exit_on_error=False)
    def _open_mapping(self, number: str) -> None:
        view = surveys.mapping_view(self.db, self.actor, number)
        self.post_message(self.Opened(lambda: SurveyMappingScreen(number, view)))

    def on_survey_screen_opened(self, message: Opened) -> None:
        """A view read in a worker, shown over this screen."""
        self.app.push_screen(message.make())

    def on_screen_resume(self) -> None:
        """Back from a form or a view: the case as it stands now (a step there may have changed it)."""
        if self.view is not None:
            self._load(self.number)

    def action_archive(self) -> None:
        """审核通过并归档, with the authority's opinion: the survey comes into force."""
        if (number := self._need_case()) is None:
            return

        def run(values: dict[str, str]) -> str:
            done = surveys.archive_survey(self.db, self.actor, number, note=values["note"])
            return f"已归档：该栋现有户室 {done.units} 套（新增 {done.new_units}，沿用 {done.kept}，灭失 {done.retired}）。"

        self._form("测绘成果审核　审核通过并归档", [("", (FormField("note", "审核意见", "如 同意归档（可不填）", 200),))],
                   run, note="归档后本次测绘成果成为该栋现行成果，户室按户室关系对照变化。", action="归档")


#: The keys of the developer's operator and of the authority (``check_action``).
DEVELOPER_ACTIONS = frozenset({"import_file", "building", "batch", "price", "sync", "submit"})
AUTHORITY_ACTIONS = frozenset({"mapping", "archive"})
