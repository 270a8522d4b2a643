"""商品房预售签约 / 现售签约 (seed 004 §5.5.1, §5.7): the contracts one may see, and one contract
found by its 业务号 (F…) or 合同编号 with its facts and its progress (业务进度), worked by key.

The developer's keys, step by step: F2 业务受理 (许可证号 + 室号), F3 购房合同录入
(``ContractEntryScreen``), F8 资金缴款通知单, F6 登记缴款, F4 完成录入 (paid equals due); then
F7 签署 (电子合同: each buyer's SMS code; 纸质合同: the signed scan, a PDF) and F4 提交签约; F9
合同盖章 (the seal holder's SMS code). The case then goes where the service routes it: the bank's or
the fund centre's reviewer presses F9 审核通过 (the bank fills the mortgage details), the authority
F9 备案. Every step is a ``services.presale.contracts`` call in a thread worker; a small step's
form (``ContractStepDialog``) keeps its refusal in the form under its field; every value is shown as
text. The list: ``contracts.list_contracts`` for those who may list them, else the F cases in hand
(a bank's reviewer).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Label, Static

from core.cases import CASE_STATUS_LABELS, CaseStatus
from core.errors import RuleViolation
from core.money import format_yuan
from core.places import building_label
from core.roles import Permission
from services import cases
from services.presale import contracts, documents
from tui.screens.base import AppModal, AppScreen
from tui.screens.dialogs import cancel_dialog
from tui.screens.presale.contract_entry import ContractEntryScreen
from tui.widgets.detail import LABEL_STYLE, MUTED, timeline_renderable
from tui.widgets.footer import KeyFooter
from tui.widgets.form import FieldRow, clear_field_errors, compact_input, field_line, show_field_error
from tui.widgets.message import MessageLine
from tui.widgets.tables import ListTable

ACTIVE = CASE_STATUS_LABELS[CaseStatus.ACTIVE]

__all__ = ["ContractStepDialog", "PresaleContractScreen", "StepField", "contract_renderable"]


@dataclass(frozen=True)
class StepField:
    key: str  # the service's ``field`` name, so a refusal lands under it
    label: str
    hint: str
    size: int
    value: str = ""
    digits: bool = False  # an SMS code: six digits


class ContractStepDialog(AppModal[object]):
    """One small step's form: F9 runs ``run`` with what was typed (in a worker) and closes with its
    result; a refusal stays in the form, under its field. ``send`` (F5), when given, sends an SMS
    code when the form opens and again on F5, and returns the sentence to show."""

    CSS_PATH = "presale.tcss"
    AUTO_FOCUS = "Input"  # the first field has the focus once composed: keys typed on the heels of F2 land there
    BINDINGS = [Binding("f9", "submit", "确定", key_display="F9", priority=True),
                Binding("f5", "send", "重发验证码", key_display="F5", priority=True),
                Binding("escape", "cancel", "取消", key_display="Esc")]

    class Finished(Message):
        def __init__(self, result: object) -> None:
            super().__init__()
            self.result = result

    class Sent(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, title: str, fields: Sequence[StepField], run: Callable[[dict[str, str]], object], *,
                 note: str = "", send: Callable[[], str] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.run = run
        self.note = note
        self.send = send

    def compose(self) -> ComposeResult:
        with Vertical(id="step-box", classes="dialog"):
            yield Label(self.title_text, classes="form-title", markup=False)
            if self.note:
                yield Static(Text(self.note), id="step-note")
            for f in self.fields:
                field = compact_input(f.value, placeholder=f.hint, max_length=f.size)
                if f.digits:
                    field.restrict = r"[0-9]*"
                yield FieldRow(f.key, f.label, field)
            yield MessageLine(id="step-message")
            keys = "F5 重发验证码，" if self.send else ""
            yield Static(f"Tab 切换栏目，Enter 或 F9 确定；{keys}Esc 取消", classes="hint")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.send is not None if action == "send" else True

    def on_mount(self) -> None:
        if self.send is not None:
            self.action_send()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        last = self.fields[-1].key if self.fields else ""
        if event.input.id == f"f-{last}":
            self.action_submit()
        else:
            self.focus_next()

    def action_send(self) -> None:
        if self.send is None:
            return
        self.set_message("正在发送验证码……")
        self._send(self.send)

    @work(thread=True, exclusive=True, group="step-send", exit_on_error=False)
    def _send(self, send: Callable[[], str]) -> None:
        self.post_message(self.Sent(send()))

    def on_contract_step_dialog_sent(self, message: Sent) -> None:
        self.set_message(message.text, "ok")

    def action_submit(self) -> None:
        clear_field_errors(self)
        values = {f.key: self.query_one(f"#f-{f.key}", Input).value.strip() for f in self.fields}
        self.set_message("正在办理……")
        self._run(values)

    @work(thread=True, exclusive=True, group="step", exit_on_error=False)
    def _run(self, values: dict[str, str]) -> None:
        self.post_message(self.Finished(self.run(values)))

    def on_contract_step_dialog_finished(self, message: Finished) -> None:
        self.dismiss(message.result)

    def show_field_refusal(self, error: RuleViolation) -> bool:
        if not error.field or not show_field_error(self, error.field, error.message):
            return False
        self.set_message("未能办理，请按红字提示更正。", "error")
        return True


def _yuan(value: object) -> str:
    return format_yuan(value) if value is not None else "—"  # type: ignore[arg-type]


def contract_renderable(v: contracts.ContractView, progress: cases.CaseDetail | None) -> RenderableType:
    """The contract's facts, what is paid, where it stands, then the case's progress."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style=LABEL_STYLE, width=9, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    where = f"{v.stage_name}（{v.case_status_label}）" + (f"　办理人 {v.holder}" if v.holder else "")
    grid.add_row("当前阶段", Text(where, style="bold"))
    grid.add_row("下一步", Text(next_step(v)))
    grid.add_row("合同编号", Text(f"{v.number}　{v.kind_label}　{v.status_label}　第{v.version}版"))
    inner = f"　套内 {v.inner_area:.2f}㎡" if v.inner_area else ""
    grid.add_row("房屋", Text(f"{v.project_name} {building_label(v.building_number)} {v.unit_no}　建筑面积 {v.built_area:.2f}㎡{inner}"))
    grid.add_row("许可证", Text(v.permit_number))
    grid.add_row("出卖人", Text(v.developer_name))
    buyers = "、".join(f"{b.name}（{b.id_number}，{b.phone}）" for b in v.buyers)
    grid.add_row("买受人", Text(buyers) if buyers else Text("未录入", style=MUTED))
    if v.total_price is not None:
        grid.add_row("价款", Text(f"{v.price_basis_label}　单价 {_yuan(v.unit_price)}/㎡　总价款 {_yuan(v.total_price)}"
                                  f"（{v.total_price_capital}）"))
        f = v.facts
        pay = [v.payment_method_label or ""]
        for key, label in (("down_payment", "首付"), ("commercial_loan", "商业贷款"), ("fund_loan", "公积金贷款")):
            if f.get(key) not in (None, "0", "0.00") and not (key == "down_payment" and v.payment_method_label == "一次性付款"):
                pay.append(f"{label} {_yuan(f[key])}")
        for key, label in (("loan_bank", "贷款银行"), ("fund_centre", "公积金中心"), ("mortgagor", "抵押人"),
                           ("mortgagee", "抵押权人"), ("instalment_terms", "分期约定"), ("delivery_date", "交付日期")):
            if f.get(key):
                pay.append(f"{label} {f[key]}")
        grid.add_row("付款方式", Text("　".join(pay)))
        owing = (v.amount_due or 0) - v.paid
        state = "已缴清" if owing == 0 else f"尚欠 {_yuan(owing)}"
        grid.add_row("缴款", Text(f"应付 {_yuan(v.amount_due)}　已付 {_yuan(v.paid)}　{state}"))
        form = v.signing_form_label or ""
        if v.scan_path:
            form += f"　扫描件 {v.scan_path}"
        grid.add_row("合同形式", Text(form))
    if v.bank_name and v.stage in ("fund_review", "bank_review"):
        grid.add_row("审核机构", Text(v.bank_name))
    if v.filing_number:
        grid.add_row("备案号", Text(v.filing_number, style="bold"))
    parts: list[RenderableType] = [grid]
    if progress is not None:
        parts.append(timeline_renderable(progress))
    return Group(*parts)


def next_step(v: contracts.ContractView) -> str:
    """What the keys are for at the contract's stage, in a sentence."""
    if v.case_status_label != ACTIVE:
        return "本业务已结束。" if not v.filing_number else "已备案，业务已归档。"
    if v.stage == "entry":
        if v.total_price is None:
            return "按 F3 录入合同。"
        if v.paid != v.amount_due:
            return "按 F8 打印资金缴款通知单，缴款后按 F6 登记缴款；缴清后按 F4 完成录入。"
        return "已缴清，按 F4 完成录入。"
    if v.stage == "signing":
        if v.signing_form_label == "纸质合同":
            if v.scan_path:
                return "扫描件已上传，按 F4 提交签约（按 F7 可重新上传）。"
            return "按 F7 上传签章后的合同扫描件（PDF），再按 F4 提交签约。"
        return "按 F7 向买受人发送并验证短信验证码，再按 F4 提交签约。"
    if v.stage == "sealing":
        return "按 F9 向印章授权人发送验证码并盖章。"
    if v.stage in ("fund_review", "bank_review"):
        return f"待{v.bank_name or '贷款机构'}审核（其审核人员按 F9 审核通过）。"
    return "待主管部门备案（主管部门按 F9 备案）。"


class PresaleContractScreen(AppScreen):
    """预售签约: the list, one contract by its number, its steps by key."""

    CSS_PATH = "presale.tcss"
    BINDINGS = [
        Binding("f2", "start", "受理", key_display="F2", priority=True),
        Binding("f3", "enter", "合同录入", key_display="F3", priority=True),
        Binding("f8", "notice", "缴款通知单", key_display="F8", priority=True),
        Binding("f6", "pay", "登记缴款", key_display="F6", priority=True),
        Binding("f7", "sign", "签署", key_display="F7", priority=True),
        Binding("f4", "submit", "提交", key_display="F4", priority=True),
        Binding("f9", "seal", "盖章", key_display="F9", priority=True),
        Binding("f9", "review", "审核通过", key_display="F9", priority=True),
        Binding("f9", "file", "备案", key_display="F9", priority=True),
        Binding("f5", "reload", "刷新", key_display="F5", priority=True),
        Binding("f11", "print_contract", "打印合同", key_display="F11", priority=True),
        Binding("f12", "cancel_case", "取消受理", key_display="F12", priority=True),
        Binding("escape", "back", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "输入业务号（F 开头）或合同编号，按 Enter 显示；也可在下方列表中选择，按 Enter 显示。",
        "开发企业：F2 业务受理（许可证号、室号），F3 购房合同录入，F8 打印资金缴款通知单，F6 登记缴款，"
        "实付金额等于应付金额后 F4 完成录入。合同录入环节未缴款的，可按 F12 取消受理（填写原因），户室随即释放。",
        "签约环节：电子合同按 F7 向买受人发送短信验证码并验证；纸质合同按 F7 上传签章后的扫描件（PDF）。完成后 F4 提交。",
        "合同盖章：F9 向印章授权人（法定代表人手机）发送验证码，输入验证码后盖章；合同按付款方式转银行或公积金中心审核，"
        "或直接转主管部门备案。",
        "银行、公积金中心审核人员：显示合同后按 F9 审核通过（组合贷由商业贷款银行填写抵押合同编号和贷款年限）。",
        "主管部门：显示合同后按 F9 备案，备案后业务归档。",
        "合同录入后，能查看该合同的人员均可按 F11 打印商品房买卖合同（签约前为草稿，作废或退房后注明）。",
    )

    class Loaded(Message):
        def __init__(self, view: contracts.ContractView | None, progress: cases.CaseDetail | None) -> None:
            super().__init__()
            self.view = view
            self.progress = progress

    class Listed(Message):
        def __init__(self, rows: list[contracts.ContractRow] | None, cases_in_hand: list[cases.CaseRow]) -> None:
            super().__init__()
            self.rows = rows
            self.cases_in_hand = cases_in_hand

    class Done(Message):
        def __init__(self, text: str, number: str, tone: str = "ok") -> None:
            super().__init__()
            self.text = text
            self.number = number
            self.tone = tone

    def __init__(self, number: str = "") -> None:
        super().__init__()
        self.number = number
        self.view: contracts.ContractView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="status-row"):
            yield Static("商品房预售签约", classes="screen-title", markup=False)
            yield MessageLine(id="pc-message", classes="status-line")
        field = compact_input(self.number, placeholder="业务号或合同编号，Enter 显示", max_length=24)
        field.id = "pc-number"
        yield field_line("业务号", field)
        detail = VerticalScroll(id="pc-detail")
        detail.can_focus = False  # until a contract is shown: Tab goes from the number to the list
        with detail:
            yield Static("", id="pc-text", markup=False)
        if self._lists_contracts():
            yield ListTable([("业务号", None), ("户室", 8), ("买受人", 8), ("总价款", None), ("状态", None),
                             ("备案号", 6)], id="pc-list")
        else:  # a bank's reviewer: the contracts in hand
            yield ListTable([("业务号", None), ("阶段", None), ("摘要", 20)], id="pc-list")
        yield KeyFooter()

    # ------------------------------------------------------------ keys

    def _lists_contracts(self) -> bool:
        return self.actor.can(Permission.PRESALE_VIEW) or self._can_work()

    def _can_work(self) -> bool:
        return self.actor.can(Permission.PRESALE_CONTRACT_WORK)

    def _at(self, *stages: str) -> bool:
        return self.view is not None and self.view.case_status_label == ACTIVE and self.view.stage in stages

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The developer's keys by permission; F9 by the contract's stage and the operator's part."""
        if action == "start":
            return self._can_work()
        if action in ("enter", "pay"):  # the developer's keys at the contract's stage
            return self._can_work() and self._at("entry")
        if action == "notice":
            return self._can_work() and self._at("entry", "signing", "sealing")
        if action == "sign":
            return self._can_work() and self._at("signing")
        if action == "submit":
            return self._can_work() and self._at("entry", "signing")
        if action == "cancel_case":
            return self._can_work() and self._at("entry")
        if action == "seal":
            return self._can_work() and self._at("sealing")
        if action == "review":
            return self.actor.can(Permission.PRESALE_LOAN_REVIEW) and self._at("fund_review", "bank_review")
        if action == "file":
            return self.actor.can(Permission.PRESALE_CONTRACT_FILING) and self._at("filing")
        if action == "print_contract":  # once entered, by whoever may read it
            return self.view is not None and self.view.total_price is not None
        return True

    def step_actions(self) -> Sequence[str]:
        if self.view is None:
            return ("start",)
        return {"entry": ("enter", "notice", "pay", "submit", "cancel_case"), "signing": ("sign", "submit"), "sealing": ("seal",),
                "fund_review": ("review",), "bank_review": ("review",), "filing": ("file",)}.get(self.view.stage, ())

    # ------------------------------------------------------------ loading

    def _hint(self) -> str:
        start = "；按 F2 受理新的签约业务" if self._can_work() else ""
        return f"输入业务号或合同编号后按 Enter 显示，或按 Tab 到下方列表选中后按 Enter{start}。"

    def on_mount(self) -> None:
        self.query_one("#pc-text", Static).update(Text(self._hint(), style=MUTED))
        self.query_one("#pc-number", Input).focus()
        self._list()
        if self.number:
            self.action_reload()

    @on(Input.Submitted, "#pc-number")
    def _find(self, event: Input.Submitted) -> None:
        self.number = event.value.strip().upper()
        self.action_reload()

    @on(DataTable.RowSelected, "#pc-list")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.number = str(event.row_key.value)
            self.query_one("#pc-number", Input).value = self.number
            self.action_reload()

    def action_back(self) -> None:
        """Esc: from a contract back to the list, from the list back to the desk."""
        if self.view is not None:
            self._show_list()
            self.clear_message()
            return
        self.app.pop_screen()

    def _show_list(self) -> None:
        self.view, self.number = None, ""
        self.query_one("#pc-number", Input).value = ""
        self.query_one("#pc-text", Static).update(Text(self._hint(), style=MUTED))
        self.query_one("#pc-detail").can_focus = False
        self.remove_class("-shown")
        self.refresh_bindings()
        self.query_one("#pc-list", ListTable).focus()

    def action_reload(self) -> None:
        self._list()
        if not self.number:
            return
        self.clear_message()
        self._load(self.number)

    @work(thread=True, exclusive=True, group="pc-list", exit_on_error=False)
    def _list(self) -> None:
        if self._lists_contracts():
            self.post_message(self.Listed(contracts.list_contracts(self.db, self.actor), []))
        else:
            rows = [r for r in cases.in_hand(self.db, self.actor) if r.number.startswith("F")]
            self.post_message(self.Listed(None, rows))

    def on_presale_contract_screen_listed(self, message: Listed) -> None:
        table = self.query_one("#pc-list", ListTable)
        if message.rows is not None:
            table.set_rows([(r.case_number, [r.case_number, r.unit_no, r.buyers or "", _yuan(r.total_price)
                             if r.total_price is not None else "", r.status_label, r.filing_number or ""])
                            for r in message.rows])
        else:
            table.set_rows([(c.number, [c.number, c.stage_name + ("（待接件）" if c.waiting else ""), c.summary])
                            for c in message.cases_in_hand])

    @work(thread=True, exclusive=True, group="pc", exit_on_error=False)
    def _load(self, number: str, after_step: bool = False) -> None:
        try:
            view = contracts.show_contract(self.db, self.actor, number)
        except RuleViolation as refused:
            # a reviewer's step can pass the contract out of their sight (the fund centre to the bank)
            if after_step and refused.code == "CONTRACT_NOT_FOUND":
                self.post_message(self.Loaded(None, None))
                return
            raise
        progress = cases.case_detail(self.db, self.actor, view.case_number) if self.actor.can(Permission.CASE_WORK) \
            else None
        self.post_message(self.Loaded(view, progress))

    def on_presale_contract_screen_loaded(self, message: Loaded) -> None:
        if message.view is None:  # gone from sight: back to the list, the step's sentence kept
            self._show_list()
            return
        self.view = message.view
        if message.view is not None:
            self.number = message.view.case_number
            self.query_one("#pc-number", Input).value = self.number
            self.query_one("#pc-text", Static).update(contract_renderable(message.view, message.progress))
            self.query_one("#pc-detail").can_focus = True
            self.add_class("-shown")
        self.refresh_bindings()

    # ------------------------------------------------------------ steps

    def _need(self) -> contracts.ContractView | None:
        if self.view is None:
            self.show_refusal("请先输入业务号并按 Enter 显示合同。")
        return self.view

    def _step(self, run: Callable[[], tuple[str, str]]) -> None:
        self.set_message("正在办理……")
        self._run_step(run)

    @work(thread=True, exclusive=True, group="pc", exit_on_error=False)
    def _run_step(self, run: Callable[[], tuple[str, str]]) -> None:
        text, number = run()
        self.post_message(self.Done(text, number))

    def on_presale_contract_screen_done(self, message: Done) -> None:
        self.number = message.number
        self.query_one("#pc-number", Input).value = self.number
        self._list()
        if self.number:
            self._load(self.number, after_step=True)
        self.set_message(message.text, message.tone)  # type: ignore[arg-type]

    def _dialog(self, title: str, fields: Sequence[StepField], run: Callable[[dict[str, str]], object],
                done: Callable[[object], str], *, note: str = "", send: Callable[[], str] | None = None) -> None:
        """A step's form; on success the contract is shown again and ``done(result)`` is said."""

        def closed(result: object) -> None:
            if result is not None:
                self.post_message(self.Done(done(result), self.number))

        self.app.push_screen(ContractStepDialog(title, fields, run, note=note, send=send), callback=closed)

    def action_start(self) -> None:
        """F2: 业务受理 by the permit's number and the unit's."""

        def start(values: dict[str, str]) -> object:
            return contracts.start_contract(self.db, self.actor, permit_number=values["permit"], unit_no=values["unit"])

        def done(view: object) -> str:
            assert isinstance(view, contracts.ContractView)
            self.number = view.case_number
            return f"已受理 {view.case_number}（合同编号 {view.number}），请按 F3 录入合同。"

        self._dialog("商品房签约　业务受理", [
            StepField("permit", "许可证号", "预售证号或现售证号，如 YS2026-00001", 20),
            StepField("unit", "室　　号", "如 2-01", 20),
        ], start, done)

    def action_enter(self) -> None:
        """F3: 购房合同录入."""
        view = self._need()
        if view is None:
            return

        def saved(result: contracts.ContractView | None) -> None:
            if result is not None:
                self.post_message(self.Done(f"合同已保存（第{result.version}版）：总价款 {_yuan(result.total_price)}，"
                                            f"应付 {_yuan(result.amount_due)}。请按 F8 打印缴款通知单。", result.case_number))

        self.app.push_screen(ContractEntryScreen(view), callback=saved)  # type: ignore[arg-type]

    def action_notice(self) -> None:
        """F8: 资金缴款通知单 (kept, and printed where the hall has a printer)."""
        view = self._need()
        if view is None:
            return
        self.set_message("正在打印……")
        self._print(view.case_number)

    @work(thread=True, exclusive=True, group="pc-print", exit_on_error=False)
    def _print(self, number: str) -> None:
        pdf = contracts.payment_notice_pdf(self.db, self.actor, number)
        outcome = self.print_document(f"缴款通知单_{number}.pdf", pdf, "资金缴款通知单")
        self.app.call_from_thread(self.set_message, outcome.message, outcome.tone)

    def action_print_contract(self) -> None:
        """F11: 商品房买卖合同 (kept, and printed where the hall has a printer; 草稿 until signed)."""
        view = self._need()
        if view is None:
            return
        self.set_message("正在打印……")
        self._print_contract(view.case_number)

    @work(thread=True, exclusive=True, group="pc-print", exit_on_error=False)
    def _print_contract(self, number: str) -> None:
        pdf = documents.contract_pdf(self.db, self.actor, number)
        outcome = self.print_document(f"商品房买卖合同_{number}.pdf", pdf, "商品房买卖合同")
        self.app.call_from_thread(self.set_message, outcome.message, outcome.tone)

    def action_pay(self) -> None:
        """F6: 登记缴款."""
        view = self._need()
        if view is None:
            return
        number = view.case_number
        owing = (view.amount_due - view.paid) if view.amount_due is not None else None

        def pay(values: dict[str, str]) -> object:
            return contracts.record_payment(self.db, self.actor, number, values["amount"], receipt=values["receipt"])

        def done(result: object) -> str:
            assert isinstance(result, contracts.ContractView)
            left = (result.amount_due or 0) - result.paid
            tail = "已缴清，请按 F4 完成录入。" if left == 0 else f"尚欠 {_yuan(left)}。"
            return f"已登记缴款：应付 {_yuan(result.amount_due)}，已付 {_yuan(result.paid)}，{tail}"

        note = f"应付 {_yuan(view.amount_due)}，已付 {_yuan(view.paid)}。" if view.amount_due is not None else ""
        self._dialog("登记缴款", [
            StepField("amount", "实付金额", "元，到分", 20, "" if not owing else f"{owing}"),
            StepField("receipt", "缴款凭证号", "可不填", 40),
        ], pay, done, note=note)

    def action_submit(self) -> None:
        """F4: 完成录入 (合同信息录入) or 提交签约 (签约环节)."""
        view = self._need()
        if view is None:
            return
        number = view.case_number
        if view.stage == "signing":
            def run() -> tuple[str, str]:
                contracts.confirm_signing(self.db, self.actor, number)
                return "签约已提交，请按 F9 合同盖章。", number
        else:
            def run() -> tuple[str, str]:
                contracts.complete_entry(self.db, self.actor, number)
                return "合同录入已完成，进入签约环节。", number
        self._step(run)

    def action_sign(self) -> None:
        """F7: 电子合同 — each buyer's SMS code in turn; 纸质合同 — the signed scan."""
        view = self._need()
        if view is None:
            return
        number = view.case_number
        if view.signing_form_label == "纸质合同":
            def attach(values: dict[str, str]) -> object:
                return contracts.attach_scan(self.db, self.actor, number, values["scan"])

            self._dialog("上传合同扫描件", [StepField("scan", "扫描件", "PDF 文件路径，如 /home/scan/2-01.pdf", 300)],
                         attach, lambda _: "合同扫描件已上传，请按 F4 提交签约。",
                         note="纸质合同由买卖双方签字盖章后扫描成 PDF 文件上传。")
            return
        self._buyer_code(view, 0)

    def _buyer_code(self, view: contracts.ContractView, position: int) -> None:
        if position >= len(view.buyers):
            self.show_refusal("请先录入买受人。")
            return
        number, buyer = view.case_number, view.buyers[position]

        def send() -> str:
            return contracts.send_buyer_code(self.db, self.actor, number, position).notice(f"买受人{buyer.name}的手机")

        def verify(values: dict[str, str]) -> object:
            return contracts.verify_buyer_code(self.db, self.actor, number, values["code"], position)

        def closed(result: object) -> None:
            if result is None:
                return
            if position + 1 < len(view.buyers):
                self._buyer_code(view, position + 1)
            else:
                self.post_message(self.Done("买受人已全部完成短信验证，请按 F4 提交签约。", number))

        self.app.push_screen(ContractStepDialog(
            f"签署验证　买受人{position + 1} {buyer.name}", [StepField("code", "验证码", "6位数字", 6, digits=True)],
            verify, note=f"合同 {view.number}，总价款 {_yuan(view.total_price)}；验证码发送至 {buyer.phone}。",
            send=send), callback=closed)

    def action_seal(self) -> None:
        """F9 (the developer, 合同盖章): the seal holder's SMS code."""
        view = self._need()
        if view is None:
            return
        number = view.case_number

        def send() -> str:
            return contracts.send_seal_code(self.db, self.actor, number).notice("印章授权人（法定代表人）的手机")

        def seal(values: dict[str, str]) -> object:
            return contracts.seal_contract(self.db, self.actor, number, values["code"])

        def done(result: object) -> str:
            assert isinstance(result, contracts.ContractView)
            where = result.bank_name if result.stage in ("fund_review", "bank_review") else "主管部门"
            return f"合同已盖章，已转“{result.stage_name}”（{where}）。"

        self._dialog("合同盖章", [StepField("code", "验证码", "6位数字", 6, digits=True)], seal, done,
                     note=f"合同 {view.number}，户室 {view.unit_no}，总价款 {_yuan(view.total_price)}。", send=send)

    def action_review(self) -> None:
        """F9 (the bank or the fund centre): 审核通过, with the mortgage details at the bank."""
        view = self._need()
        if view is None:
            return
        number = view.case_number
        fields = [StepField("opinion", "审核意见", "如 同意贷款", 200, "同意。")]
        if view.stage == "bank_review":
            fields = [StepField("mortgage_contract", "抵押合同编号", "组合贷必填", 40),
                      StepField("loan_term_years", "贷款年限", "1至30年", 2, digits=True), *fields]

        def review(values: dict[str, str]) -> object:
            return contracts.review_loan(self.db, self.actor, number, mortgage_contract=values.get("mortgage_contract"),
                                         loan_term_years=values.get("loan_term_years"), opinion=values["opinion"])

        def done(result: object) -> str:
            assert isinstance(result, contracts.ContractView)
            return f"审核通过，已转“{result.stage_name}”。"

        self._dialog(f"{view.stage_name}　{view.bank_name or ''}", fields, review, done,
                     note=f"合同 {view.number}，{view.payment_method_label}，总价款 {_yuan(view.total_price)}。")

    def action_file(self) -> None:
        """F9 (the authority): 备案."""
        view = self._need()
        if view is None:
            return
        number = view.case_number

        def file(values: dict[str, str]) -> object:
            return contracts.file_contract(self.db, self.actor, number, note=values["note"])

        def done(result: object) -> str:
            assert isinstance(result, contracts.ContractView)
            return f"已备案，备案号 {result.filing_number}，业务已归档。"

        self._dialog("合同备案", [StepField("note", "备案意见", "可不填", 200, "准予备案。")], file, done,
                     note=f"合同 {view.number}，{view.project_name} {building_label(view.building_number)} {view.unit_no}。")

    def action_cancel_case(self) -> None:
        """F12 (the developer, 合同信息录入): 取消受理 with a reason; the unit is free again."""
        view = self._need()
        if view is None:
            return
        number, unit = view.case_number, view.unit_no

        def chosen(reason: str | None) -> None:
            if reason is not None:
                def run() -> tuple[str, str]:
                    contracts.cancel_contract(self.db, self.actor, number, reason=reason)
                    return f"已取消受理 {number}，户室{unit}已释放，可重新签约。", number
                self._step(run)

        self.app.push_screen(cancel_dialog(number), callback=chosen)
