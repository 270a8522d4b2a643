"""租赁签约: one lease case at the counter, one step at a time (seed 000 §三).

The screen finds a lease case by its 业务号 (or starts one for a family
housed by a published round, F3), shows the lease as ``services.allocation.lease``
hands it over (numbers masked) and, below it, a panel for the CURRENT stage
only: 完善承租信息 → 身份核验 → 签订合同 → 押金缴纳 → 签约审核 → 已通过.
F5 submits the clerk's step; a supervisor approves (F6) or sends the lease
back (F7). Documents are printed to ``WANGQIAN_DATA_DIR/reports`` (F8 合同,
F9 押金收据, F12 入住通知书). The case's 业务进度 follows the panel.

Every call runs in a thread worker. A refusal that names its input field
(``RuleViolation.field``) is shown under that field; any other refusal, and
"系统错误：…", on the message line.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import (
    Header,
    Input,
    Label,
    OptionList,
    RadioButton,
    RadioSet,
    Select,
    Static,
)
from textual.widgets.option_list import Option

from core.allocation import lease as lease_rules
from core.allocation.rounds import RoundStatus
from core.errors import RuleViolation
from core.roles import Permission
from core.timeutil import show
from services import cases
from services.allocation import lease as lease_service
from services.allocation import rounds
from services.allocation.lease import LeaseView
from services.cases import CaseDetail
from tui.screens.base import AppModal, AppScreen, PrintOutcome
from tui.screens.cases import FilterError, parse_day
from tui.widgets.detail import LABEL_STYLE, DetailPane, case_renderable
from tui.widgets.form import FieldRow, FormInput, clear_field_errors, compact_input, field_line, show_field_error
from tui.widgets.footer import KeyFooter
from tui.widgets.message import MessageLine, literal

CLERK_STAGES = (lease_rules.TENANT_INFO, lease_rules.IDENTITY_CHECK, lease_rules.CONTRACT, lease_rules.DEPOSIT)

# What F8 / F9 / F12 print: (service, document name, file name part).
DOCUMENTS = {
    "contract": (lease_service.lease_contract_pdf, "租赁合同", "租赁合同"),
    "receipt": (lease_service.deposit_receipt_pdf, "押金收据", "押金收据"),
    "notice": (lease_service.move_in_notice_pdf, "入住通知书", "入住通知书"),
}


def _yuan(amount: object) -> str:
    return f"{amount}元" if amount is not None else "—"


def lease_renderable(view: LeaseView) -> RenderableType:
    """签约信息: case and stage, tenant, house, money, what was recorded, what comes next."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style=LABEL_STYLE, width=8, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    where = f"{view.case_number}　{view.stage_name}（{view.status_label}）"
    if view.holder:
        where += f"　办理人：{view.holder}"
    elif view.waiting_for:
        where += f"　待接件：{view.waiting_for}"
    grid.add_row("业务号", Text(where))
    tenant = f"{view.tenant_name}　{view.tenant_masked_id}　手机 {view.tenant_phone or '未登记'}"
    if view.employer:
        tenant += f"　{view.employer}"
    grid.add_row("承租人", Text(tenant))
    house = view.house
    grid.add_row("承租住房", Text(f"{house.code}　{house.project}{house.location}　{house.layout}　{house.area}㎡"))
    money = f"月租金 {_yuan(view.monthly_rent)}　押金 {_yuan(view.deposit_due)}"
    if view.deposit_paid is not None:
        money += f"（已缴，收据 {view.deposit_receipt}）"
    grid.add_row("租金押金", Text(money))
    if view.bank_account:
        grid.add_row("托收账户", Text(f"{view.bank_name or ''}　{view.bank_account}"))
    if view.identity_checked:
        grid.add_row("身份核验", Text(f"{view.identity_checked}　{view.identity_checked_by or ''}"))
    if view.contract_number:
        term = f"{view.contract_number}　租期 {view.term_start} 至 {view.term_end}"
        grid.add_row("租赁合同", Text(term))
    if view.reviewed_by:
        review = f"{view.review_label}　{view.reviewed_by} {show(view.reviewed_at, seconds=False)}"
        if view.review_note:
            review += f"　{view.review_note}"
        grid.add_row("签约审核", Text(review))
    grid.add_row("下一步", Text(view.next_step, style="bold"))
    return grid


# ---------------------------------------------------------------- the step panels


def _hint(text: str) -> Static:
    return Static(text, classes="hint", markup=False)


def step_widgets(view: LeaseView, may_review: bool) -> tuple[str, list[Widget]]:
    """The panel of the current stage: its title and its widgets (fields carry ids f-<field>)."""
    if view.status == "archived" and view.review_status == lease_rules.APPROVED:
        return "已通过", [Static(view.next_step, markup=False), _hint("F12 打印入住通知书　F8 打印合同　F9 打印押金收据")]
    if view.status != "active":
        return view.status_label, [Static(view.next_step, markup=False)]
    stage = view.stage
    if stage == lease_rules.TENANT_INFO:
        return view.stage_name, [
            FieldRow("phone", "手机号码",
                     compact_input(placeholder=f"当前登记：{view.tenant_phone or '未登记'}", max_length=20)),
            FieldRow("employer", "工作单位", compact_input(view.employer, "无工作单位可不填", lease_rules.EMPLOYER_MAX)),
            FieldRow("bank_name", "托收银行",
                     compact_input(view.bank_name, "如：招商银行深圳福田支行", lease_rules.BANK_NAME_MAX)),
            FieldRow("bank_account", "托收账号",
                     compact_input(placeholder=view.bank_account or "银行卡号或账号", max_length=40)),
            _hint("Enter 下一项　F5 提交（完成银行托收登记后才能进入下一步）"),
        ]
    if stage == lease_rules.IDENTITY_CHECK:
        who = RadioSet(
            RadioButton(lease_rules.IDENTITY_WHO_LABELS[lease_rules.MAIN_APPLICANT], value=True, id="who-main"),
            RadioButton(lease_rules.IDENTITY_WHO_LABELS[lease_rules.PROXY], id="who-proxy"),
            compact=True,
        )
        return view.stage_name, [
            FieldRow("who", "核验对象", who),
            FieldRow("proxy_name", "受托人姓名",
                     compact_input(placeholder="由受托人办理时填写", max_length=lease_rules.PROXY_NAME_MAX)),
            FieldRow("document_seen", "核验证件",
                     compact_input(placeholder="如：居民身份证原件", max_length=lease_rules.DOCUMENT_MAX)),
            _hint("当面核验主申请人（或受托人）本人及证件原件后，F5 提交"),
        ]
    if stage == lease_rules.CONTRACT:
        return view.stage_name, [
            FieldRow("start", "租赁起始日期", compact_input(placeholder="yyyy-mm-dd，不填为今天", max_length=10)),
            _hint(f"租期{lease_rules.DEFAULT_TERM_YEARS}年；与承租人签订合同后 F5 提交，F8 打印合同"),
        ]
    if stage == lease_rules.DEPOSIT:
        method = Select([(m, m) for m in lease_rules.DEPOSIT_METHODS], value=lease_rules.DEPOSIT_METHODS[0],
                        allow_blank=False, compact=True)
        due = "" if view.deposit_due is None else str(view.deposit_due)
        return view.stage_name, [
            FieldRow("amount", "押金金额（元）", compact_input(due, "押金金额", 20)),
            FieldRow("method", "缴款方式", method),
            _hint("收款后 F5 提交签约审核，F9 打印押金收据；F8 打印合同"),
        ]
    if stage == lease_rules.REVIEW and may_review:
        return view.stage_name, [
            FieldRow("note", "审核意见",
                     compact_input(placeholder="不通过时必填：需要更正的内容", max_length=lease_rules.REVIEW_NOTE_MAX)),
            _hint("F6 审核通过　F7 审核不通过（退回完善承租信息并短信告知承租人）"),
        ]
    return view.stage_name, [Static(view.next_step, markup=False)]


# ---------------------------------------------------------------- the screen


class LeaseScreen(AppScreen):
    """租赁签约 of one lease case."""

    CSS_PATH = "allocation.tcss"

    BINDINGS = [
        Binding("f2", "find", "查找业务", key_display="F2", show=False),
        Binding("f3", "start", "发起签约", key_display="F3", show=False),
        Binding("f5", "submit", "提交", key_display="F5"),
        Binding("f6", "review(True)", "审核通过", key_display="F6"),
        Binding("f7", "review(False)", "不通过", key_display="F7"),
        Binding("f8", "print('contract')", "打印合同", key_display="F8"),
        Binding("f9", "print('receipt')", "打印收据", key_display="F9"),
        Binding("f12", "print('notice')", "入住通知书", key_display="F12"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]

    HELP_STEPS = (
        "输入租赁签约的业务号按 Enter 查找；新签约按 F3 发起（选择已公布结果的选房场次和已分配房源的家庭）。",
        "画面下方只显示当前环节：完善承租信息（手机号、工作单位、银行托收账户）→ 身份核验 → 签订合同 → 押金缴纳，"
        "每一环节填写后按 F5 提交。",
        "签约审核由主管办理：F6 审核通过，F7 不通过（退回并说明原因）。",
        "F8 打印租赁合同，F9 打印押金收据，审核通过后 F12 打印入住通知书；文件保存在报表文件夹。",
    )

    class LeaseLoaded(Message):
        def __init__(self, view: LeaseView, progress: CaseDetail, done: str) -> None:
            super().__init__()
            self.view = view
            self.progress = progress
            self.done = done

    class Printed(Message):
        def __init__(self, outcome: PrintOutcome) -> None:
            super().__init__()
            self.outcome = outcome

    def __init__(self, case_number: str | None = None) -> None:
        super().__init__()
        self.case_number = (case_number or "").strip().upper() or None
        self.view: LeaseView | None = None
        self.progress: CaseDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="lease-top"):
            yield Label("租赁签约", classes="screen-title")
            yield FormInput(value=self.case_number or "", placeholder="业务号，Enter 查找；F3 发起签约",
                            compact=True, max_length=20, id="case-number")
        yield MessageLine(id="lease-message")
        with VerticalScroll(id="lease-body"):
            yield DetailPane(id="lease-summary")
            yield Vertical(id="step", classes="-hidden")
            yield DetailPane(id="lease-progress", classes="-hidden")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#lease-progress").border_title = "业务进度"
        self.query_one("#lease-summary", DetailPane).show_hint(
            "输入公租房租赁签约的业务号后按 Enter；为已公布选房结果的家庭发起签约请按 F3。"
        )
        if self.case_number:
            self.load(self.case_number)
        else:
            self.query_one("#case-number", Input).focus()

    # ------------------------------------------------------------ refusals

    def show_field_refusal(self, error: RuleViolation) -> bool:
        """Show a refusal under the input of the step it names; False if this panel has no such field."""
        if not error.field or not show_field_error(self, error.field, error.message):
            return False
        self.set_message("未能办理，请按红字提示更正后再提交。", tone="error")
        return True

    # ------------------------------------------------------------ loading

    @on(Input.Submitted, "#case-number")
    def _number_entered(self, event: Input.Submitted) -> None:
        number = event.value.strip().upper()
        if not number:
            self.show_refusal("请输入业务号。")
            return
        self.set_message("正在查找……")
        self.load(number)

    def load(self, number: str, done: str = "") -> None:
        """Load (or reload) the lease of ``number``; ``done`` is the sentence of the step just done."""
        self._load(number, done)

    @work(thread=True, exclusive=True, group="lease-load", exit_on_error=False)
    def _load(self, number: str, done: str) -> None:
        view = lease_service.lease_detail(self.db, self.actor, number)
        progress = cases.case_detail(self.db, self.actor, view.case_number)
        self.post_message(self.LeaseLoaded(view, progress, done))

    async def on_lease_screen_lease_loaded(self, message: LeaseLoaded) -> None:
        view = message.view
        self.view = view
        self.progress = message.progress
        self.case_number = view.case_number
        number_box = self.query_one("#case-number", Input)
        if number_box.value != view.case_number:
            number_box.value = view.case_number
        self.query_one("#lease-summary", DetailPane).update(lease_renderable(view))
        progress = self.query_one("#lease-progress", DetailPane)
        progress.update(case_renderable(message.progress))
        progress.remove_class("-hidden")
        title, widgets = step_widgets(view, self.actor.can(Permission.LEASE_REVIEW))
        step = self.query_one("#step", Vertical)
        await step.remove_children()
        await step.mount_all(widgets)
        step.border_title = title
        step.remove_class("-hidden")
        for field in step.query(Input):
            field.cursor_blink = not self.wq.is_headless
        self.set_message(message.done, tone="ok" if message.done else "neutral")
        self.refresh_bindings()
        first = next(iter(step.query("Input, RadioSet, Select")), None)
        if first is not None:
            first.focus()
        self.query_one("#lease-body", VerticalScroll).scroll_home(animate=False)

    def step_actions(self) -> list[str]:
        """Find or start a lease first; then the current stage's act, then the documents."""
        if self.view is None:
            return ["start", "find"]
        return ["submit", "review", "print"]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.view
        actor = self.wq.actor  # None while logging out
        active = view is not None and view.status == "active"
        if action == "submit":
            return active and view is not None and view.stage in CLERK_STAGES
        if action == "review":
            return (active and view is not None and view.stage == lease_rules.REVIEW
                    and actor is not None and actor.can(Permission.LEASE_REVIEW))
        if action == "print":
            if view is None:
                return False
            return {
                "contract": view.can_print_contract,
                "receipt": view.can_print_receipt,
                "notice": view.can_print_move_in,
            }.get(str(parameters[0]), False)
        return True

    # ------------------------------------------------------------ finding and starting

    def action_find(self) -> None:
        self.query_one("#case-number", Input).focus()

    def action_start(self) -> None:
        self.app.push_screen(LeaseStartDialog(), callback=self._start_chosen)

    def _start_chosen(self, choice: StartChoice | None) -> None:
        if choice is not None:
            self.set_message("正在发起签约……")
            self._start(choice)

    @work(thread=True, exclusive=True, group="lease-act", exit_on_error=False)
    def _start(self, choice: StartChoice) -> None:
        number = lease_service.start_lease(self.db, self.actor, choice.round_id, choice.family_id)
        self.app.call_from_thread(self.load, number, f"已发起签约，业务号 {number}。")

    # ------------------------------------------------------------ the steps

    def _value(self, name: str) -> str:
        return self.query_one(f"#f-{name}", Input).value

    @on(Input.Submitted, "#step Input")
    def _field_entered(self, event: Input.Submitted) -> None:
        inputs = list(self.query_one("#step").query(Input))
        if event.input is inputs[-1]:
            if self.check_action("submit", ()):
                self.action_submit()
        else:
            self.focus_next()

    def action_submit(self) -> None:
        view = self.view
        if view is None or not self.check_action("submit", ()):
            return
        clear_field_errors(self)
        number, stage = view.case_number, view.stage
        db, actor = self.db, self.actor
        if stage == lease_rules.TENANT_INFO:
            phone, employer = self._value("phone"), self._value("employer")
            bank_name, account = self._value("bank_name"), self._value("bank_account")
            self._act(number, "承租信息已保存，请进行身份核验。", lambda: lease_service.save_tenant_info(
                db, actor, number, phone=phone, employer=employer, bank_name=bank_name, bank_account=account))
        elif stage == lease_rules.IDENTITY_CHECK:
            proxy = self.query_one("#who-proxy", RadioButton).value
            who = lease_rules.PROXY if proxy else lease_rules.MAIN_APPLICANT
            proxy_name, document = self._value("proxy_name"), self._value("document_seen")
            self._act(number, "身份核验已登记，请签订合同。", lambda: lease_service.record_identity_check(
                db, actor, number, who=who, proxy_name=proxy_name, document_seen=document))
        elif stage == lease_rules.CONTRACT:
            try:
                start = parse_day(self._value("start"), "租赁起始日期")
            except FilterError as error:
                self.show_field_refusal(RuleViolation("LEASE_START_FORMAT", str(error), field="start"))
                return
            self._act(number, "合同已签订，编号 {}；请打印合同并收取押金。", lambda: lease_service.sign_contract(
                db, actor, number, start=start))
        elif stage == lease_rules.DEPOSIT:
            amount = self._value("amount").strip() or None
            method = self.query_one("#f-method", Select).value
            # The amount goes to the service as typed: core.money reads and checks it.
            self._act(number, "押金已收取，收据编号 {}；签约申请已提交审核。", lambda: lease_service.record_deposit(
                db, actor, number, amount=amount, method=str(method)))  # type: ignore[arg-type]

    def action_review(self, approve: bool) -> None:
        view = self.view
        if view is None or not self.check_action("review", ()):
            return
        clear_field_errors(self)
        number, db, actor = view.case_number, self.db, self.actor
        note = self._value("note")
        done = ("签约审核通过，已短信通知承租人。" if approve
                else "签约审核不通过，已退回完善承租信息，并短信告知承租人。")
        self._act(number, done, lambda: lease_service.review_lease(db, actor, number, approve=approve, note=note))

    def _act(self, number: str, done: str, call) -> None:  # type: ignore[no-untyped-def]
        self.set_message("正在办理……")
        self._run_step(number, done, call)

    @work(thread=True, exclusive=True, group="lease-act", exit_on_error=False)
    def _run_step(self, number: str, done: str, call) -> None:  # type: ignore[no-untyped-def]
        result = call()
        self.app.call_from_thread(self.load, number, done.format(result))

    # ------------------------------------------------------------ printing

    def action_print(self, what: str) -> None:
        if self.view is None or not self.check_action("print", (what,)):
            return
        self.set_message("正在生成……")
        self._print(self.view.case_number, what)

    @work(thread=True, exclusive=True, group="lease-print", exit_on_error=False)
    def _print(self, number: str, what: str) -> None:
        make, name, part = DOCUMENTS[what]
        pdf = make(self.db, self.actor, number)
        self.post_message(self.Printed(self.print_document(f"{number}-{part}.pdf", pdf, name)))

    def on_lease_screen_printed(self, message: Printed) -> None:
        self.set_message(message.outcome.message, tone=message.outcome.tone)


# ---------------------------------------------------------------- 发起签约


@dataclass(frozen=True)
class StartChoice:
    round_id: int
    family_id: int


class LeaseStartDialog(AppModal[StartChoice | None]):
    """发起签约: a published round, then one of its housed families."""

    CSS_PATH = "allocation.tcss"
    BINDINGS = [Binding("escape", "cancel", "取消", key_display="Esc")]

    class RoundsLoaded(Message):
        def __init__(self, rounds: list[tuple[str, int]]) -> None:
            super().__init__()
            self.rounds = rounds

    class FamiliesLoaded(Message):
        def __init__(self, round_id: int, families: list[tuple[str, int]]) -> None:
            super().__init__()
            self.round_id = round_id
            self.families = families

    def compose(self) -> ComposeResult:
        with Vertical(id="start-box", classes="dialog"):
            yield Label("发起签约", classes="form-title")
            yield field_line("选房场次", Select([], prompt="请选择已公布结果的场次", id="start-round"), tall=True)
            yield Label("选房家庭（↑↓ 选择，Enter 发起签约）")
            yield OptionList(id="start-families")
            yield MessageLine(classes="error-line")
            yield Static("Enter 发起签约　Esc 取消", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#start-round", Select).focus()
        self._load_rounds()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="start-rounds", exit_on_error=False)
    def _load_rounds(self) -> None:
        rows = rounds.rounds_list(self.db, self.actor, status=RoundStatus.PUBLISHED)
        self.post_message(self.RoundsLoaded([(literal(f"第{r.number}场 {r.name}"), r.id) for r in rows]))

    def on_lease_start_dialog_rounds_loaded(self, message: RoundsLoaded) -> None:
        select = self.query_one("#start-round", Select)
        select.set_options(message.rounds)
        if not message.rounds:
            self.show_refusal("没有已公布选房结果的批次。")
        elif len(message.rounds) == 1:
            select.value = message.rounds[0][1]

    @on(Select.Changed, "#start-round")
    def _round_changed(self, event: Select.Changed) -> None:
        self.query_one("#start-families", OptionList).clear_options()
        if isinstance(event.value, int):
            self._load_families(event.value)

    @work(thread=True, exclusive=True, group="start-families", exit_on_error=False)
    def _load_families(self, round_id: int) -> None:
        rows = rounds.round_results(self.db, self.actor, round_id, housed_only=True)
        families = [
            (f"排位第{r.rank}位　{r.applicant}　{r.house_code or ''}　{r.status_label}", r.family_id) for r in rows
        ]
        self.post_message(self.FamiliesLoaded(round_id, families))

    def on_lease_start_dialog_families_loaded(self, message: FamiliesLoaded) -> None:
        options = self.query_one("#start-families", OptionList)
        options.clear_options()
        options.add_options([Option(literal(label), id=str(fid)) for label, fid in message.families])
        if message.families:
            options.highlighted = 0
            options.focus()
            self.clear_message()
        else:
            self.show_refusal("该批次没有选到住房的家庭。")

    @on(OptionList.OptionSelected, "#start-families")
    def _family_chosen(self, event: OptionList.OptionSelected) -> None:
        round_id = self.query_one("#start-round", Select).value
        if isinstance(round_id, int) and event.option.id is not None:
            self.dismiss(StartChoice(round_id, int(event.option.id)))


__all__ = ["LeaseScreen", "LeaseStartDialog", "StartChoice", "lease_renderable", "step_widgets"]
