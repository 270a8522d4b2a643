"""房源信息播报: every house of the pool by building and floor, with its state.

Meant to be left open on a display of the service hall: large contrasts, a
compact grid (a heading per estate and building — 小区 + 楼栋, since two estates
may both have a "1栋" — then a row per floor, a cell per room: 可选 in green,
第N场第R位选定 in red as "N场R位", 预留 in grey), the totals on top, and a
refresh every few seconds. The refresh timer is off in headless runs (tests,
snapshots) unless asked for, so a picture never changes under the test.
"""

from __future__ import annotations

from itertools import groupby

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Header, Select, Static
from textual.worker import get_current_worker

from core.allocation.housing import LAYOUT_LABELS
from core.allocation.rounds import HOUSE_STATE_LABELS, HouseState
from core.places import building_label
from services.allocation import rounds
from services.allocation.rounds import BoardCounts, BoardRow
from tui.screens.base import AppScreen
from tui.widgets.footer import KeyFooter
from tui.widgets.message import MessageLine, literal

STATE_OPTIONS = [(HOUSE_STATE_LABELS[state], str(state)) for state in HouseState]
STATE_STYLE = {HouseState.FREE: "bold #3ddc84", HouseState.TAKEN: "bold #ff6b6b", HouseState.RESERVED: "#9aa0a6"}
CELL_WIDTH = 16  # "1203 12场3571位"
HEAD_WIDTH = 6  # "23层"


def short_label(row: BoardRow) -> str:
    """可选 / 预留 / "3场12位" for 第3场 第12位选定 (the legend says so)."""
    if row.chosen_round is not None:
        return f"{row.chosen_round}场{row.chosen_rank}位"
    return row.label


def building_heading(project: str, building: str) -> str:
    """龙悦居三期 1栋, 深康村 A座: the estate (小区) and the building (楼栋)."""
    return " ".join(part for part in (project, building_label(building)) if part)


def board_grid(rows: list[BoardRow], width: int) -> Group:
    """The houses by estate and building (a heading each), one line per floor (continued
    when a floor is wide). The service lists them in building, floor, room order; each
    estate's houses are kept together here, in that order."""
    per_line = max(1, (width - HEAD_WIDTH) // (CELL_WIDTH + 1))
    parts: list[Text | Table] = []
    in_estates = sorted(rows, key=lambda r: r.project)  # stable: board order within an estate
    for (project, building), in_building in groupby(in_estates, key=lambda r: (r.project, r.building)):
        parts.append(Text(building_heading(project, building), style="bold #7fb7ff"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=HEAD_WIDTH - 1, no_wrap=True, style="bold #7fb7ff")
        for _ in range(per_line):
            grid.add_column(width=CELL_WIDTH, no_wrap=True)
        for floor, houses in groupby(in_building, key=lambda r: r.floor):
            houses = list(houses)
            for start in range(0, len(houses), per_line):
                cells = []
                for h in houses[start:start + per_line]:
                    cell = Text(f"{h.room} ")
                    cell.append(short_label(h), style=STATE_STYLE.get(h.state, ""))
                    cells.append(cell)
                grid.add_row(Text(f"{floor}层" if start == 0 else ""), *cells)
        parts.append(grid)
    return Group(*parts)


def counts_text(counts: BoardCounts) -> Text:
    text = Text(f"共 {counts.total} 套　")
    text.append(f"可选 {counts.free}", style=STATE_STYLE[HouseState.FREE])
    text.append("　")
    text.append(f"已选定 {counts.taken}", style=STATE_STYLE[HouseState.TAKEN])
    text.append("　")
    text.append(f"预留 {counts.reserved}", style=STATE_STYLE[HouseState.RESERVED])
    return text


class BoardScreen(AppScreen):
    """The status board of the pool."""

    CSS_PATH = "allocation.tcss"
    REFRESH_SECONDS = 5.0

    BINDINGS = [
        Binding("r,f5", "refresh_board", "刷新", key_display="R"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]

    HELP_STEPS = (
        "房源信息播报：房源池中每套房源按小区、楼栋、楼层列出，每格为“房号 状态”。",
        "绿色“可选”尚可选择；红色“N场R位”为第N场排位第R位的家庭已选定（含已确认正选、尚未运行的场次）；灰色为预留房源。",
        "上方可按楼栋、状态、户型筛选，顶部为合计套数；画面每隔几秒自动刷新，R 或 F5 立即刷新。",
    )

    class Loaded(Message):
        def __init__(self, rows: list[BoardRow], counts: BoardCounts, buildings: dict[str, str] | None) -> None:
            super().__init__()
            self.rows = rows
            self.counts = counts
            self.buildings = buildings

    def __init__(self, *, auto_refresh: bool | None = None) -> None:
        """``auto_refresh``: reload every REFRESH_SECONDS; default on, except in headless runs."""
        super().__init__()
        self.auto_refresh = auto_refresh
        self.rows: list[BoardRow] = []
        self.counts: BoardCounts | None = None
        self.loads = 0  # how many times the board was loaded (tests watch the timer by it)
        self._timer: Timer | None = None
        self._buildings_known = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="board-bar"):
            yield Static("房源信息播报", classes="screen-title")
            yield Select([], prompt="全部楼栋", compact=True, id="board-building")
            yield Select(STATE_OPTIONS, prompt="全部状态", compact=True, id="board-state")
            yield Select([(label, code) for code, label in LAYOUT_LABELS.items()], prompt="全部户型", compact=True,
                         id="board-layout")
        with Horizontal(id="board-top"):
            yield Static("正在载入……", id="board-counts")
            yield MessageLine(id="board-message", classes="status-line")
        yield Static("图例：可选　N场R位 = 第N场第R位选定　预留", id="board-legend", markup=False)
        with VerticalScroll(id="board-scroll"):
            yield Static("", id="board-grid")
        yield KeyFooter()

    def on_mount(self) -> None:
        legend = Text("图例（每格：房号 状态）：")
        legend.append("可选", style=STATE_STYLE[HouseState.FREE])
        legend.append(" │ ")
        legend.append("N场R位", style=STATE_STYLE[HouseState.TAKEN])
        legend.append("＝第N场第R位选定 │ ")
        legend.append("预留", style=STATE_STYLE[HouseState.RESERVED])
        self.query_one("#board-legend", Static).update(legend)
        self.query_one("#board-scroll").focus()
        auto = self.auto_refresh if self.auto_refresh is not None else not self.wq.is_headless
        if auto:
            self._timer = self.set_interval(self.REFRESH_SECONDS, self.reload, name="board-refresh")
        self.reload()

    def action_refresh_board(self) -> None:
        self.reload()

    def _value(self, selector: str) -> str | None:
        value = self.query_one(selector, Select).value
        return value if isinstance(value, str) else None

    def reload(self) -> None:
        self._load(self._value("#board-building"), self._value("#board-state"), self._value("#board-layout"),
                   not self._buildings_known)

    @work(thread=True, exclusive=True, group="board", exit_on_error=False)
    def _load(self, building: str | None, state: str | None, layout: str | None, with_buildings: bool) -> None:
        buildings = None  # building -> its label with the estate(s) it stands in
        if with_buildings:
            estates: dict[str, list[str]] = {}
            for row in rounds.status_board(self.db, self.actor):
                projects = estates.setdefault(row.building, [])
                if row.project not in projects:
                    projects.append(row.project)
            buildings = {b: building_heading("/".join(projects), b) for b, projects in estates.items()}
        rows = rounds.status_board(self.db, self.actor, building=building, state=state, layout=layout)
        counts = rounds.board_counts(self.db, self.actor, building=building, layout=layout)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(rows, counts, buildings))

    def on_board_screen_loaded(self, message: Loaded) -> None:
        self.loads += 1
        if message.buildings is not None:
            self._buildings_known = True
            select = self.query_one("#board-building", Select)
            with select.prevent(Select.Changed):
                select.set_options([(literal(label), b) for b, label in message.buildings.items()])
        self.rows = message.rows
        self.counts = message.counts
        self.query_one("#board-counts", Static).update(counts_text(message.counts))
        grid = self.query_one("#board-grid", Static)
        if message.rows:
            grid.update(board_grid(message.rows, self.size.width - 2))
        else:
            grid.update(Text("没有符合条件的房源。", style="#9aa0a6"))

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self.reload()
