"""限购/限售核定 (supervisors): house checks that ended in 待核定, and the decision.

The list holds one line per home whose use class is not normalised, oldest
first (``use_class_review.pending_reviews``); the pane under it shows the
highlighted one. F5 可交易 asks which class the home is traded as (住宅 / 商业 /
办公); F6 限售 asks for the reason. The person at the window is told by SMS
(``use_class_review.decide_use_class``), and the clerk runs the house check again.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Header, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from core.resale.use_class_review import UseClassDecision
from core.roles import Permission
from core.timeutil import show
from services.resale import use_class_review
from services.resale.use_class_review import ReviewItem
from tui.screens.base import AppScreen
from tui.screens.dialogs import ReasonDialog, _Dialog
from tui.widgets.detail import DetailPane
from tui.widgets.footer import KeyFooter
from tui.widgets.message import MessageLine
from tui.widgets.tables import ListTable

_USE_CLASS_LABELS = {"residential": "住宅", "commercial": "商业", "office": "办公"}


class TradeAsDialog(_Dialog):
    """Which use class a tradable home is traded as; dismisses with the decision or None (Esc)."""

    def __init__(self, location: str) -> None:
        super().__init__()
        self.location = location

    def compose(self) -> ComposeResult:
        with Vertical(id="trade-as-box", classes="dialog"):
            yield Label("限购/限售核定：可以交易", classes="form-title")
            yield Static(Text(self.location))
            yield OptionList(*[Option(d.label, id=d.value) for d in UseClassDecision if d.tradable],
                             id="trade-as")
            yield Static("↑↓ 选择，Enter 确定　Esc 取消", classes="hint")

    def on_mount(self) -> None:
        choices = self.query_one("#trade-as", OptionList)
        choices.highlighted = 0
        choices.focus()

    @on(OptionList.OptionSelected, "#trade-as")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(UseClassDecision(event.option.id))


def _detail(item: ReviewItem) -> Group:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, value in (
        ("房屋坐落", item.location), ("产权证书编号", item.certificate_number),
        ("登记用途", _USE_CLASS_LABELS.get(item.use_class, item.use_class) + "（用途大类未规范）"),
        ("核验时间", show(item.checked_at, seconds=False)), ("受理人", item.checked_by),
        ("窗口当事人", item.party_name), ("核验记录", str(item.house_check_id)),
    ):
        grid.add_row(label, Text(value))
    return Group(grid, Text("核定结果将短信通知窗口当事人；受理人重新进行房源核验后按核定结果办理。", style="dim"))


class UseClassReviewScreen(AppScreen):
    """限购/限售核定 for the supervisors."""

    CSS_PATH = "resale.tcss"

    COLUMNS: list[tuple[str, int | None]] = [("房屋坐落", 30), ("核验时间", None), ("受理人", 8)]
    BINDINGS = [
        Binding("f5", "tradable", "可以交易", key_display="F5"),
        Binding("f6", "restricted", "限售", key_display="F6"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]

    HELP_STEPS = (
        "用途大类未规范的房屋，房源核验结果为待核定，在此作出限购/限售核定。",
        "↑↓ 选中一件，下方显示房屋和核验情况。",
        "F5 可以交易，选择按住宅、商业或办公办理；F6 限售，须填写原因。",
        "核定结果短信通知窗口当事人，受理人重新进行房源核验后办理。",
    )

    class Loaded(Message):
        def __init__(self, items: list[ReviewItem]) -> None:
            super().__init__()
            self.items = items

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, ReviewItem] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="ucr-top"):
            yield Label("限购/限售核定", classes="screen-title")
        yield MessageLine(id="ucr-message")
        yield ListTable(self.COLUMNS, id="ucr-list")
        with VerticalScroll(id="ucr-scroll"):
            yield DetailPane(id="ucr-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#ucr-scroll").border_title = "待核定房屋"
        self.query_one("#ucr-detail", DetailPane).show_hint("正在读取待核定的房源核验……")
        self.query_one("#ucr-list", ListTable).focus()
        self.reload()

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="ucr-load", exit_on_error=False)
    def _load(self) -> None:
        items = use_class_review.pending_reviews(self.db, self.actor)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(items))

    def on_use_class_review_screen_loaded(self, message: Loaded) -> None:
        self.items = {str(item.house_check_id): item for item in message.items}
        self.query_one("#ucr-list", ListTable).set_rows([
            (key, [item.location, show(item.checked_at, seconds=False), item.checked_by])
            for key, item in self.items.items()
        ])
        self._show_selected()

    def selected(self) -> ReviewItem | None:
        table = self.query_one("#ucr-list", ListTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.items.get(key or "")

    def _show_selected(self) -> None:
        item = self.selected()
        pane = self.query_one("#ucr-detail", DetailPane)
        if item is None:
            pane.show_hint("没有待限购/限售核定的房源核验。")
        else:
            pane.update(_detail(item))
        self.refresh_bindings()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_selected()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("tradable", "restricted"):
            actor = self.wq.actor
            return actor is not None and actor.can(Permission.CONTRACT_REVIEW) and self.selected() is not None
        return True

    def action_tradable(self) -> None:
        item = self.selected()
        if item is None or not self.check_action("tradable", ()):
            return
        self.app.push_screen(TradeAsDialog(item.location),
                             callback=lambda decision: decision and self._decide(item, decision, ""))

    def action_restricted(self) -> None:
        item = self.selected()
        if item is None or not self.check_action("restricted", ()):
            return
        self.app.push_screen(ReasonDialog("限购/限售核定：限售，不予交易", "请填写限售原因（必填）"),
                             callback=lambda reason: reason and self._decide(item, UseClassDecision.RESTRICTED,
                                                                            reason))

    def _decide(self, item: ReviewItem, decision: UseClassDecision, reason: str) -> None:
        self.set_message("正在办理……")
        self._record(item, decision, reason)

    @work(thread=True, exclusive=True, group="ucr-act", exit_on_error=False)
    def _record(self, item: ReviewItem, decision: UseClassDecision, reason: str) -> None:
        done = use_class_review.decide_use_class(self.db, self.actor, item.house_check_id, decision, reason)
        self.app.call_from_thread(self._decided, done.message)

    def _decided(self, text: str) -> None:
        self.set_message(text, tone="ok")
        self.reload()


__all__ = ["TradeAsDialog", "UseClassReviewScreen"]
