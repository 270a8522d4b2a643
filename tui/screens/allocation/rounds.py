"""选房场次: the rounds, their counts and results; a supervisor runs, verifies,
reopens, prints and organises the supplementary round (补选) from here.

运行场次 first computes a preview (a dry run that writes nothing) and asks;
the run itself is one service call in a thread worker whose progress callback
feeds the ProgressBar. After any act the list, the round's counts and the
status board counts (房源播报) are loaded again. Clerks see the same list
without the supervisors' keys; Enter opens 家庭选房 for the round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker

from core.allocation.round_setup import parse_window_time
from core.allocation.rounds import ROUND_KIND_SHORT_LABELS, RoundStatus, default_windows
from core.allocation.run_report import RoundReport
from core.allocation.selection import STATUS_LABELS
from core.errors import RuleViolation
from core.roles import Permission
from core.text import whole_number
from services.allocation import documents, rounds
from services.allocation.rounds import (
    BoardCounts,
    ResultRow,
    RoundDetail,
    RoundRow,
    SupplementaryRound,
    VerifyReport,
)
from tui.screens.allocation.common import window_short
from tui.screens.base import AppScreen
from tui.screens.dialogs import ConfirmDialog, ReasonDialog, _Dialog
from tui.widgets.footer import KeyFooter
from tui.widgets.form import FormInput, field_line
from tui.widgets.message import MessageLine
from tui.widgets.tables import ListTable

_MANAGE_ACTIONS = {"new_round", "setup", "run", "verify", "reopen", "print_list", "supplementary"}


def run_summary(report: RoundReport) -> str:
    """共 12 户，已确认 2，已分配 8，未分配 1，已放弃 1 (short enough for the message line)."""
    counts = "，".join(f"{STATUS_LABELS[status]} {n}" for status, n in report.counts().items())
    return f"共 {report.families} 户，{counts}"


def board_line(counts: BoardCounts) -> str:
    return f"房源播报：共 {counts.total} 套　可选 {counts.free}　已选定 {counts.taken}　预留 {counts.reserved}"


class RoundsScreen(AppScreen):
    """The rounds of the selection, newest first."""

    CSS_PATH = "allocation.tcss"

    # In the order of a round's life (setting a round up last: it is the step of a round not
    # yet listed, or of a draft, whose keys step_actions puts first); the footer puts the
    # current step's keys first.
    BINDINGS = [
        Binding("enter", "family", "家庭选房", key_display="Enter"),
        Binding("f5", "run", "运行场次", key_display="F5"),
        Binding("f6", "verify", "核验", key_display="F6"),
        Binding("f8", "print_list", "打印公示名单", key_display="F8"),
        Binding("f7", "reopen", "重开", key_display="F7"),
        Binding("f9", "supplementary", "组织补选", key_display="F9"),
        Binding("f2", "new_round", "新建场次", key_display="F2"),
        Binding("f3", "setup", "场次设置", key_display="F3"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]

    HELP_STEPS = (
        "主管按 F2 新建场次，F3 打开筹备中场次的设置：导入选房家庭名单和房源清单、设置选房时间，然后发布场次。",
        "↑↓ 选择场次，下方显示业务号、预选和正选时间、家庭数和选房结果；Enter 进入该场次的家庭选房。",
        "正选结束后（状态“待运行”），主管按 F5 运行场次：先预运行（不写入）并显示结果，确认后正式运行并公示选房结果。",
        "F6 核验：按选房日志重算，核对哈希链和保存的结果是否一致。",
        "F8 打印选房结果公示名单。",
        "公示期内发现错误：F7 重开（撤回选房结果，须填写原因），房源释放后可重新运行。",
        "结果公布后，已申请补选的家庭由主管按 F9 组织补选场次，系统以短信通知选房时间。",
    )

    class RoundsLoaded(Message):
        def __init__(self, rows: list[RoundRow], counts: BoardCounts, generation: int) -> None:
            super().__init__()
            self.rows = rows
            self.counts = counts
            self.generation = generation

    class DetailLoaded(Message):
        def __init__(self, detail: RoundDetail, results: list[ResultRow]) -> None:
            super().__init__()
            self.detail = detail
            self.results = results

    class Previewed(Message):
        def __init__(self, row: RoundRow, report: RoundReport) -> None:
            super().__init__()
            self.row = row
            self.report = report

    class RunDone(Message):
        def __init__(self, row: RoundRow, report: RoundReport) -> None:
            super().__init__()
            self.row = row
            self.report = report

    class Done(Message):
        """An act finished: its sentence, and whether it is a warning (核验 found a mismatch)."""

        def __init__(self, text: str, ok: bool = True, select_id: int | None = None) -> None:
            super().__init__()
            self.text = text
            self.ok = ok
            self.select_id = select_id  # a round to put the cursor on (the one just formed)

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, RoundRow] = {}
        self.detail: RoundDetail | None = None
        self.counts: BoardCounts | None = None
        self.progress_seen: list[tuple[int, int]] = []  # (done, total) as the run reported it
        self.ran_round_id: int | None = None  # the round of the last run started here
        self._select_after: int | None = None
        self._loads = 0  # the list's loads so far: only the newest one's rows are shown
        self._detail_wanted: int | None = None  # the round whose detail was last asked for

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="status-row"):
            yield Static("选房场次", classes="screen-title")
            yield MessageLine(id="rounds-message", classes="status-line")
        yield ListTable([("场次", None), ("名称", 16), ("类型", None), ("状态", None), ("正选时间", None),
                         ("家庭", None)], id="rounds")
        yield Static("", id="round-detail", markup=False)
        yield Static("", id="board-counts", markup=False)
        with Horizontal(id="run-row"):
            yield Label("运行进度", id="run-label")
            yield ProgressBar(total=rounds.RUN_PHASES, show_eta=False, id="run-progress")
        yield ListTable([("排位", None), ("家庭", None), ("主申请人", 10), ("房源编号", 14), ("楼栋/房号", 12),
                         ("结果", None)], id="round-results")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#rounds", ListTable).focus()
        self.query_one("#run-row").display = False

    def step_actions(self) -> list[str]:
        """The keys of the selected round's next step: run a closed round, check and print a
        published one, and enter the families' lists of one still selecting."""
        row = self.selected
        if row is None:
            return ["new_round", "supplementary"]
        if row.status == RoundStatus.DRAFT:
            return ["setup", "new_round"]
        if row.status == RoundStatus.PUBLISHED:
            return ["verify", "print_list", "family"]
        if row.phase in ("待运行", "已重开"):
            return ["run", "family"]
        return ["family"]

    def on_screen_resume(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _MANAGE_ACTIONS:
            return self.actor.can(Permission.ALLOCATION_MANAGE)
        return True

    # ------------------------------------------------------------ list and detail

    def reload(self) -> None:
        self._loads += 1
        self._load_rounds(self._loads)

    @work(thread=True, exclusive=True, group="rounds", exit_on_error=False)
    def _load_rounds(self, generation: int) -> None:
        rows = rounds.rounds_list(self.db, self.actor)
        counts = rounds.board_counts(self.db, self.actor)
        if not get_current_worker().is_cancelled:
            self.post_message(self.RoundsLoaded(rows, counts, generation))

    def on_rounds_screen_rounds_loaded(self, message: RoundsLoaded) -> None:
        if message.generation != self._loads:
            # An older load, posted before a newer one replaced it (the list reloaded on the
            # dialog's close while the supplementary round was being formed): it would take the
            # round to select after the step and not find it in its rows.
            return
        table = self.query_one("#rounds", ListTable)
        keep_id = self._select_after or (self.selected.id if self.selected else None)
        self._select_after = None
        self.rows = {str(r.id): r for r in message.rows}
        table.set_rows([
            (str(r.id), [f"第{r.number}场", r.name, ROUND_KIND_SHORT_LABELS.get(r.kind, r.kind_label), r.phase,
                         window_short(r.formal_open, r.formal_close), f"{r.families}户"])
            for r in message.rows
        ])
        self.counts = message.counts
        self.query_one("#board-counts", Static).update(board_line(message.counts))
        if not message.rows:
            self.query_one("#round-detail", Static).update("尚无选房场次。")
            return
        if keep_id is not None and str(keep_id) in self.rows:
            table.move_cursor(row=list(self.rows).index(str(keep_id)))
        self._detail_wanted = None
        self._show_selected()

    @property
    def selected(self) -> RoundRow | None:
        table = self.query_one("#rounds", ListTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(key or "")

    @on(DataTable.RowHighlighted, "#rounds")
    def _highlighted(self) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        """Load the detail of the round under the cursor now (a highlight event may be stale:
        refilling the list highlights its first row before the cursor goes back)."""
        row = self.selected
        self.refresh_bindings()  # the footer's first keys follow the round's step
        if row is not None and row.id != self._detail_wanted:
            self._detail_wanted = row.id
            self._load_detail(row.id)

    @work(thread=True, exclusive=True, group="round-detail", exit_on_error=False)
    def _load_detail(self, round_id: int) -> None:
        detail, results = rounds.round_overview(self.db, self.actor, round_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.DetailLoaded(detail, results))

    def on_rounds_screen_detail_loaded(self, message: DetailLoaded) -> None:
        d = message.detail
        if self.selected is None or self.selected.id != d.id:
            return  # the cursor has moved on; its own detail is on its way
        self.query_one("#run-row").display = d.id == self.ran_round_id  # the bar belongs to the round that ran
        self.detail = d
        lines = [
            f"预选 {window_short(d.pre_open, d.pre_close)}　正选 {window_short(d.formal_open, d.formal_close)}",
            f"业务号 {d.case_number or '—'}　已运行 {d.run_count} 次"
            + ("" if d.status == RoundStatus.PUBLISHED else "　尚未公示"),
            f"家庭 {d.families} 户　已确认正选 {d.confirmed}　已放弃 {d.gave_up}"
            + (f"　已分配 {d.allocated}　未分配 {d.not_allocated}" if d.status == RoundStatus.PUBLISHED else ""),
        ]
        self.query_one("#round-detail", Static).update("\n".join(lines))
        table = self.query_one("#round-results", ListTable)
        table.set_rows([
            (str(r.family_id), [str(r.rank), str(r.family_id), r.applicant, r.house_code or "—",
                                f"{r.building}栋{r.room}" if r.building else "—", r.status_label])
            for r in message.results
        ])

    @on(DataTable.RowSelected, "#rounds")
    def _chosen(self) -> None:
        self.action_family()

    def action_family(self) -> None:
        from tui.screens.allocation.family import FamilyScreen

        row = self.selected
        self.app.push_screen(FamilyScreen(round_id=row.id if row else None))

    # ------------------------------------------------------------ 新建场次, 场次设置

    def action_new_round(self) -> None:
        from tui.screens.allocation.setup import RoundSetupScreen

        number = max((r.number for r in self.rows.values()), default=0) + 1
        self.app.push_screen(RoundSetupScreen(number=number, now=self.wq.local_now()))

    def action_setup(self) -> None:
        from tui.screens.allocation.setup import RoundSetupScreen

        row = self.selected
        if row is not None:
            self.app.push_screen(RoundSetupScreen(row.id))

    # ------------------------------------------------------------ 运行场次

    def action_run(self) -> None:
        row = self.selected
        if row is not None:
            self.set_message(f"正在预运行第{row.number}场……")
            self._preview(row)

    @work(thread=True, exclusive=True, group="run", exit_on_error=False)
    def _preview(self, row: RoundRow) -> None:
        report = rounds.run_round(self.db, self.actor, row.id, dry_run=True)
        self.post_message(self.Previewed(row, report))

    def on_rounds_screen_previewed(self, message: Previewed) -> None:
        row = message.row
        self.clear_message()
        question = (f"预运行结果（未写入）：{run_summary(message.report)}。\n"
                    f"确定运行第{row.number}场并公示选房结果？")

        def chosen(yes: bool | None) -> None:
            if yes:
                self._start_run(row)

        self.app.push_screen(ConfirmDialog(f"运行场次　第{row.number}场", question), callback=chosen)

    def _start_run(self, row: RoundRow) -> None:
        self.progress_seen = []
        self.ran_round_id = row.id
        bar = self.query_one("#run-progress", ProgressBar)
        bar.update(total=rounds.RUN_PHASES, progress=0)  # until the run reports its own total
        self.query_one("#run-label", Label).update(f"第{row.number}场运行中")
        self.query_one("#run-row").display = True
        self._run(row)

    def _progress(self, done: int, total: int) -> None:
        self.progress_seen.append((done, total))
        self.query_one("#run-progress", ProgressBar).update(total=total, progress=done)

    @work(thread=True, exclusive=True, group="run", exit_on_error=False)
    def _run(self, row: RoundRow) -> None:
        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(self._progress, done, total)

        report = rounds.run_round(self.db, self.actor, row.id, progress=progress)
        self.post_message(self.RunDone(row, report))

    @on(Worker.StateChanged)
    def _run_refused(self, event: Worker.StateChanged) -> None:
        # A refused run (the formal window still open, a round already published…) said so on
        # the message line but left "第N场运行中 … 0%" under it, as if the run were going on.
        if event.state is WorkerState.ERROR and event.worker.group == "run":
            self.ran_round_id = None
            self.query_one("#run-row").display = False

    def on_rounds_screen_run_done(self, message: RunDone) -> None:
        self.query_one("#run-label", Label).update("运行完成")
        self.detail = None
        self.set_message(f"第{message.row.number}场已运行并公示：{run_summary(message.report)}。", tone="ok")
        self.reload()

    def on_rounds_screen_done(self, message: Done) -> None:
        self.set_message(message.text, tone="ok" if message.ok else "error")
        self.detail = None
        self._select_after = message.select_id
        self.reload()

    # ------------------------------------------------------------ 核验, 重开, 打印

    def action_verify(self) -> None:
        row = self.selected
        if row is not None:
            self._verify(row)

    @work(thread=True, exclusive=True, group="verify", exit_on_error=False)
    def _verify(self, row: RoundRow) -> None:
        report: VerifyReport = rounds.verify_round(self.db, self.actor, row.id)
        self.post_message(self.Done(f"核验第{row.number}场：{report.message}", report.ok, select_id=row.id))

    def action_reopen(self) -> None:
        row = self.selected
        if row is None:
            return

        def chosen(reason: str | None) -> None:
            if reason is not None:
                self._reopen(row, reason)

        self.app.push_screen(ReasonDialog(f"重开场次（撤回选房结果）　第{row.number}场", "请填写重开原因"),
                             callback=chosen)

    @work(thread=True, exclusive=True, group="reopen", exit_on_error=False)
    def _reopen(self, row: RoundRow, reason: str) -> None:
        rounds.reopen_round(self.db, self.actor, row.id, reason)
        self.post_message(self.Done(f"已撤回第{row.number}场选房结果，房源已释放，可重新运行。", select_id=row.id))

    def action_print_list(self) -> None:
        row = self.selected
        if row is not None:
            self._print_list(row)

    @work(thread=True, exclusive=True, group="print", exit_on_error=False)
    def _print_list(self, row: RoundRow) -> None:
        data = documents.round_result_list_pdf(self.db, self.actor, row.id)
        printed = self.print_document(f"选房结果公示_第{row.number}场.pdf", data, "选房结果公示名单")
        self.post_message(self.Done(printed.message, printed.tone != "error", select_id=row.id))

    # ------------------------------------------------------------ 组织补选

    def action_supplementary(self) -> None:
        numbers = [r.number for r in self.rows.values()]
        number = max(numbers, default=0) + 1
        self.app.push_screen(SupplementaryDialog(number, self.wq.local_now()), callback=self._form_chosen)

    def _form_chosen(self, plan: SupplementaryPlan | None) -> None:
        if plan is not None:
            self._form(plan)

    @work(thread=True, exclusive=True, group="supplementary", exit_on_error=False)
    def _form(self, plan: SupplementaryPlan) -> None:
        formed: SupplementaryRound = rounds.form_supplementary_round(
            self.db, self.actor, number=plan.number, name=plan.name, pre_open=plan.pre_open,
            pre_close=plan.pre_close, formal_open=plan.formal_open, formal_close=plan.formal_close)
        text = (f"已组织第{formed.number}场补选：{len(formed.families)} 户家庭，"
                f"已排队发送短信 {formed.sms_queued} 条")
        if formed.no_phone:
            text += f"，{len(formed.no_phone)} 户无有效手机号须电话通知"
        self.post_message(self.Done(text + "。", select_id=formed.round_id))


# ---------------------------------------------------------------- 组织补选 dialog


@dataclass(frozen=True)
class SupplementaryPlan:
    number: int
    name: str
    pre_open: datetime
    pre_close: datetime
    formal_open: datetime
    formal_close: datetime


class PlanError(ValueError):
    """A field of the dialog cannot be read (shown as its sentence)."""


_PLAN_FIELDS = [("number", "场次号"), ("name", "名　称"), ("pre_open", "预选开始"), ("pre_close", "预选结束"),
                ("formal_open", "正选开始"), ("formal_close", "正选结束")]


class SupplementaryDialog(_Dialog):
    """组织补选: the new round's number, name and windows (core.allocation.rounds.default_windows filled in)."""

    CSS_PATH = "allocation.tcss"

    def __init__(self, number: int, now: datetime) -> None:
        super().__init__()
        times = default_windows(now)
        self.defaults = {"number": str(number), "name": f"第{number}场补选",
                         **{key: f"{t:%Y-%m-%d %H:%M}" for (key, _), t in zip(_PLAN_FIELDS[2:], times, strict=True)}}

    def compose(self) -> ComposeResult:
        with Vertical(id="supp-box", classes="dialog"):
            yield Label("组织补选场次", classes="form-title")
            yield Static("将已申请补选的家庭按原排位安排到新场次，并以短信通知选房时间。", classes="hint")
            for key, label in _PLAN_FIELDS:
                yield field_line(label, FormInput(self.defaults[key], id=f"plan-{key}", compact=True, max_length=60))
            yield MessageLine(classes="error-line")
            yield Static("时间按北京时间填写　Enter 组织补选　Esc 取消", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#plan-number", Input).focus()

    @on(Input.Submitted)
    def _submit(self) -> None:
        try:
            plan = self.plan()
        except PlanError as error:
            self.show_refusal(str(error))
            return
        self.dismiss(plan)

    def plan(self) -> SupplementaryPlan:
        value = {key: self.query_one(f"#plan-{key}", Input).value.strip() for key, _ in _PLAN_FIELDS}
        number = whole_number(value["number"])
        if number is None or number < 1:
            raise PlanError("场次号必须是正整数。")
        try:
            times = [parse_window_time(value[key], key) for key, _ in _PLAN_FIELDS[2:]]
        except RuleViolation as error:
            raise PlanError(error.message) from None
        return SupplementaryPlan(number, value["name"], *times)


