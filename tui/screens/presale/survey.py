"""测绘成果备案 (seed 004 §5.1): a survey case found by its number, its price and area check
grid (价格面积核对: floors × units, each cell 毛 / 装 / 面 / 销), and the import of a survey
file that accepts a new case (文件导入).

F2 导入 opens ``SurveyImportDialog`` (a developer's operator: type, project, 栋号, 测绘宗号,
the file's path); a file with bad rows writes nothing and every bad row is listed here.
F6 switches the grid between the whole cell and one figure per cell (销, 毛, 装, 面), so a
tall building fits the screen; a cell that wants a look (未定价, 销≠毛+装) is marked. The
use cases are ``services.presale.surveys`` (``start_survey``, ``show_survey``, ``grid``),
called in thread workers; every value is shown as text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Label, Select, Static

from core.errors import RuleViolation
from core.parties import decode_register_file
from core.presale.pricing import Grid, GridCell
from core.presale.surveys import SURVEY_TYPES
from core.presale.units import show_value
from core.roles import Permission
from services.presale import surveys
from tui.screens.base import AppModal, AppScreen
from tui.widgets.detail import MUTED
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

    def on_mount(self) -> None:
        self.query_one("#import-project", Input).focus()

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
        Binding("f2", "import_file", "导入", key_display="F2"),
        Binding("f4", "submit", "派工", key_display="F4"),
        Binding("f8", "confirm_mapping", "确认对照", key_display="F8"),
        Binding("f9", "archive", "审核归档", key_display="F9"),
        Binding("f6", "mode", "切换显示", key_display="F6"),
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "输入测绘业务的业务号，按 Enter 显示价格面积核对表（楼层 × 户室，毛 / 装 / 面 / 销）。",
        "F6 在整格与单项（销、毛、装、面）之间切换；标红的户室未定价或销售单价不等于毛坯单价加装修单价。",
        "开发企业操作员按 F2 导入测绘成果文件，受理新的测绘成果备案业务；文件有错时逐行列出，不导入任何数据。",
        "完善信息后按 F4 派工给主管部门审核（批量设置、快捷定价在命令行 wangqian presale survey 中办理）。",
        "主管部门在在手业务中接件后：变更或预测转实测的成果先核对户室关系对照并按 F8 确认，再按 F9 审核归档。",
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

    class Imported(Message):
        def __init__(self, done: surveys.SurveyStarted) -> None:
            super().__init__()
            self.done = done

    def __init__(self, number: str = "") -> None:
        super().__init__()
        self.number = number
        self.mode = MODES[0]
        self.current: Grid | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="status-row"):
            yield Static("测绘成果备案", classes="screen-title", markup=False)
            yield MessageLine(id="survey-message", classes="status-line")
        field = compact_input(self.number, placeholder="业务号，如 C202612070000001，Enter 显示", max_length=20)
        field.id = "survey-number"
        yield field_line("业务号", field)
        yield Static("", id="survey-summary", markup=False)
        yield DataTable(id="survey-grid", cursor_type="cell", cell_padding=0, zebra_stripes=False)
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The developer's keys (导入, 派工) and the authority's (确认对照, 审核归档) by permission."""
        if action in ("import_file", "submit"):
            return self.actor.can(Permission.SURVEY_WORK)
        if action in ("confirm_mapping", "archive"):
            return self.actor.can(Permission.SURVEY_REVIEW)
        return True

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
        self._draw()
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
        if not choice.project.isdigit():
            raise RuleViolation("PROJECT_NOT_FOUND", "项目编号应为数字。", field="project")
        path = Path(choice.path).expanduser()
        try:
            text = decode_register_file(path.read_bytes())
        except OSError:
            raise RuleViolation("SURVEY_FILE_UNREADABLE", f"无法读取文件 {path}。", field="file") from None
        try:
            done = surveys.start_survey(self.db, self.actor, type_code=choice.type_code, project_id=int(choice.project),
                                        building=choice.building, survey_number=choice.survey_number, text=text)
        except surveys.SurveyFileInvalid as refused:
            self.post_message(self.Refused([f"{e.text()}（{e.code}）" for e in refused.errors]))
            return
        self.post_message(self.Imported(done))

    def on_survey_screen_refused(self, message: Refused) -> None:
        self.show_refusal(f"测绘成果文件有 {len(message.errors)} 处错误，未导入任何数据。")
        self.current = None
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

    @work(thread=True, exclusive=True, group="survey", exit_on_error=False)
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

    def action_confirm_mapping(self) -> None:
        """确认户室关系对照 as the summary shows it."""
        def confirm(number: str) -> str:
            surveys.confirm_mapping(self.db, self.actor, number)
            return "户室关系对照已确认。"

        self._step(confirm)

    def action_archive(self) -> None:
        """审核通过并归档: the survey comes into force."""
        def archive(number: str) -> str:
            done = surveys.archive_survey(self.db, self.actor, number)
            return f"已归档：该栋现有户室 {done.units} 套（新增 {done.new_units}，沿用 {done.kept}，灭失 {done.retired}）。"

        self._step(archive)
