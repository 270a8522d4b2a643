"""户室流水补录 (seed 004 §5.9): find a contract by 预售证号 or 合同编号 (a permit lists its
contracts: Enter on one opens it), see its amounts due (款项信息) and its ledger entries.

The developer's key: F2 新增流水 (入账, or 退款 only where a refundable amount exists), which
accepts a 户室流水补录 case and dispatches it to the authority. On a returned contract (已退房)
the summary says what remains to refund, and F2 is 退款 (the buyer's money paid back after the
return), its amount filled in with all that remains. The authority types the case's
业务号 (Z…) to open it with its contract's ledger: F9 审核通过 (the entry is posted, the case
archived), F6 不通过 (an opinion; the entry is void). The use cases are
``services.presale.ledger``, called in thread workers; every value is shown as text.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Static

from core.places import building_label
from core.roles import Permission
from core.timeutil import to_local
from services.presale import ledger
from tui.screens.base import AppScreen
from tui.screens.presale.funds import FormField, FundFormDialog, _yuan
from tui.widgets.detail import MUTED
from tui.screens.presale.case_header import case_header
from tui.widgets.footer import KeyFooter

__all__ = ["LedgerScreen"]


class LedgerScreen(AppScreen):
    """户室流水补录: a contract's ledger; entries added and reviewed with the keys of one's role."""

    CSS_PATH = "presale.tcss"
    BINDINGS = [
        Binding("f2", "add", "新增流水", key_display="F2"),
        Binding("f9", "approve", "审核通过", key_display="F9"),
        Binding("f6", "refuse", "不通过", key_display="F6"),
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "输入预售证号或合同编号，按 Enter 查询合同；一个预售证有多份合同时，在列表中选中一份按 Enter 打开。",
        "开发企业：F2 新增流水（入账；有可退金额时才能选退款，退款不能大于已缴金额），保存后派工给主管部门审核。",
        "主管部门：输入户室流水补录业务的业务号（Z…）按 Enter，F9 审核通过（记入户室流水并归档），F6 审核不通过（须填写意见）。",
        "只有审核通过的流水计入已缴金额、缴款通知单的实付金额和资金监管的已入账金额。",
        "已退房的合同：显示待退款金额，F2 补录退款流水（默认退还全部待退款，可改为部分金额），不能再补录入账。",
    )

    class Loaded(Message):
        def __init__(self, hits: list[ledger.ContractHit] | None, view: ledger.LedgerView | None,
                     entry: ledger.EntryCase | None) -> None:
            super().__init__()
            self.hits = hits
            self.view = view
            self.entry = entry

    class Done(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, number: str = "") -> None:
        super().__init__()
        self.number = number
        self.hits: list[ledger.ContractHit] | None = None
        self.view: ledger.LedgerView | None = None
        self.entry: ledger.EntryCase | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield from case_header("户室流水补录", "ledger", self.number, "预售证号、合同编号或业务号，Enter 查询", label="查　　询", max_length=24)
        yield Static("", id="ledger-summary", markup=False)
        yield DataTable(id="ledger-entries", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add":
            return self.actor.can(Permission.FUND_WORK)
        if action in ("approve", "refuse"):
            return self.actor.can(Permission.FUND_REVIEW)
        return True

    def on_mount(self) -> None:
        self.query_one("#ledger-summary", Static).update(
            Text("请输入预售证号或合同编号查询合同；主管部门输入业务号审核。", style=MUTED))
        self.query_one("#ledger-number", Input).focus()
        if self.number:
            self.action_reload()

    @on(Input.Submitted, "#ledger-number")
    def _find(self, event: Input.Submitted) -> None:
        self.number = event.value.strip().upper()
        self.action_reload()

    def action_reload(self) -> None:
        if not self.number:
            self.show_refusal("请输入预售证号或合同编号。")
            return
        self.clear_message()
        self._load(self.number)

    @work(thread=True, exclusive=True, group="ledger", exit_on_error=False)
    def _load(self, number: str) -> None:
        entry = None
        if number.startswith("Z"):
            entry = ledger.show_entry(self.db, self.actor, number)
            number = entry.contract_number
        else:
            hits = ledger.find_contracts(self.db, self.actor, number)
            if len(hits) > 1:
                self.post_message(self.Loaded(hits, None, None))
                return
            number = hits[0].number
        self.post_message(self.Loaded(None, ledger.ledger(self.db, self.actor, number), entry))

    def on_ledger_screen_loaded(self, message: Loaded) -> None:
        self.hits, self.view, self.entry = message.hits, message.view, message.entry
        table = self.query_one("#ledger-entries", DataTable)
        table.clear(columns=True)
        summary = self.query_one("#ledger-summary", Static)
        if message.hits is not None:
            summary.update(Text(f"预售证 {self.number} 下有 {len(message.hits)} 份合同，选中一份按 Enter 打开。"))
            for col in ("合同编号", "室号", "买受人", "总价款", "状态"):
                table.add_column(col)
            for h in message.hits:
                table.add_row(Text(h.number), Text(h.unit_no), Text(h.buyers or ""), Text(_yuan(h.total_price)),
                              Text(h.status_label))
            return
        v = message.view
        assert v is not None
        lines = [f"合同 {v.number}（{v.status_label}）　{v.project_name} {building_label(v.building_number)} {v.unit_no}",
                 f"买受人：{'、'.join(v.buyers) or '—'}",
                 f"付款方式 {v.payment_method_label or '—'}　总价款 {_yuan(v.total_price)}　应付 {_yuan(v.amount_due)}",
                 f"已缴 {_yuan(v.received)}　已退 {_yuan(v.refunded)}　实缴 {_yuan(v.paid)}　未缴 {_yuan(v.unpaid)}",
                 f"可退 {_yuan(v.refundable)}　待审核 {_yuan(v.pending_income)}　"
                 + (f"待审核退款 {_yuan(v.pending_refund)}　" if v.pending_refund > 0 else "")
                 + f"可补录：{'、'.join(k for _, k in v.kinds) or '无'}"]
        if v.refund_due is not None:
            lines.append(f"已退房：待退款 {_yuan(v.refund_due)}"
                         + ("，按 F2 补录退款流水。" if v.refund_due > 0 else "，购房款已退清或退款正在审核。"))
        if message.entry is not None:
            e = message.entry
            lines.append(f"业务 {e.case_number}：{e.kind_label} {_yuan(e.amount)}　{e.stage_name}（{e.case_status_label}，"
                         f"{e.status_label}）")
        summary.update(Text("\n".join(lines)))
        for col in ("类型", "金额", "状态", "日期", "凭证号", "业务号"):
            table.add_column(col)
        for r in v.entries:
            day = r.paid_on.isoformat() if r.paid_on else f"{to_local(r.recorded_at):%Y-%m-%d}"  # the hall's day
            table.add_row(Text(r.kind_label), Text(_yuan(r.amount)), Text(r.status_label), Text(day),
                          Text(r.receipt or ""), Text(r.case_number or "缴款通知单"))

    @on(DataTable.RowSelected, "#ledger-entries")
    def _open_hit(self, event: DataTable.RowSelected) -> None:
        if self.hits is None:
            return
        hit = self.hits[event.cursor_row]
        self.number = hit.number
        self.query_one("#ledger-number", Input).value = hit.number
        self.action_reload()

    # ------------------------------------------------------------ steps

    def on_ledger_screen_done(self, message: Done) -> None:
        self._load(self.number)
        self.set_message(message.text, "ok")

    def action_add(self) -> None:
        """F2: 新增流水 on the contract shown."""
        if self.view is None:
            self.show_refusal("请先查询并打开一份合同。")
            return
        v = self.view
        kinds = "、".join(label for _, label in v.kinds)
        refund = v.refund_due if v.returned else None  # a returned contract: 退款 of all that remains
        self.app.push_screen(FundFormDialog(f"{'退款' if v.returned else '新增流水'}　合同 {v.number}", [
            FormField("kind", "流水类型", kinds or "退款", 4, "退款" if v.returned else "入账"),
            FormField("amount", "金额（元）", f"精确到分；可退 {_yuan(v.refundable)}", 16,
                      f"{refund}" if refund else ""),
            FormField("receipt", "凭证号", "银行回单号（选填）", 40),
            FormField("paid_on", "流水日期", "如 2026-11-01（选填）", 10),
            FormField("note", "备　　注", "选填", 200),
        ], note=f"可补录：{kinds or '无'}。保存后派工给主管部门审核。", run=self._add(v.number)), callback=self._form_done)

    def _form_done(self, text: str | None) -> None:
        """A form's use case has run in its dialog: the contract or entry shown again and its
        sentence said, at once (the dialog's close ends the step)."""
        if text is not None:
            self.on_ledger_screen_done(self.Done(text))

    def _add(self, number: str) -> Callable[[dict[str, str]], str]:
        def add(values: dict[str, str]) -> str:
            done = ledger.add_entry(self.db, self.actor, number, kind=values["kind"], amount=values["amount"],
                                    receipt=values["receipt"], paid_on=values["paid_on"], note=values["note"])
            return f"已受理 {done.case_number}：{done.kind_label} {_yuan(done.amount)}，已派工给主管部门审核。"

        return add

    def _review(self, approve: bool) -> None:
        if self.entry is None:
            self.show_refusal("请输入户室流水补录业务的业务号（Z…）并按 Enter 打开。")
            return
        case = self.entry.case_number

        def review(values: dict[str, str]) -> str:
            return ledger.review_entry(self.db, self.actor, case, approve=approve, opinion=values["opinion"] or None)

        self.app.push_screen(FundFormDialog(f"主管部门审核　{case}", [
            FormField("opinion", "审核意见", "同意可不填" if approve else "须填写不通过的原因", 200),
        ], run=review), callback=self._form_done)

    def action_approve(self) -> None:
        """F9: 审核通过."""
        self._review(True)

    def action_refuse(self) -> None:
        """F6: 审核不通过."""
        self._review(False)
