"""业务办理: 在手业务 (cases in hand, with the actions) and 已办业务 (cases worked).

Both lists have a filter bar, a table and, below it, the selected case's
业务进度 timeline. Actions (接件, 派工, 退件, 取消受理, 归档) are function keys
on the in-hand list; each runs its service in a worker, shows the service's
sentence when refused, and reloads the list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Select, Static
from textual.worker import get_current_worker

from core.cases import CASE_STATUS_LABELS, CASE_TYPES
from core.time_limits import CaseClock, ClockState
from core.timeutil import show, to_local
from services import cases
from services.cases import CaseDetail, CaseFilter, CaseRow
from tui.screens.base import AppScreen
from tui.screens.dialogs import (
    AcceptChoice,
    AcceptDialog,
    ConfirmDialog,
    cancel_dialog,
    DispatchChoice,
    DispatchDialog,
    ReturnChoice,
    ReturnDialog,
)
from tui.widgets.detail import DetailPane, case_renderable
from tui.widgets.form import FormInput
from tui.widgets.message import MessageLine
from tui.widgets.tables import ListTable
from tui.widgets.footer import KeyFooter

_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: Where a case of a type is worked: ``(app, type_code, number, *, bare) -> screen or None``.
Opener = Callable[..., Screen | None]


class FilterError(ValueError):
    """A filter field the clerk typed cannot be read (shown as its sentence)."""


def parse_day(text: str, label: str) -> date | None:
    """A yyyy-mm-dd filter field; empty means no bound."""
    text = text.strip()
    if not text:
        return None
    try:
        if not _DAY_RE.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise FilterError(f"{label}“{text}”格式不正确，请按 yyyy-mm-dd 填写，例如 2024-05-01。") from None


def short_time(moment: datetime | None) -> str:
    """List cells: month-day hour:minute in Shanghai time (the pane shows seconds)."""
    return f"{to_local(moment):%m-%d %H:%M}" if moment else ""


#: How a list marks a case's clock (the text says it too: 超3日, 今日到期, 剩1日).
CLOCK_STYLES = {
    ClockState.OVERDUE: "bold red",
    ClockState.CLOSED_LATE: "red",
    ClockState.DUE_SOON: "bold dark_orange",
}


def clock_cell(clock: CaseClock | None) -> str:
    """Two lines for a list: the due day (month-day) over what is left (剩3日 / 今日到期 / 超2日 …)."""
    if clock is None:
        return ""
    return f"{clock.due_on:%m-%d}\n{clock.label}" if clock.due_on else f"—\n{clock.label}"


def clock_style(clock: CaseClock | None) -> str | None:
    return CLOCK_STYLES.get(clock.state) if clock else None


def type_options() -> list[tuple[str, str]]:
    return [(kind.name, code) for code, kind in CASE_TYPES.items()]


class CaseListScreen(AppScreen):
    """A case list with a filter bar and the progress pane of the selected case."""

    LIST_TITLE = ""
    COLUMNS: list[tuple[str, int | None]] = []
    #: The column that shows the case's clock (marked when due soon or overdue).
    CLOCK_COLUMN = -1

    class RowsLoaded(Message):
        def __init__(self, rows: list[CaseRow]) -> None:
            super().__init__()
            self.rows = rows

    class DetailLoaded(Message):
        def __init__(self, detail: CaseDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, opener: Opener | None = None) -> None:
        """``opener``: the screen where a case is worked (``tui.screens.case_open.work_screen``,
        handed over by the desk); without one, or where it has none, Enter shows the case."""
        super().__init__()
        self.rows: dict[str, CaseRow] = {}
        self.detail: CaseDetail | None = None
        self.opener = opener

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="filter-bar"):
            yield from self.compose_filters()
        with Horizontal(classes="status-row"):
            yield Static(self.LIST_TITLE, classes="screen-title")
            yield MessageLine(id="case-message", classes="status-line")
            yield Static("", id="case-count", markup=False)
        yield ListTable(self.COLUMNS, id="cases")
        with VerticalScroll(id="progress-scroll"):
            yield DetailPane(id="progress")
        yield KeyFooter()

    def compose_filters(self) -> ComposeResult:
        yield Select(type_options(), prompt="全部业务类型", compact=True, id="filter-type")

    def on_mount(self) -> None:
        self.query_one("#progress-scroll").border_title = f"业务进度（Enter {self.OPEN_LABEL}）"
        self.query_one("#progress", DetailPane).show_hint("选择一件业务，这里显示其业务进度。")
        self.query_one("#cases", ListTable).focus()

    def on_screen_resume(self) -> None:
        self.reload()

    # ------------------------------------------------------------ list

    def current_filter(self) -> CaseFilter:
        raise NotImplementedError

    def load_rows(self, f: CaseFilter) -> list[CaseRow]:
        raise NotImplementedError

    def row_values(self, row: CaseRow) -> list[str]:
        raise NotImplementedError

    def reload(self, *, clear: bool = False) -> None:
        """Load the list again; ``clear`` drops the last message (a filter changed)."""
        try:
            f = self.current_filter()
        except FilterError as error:
            self.show_refusal(str(error))
            return
        if clear:
            self.clear_message()
        self._load(f)

    @work(thread=True, exclusive=True, group="rows", exit_on_error=False)
    def _load(self, f: CaseFilter) -> None:
        rows = self.load_rows(f)
        if not get_current_worker().is_cancelled:
            self.post_message(self.RowsLoaded(rows))

    def on_case_list_screen_rows_loaded(self, message: RowsLoaded) -> None:
        table = self.query_one("#cases", ListTable)
        keep = self.selected_number
        # One row per finished stage in 已办业务: a case number may repeat, so keys carry the index.
        self.rows = {f"{i}:{row.number}": row for i, row in enumerate(message.rows)}
        column = self.CLOCK_COLUMN % len(self.COLUMNS)
        table.set_rows([(key, self.row_values(row)) for key, row in self.rows.items()],
                       {key: {column: style} for key, row in self.rows.items() if (style := clock_style(row.clock))})
        self.query_one("#case-count", Static).update(f"共 {len(message.rows)} 件")
        if not message.rows:
            self.detail = None
            self.query_one("#progress", DetailPane).show_hint("没有符合条件的业务。")
        elif keep:
            for index, key in enumerate(self.rows):
                if self.rows[key].number == keep:
                    table.move_cursor(row=index)
                    break

    @property
    def selected_row(self) -> CaseRow | None:
        table = self.query_one("#cases", ListTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(key or "")

    @property
    def selected_number(self) -> str | None:
        row = self.selected_row
        return row.number if row else None

    @on(Select.Changed)
    def _select_changed(self) -> None:
        self.reload(clear=True)

    # ------------------------------------------------------------ opening a case

    #: Whether the list's cases may still be worked (在手业务), for a case without a screen of its own.
    IN_HAND = False
    #: What Enter does, as the progress pane's title says it.
    OPEN_LABEL = "在办理界面中查看"

    @property
    def active_bindings(self):  # type: ignore[no-untyped-def]
        """Enter last in the footer: at 80 columns the list's keys and Esc come first, and the
        progress pane's title says what Enter does."""
        bindings = super().active_bindings
        if "enter" in bindings:
            bindings["enter"] = bindings.pop("enter")
        return bindings

    @on(DataTable.RowSelected, "#cases")
    def _open(self, event: DataTable.RowSelected) -> None:
        """Enter: the screen where the case is worked, on that case (``tui.screens.case_open``)."""
        self._open_row(self.rows.get(event.row_key.value or ""))

    def action_open_case(self) -> None:
        """Enter where the list has not the focus (the progress pane): the selected case."""
        if self.selected_row is None:
            self.show_refusal("请先在列表中选择一件业务。")
            return
        self._open_row(self.selected_row)

    def _open_row(self, row: CaseRow | None) -> None:
        if row is not None:
            screen = self.opener(self.app, row.type_code, row.number, bare=row.bare) if self.opener else None
            self.app.push_screen(screen or CaseDetailScreen(row.number, in_hand=self.IN_HAND))

    # ------------------------------------------------------------ progress pane

    @on(DataTable.RowHighlighted, "#cases")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = self.rows.get(event.row_key.value or "")
        if row is not None:
            self._load_detail(row.number)

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def _load_detail(self, number: str) -> None:
        detail = cases.case_detail(self.db, self.actor, number)
        if not get_current_worker().is_cancelled:
            self.post_message(self.DetailLoaded(detail))

    def on_case_list_screen_detail_loaded(self, message: DetailLoaded) -> None:
        if message.detail.number != self.selected_number:
            return
        self.detail = message.detail
        self.query_one("#progress", DetailPane).update(case_renderable(message.detail))


class InHandScreen(CaseListScreen):
    """在手业务: the cases I hold and those waiting for me or my role."""

    LIST_TITLE = "在手业务"
    IN_HAND = True
    OPEN_LABEL = "打开办理界面"
    # The columns of seed 004 §4.2 and the clock do not fit 80 cells on one line: pairs are
    # stacked in two-line rows (a wider terminal gives the cut type names their room).
    COLUMNS = [
        ("业务号\n业务类型", 16),
        ("办理阶段", 12),
        ("接收时间", None),
        ("上一派工\n人员", 8),
        ("任务状态\n业务状态", None),
        ("到期日\n剩余时限", None),
    ]
    BINDINGS = [
        Binding("f4", "accept", "受理", key_display="F4"),
        Binding("f5", "receive", "接件", key_display="F5"),
        Binding("f6", "dispatch", "派工", key_display="F6"),
        Binding("f7", "return_case", "退件", key_display="F7"),
        Binding("f8", "cancel_case", "取消受理", key_display="F8"),
        Binding("f9", "archive", "归档", key_display="F9"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
        Binding("enter", "open_case", "办理", key_display="Enter"),  # last: at 80 columns the pane's title says it
    ]

    HELP_STEPS = (
        "↑↓ 选中业务，查看办理进度；按 Enter 打开办理该业务的界面（测绘、签约、资金监管、许可、退房等）。",
        "按页脚所示的键接件、派工、退件、取消受理或归档（须填写原因的会提示）。",
        "到期日自受理次日起按工作日计算（不含法定节假日，调休上班日计入）；剩1个工作日以内的标为橙色，已超期的标为红色。",
    )

    class ActionDone(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class ReturnReady(Message):
        def __init__(self, detail: CaseDetail) -> None:
            super().__init__()
            self.detail = detail

    def compose_filters(self) -> ComposeResult:
        yield from super().compose_filters()
        yield FormInput(placeholder="业务号包含…", compact=True, id="filter-number", max_length=20)

    def current_filter(self) -> CaseFilter:
        type_code = self.query_one("#filter-type", Select).value
        number = self.query_one("#filter-number", Input).value.strip()
        return CaseFilter(
            type_code=type_code if isinstance(type_code, str) else None,
            number_contains=number or None,
        )

    def load_rows(self, f: CaseFilter) -> list[CaseRow]:
        return cases.in_hand(self.db, self.actor, f)

    def row_values(self, row: CaseRow) -> list[str]:
        return [
            f"{row.number}\n{row.type_name}",
            row.stage_name,
            short_time(row.received_at),
            row.dispatched_by or "",
            f"{row.task_label}\n{row.case_label}",
            clock_cell(row.clock),
        ]

    @on(Input.Changed, "#filter-number")
    def _number_changed(self) -> None:
        self.reload(clear=True)

    @on(Input.Submitted, "#filter-number")
    def _number_submitted(self) -> None:
        self.query_one("#cases", ListTable).focus()

    # ------------------------------------------------------------ actions

    def _need_case(self) -> str | None:
        number = self.selected_number
        if number is None:
            self.show_refusal("请先在列表中选择一件业务。")
        return number

    def _run(self, done: str, call: Callable[[], None]) -> None:
        self.set_message("正在办理……")
        self._act(done, call)

    @work(thread=True, exclusive=True, group="action", exit_on_error=False)
    def _act(self, done: str, call: Callable[[], None]) -> None:
        call()
        self.post_message(self.ActionDone(done))

    def on_in_hand_screen_action_done(self, message: ActionDone) -> None:
        self.reload()
        self.set_message(message.text, tone="ok")

    def action_accept(self) -> None:
        self.app.push_screen(AcceptDialog(), callback=self._accept)

    def _accept(self, choice: AcceptChoice | None) -> None:
        if choice is not None:
            self._accept_case(choice)

    @work(thread=True, exclusive=True, group="action", exit_on_error=False)
    def _accept_case(self, choice: AcceptChoice) -> None:
        number = cases.accept_case(self.db, self.actor, choice.type_code, summary=choice.summary)
        self.post_message(self.ActionDone(f"已受理，业务号 {number}。"))

    def action_receive(self) -> None:
        if number := self._need_case():
            self._run(f"已接件：{number}。", lambda: cases.receive_case(self.db, self.actor, number))

    def action_dispatch(self) -> None:
        if number := self._need_case():

            def chosen(choice: DispatchChoice | None) -> None:
                if choice is not None:
                    self._run(
                        f"已派工：{number} 派给{choice.label}。",
                        lambda: cases.dispatch_case(
                            self.db, self.actor, number, role=choice.role, operator=choice.operator
                        ),
                    )

            self.app.push_screen(DispatchDialog(number), callback=chosen)

    def action_return_case(self) -> None:
        if number := self._need_case():
            self._prepare_return(number)

    @work(thread=True, exclusive=True, group="action", exit_on_error=False)
    def _prepare_return(self, number: str) -> None:
        self.post_message(self.ReturnReady(cases.case_detail(self.db, self.actor, number)))

    def on_in_hand_screen_return_ready(self, message: ReturnReady) -> None:
        detail = message.detail
        codes = [code for code, _ in detail.stages]
        here = codes.index(detail.stage_code) if detail.stage_code in codes else len(codes)
        # Offer the stages before the current one; the service has the last word.
        stages = detail.stages[:here] or detail.stages

        def chosen(choice: ReturnChoice | None) -> None:
            if choice is not None:
                self._run(
                    f"已退件：{detail.number}。",
                    lambda: cases.return_case(
                        self.db, self.actor, detail.number, to_stage=choice.to_stage, reason=choice.reason
                    ),
                )

        self.app.push_screen(ReturnDialog(detail.number, stages), callback=chosen)

    def action_cancel_case(self) -> None:
        if number := self._need_case():

            def chosen(reason: str | None) -> None:
                if reason is not None:
                    self._run(
                        f"已取消受理：{number}。",
                        lambda: cases.cancel_case(self.db, self.actor, number, reason=reason),
                    )

            self.app.push_screen(cancel_dialog(number), callback=chosen)

    def action_archive(self) -> None:
        if number := self._need_case():

            def chosen(sure: bool | None) -> None:
                if sure:
                    self._run(f"已归档：{number}。", lambda: cases.archive_case(self.db, self.actor, number))

            self.app.push_screen(ConfirmDialog("归档", f"确认将业务 {number} 归档办结？归档后不能再办理。"), callback=chosen)


class DoneScreen(CaseListScreen):
    """已办业务: one row per stage I worked and finished."""

    LIST_TITLE = "已办业务"
    # The columns of seed 004 §4.2 and the clock do not fit 80 cells on one line: pairs are
    # stacked in two-line rows (a wider terminal gives the cut type names their room).
    COLUMNS = [
        ("业务号\n业务类型", 16),
        ("办理阶段", 12),
        ("操作时间\n完成时间", None),
        ("上一派工\n人员", 8),
        ("任务状态\n业务状态", None),
        ("到期日\n办理时限", None),
    ]
    BINDINGS = [
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
        Binding("enter", "open_case", "查看", key_display="Enter"),
    ]

    HELP_STEPS = (
        "↑↓ 选中已办结的业务，查看办理进度和结果；按 Enter 在办理该业务的界面中查看。",
        "办理时限一栏：未办结的显示剩余工作日，已办结的显示是否按期办结（超期的标为红色）。",
    )

    def compose_filters(self) -> ComposeResult:
        yield from super().compose_filters()
        yield Select(
            [(label, status.value) for status, label in CASE_STATUS_LABELS.items()],
            prompt="全部状态",
            compact=True,
            id="filter-status",
        )
        yield FormInput(placeholder="起始 yyyy-mm-dd", compact=True, id="filter-since", max_length=10)
        yield FormInput(placeholder="截止 yyyy-mm-dd", compact=True, id="filter-until", max_length=10)

    def current_filter(self) -> CaseFilter:
        type_code = self.query_one("#filter-type", Select).value
        status = self.query_one("#filter-status", Select).value
        return CaseFilter(
            type_code=type_code if isinstance(type_code, str) else None,
            status=status if isinstance(status, str) else None,
            since=parse_day(self.query_one("#filter-since", Input).value, "起始日期"),
            until=parse_day(self.query_one("#filter-until", Input).value, "截止日期"),
        )

    def load_rows(self, f: CaseFilter) -> list[CaseRow]:
        return cases.done_list(self.db, self.actor, f)

    def row_values(self, row: CaseRow) -> list[str]:
        return [
            f"{row.number}\n{row.type_name}",
            row.stage_name,
            f"{show(row.received_at, seconds=False)}\n{show(row.finished_at, seconds=False)}",
            row.dispatched_by or "",
            f"{row.task_label}\n{row.case_label}",
            clock_cell(row.clock),
        ]

    @on(Input.Changed, "#filter-since, #filter-until")
    def _day_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if not text or len(text) >= 10:  # a whole date, or cleared
            self.reload(clear=True)

    @on(Input.Submitted, "#filter-since, #filter-until")
    def _day_submitted(self) -> None:
        self.reload(clear=True)


#: What the footer and the first line say a case without a screen of its own is worked with.
IN_HAND_KEYS = "在“在手业务”列表中选中该业务，按 F5 接件、F6 派工、F7 退件、F8 取消受理、F9 归档。"
DONE_KEYS = "已办业务只供查看；仍在办理中的，请到“在手业务”办理。"


class CaseDetailScreen(AppScreen):
    """One case and its 业务进度, read only: for a type no screen of its own works."""

    BINDINGS = [
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回（F5–F9 在列表中办理）", key_display="Esc"),
    ]
    HELP_STEPS = (
        "这类业务没有专门的办理界面，这里显示业务信息和办理进度。",
        IN_HAND_KEYS,
        "按 Esc 返回列表。",
    )

    class Loaded(Message):
        def __init__(self, detail: CaseDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, number: str, *, in_hand: bool = True) -> None:
        super().__init__()
        self.number = number
        self.in_hand = in_hand

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="status-row"):
            yield Static("业务详情", classes="screen-title", markup=False)
            yield MessageLine(id="case-detail-message", classes="status-line")
        yield Static(IN_HAND_KEYS if self.in_hand else DONE_KEYS, id="case-detail-keys", markup=False)
        with VerticalScroll(id="case-detail-scroll"):
            yield DetailPane(id="case-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#case-detail-scroll").border_title = f"业务进度　{self.number}"
        self.query_one("#case-detail", DetailPane).show_hint("正在读取……")
        self.query_one("#case-detail-scroll").focus()
        self.action_reload()

    def action_reload(self) -> None:
        self._load(self.number)

    @work(thread=True, exclusive=True, group="case-detail", exit_on_error=False)
    def _load(self, number: str) -> None:
        self.post_message(self.Loaded(cases.case_detail(self.db, self.actor, number)))

    def on_case_detail_screen_loaded(self, message: Loaded) -> None:
        self.query_one("#case-detail", DetailPane).update(case_renderable(message.detail))
