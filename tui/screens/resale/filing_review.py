"""网签审核 (supervisors): the filing queue and the buyer qualification requests.

Two tabs, each a list with the highlighted contract's detail under it:

* 备案审核 — signed contracts sent for filing, oldest first
  (``signing.filing_queue``). F5 备案 gives the filing number and
  date; F6 退回 asks for the reason (required) and returns the case to the
  clerk who signed it.
* 购房资格审查 — drafts whose buyers' qualification was requested
  (``queries.qualification_queue``). F5 审查通过; F6 不通过 asks for
  the reason; both sides are told by SMS.

F2 / F3 switch the tabs. Only an operator holding 审核网签备案 is offered the
keys; anyone else sees the services' refusal on the message line.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import (
    DataTable,
    Header,
    Label,
    TabbedContent,
    TabPane,
)
from textual.worker import get_current_worker

from core.roles import Permission
from core.timeutil import show
from services.resale import contracts, queries, signing
from services.resale.contracts import ContractRow, ContractView
from services.resale.queries import QualificationRow
from tui.screens.base import AppScreen
from tui.screens.dialogs import ReasonDialog
from tui.widgets.contract import contract_renderable
from tui.widgets.detail import DetailPane
from tui.widgets.message import MessageLine
from tui.widgets.tables import ListTable
from tui.widgets.footer import KeyFooter

FILING, QUALIFICATION = "tab-filing", "tab-qualification"


class FilingReviewScreen(AppScreen):
    """备案审核 and 购房资格审查 for the supervisors."""

    CSS_PATH = "resale.tcss"

    FILING_COLUMNS: list[tuple[str, int | None]] = [
        ("合同编号", None), ("房屋坐落", 20), ("出卖人", 8), ("买受人", 8), ("签约时间", None),
    ]
    QUALIFICATION_COLUMNS: list[tuple[str, int | None]] = [
        ("合同编号", None), ("房屋坐落", 24), ("买受人", 10), ("申请时间", None),
    ]
    BINDINGS = [
        Binding("f2", "tab('tab-filing')", "备案审核", key_display="F2"),
        Binding("f3", "tab('tab-qualification')", "资格审查", key_display="F3"),
        Binding("f5", "approve", "通过", key_display="F5"),
        Binding("f6", "reject", "退回/不通过", key_display="F6"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]

    HELP_STEPS = (
        "切换队列：备案审核或资格审查。",
        "↑↓ 选中一件。",
        "F5 通过；F6 退回或不通过（须填写原因）。",
    )

    class QueuesLoaded(Message):
        def __init__(self, filing: list[ContractRow], qualification: list[QualificationRow]) -> None:
            super().__init__()
            self.filing = filing
            self.qualification = qualification

    class ViewLoaded(Message):
        def __init__(self, view: ContractView) -> None:
            super().__init__()
            self.view = view

    def __init__(self) -> None:
        super().__init__()
        self.filing: dict[str, ContractRow] = {}
        self.qualification: dict[str, QualificationRow] = {}
        self.view: ContractView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="review-top"):
            yield Label("网签审核", classes="screen-title")
        yield MessageLine(id="review-message")
        with TabbedContent(id="review-tabs"):
            with TabPane("备案审核", id=FILING):
                yield ListTable(self.FILING_COLUMNS, id="filing-list")
            with TabPane("购房资格审查", id=QUALIFICATION):
                yield ListTable(self.QUALIFICATION_COLUMNS, id="qualification-list")
        with VerticalScroll(id="review-scroll"):
            yield DetailPane(id="review-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#review-scroll").border_title = "合同详情"
        self.query_one("#review-detail", DetailPane).show_hint("选择一份合同，这里显示其内容。")
        self.query_one("#filing-list", ListTable).focus()
        self.reload()

    # ------------------------------------------------------------ loading

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="review-load", exit_on_error=False)
    def _load(self) -> None:
        filing = signing.filing_queue(self.db, self.actor)
        qualification = queries.qualification_queue(self.db, self.actor)
        if not get_current_worker().is_cancelled:
            self.post_message(self.QueuesLoaded(filing, qualification))

    def on_filing_review_screen_queues_loaded(self, message: QueuesLoaded) -> None:
        self.filing = {str(r.id): r for r in message.filing}
        self.qualification = {str(q.contract.id): q for q in message.qualification}
        self.query_one("#filing-list", ListTable).set_rows([
            (key, [r.number, r.location, r.sellers, r.buyers, show(r.signed_at, seconds=False)])
            for key, r in self.filing.items()
        ])
        self.query_one("#qualification-list", ListTable).set_rows([
            (key, [q.contract.number, q.contract.location, q.contract.buyers, show(q.requested_at, seconds=False)])
            for key, q in self.qualification.items()
        ])
        tabs = self.query_one("#review-tabs", TabbedContent)
        tabs.get_tab(FILING).label = f"备案审核（{len(self.filing)}）"
        tabs.get_tab(QUALIFICATION).label = f"购房资格审查（{len(self.qualification)}）"
        self._show_selected()

    @property
    def active(self) -> str:
        return self.query_one("#review-tabs", TabbedContent).active or FILING

    def selected_id(self) -> int | None:
        """The contract highlighted in the active tab's list."""
        table = self.query_one("#filing-list" if self.active == FILING else "#qualification-list", ListTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key else None

    def _show_selected(self) -> None:
        contract_id = self.selected_id()
        if contract_id is None:
            if self.view is None:  # else keep the contract just decided in view
                empty = "备案审核队列为空。" if self.active == FILING else "没有待审查的购房资格申请。"
                self.query_one("#review-detail", DetailPane).show_hint(empty)
            self.refresh_bindings()
        elif self.view is None or self.view.id != contract_id:
            self._load_view(contract_id)

    @work(thread=True, exclusive=True, group="review-view", exit_on_error=False)
    def _load_view(self, contract_id: int) -> None:
        view = contracts.get_contract(self.db, self.actor, contract_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.ViewLoaded(view))

    def on_filing_review_screen_view_loaded(self, message: ViewLoaded) -> None:
        self.view = message.view
        self.query_one("#review-detail", DetailPane).update(contract_renderable(message.view))
        self.query_one("#review-scroll", VerticalScroll).scroll_home(animate=False)
        self.refresh_bindings()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_selected()

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.clear_message()
        self.view = None
        table = self.query_one("#filing-list" if self.active == FILING else "#qualification-list", ListTable)
        table.focus()
        self._show_selected()
        self.reload()  # the clerks go on submitting: a tab shows its queue as it is now

    def action_tab(self, tab: str) -> None:
        self.query_one("#review-tabs", TabbedContent).active = tab

    # ------------------------------------------------------------ decisions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("approve", "reject"):
            actor = self.wq.actor
            return (actor is not None and actor.can(Permission.CONTRACT_REVIEW)
                    and self.view is not None and self.view.id == self.selected_id())
        return True

    def action_approve(self) -> None:
        view = self.view
        if view is None or not self.check_action("approve", ()):
            return
        db, actor = self.db, self.actor
        self.set_message("正在办理……")
        if self.active == FILING:
            self._decide(lambda: signing.approve_filing(db, actor, view.id),
                         "合同 {v.number} 已备案，备案号 {v.filing_number}，备案日期 {filed}。")
        else:
            self._decide(lambda: signing.decide_qualification(db, actor, view.id, approved=True),
                         "合同 {v.number} 的买受人购房资格审查通过，已短信通知买卖双方。")

    def action_reject(self) -> None:
        view = self.view
        if view is None or not self.check_action("reject", ()):
            return
        if self.active == FILING:
            dialog = ReasonDialog(f"退回备案　合同 {view.number}", "请填写退回原因（必填）")
        else:
            dialog = ReasonDialog(f"购房资格审查不通过　合同 {view.number}", "请填写不通过原因（必填）")
        self.app.push_screen(dialog, callback=lambda reason: self._rejected(view, reason))

    def _rejected(self, view: ContractView, reason: str | None) -> None:
        if reason is None:  # Esc: nothing decided
            return
        db, actor = self.db, self.actor
        self.set_message("正在办理……")
        if self.active == FILING:
            self._decide(lambda: signing.reject_filing(db, actor, view.id, reason=reason),
                         "合同 {v.number} 已退回签约环节，原因：" + " ".join(reason.split()) + "。")
        else:
            self._decide(lambda: signing.decide_qualification(db, actor, view.id, approved=False,
                                                                       reason=reason),
                         "合同 {v.number} 的买受人购房资格审查不通过，已短信通知买卖双方。")

    @work(thread=True, exclusive=True, group="review-act", exit_on_error=False)
    def _decide(self, call, done: str) -> None:  # type: ignore[no-untyped-def]
        view = call()
        self.post_message(self.ViewLoaded(view))
        text = done.format(v=view, filed=show(view.filed_at)[:10])
        self.app.call_from_thread(self._decided, text)

    def _decided(self, text: str) -> None:
        self.set_message(text, tone="ok")
        self.reload()


__all__ = ["FILING", "QUALIFICATION", "FilingReviewScreen"]
