"""短信发件箱: the SMS the system queued, and what became of them.

Who sees what (``services.sms`` decides; see its module docstring): a
supervisor sees every message of the hall; a clerk sees the messages of the
cases they hold or have worked on — at a hall without an SMS gateway that is
their window's queue, e.g. the signing codes they asked for — and the title
says 本人经办. The list shows the messages newest first with masked phones,
filtered by status; the pane under it shows the selected message in full.

F7 显示号码 reveals the selected message's full phone number (and its current
text) in the pane, for sending it by hand; the service audits who saw which
message's number. The number is forgotten when the cursor moves or the list
reloads. F5 标记已发送 records a message sent by hand; F6 立即投递 (supervisors)
hands the queued messages to the hall's SMS gateway (WANGQIAN_SMS_URL) and says
how many went out. Each call runs in a thread worker; refusals are the
services' sentences.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Header, Select, Static
from textual.worker import get_current_worker

from services import sms
from services.sms import OutboxRow
from tui.screens.base import AppScreen
from tui.widgets.detail import LABEL_STYLE, DetailPane
from tui.widgets.message import MessageLine
from tui.widgets.tables import ListTable
from tui.widgets.footer import KeyFooter


def message_renderable(row: OutboxRow, full_phone: str | None = None) -> Table:
    """One message in full: when, to whom, why, its status and its text.

    ``full_phone`` (revealed with F7, audited) replaces the masked number.
    """
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style=LABEL_STYLE, width=8, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    grid.add_row("短信编号", Text(f"{row.id}　{row.created}"))
    if full_phone is None:
        grid.add_row("手机号", Text(f"{row.phone}　（按 F7 显示完整号码）"))
    else:
        grid.add_row("手机号", Text(full_phone, style="bold"))
    grid.add_row("用途", Text(f"{row.purpose_label}　业务号 {row.case_number or '无'}"))
    status = Text(row.status)
    if row.error:
        status.append(f"　{row.error}", style="bold red")
    grid.add_row("状态", status)
    grid.add_row("短信内容", Text(row.text))
    return grid


class OutboxScreen(AppScreen):
    """短信发件箱: list, status filter, 显示号码, 标记已发送, 立即投递."""

    COLUMNS: list[tuple[str, int | None]] = [
        ("时间", None), ("手机号", None), ("用途", 12), ("业务号", None), ("状态", None), ("短信内容", 16),
    ]
    BINDINGS = [
        Binding("f5", "mark_sent", "标记已发送", key_display="F5"),
        Binding("f6", "deliver", "立即投递", key_display="F6"),
        Binding("f7", "reveal", "显示号码", key_display="F7"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]

    HELP_STEPS = (
        "↑↓ 选中短信。",
        "F7 显示完整号码，手工发送后 F5 标记为已发送。",
        "接有短信网关时，主管可按 F6 立即投递。",
    )

    class RowsLoaded(Message):
        def __init__(self, rows: list[OutboxRow]) -> None:
            super().__init__()
            self.rows = rows

    class Revealed(Message):
        def __init__(self, revealed: sms.RevealedMessage) -> None:
            super().__init__()
            self.revealed = revealed

    class ActionDone(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, OutboxRow] = {}
        #: The one message whose full number is shown (F7), until the cursor moves.
        self.revealed: sms.RevealedMessage | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="filter-bar"):
            yield Select([(label, code) for code, label in sms.STATUS_LABELS.items()], prompt="全部状态",
                         compact=True, id="outbox-filter")
        with Horizontal(classes="status-row"):
            yield Static(self.title_text, classes="screen-title", markup=False)
            yield MessageLine(id="outbox-message", classes="status-line")
            yield Static("", id="outbox-count", markup=False)
        yield ListTable(self.COLUMNS, id="outbox-list")
        with VerticalScroll(id="outbox-scroll"):
            yield DetailPane(id="outbox-detail")
        yield KeyFooter()

    @property
    def title_text(self) -> str:
        return "短信发件箱" if sms.sees_every_message(self.actor) else "短信发件箱（本人经办）"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """立即投递 is the supervisors' (a clerk sends their messages by hand)."""
        if action == "deliver":
            return sms.sees_every_message(self.actor)
        return True

    def on_mount(self) -> None:
        self.query_one("#outbox-scroll").border_title = "短信详情"
        self.query_one("#outbox-detail", DetailPane).show_hint("选择一条短信，这里显示其全文。")
        self.query_one("#outbox-list", ListTable).focus()
        self.reload()

    # ------------------------------------------------------------ list

    def reload(self) -> None:
        status = self.query_one("#outbox-filter", Select).value
        self._load(status if isinstance(status, str) else None)

    @work(thread=True, exclusive=True, group="outbox-rows", exit_on_error=False)
    def _load(self, status: str | None) -> None:
        rows = sms.outbox(self.db, self.actor, status=status)
        if not get_current_worker().is_cancelled:
            self.post_message(self.RowsLoaded(rows))

    def on_outbox_screen_rows_loaded(self, message: RowsLoaded) -> None:
        table = self.query_one("#outbox-list", ListTable)
        keep = self.selected.id if self.selected else None
        self.rows = {str(row.id): row for row in message.rows}
        self.revealed = None
        table.set_rows([
            (key, [row.created[5:16], row.phone, row.purpose_label, row.case_number or "", row.status, row.text])
            for key, row in self.rows.items()
        ])
        self.query_one("#outbox-count", Static).update(f"共 {len(message.rows)} 条")
        if keep is not None and str(keep) in self.rows:
            table.move_cursor(row=list(self.rows).index(str(keep)))
        self._show_selected()

    @property
    def selected(self) -> OutboxRow | None:
        table = self.query_one("#outbox-list", ListTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(key or "")

    def _show_selected(self) -> None:
        pane = self.query_one("#outbox-detail", DetailPane)
        row = self.selected
        if row is None:
            pane.show_hint("没有符合条件的短信。" if not self.rows else "选择一条短信，这里显示其全文。")
        else:
            shown = self.revealed if self.revealed is not None and self.revealed.row.id == row.id else None
            pane.update(message_renderable(shown.row if shown else row, shown.phone if shown else None))

    @on(DataTable.RowHighlighted, "#outbox-list")
    def _highlighted(self) -> None:
        if self.revealed is not None and (self.selected is None or self.selected.id != self.revealed.row.id):
            self.revealed = None  # the number is shown for the message it was revealed for only
        self._show_selected()

    @on(Select.Changed, "#outbox-filter")
    def _filter_changed(self) -> None:
        self.clear_message()
        self.reload()

    # ------------------------------------------------------------ actions

    def action_mark_sent(self) -> None:
        row = self.selected
        if row is None:
            self.show_refusal("请先选择要标记为已发送的短信。")
            return
        self.set_message("正在办理……")
        self._mark_sent(row.id)

    @work(thread=True, exclusive=True, group="outbox-act", exit_on_error=False)
    def _mark_sent(self, message_id: int) -> None:
        sms.mark_sent(self.db, self.actor, [message_id])
        self.post_message(self.ActionDone(f"已将第 {message_id} 号短信标记为已发送。"))

    def action_reveal(self) -> None:
        row = self.selected
        if row is None:
            self.show_refusal("请先选择要查看号码的短信。")
            return
        self._reveal(row.id)

    @work(thread=True, exclusive=True, group="outbox-act", exit_on_error=False)
    def _reveal(self, message_id: int) -> None:
        revealed = sms.reveal(self.db, self.actor, message_id)
        self.post_message(self.Revealed(revealed))

    def on_outbox_screen_revealed(self, message: Revealed) -> None:
        row = self.selected
        if row is None or row.id != message.revealed.row.id:
            return  # the cursor moved on meanwhile
        self.revealed = message.revealed
        self.rows[str(row.id)] = message.revealed.row  # its text as it is now
        self.set_message("完整号码已显示并记入审计日志；手工发送后按 F5。")
        self._show_selected()

    def action_deliver(self) -> None:
        self.set_message("正在投递……")
        self._deliver()

    @work(thread=True, exclusive=True, group="outbox-act", exit_on_error=False)
    def _deliver(self) -> None:
        gateway = sms.configured_gateway(self.db.settings)
        if gateway.name == sms.OUTBOX_BACKEND:
            text = "未配置短信网关（WANGQIAN_SMS_URL），短信须人工发送后按 F5 标记已发送。"
        else:
            report = sms.deliver_pending(self.db, self.actor, gateway)
            text = f"投递完成：成功 {report.sent} 条，失败 {report.failed} 条。"
        self.post_message(self.ActionDone(text))

    def on_outbox_screen_action_done(self, message: ActionDone) -> None:
        self.set_message(message.text, tone="ok")
        self.reload()


__all__ = ["OutboxScreen"]
