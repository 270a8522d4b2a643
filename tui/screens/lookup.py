"""申请人查询: search as you type, see who stands at the window.

Every keystroke restarts one exclusive thread worker that waits a short
moment (so fast typing does not run a query per key) and then searches;
results that belong to an older text than the one in the box are dropped.
Moving the cursor in the results loads the applicant's detail. Typing goes to
the query wherever the focus is (Enter moves it into the results; the next
letter typed brings it back with that letter). Numbers stay
masked; 显示完整号码 (Ctrl+R) reveals the selected applicant's number through
the audited service.
"""

from __future__ import annotations

import time

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Label
from textual.worker import get_current_worker

from core.lookup import plan_lookup
from services import lookup
from services.lookup import ApplicantDetail, ApplicantHit
from tui.screens.base import AppScreen
from tui.widgets.detail import DetailPane, applicant_renderable
from tui.widgets.footer import KeyFooter
from tui.widgets.message import MessageLine
from tui.widgets.tables import ListTable

HINT = "可输入：身份证号（前几位即可）、姓名、手机号、统一社会信用代码。"
NOT_FOUND = "未找到符合条件的申请人"
SEARCH_LIMIT = 50


class LookupScreen(AppScreen):
    """The applicant lookup of the counter."""

    SEARCH_DELAY = 0.2  # seconds of quiet typing before a search runs

    BINDINGS = [
        Binding("ctrl+r", "reveal", "显示完整号码", key_display="Ctrl+R"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
        Binding("down", "focus_results", "结果列表", show=False),
    ]

    HELP_STEPS = (
        "在查询框输入身份证号（前几位即可）、姓名、手机号或统一社会信用代码，边输入边查询。",
        "↓ 或 Enter 进入结果列表，↑↓ 选择申请人，下方显示其证件、经办人/代理人、名下房屋、业务和保障房轮候情况。",
        "号码均已遮蔽；核对身份确有需要时按 Ctrl+R 显示完整号码（每次查看记入审计日志）。",
        "在结果列表中直接输入文字即回到查询框重新查询。",
    )

    class SearchDone(Message):
        def __init__(self, query: str, hits: list[ApplicantHit]) -> None:
            super().__init__()
            self.query = query
            self.hits = hits

    class DetailLoaded(Message):
        def __init__(self, detail: ApplicantDetail) -> None:
            super().__init__()
            self.detail = detail

    class NumberRevealed(Message):
        def __init__(self, kind: str, applicant_id: int, number: str) -> None:
            super().__init__()
            self.kind = kind
            self.applicant_id = applicant_id
            self.number = number

    def __init__(self) -> None:
        super().__init__()
        self.hits: dict[str, ApplicantHit] = {}
        self.detail: ApplicantDetail | None = None
        self.revealed: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="query-row"):
            yield Label("申请人查询", classes="screen-title")
            # Coming back to the query (a letter typed in the results) goes on typing, never types over.
            yield Input(placeholder="身份证号 / 姓名 / 手机号 / 统一社会信用代码", id="query", compact=True,
                        select_on_focus=False)
        yield MessageLine(HINT, id="lookup-status")
        yield ListTable(
            [("姓名/名称", 12), ("证件类型", 16), ("证件号码", 18), ("手机号", 11), ("标记", None)],
            id="results",
        )
        with VerticalScroll(id="applicant-scroll"):
            yield DetailPane(id="applicant")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#applicant", DetailPane).show_hint("在结果列表中选择一位申请人，这里显示其详情。")
        self.query_one("#applicant-scroll").border_title = "申请人详情"
        self.query_one("#query", Input).focus()

    # ------------------------------------------------------------ search

    @property
    def query_text(self) -> str:
        return self.query_one("#query", Input).value.strip()

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if plan_lookup(text).empty:  # nothing yet, or too little to search for
            self.workers.cancel_group(self, "search")
            self._show_hits(text, [])
            return
        self._search(text)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, text: str) -> None:
        worker = get_current_worker()
        time.sleep(self.SEARCH_DELAY)
        if worker.is_cancelled:
            return
        hits = lookup.search_applicants(self.db, self.actor, text, limit=SEARCH_LIMIT)
        if not worker.is_cancelled:
            self.post_message(self.SearchDone(text, hits))

    def on_lookup_screen_search_done(self, message: SearchDone) -> None:
        if message.query != self.query_text:
            return  # typed on since: a newer search is on its way
        self._show_hits(message.query, message.hits)

    def _show_hits(self, text: str, hits: list[ApplicantHit]) -> None:
        table = self.query_one("#results", ListTable)
        self.hits = {f"{hit.kind}:{hit.id}": hit for hit in hits}
        table.set_rows(
            [(key, [h.name, h.document, h.masked_number, h.masked_phone, h.flags]) for key, h in self.hits.items()]
        )
        if not text:
            self.set_message(HINT)
        elif plan_lookup(text).empty:
            self.show_refusal("输入的内容还不足以查询，请继续输入。")
        elif not hits:
            self.show_refusal(f"{NOT_FOUND}。")
        elif len(hits) >= SEARCH_LIMIT:
            self.set_message(f"显示前 {len(hits)} 位申请人，请继续输入以缩小范围。")
        else:
            self.set_message(f"找到 {len(hits)} 位申请人（号码已遮蔽）。↓ 进入列表，Ctrl+R 显示完整号码。")
        if not hits:
            self.detail = None
            self.revealed = None
            pane = self.query_one("#applicant", DetailPane)
            pane.show_hint(f"{NOT_FOUND}。\n{HINT}" if text else "在结果列表中选择一位申请人，这里显示其详情。")

    def action_focus_results(self) -> None:
        table = self.query_one("#results", ListTable)
        if table.row_count:
            table.focus()

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        self.action_focus_results()

    def on_key(self, event: events.Key) -> None:
        """A letter typed (or ⌫) while the results or the detail have the focus goes to the query."""
        query = self.query_one("#query", Input)
        if self.focused is query or self.app.screen is not self:
            return
        if event.is_printable and event.character:
            query.focus()
            query.cursor_position = len(query.value)
            query.insert_text_at_cursor(event.character)
        elif event.key == "backspace":
            query.focus()
            query.cursor_position = len(query.value)
            query.action_delete_left()
        else:
            return
        event.stop()
        event.prevent_default()

    # ------------------------------------------------------------ detail

    @property
    def selected(self) -> ApplicantHit | None:
        table = self.query_one("#results", ListTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.hits.get(key or "")

    @on(DataTable.RowHighlighted, "#results")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        hit = self.hits.get(event.row_key.value or "")
        if hit is not None:
            self._load_detail(hit.kind, hit.id)

    @on(DataTable.RowSelected, "#results")
    def _selected(self) -> None:
        self.query_one("#applicant-scroll").focus()

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def _load_detail(self, kind: str, applicant_id: int) -> None:
        detail = lookup.applicant_detail(self.db, self.actor, kind, applicant_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.DetailLoaded(detail))

    def on_lookup_screen_detail_loaded(self, message: DetailLoaded) -> None:
        hit = self.selected
        if hit is None or (hit.kind, hit.id) != (message.detail.kind, message.detail.id):
            return  # the cursor has moved on
        if self.detail is None or (self.detail.kind, self.detail.id) != (hit.kind, hit.id):
            self.revealed = None
        self.detail = message.detail
        self._render_detail()

    def _render_detail(self) -> None:
        if self.detail is not None:
            self.query_one("#applicant", DetailPane).update(applicant_renderable(self.detail, self.revealed))

    # ------------------------------------------------------------ reveal

    def action_reveal(self) -> None:
        hit = self.selected
        if hit is None:
            self.show_refusal("请先在结果列表中选择一位申请人。")
            return
        self._reveal(hit.kind, hit.id)

    @work(thread=True, exclusive=True, group="reveal", exit_on_error=False)
    def _reveal(self, kind: str, applicant_id: int) -> None:
        number = lookup.reveal_number(self.db, self.actor, kind, applicant_id)
        self.post_message(self.NumberRevealed(kind, applicant_id, number))

    def on_lookup_screen_number_revealed(self, message: NumberRevealed) -> None:
        if self.detail is None or (self.detail.kind, self.detail.id) != (message.kind, message.applicant_id):
            return
        self.revealed = message.number
        self._render_detail()
