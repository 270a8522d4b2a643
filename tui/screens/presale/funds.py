"""预售资金监管 (seed 004 §5.3, §5.8, §5.10): an agreement's case or a withdrawal's, found by
its 业务号, with its units below (an agreement: 室号, 建筑面积, 监管; F7 on an agreement in force:
the withdrawal table, each unit's 可售状态, 购房人, 总房款, 付款方式, 已支付, 已退款 and 已监管金额,
read from the contracts' ledger).

The developer's keys: F2 业务受理 (签订 / 变更 / 补录), F3 协议录入 or 申请信息录入, F6 编辑协议书
(a back-entry: with the signed agreement's scan, 上传对应文件), F4 派工, F7 一般资金支取 (the table, then F2 on it starts a withdrawal). The reviewers' (the
authority, the bank): F9 意见签署 (审核通过, the next stage or the archive). F8 prints the
agreement. Every form is ``FundFormDialog``; the use cases are ``services.presale.funds``,
called in thread workers; every value is shown as text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Label, Static

from core.cases import CASE_STATUS_LABELS, CaseStatus
from core.errors import RuleViolation
from core.money import format_yuan
from core.presale.funds import KIND_LABELS, AgreementKind
from core.roles import Permission
from services.presale import funds
from tui.screens.base import AppModal, AppScreen, RunsItsUseCase
from tui.screens.dialogs import cancel_dialog
from tui.widgets.detail import MUTED
from tui.screens.presale.case_header import case_header
from tui.widgets.footer import KeyFooter
from tui.widgets.form import compact_input, field_line
from tui.widgets.message import MessageLine

__all__ = ["FundFormDialog", "FundScreen"]

BACKFILL = KIND_LABELS[AgreementKind.BACKFILL]


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    hint: str
    size: int
    value: str = ""


class FundFormDialog(RunsItsUseCase, AppModal[Any]):
    """One form of the fund supervision, the ledger, the facts back-entry and the mortgages: its
    fields typed, F9 saves, Esc cancels. With ``run`` the dialog runs the use case and stays
    open on a refusal (``RunsItsUseCase``); without it, it closes with the values."""

    CSS_PATH = "presale.tcss"
    FIELD_PREFIX = "fund-"
    BINDINGS = [Binding("escape", "cancel", "取消", key_display="Esc"),
                Binding("f9", "submit", "保存", key_display="F9")]

    def __init__(self, title: str, fields: Sequence[FormField], note: str = "",
                 run: Callable[[dict[str, str]], object] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.note = note
        self.run = run

    def compose(self) -> ComposeResult:
        with Vertical(id="fund-form-box", classes="dialog"):
            yield Label(self.title_text, classes="form-title")
            for f in self.fields:
                field = compact_input(f.value, placeholder=f.hint, max_length=f.size)
                field.id = f"fund-{f.key}"
                yield field_line(f.label, field)
            if self.note:
                yield Static(self.note, classes="hint", markup=False)
            yield MessageLine(id="fund-form-message", classes="error-line")
            yield Static("Tab 切换栏目，F9 保存；Esc 取消", classes="hint")

    def on_mount(self) -> None:
        self.query_one(f"#fund-{self.fields[0].key}", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        values = {f.key: self.query_one(f"#fund-{f.key}", Input).value.strip() for f in self.fields}
        if self.run is None:
            self.dismiss(values)
        else:
            self.run_use_case(values)


def _yuan(value: object) -> str:
    return format_yuan(value) if value is not None else "—"  # type: ignore[arg-type]


class FundScreen(AppScreen):
    """资金监管: find a Z case; work it with the keys of one's role."""

    CSS_PATH = "presale.tcss"
    BINDINGS = [
        Binding("f2", "start", "受理", key_display="F2"),
        Binding("f3", "enter", "录入", key_display="F3"),
        Binding("f6", "text", "协议书", key_display="F6"),
        Binding("f4", "submit", "派工", key_display="F4"),
        Binding("f12", "cancel_case", "取消受理", key_display="F12"),  # before the dispatch only
        Binding("f9", "review", "审核通过", key_display="F9"),
        Binding("f7", "table", "资金支取", key_display="F7"),
        Binding("f8", "print", "打印", key_display="F8"),
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "输入资金监管业务的业务号，按 Enter 显示协议（或支取申请）和户室。",
        "开发企业：F2 业务受理（协议签订、协议变更、协议补录），F3 协议录入（监管账户、实际工程进度、项目预售总额、监管户室），"
        "F6 编辑协议书（补录：同时上传已签订的协议扫描件），F4 派工审核。补录须全选所有户室，可设为不监管。",
        "主管部门、监管银行：在在手业务中接件后，按 F9 签署意见并审核通过；退件在在手业务中办理。",
        "F7 显示现行协议的一般资金支取表；其中按 F2 发起支取（该协议有在支取中的业务时不能再发起），F3 录入申请信息，F4 派工。",
        "F8 打印预售资金监管协议书（未生效的带“草稿”水印）。",
        "开发企业派工前可按 F12 取消受理（填写原因），该协议或支取申请作废。",
    )

    class Loaded(Message):
        def __init__(self, agreement: funds.AgreementView | None, withdrawal: funds.WithdrawalView | None,
                     table: funds.WithdrawalTable | None) -> None:
            super().__init__()
            self.agreement = agreement
            self.withdrawal = withdrawal
            self.table = table

    class Done(Message):
        def __init__(self, text: str, number: str) -> None:
            super().__init__()
            self.text = text
            self.number = number

    def __init__(self, number: str = "") -> None:
        super().__init__()
        self.number = number
        self.agreement: funds.AgreementView | None = None
        self.withdrawal: funds.WithdrawalView | None = None
        self.table: funds.WithdrawalTable | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield from case_header("预售资金监管", "fund", self.number, "业务号，如 Z202612070000001，Enter 显示")
        yield Static("", id="fund-summary", markup=False)
        yield DataTable(id="fund-units", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The developer's keys and the reviewers' by permission."""
        if action in ("start", "enter", "text", "submit"):
            return self.actor.can(Permission.FUND_WORK)
        if action == "review":
            return self.actor.can(Permission.FUND_REVIEW) or self.actor.can(Permission.FUND_BANK_REVIEW)
        if action == "cancel_case":  # the developer, before the dispatch
            shown = self.agreement or self.withdrawal
            return self.actor.can(Permission.FUND_WORK) and shown is not None and shown.stage == "entry" \
                and shown.case_status_label == CASE_STATUS_LABELS[CaseStatus.ACTIVE]
        return True

    def on_mount(self) -> None:
        self.query_one("#fund-summary", Static).update(Text("请输入业务号；开发企业按 F2 受理新的资金监管业务。", style=MUTED))
        self.query_one("#fund-number", Input).focus()
        if self.number:
            self.action_reload()

    @on(Input.Submitted, "#fund-number")
    def _find(self, event: Input.Submitted) -> None:
        self.number = event.value.strip().upper()
        self.table = None
        self.action_reload()

    def action_reload(self) -> None:
        if not self.number:
            self.show_refusal("请输入业务号。")
            return
        self.clear_message()
        self._load(self.number, self.table.agreement_number if self.table else None)

    @work(thread=True, exclusive=True, group="fund", exit_on_error=False)
    def _load(self, number: str, table_of: str | None) -> None:
        if table_of:
            self.post_message(self.Loaded(None, None, funds.withdrawal_table(self.db, self.actor, table_of)))
            return
        try:
            self.post_message(self.Loaded(funds.show_agreement(self.db, self.actor, number), None, None))
        except RuleViolation as refused:
            if refused.code != "FUND_CASE_NOT_FOUND":
                raise
            self.post_message(self.Loaded(None, funds.show_withdrawal(self.db, self.actor, number), None))

    def on_fund_screen_loaded(self, message: Loaded) -> None:
        self.agreement, self.withdrawal, self.table = message.agreement, message.withdrawal, message.table
        self.refresh_bindings()
        table = self.query_one("#fund-units", DataTable)
        table.clear(columns=True)
        summary = self.query_one("#fund-summary", Static)
        if message.agreement is not None:
            v = message.agreement
            bank = f"{v.bank.bank_name} {v.bank.account_number or ''}".strip() if v.bank else "未选择"
            summary.update(Text("\n".join([
                f"{v.type_name}　{v.stage_name}（{v.case_status_label}）",
                f"协议号 {v.agreement_number}（第{v.version}版，{v.status_label}）　{v.project_name} {v.building_number}",
                f"监管账户：{bank}　实际工程进度：{v.works_progress or '—'}",
                f"项目预售总额 {_yuan(v.presale_total)}　重点监管金额 {_yuan(v.key_amount)}",
                f"监管户室 {v.supervised_count}/{len(v.units)} 套（该栋 {v.building_units} 套）　"
                f"协议书：{'已保存' if v.text_saved else '未编辑'}"
                + (f"　协议扫描件：{'已上传' if v.scan_path else '未上传'}" if v.kind_label == BACKFILL else ""),
            ])))
            for col in ("室号", "建筑面积(㎡)", "是否监管"):
                table.add_column(col)
            for u in v.units:
                table.add_row(Text(u.unit_no), Text(f"{u.built_area:.2f}"), Text("监管" if u.supervised else "不监管"))
        elif message.withdrawal is not None:
            w = message.withdrawal
            lines = [f"一般资金支取　{w.stage_name}（{w.case_status_label}，{w.status_label}）　协议号 {w.agreement_number}",
                     f"申请支取金额：{_yuan(w.amount)}　资金用途：{w.purpose or '—'}",
                     f"实际工程进度：{w.works_progress or '—'}"]
            if w.warning:
                lines.append(f"提示：{w.warning}")
            summary.update(Text("\n".join(lines)))
            table.add_columns("环节", "办理人", "意见")
            for o in w.opinions:
                table.add_row(Text(o.stage_name), Text(o.operator), Text(o.opinion or "同意"))
        elif message.table is not None:
            t = message.table
            summary.update(Text("\n".join([
                f"一般资金支取　协议号 {t.agreement_number}（第{t.version}版）　{t.project_name} {t.building_number}",
                f"重点监管金额 {_yuan(t.key_amount)}　已入账 {_yuan(t.deposited)}　已支取 {_yuan(t.withdrawn)}"
                + (f"（含已退房待退款 {_yuan(t.refund_due)}，不可支取）" if t.refund_due > 0 else ""),
                f"协议余额 {_yuan(t.balance)}　一般资金可支取 {_yuan(t.available)}　监管 {t.supervised_units} 套，"
                f"未售 {t.unsold_units} 套",
                f"支取中：{t.live_case}" if t.live_case else "当前没有在支取中的业务，按 F2 发起支取。",
            ])))
            for col in ("室号", "面积", "可售状态", "购房人", "总房款", "付款方式", "已支付", "已退款", "已监管"):
                table.add_column(col)
            for r in t.rows:
                table.add_row(Text(r.unit_no), Text(f"{r.built_area:.2f}"), Text(r.sale_state), Text(r.buyer or ""),
                              Text(_yuan(r.price) if r.price is not None else ""), Text(r.payment_method or ""),
                              Text(_yuan(r.paid)), Text(_yuan(r.reversed)), Text(_yuan(r.supervised_amount)))

    # ------------------------------------------------------------ steps

    def _step(self, run: Callable[[], tuple[str, str]]) -> None:
        self.set_message("正在办理……")
        self._run_step(run)

    @work(thread=True, exclusive=True, group="fund", exit_on_error=False)
    def _run_step(self, run: Callable[[], tuple[str, str]]) -> None:
        text, number = run()
        self.post_message(self.Done(text, number))

    def on_fund_screen_done(self, message: Done) -> None:
        self.number = message.number
        self.query_one("#fund-number", Input).value = self.number
        self.table = None
        self._load(self.number, None)
        self.set_message(message.text, "ok")

    def action_cancel_case(self) -> None:
        """F12 (the developer, before the dispatch): 取消受理 with a reason; the agreement or the
        withdrawal is void."""
        if not self._need_case():
            return
        number, withdrawal = self.number, self.withdrawal is not None

        def chosen(reason: str | None) -> None:
            if reason is not None:
                def cancel() -> tuple[str, str]:
                    (funds.cancel_withdrawal if withdrawal else funds.cancel_agreement)(
                        self.db, self.actor, number, reason=reason)
                    return f"已取消受理 {number}，{'该支取申请' if withdrawal else '该协议'}已作废。", number

                self._step(cancel)

        self.app.push_screen(cancel_dialog(number), callback=chosen)

    def _need_case(self) -> bool:
        if self.agreement is None and self.withdrawal is None:
            self.show_refusal("请先输入业务号并按 Enter 显示。")
            return False
        return True

    def action_start(self) -> None:
        """F2: 业务受理; on the withdrawal table: 发起一般资金支取."""
        if self.table is not None:
            agreement = self.table.agreement_number

            def start() -> tuple[str, str]:
                number = funds.start_withdrawal(self.db, self.actor, agreement)
                return f"已受理一般资金支取 {number}，请按 F3 录入申请信息。", number

            self._step(start)
            return
        self.app.push_screen(FundFormDialog("预售资金监管　业务受理", [
            FormField("kind", "业务类型", "签订、变更或补录", 4, "签订"),
            FormField("project", "项目编号", "签订、补录：如 1", 10),
            FormField("building", "栋　　号", "签订、补录：如 D004", 20),
            FormField("agreement", "原协议号", "变更：现行协议的协议号", 20),
        ], run=self._start_agreement), callback=self._form_done)

    def _form_done(self, outcome: tuple[str, str] | None) -> None:
        """A form's use case has run in its dialog: the case shown again and its
        sentence said, at once (the dialog's close ends the step)."""
        if outcome is not None:
            self.on_fund_screen_done(self.Done(*outcome))

    def _start_agreement(self, values: dict[str, str]) -> tuple[str, str]:
        done = funds.start_agreement(self.db, self.actor, kind=values["kind"], project_id=values["project"],
                                     building=values["building"] or None, agreement=values["agreement"] or None)
        return f"已受理 {done.case_number}，请按 F3 协议录入。", done.case_number

    def action_enter(self) -> None:
        """F3: 协议录入, or 申请信息录入 on a withdrawal."""
        if not self._need_case():
            return
        if self.withdrawal is not None:
            w = self.withdrawal
            self.app.push_screen(FundFormDialog("一般资金支取　申请信息录入", [
                FormField("amount", "支取金额", "元，如 500000", 20, "" if w.amount is None else f"{w.amount}"),
                FormField("purpose", "资金用途", "如 支付工程进度款", 100, w.purpose or ""),
                FormField("progress", "工程进度", "实际工程进度", 100, w.works_progress or ""),
            ], run=self._enter_withdrawal(self.number)), callback=self._form_done)
            return
        v = self.agreement
        assert v is not None
        banks = "；".join(f"{b.id} {b.bank_name} {b.account_number or ''}".strip() for b in v.banks) or "（无）"
        self.app.push_screen(FundFormDialog("预售资金监管　协议录入", [
            FormField("bank", "监管账户", "账户编号（只有一个时可不填）", 10, str(v.bank.id) if v.bank else ""),
            FormField("progress", "工程进度", "实际工程进度", 100, v.works_progress or ""),
            FormField("total", "预售总额", "项目预售总额（元）", 20, "" if v.presale_total is None else f"{v.presale_total}"),
            FormField("units", "监管户室", "室号逗号分隔；不填为全选", 2000),
            FormField("unsupervised", "不监管", "选入但不监管的室号", 2000),
        ], note=f"监管银行账户：{banks}。重点监管金额按监管户室自动计算。", run=self._enter_agreement(self.number)),
            callback=self._form_done)

    def _enter_agreement(self, number: str) -> Callable[[dict[str, str]], tuple[str, str]]:
        def enter(values: dict[str, str]) -> tuple[str, str]:
            v = funds.enter_agreement(self.db, self.actor, number, bank_id=values["bank"],
                                      works_progress=values["progress"], presale_total=values["total"],
                                      units=values["units"], unsupervised=values["unsupervised"])
            return f"协议录入已保存：重点监管金额 {_yuan(v.key_amount)}。", number

        return enter

    def _enter_withdrawal(self, number: str) -> Callable[[dict[str, str]], tuple[str, str]]:
        def enter(values: dict[str, str]) -> tuple[str, str]:
            w = funds.enter_withdrawal(self.db, self.actor, number, amount=values["amount"],
                                       purpose=values["purpose"], works_progress=values["progress"])
            return f"申请信息已保存：{_yuan(w.amount)}。", number

        return enter

    def action_text(self) -> None:
        """F6: 编辑协议书 (the template, saved); a back-entry also uploads the signed agreement's
        scan (上传对应文件), asked for in a form."""
        if not self._need_case() or self.agreement is None:
            return
        number = self.number
        if self.agreement.kind_label == BACKFILL:
            self.app.push_screen(FundFormDialog("协议补录　编辑协议书并上传对应文件", [
                FormField("file", "协议文件", "已签订协议扫描件（PDF）的路径", 300, self.agreement.scan_path or ""),
            ], note="协议补录须上传已签订的资金监管协议扫描件，才能派工到银行审核。", run=self._upload(number)),
                callback=self._form_done)
            return

        def save() -> tuple[str, str]:
            funds.save_text(self.db, self.actor, number)
            return "协议书已保存（长沙市新建商品房预售资金监管协议书）。", number

        self._step(save)

    def _upload(self, number: str) -> Callable[[dict[str, str]], tuple[str, str]]:
        def save(values: dict[str, str]) -> tuple[str, str]:
            funds.save_text(self.db, self.actor, number)
            funds.upload_agreement(self.db, self.actor, number, values["file"])
            return "协议书已保存，协议扫描件已上传，可按 F4 派工到银行审核。", number

        return save

    def action_submit(self) -> None:
        """F4: 派工 (协议备案 / 生成支取申请)."""
        if not self._need_case():
            return
        number, agreement = self.number, self.agreement is not None

        def submit() -> tuple[str, str]:
            if agreement:
                funds.submit_agreement(self.db, self.actor, number)
            else:
                funds.submit_withdrawal(self.db, self.actor, number)
            return "已派工审核。", number

        self._step(submit)

    def action_review(self) -> None:
        """F9: 意见签署, approving."""
        if not self._need_case():
            return
        number, agreement = self.number, self.agreement is not None

        def review(values: dict[str, str]) -> tuple[str, str]:
            run = funds.review_agreement if agreement else funds.review_withdrawal
            return run(self.db, self.actor, number, opinion=values["opinion"]), number

        self.app.push_screen(FundFormDialog("意见签署", [FormField("opinion", "审核意见", "如 经审核，同意。", 200, "同意")],
                                            run=review), callback=self._form_done)

    def action_table(self) -> None:
        """F7: the withdrawal table of the agreement shown (in force)."""
        if self.agreement is None:
            if self.withdrawal is None:
                self.show_refusal("请先显示一份现行的资金监管协议。")
                return
            agreement = self.withdrawal.agreement_number
        else:
            agreement = self.agreement.agreement_number
        self.clear_message()
        self._load(self.number, agreement)

    def action_print(self) -> None:
        """F8: 预售资金监管协议书 (PDF into the reports folder)."""
        if self.agreement is None:
            self.show_refusal("请先显示一份资金监管协议。")
            return
        self._print(self.number)

    @work(thread=True, exclusive=True, group="fund-print", exit_on_error=False)
    def _print(self, number: str) -> None:
        pdf = funds.agreement_pdf(self.db, self.actor, number)
        path = self.save_document(f"资金监管协议_{number}.pdf", pdf)
        self.app.call_from_thread(self.set_message, f"已打印：{path.name}", "ok")
