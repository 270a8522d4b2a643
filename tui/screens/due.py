"""超期督办: the supervisor's list of open cases that are overdue or due soon (and those whose
clock the holiday calendar cannot reach), most urgent first, with the selected case's time
limit and its source below. F2 shows only the overdue ones, or all of them again.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Header, Static
from textual.worker import get_current_worker

from services import cases
from services.cases import DueRow
from tui.screens.base import AppScreen
from tui.screens.cases import clock_cell, clock_style, short_time
from tui.widgets.detail import clock_line
from tui.widgets.footer import KeyFooter
from tui.widgets.message import MessageLine
from tui.widgets.tables import ListTable


class DueScreen(AppScreen):
    """Open cases against their statutory clock, for the authority's supervisors."""

    COLUMNS = [
        ("业务号\n业务类型", 16),
        ("办理阶段", 12),
        ("办理人", 10),
        ("受理时间", None),
        ("到期日\n剩余时限", None),
    ]
    BINDINGS = [
        Binding("f2", "toggle_overdue", "只看超期/全部", key_display="F2"),
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "列出未办结业务中已超期、即将到期（剩1个工作日以内）和无法计算到期日的业务，最紧急的在前。",
        "到期日自受理次日起按工作日计算（不含法定节假日，调休上班日计入）；↑↓ 选中业务，下方显示其办理时限和依据。",
        "F2 只看已超期的业务，再按一次看全部；F5 刷新。",
    )

    class RowsLoaded(Message):
        def __init__(self, rows: list[DueRow]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self) -> None:
        super().__init__()
        self.overdue_only = False
        self.rows: dict[str, DueRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="status-row"):
            yield Static("超期督办", classes="screen-title")
            yield MessageLine(id="due-message", classes="status-line")
            yield Static("", id="due-count", markup=False)
        yield ListTable(self.COLUMNS, id="due-cases")
        with VerticalScroll(id="due-limit-scroll"):
            yield Static("", id="due-limit", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#due-limit-scroll").border_title = "办理时限"
        self.query_one("#due-cases", ListTable).focus()

    def on_screen_resume(self) -> None:
        self.action_reload()

    def action_toggle_overdue(self) -> None:
        self.overdue_only = not self.overdue_only
        self.action_reload()

    def action_reload(self) -> None:
        self._load(self.overdue_only)

    @work(thread=True, exclusive=True, group="rows", exit_on_error=False)
    def _load(self, overdue_only: bool) -> None:
        rows = cases.due_cases(self.db, self.actor, overdue_only=overdue_only)
        if not get_current_worker().is_cancelled:
            self.post_message(self.RowsLoaded(rows))

    def on_due_screen_rows_loaded(self, message: RowsLoaded) -> None:
        self.rows = {f"{i}:{row.number}": row for i, row in enumerate(message.rows)}
        self.query_one("#due-cases", ListTable).set_rows(
            [(key, [f"{r.number}\n{r.type_name}", r.stage_name, r.handler, short_time(r.accepted_at), clock_cell(r.clock)])
             for key, r in self.rows.items()],
            {key: {4: style} for key, r in self.rows.items() if (style := clock_style(r.clock))},
        )
        which = "已超期" if self.overdue_only else "超期及即将到期"
        self.query_one("#due-count", Static).update(f"{which} 共 {len(message.rows)} 件")
        if not message.rows:
            self.query_one("#due-limit", Static).update(
                "没有已超期的业务。" if self.overdue_only else "没有已超期或即将到期的业务。")
        else:
            self._show(next(iter(self.rows.values())))

    @on(DataTable.RowHighlighted, "#due-cases")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = self.rows.get(event.row_key.value or "")
        if row is not None:
            self._show(row)

    def _show(self, row: DueRow) -> None:
        text = Text()
        text.append(f"{row.number}　{row.type_name}\n{clock_line(row.clock, row.limit)}\n")
        text.append(f"依据：{row.limit.source}")
        if row.clock.note:
            text.append(f"\n{row.clock.note}")
        self.query_one("#due-limit", Static).update(text)
