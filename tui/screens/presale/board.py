"""楼盘表: a building's units drawn as floors (top first) × units, each cell coloured and
lettered by its sale state (未 未纳入许可, 售 可售, 物 物管用房, 约 签约中, 签 已签约, 备 已备案, 封 查封/限制,
变 变更中), the totals per state below; moving the cursor shows the unit (its state, area,
permit and reminders). At 80×24 the grid scrolls; it grows with the terminal. F8 prints
the board (``services.presale.documents.board_pdf``). The state comes from one rule,
``core.presale.sale.sale_state``; this screen only draws it, in ``BoardGrid`` (Textual's
Line API: only the rows on screen are drawn, so a 40-floor × 30-unit building opens as fast
as a small one).
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Header, Input, Static

from core.errors import RuleViolation
from core.presale.board import BoardCell
from core.presale.sale import SALE_STATE_LABELS, SALE_STATE_LETTERS, SaleState
from core.presale.units import show_value
from services.presale import board as boards
from tui.screens.base import AppScreen
from tui.screens.presale.board_grid import BoardGrid
from tui.widgets.detail import MUTED
from tui.widgets.footer import KeyFooter
from tui.widgets.form import compact_input, field_line
from tui.widgets.message import MessageLine

__all__ = ["SalesBoardScreen", "STATE_STYLES"]

#: Each state's colour (the letter says it too, for a terminal without colour).
STATE_STYLES: dict[SaleState, str] = {
    SaleState.SELLABLE: "black on #8fd18a",
    SaleState.SIGNING: "black on #9fd8e8",
    SaleState.SIGNED: "black on #f2c45a",
    SaleState.FILED: "white on #c0504d",
    SaleState.NOT_PERMITTED: "black on #c8ccd1",
    SaleState.PROPERTY_ROOM: "white on #3f6fb5",
    SaleState.RESTRICTED: "white on #404448",
    SaleState.MORTGAGED: "white on #b5651d",
    SaleState.CHANGING: "black on #d59ee6",
}


class SalesBoardScreen(AppScreen):
    """楼盘表: a building by project and 栋号; the cursor shows a unit."""

    CSS_PATH = "presale.tcss"
    BINDINGS = [
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("f8", "print_board", "打印", key_display="F8"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "输入项目编号和栋号，按 Enter 显示楼盘表（楼层 × 户室，每格为户室的销售状态）。",
        "方向键移动光标（PgUp/PgDn 翻页，Home/End 本层首户/末户，Ctrl+Home/Ctrl+End 顶层/底层，也可用鼠标点选），"
        "下方显示该户室的状态、面积、许可证号和提醒；终端较小时表格可滚动，楼层和户号始终可见。",
        "未 未纳入许可　售 可售　物 物管用房　约 签约中（合同已受理，尚未签约盖章）　签 已签约　备 已备案　封 查封/限制　变 变更中（预售许可证变更中，暂停签约）。",
        "F8 打印楼盘表；F5 刷新。",
    )

    class Loaded(Message):
        def __init__(self, view: boards.BoardView) -> None:
            super().__init__()
            self.view = view

    class Printed(Message):
        def __init__(self, path: str) -> None:
            super().__init__()
            self.path = path

    def __init__(self, project: str = "", building: str = "") -> None:
        super().__init__()
        self.project = project
        self.building = building
        self.view: boards.BoardView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="status-row"):
            yield Static("楼盘表", classes="screen-title", markup=False)
            yield MessageLine(id="board-message", classes="status-line")
        with Horizontal(id="board-find"):
            project = compact_input(self.project, placeholder="如 1", max_length=10)
            project.id = "board-project"
            yield field_line("项目编号", project)
            building = compact_input(self.building, placeholder="如 D004，Enter 显示", max_length=20)
            building.id = "board-building"
            yield field_line("栋号", building)
        yield Static("", id="board-summary", markup=False)
        yield BoardGrid(STATE_STYLES, id="board-grid")
        yield Static("", id="board-unit", markup=False)
        yield Static("", id="board-totals", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#board-summary", Static).update(Text("请输入项目编号和栋号。", style=MUTED))
        self.query_one("#board-project", Input).focus()
        if self.project and self.building:
            self.action_reload()

    @on(Input.Submitted, "#board-project")
    def _next(self) -> None:
        self.query_one("#board-building", Input).focus()

    @on(Input.Submitted, "#board-building")
    def _find(self) -> None:
        self.project = self.query_one("#board-project", Input).value.strip()
        self.building = self.query_one("#board-building", Input).value.strip()
        self.action_reload()

    def action_reload(self) -> None:
        self.clear_message()
        self._load(self.project, self.building)  # as typed: the use case reads the numbers

    def show_field_refusal(self, error: RuleViolation) -> bool:
        if error.field in ("project", "building"):
            self.query_one(f"#board-{error.field}", Input).focus()
        return False  # said on the message line, as before

    @work(thread=True, exclusive=True, group="board", exit_on_error=False)
    def _load(self, project: str, building: str) -> None:
        self.post_message(self.Loaded(boards.board(self.db, self.actor, project, building)))

    def on_sales_board_screen_loaded(self, message: Loaded) -> None:
        v = self.view = message.view
        permits = "，".join(f"{k}{n}" for k, n in v.permits) or "尚无销售许可"
        change = f"　许可变更中 {v.change_case}（暂停签约）" if v.change_case else ""
        survey = f"{v.survey_kind_label}{v.survey_number}" if v.survey_number else "无备案测绘成果"
        self.query_one("#board-summary", Static).update(
            Text(f"{v.project_name} {v.building_number}　{survey}　{permits}{change}"))
        totals = Text()
        for t in v.board.totals:
            totals.append(f" {SALE_STATE_LETTERS[t.state]} ", style=STATE_STYLES[t.state])
            totals.append(f"{SALE_STATE_LABELS[t.state]}{t.units} ")
        self.query_one("#board-totals", Static).update(totals)
        grid = self.query_one("#board-grid", BoardGrid)
        grid.show(v.board)  # the cursor on the top floor's first unit
        grid.focus()

    @on(BoardGrid.CursorMoved, "#board-grid")
    def _highlighted(self, message: BoardGrid.CursorMoved) -> None:
        self._show_unit(message.cell)

    def _show_unit(self, cell: BoardCell | None) -> None:
        box = self.query_one("#board-unit", Static)
        if cell is None:
            box.update(Text("（此处无户室）" if self.view else "", style=MUTED))
            return
        line = Text(f"{cell.unit_no}　")
        line.append(SALE_STATE_LABELS[cell.state], style=STATE_STYLES[cell.state])
        line.append(f"　建筑面积 {show_value('built_area', cell.built_area)} m²")
        if cell.layout:
            line.append(f"　{cell.layout}")
        if cell.sale_price is not None:
            line.append(f"　销售单价 {show_value('sale_price', cell.sale_price)}")
        if cell.permit_number:
            line.append(f"　许可证 {cell.permit_number}")
        for notice in cell.notices:
            line.append(f"\n提醒：{notice}", style="bold red")
        box.update(line)

    # ------------------------------------------------------------ print

    def action_print_board(self) -> None:
        if self.view is None:
            self.show_refusal("请先显示楼盘表。")
            return
        self.set_message("正在生成楼盘表……")
        self._print(self.view.project_id, self.view.building_number)

    @work(thread=True, exclusive=True, group="board-print", exit_on_error=False)
    def _print(self, project: int, building: str) -> None:
        from services.presale import documents

        pdf = documents.board_pdf(self.db, self.actor, project, building)
        self.post_message(self.Printed(str(self.save_document(f"楼盘表_{building}.pdf", pdf))))

    def on_sales_board_screen_printed(self, message: Printed) -> None:
        self.set_message(f"已生成 {message.path}", "ok")
