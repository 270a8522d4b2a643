"""网签合同: find a resale contract, read it, and take its next step.

The clerk finds a contract by 合同编号 or 业务号 (Enter), or picks it from
the list (本人经办 or 全部合同 — a clerk starts with their own, a supervisor
with all — filtered by status: 草稿 / 已签约 / 已备案 / 已注销 / 已撤销). The
pane under the list shows the highlighted contract as the service hands it
over (``tui.widgets.contract``): parties masked, the house, the price with
its amount in words, the signing method, the qualification, the filing and
the change history.

The keys offered follow the contract's status (the services decide whether
the step is allowed and say why not):

* F3 申请购房资格审查 — a draft whose buyers must be reviewed;
* F5 短信验证 — a draft: opens ``SignVerifyScreen``;
* F6 修改合同 (draft) / F7 变更合同 (signed) — through ``open_entry``,
  the entry screen's opener (hidden when the screen is built without it);
* F4 提交备案 — a signed contract not yet in the supervisors' queue;
* F8 打印合同 / F9 受理回执 / F12 一次性告知 — PDFs written to
  the hall's reports folder (``Settings.reports_folder``) (the first print of a contract is recorded:
  seed 001 §7 treats a downloaded offline contract differently);
* F10 注销网签 — opens ``CancelScreen`` for a live contract.

The list and the pane are read again whenever the screen comes back to the
front (after the SMS dialog or the entry screen).
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Label, Select, SelectionList, Static
from textual.worker import get_current_worker

from core.resale.filing import FilingRoute, Material
from core.resale.lifecycle import STATUS_LABELS, ContractStatus
from core.roles import Permission
from services.resale import contracts, documents, filing, signing
from services.resale.contracts import ContractRow, ContractView
from tui.screens.base import AppScreen
from tui.screens.dialogs import ConfirmDialog, TextDialog, _Dialog
from tui.screens.resale.cancel import CancelScreen
from tui.screens.resale.sign_verify import SignVerifyScreen
from tui.widgets.contract import contract_renderable
from tui.widgets.detail import DetailPane
from tui.widgets.form import FormInput
from tui.widgets.message import MessageLine, Tone
from tui.widgets.tables import ListTable
from tui.widgets.footer import KeyFooter

#: ``open_entry(contract_id, mode)``: mode is ``"edit"`` (修改合同, a draft) or ``"change"`` (变更合同, signed).
EntryOpener = Callable[[int, str], None]

SCOPES = [("本人经办", "mine"), ("全部合同", "all")]
#: kind → (document service, document name)
PRINT_KINDS: dict[str, tuple[Callable[..., bytes], str]] = {
    "contract": (documents.contract_pdf, "存量房买卖合同"),
    "receipt": (documents.receipt_pdf, "受理回执"),
    "notice": (documents.notice_pdf, "一次性告知书"),
    "undertaking": (documents.undertaking_pdf, "承诺书"),
}


class MaterialsDialog(_Dialog):
    """收件登记: the case's checklist, the items already received ticked; Space ticks or
    unticks, F5 saves; dismisses with the ticked keys (or None on Esc)."""

    BINDINGS = [Binding("f5", "save", "保存并出具回执", key_display="F5")]

    def __init__(self, materials: documents.CaseMaterials) -> None:
        super().__init__()
        self.materials = materials

    def compose(self) -> ComposeResult:
        with Vertical(id="materials-box", classes="dialog"):
            yield Label(f"收件登记　业务号 {self.materials.case_number}", classes="form-title")
            yield SelectionList[str](*[
                (f"{m.name}（原件{m.originals} 复印件{m.copies}）", m.key, m.key in self.materials.received)
                for m in self.materials.checklist], id="materials")
            yield MessageLine(classes="error-line")
            yield Static("↑↓ 选择　空格 勾选/取消　F5 保存并出具受理回执　Esc 取消", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#materials", SelectionList).focus()

    def action_save(self) -> None:
        chosen = list(self.query_one("#materials", SelectionList).selected)
        if not chosen:
            self.show_refusal("请勾选当事人已提交的材料；没有收到材料的，出具一次性告知书（F12）。")
            return
        self.dismiss(chosen)


def row_cells(row: ContractRow) -> list[str]:
    return [row.number, row.status_label, row.location, row.sellers, row.buyers, f"{row.price:,.0f}"]


class ContractDeskScreen(AppScreen):
    """网签合同: find, list by status, detail, and the next step by status."""

    CSS_PATH = "resale.tcss"

    COLUMNS: list[tuple[str, int | None]] = [
        ("合同编号", None), ("状态", None), ("房屋坐落", 22), ("出卖人", 8), ("买受人", 8), ("成交价(元)", None),
    ]
    BINDINGS = [
        Binding("f2", "find", "查找", key_display="F2"),
        Binding("f3", "qualify", "申请资格审查", key_display="F3"),
        Binding("f5", "sign", "短信验证", key_display="F5"),
        Binding("f6", "entry('edit')", "修改合同", key_display="F6"),
        Binding("f7", "entry('change')", "变更合同", key_display="F7"),
        Binding("f4", "file", "备案", key_display="F4"),
        Binding("f8", "print('contract')", "打印合同", key_display="F8"),
        Binding("f9", "print('receipt')", "受理回执", key_display="F9"),
        Binding("f12", "print('notice')", "一次性告知", key_display="F12", show=False),
        Binding("f11", "print('undertaking')", "承诺书", key_display="F11"),
        Binding("f10", "cancel", "注销网签", key_display="F10"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]

    HELP_STEPS = (
        "F2 查找合同；↑↓ 选中合同。",
        "F3 申请购房资格审查（需要时），F5 各方短信验证签约。",
        "F4 备案：深圳先登记交回的承诺书（F11 打印）、涉外合同公证书，再提交审核；武汉录入转移登记；中山签约即备案。",
        "F8 打印合同，F9 受理回执。",
        "F6 修改草稿，F7 变更已签约合同，F10 注销网签。",
    )

    class RowsLoaded(Message):
        def __init__(self, rows: list[ContractRow]) -> None:
            super().__init__()
            self.rows = rows

    class ViewLoaded(Message):
        def __init__(self, view: ContractView, done: str = "", tone: Tone = "ok") -> None:
            super().__init__()
            self.view = view
            self.done = done
            self.tone = tone

    def __init__(self, number: str | None = None, *, open_entry: EntryOpener | None = None) -> None:
        super().__init__()
        self.number = (number or "").strip()
        self.open_entry = open_entry
        self.rows: dict[str, ContractRow] = {}
        self.view: ContractView | None = None
        self._show_first = not self.number  # a number to find wins over the list's first row

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="desk-top"):
            yield Label("网签合同", classes="screen-title")
            yield FormInput(value=self.number, placeholder="合同编号或业务号，Enter 查找", compact=True, max_length=30,
                            id="desk-number")
            yield Select([(label, code) for code, label in STATUS_LABELS.items()], prompt="全部状态", compact=True,
                         id="desk-status")
            mine = not self.actor.can(Permission.CONTRACT_REVIEW)
            yield Select(SCOPES, value="mine" if mine else "all", allow_blank=False, compact=True, id="desk-scope")
        yield MessageLine(id="desk-message")
        yield ListTable(self.COLUMNS, id="desk-list")
        with VerticalScroll(id="desk-scroll"):
            yield DetailPane(id="desk-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#desk-scroll").border_title = "合同详情"
        self.query_one("#desk-detail", DetailPane).show_hint("输入合同编号或业务号后按 Enter，或在列表中选择合同。")
        if self.number:
            self.find(self.number)
        self.query_one("#desk-list", ListTable).focus()

    def on_screen_resume(self) -> None:
        """Back at the front (also the first time): read the list and the contract again."""
        self.reload()

    def reload(self, done: str = "", tone: Tone = "ok") -> None:
        self.reload_rows()
        if self.view is not None:
            self._load_view(self.view.id, done, tone)

    # ------------------------------------------------------------ list and detail

    def reload_rows(self) -> None:
        status = self.query_one("#desk-status", Select).value
        mine = self.query_one("#desk-scope", Select).value == "mine"
        self._load_rows(status if isinstance(status, str) else None, mine)

    @work(thread=True, exclusive=True, group="desk-rows", exit_on_error=False)
    def _load_rows(self, status: str | None, mine: bool) -> None:
        rows = contracts.find_contracts(self.db, self.actor, status=status,
                                       created_by=self.actor.operator_id if mine else None)
        if not get_current_worker().is_cancelled:
            self.post_message(self.RowsLoaded(rows))

    def on_contract_desk_screen_rows_loaded(self, message: RowsLoaded) -> None:
        table = self.query_one("#desk-list", ListTable)
        keep = self.view.id if self.view is not None else None
        self.rows = {str(row.id): row for row in message.rows}
        table.set_rows([(key, row_cells(row)) for key, row in self.rows.items()])
        if keep is not None and str(keep) in self.rows:
            table.move_cursor(row=list(self.rows).index(str(keep)))
        elif self.view is None and self.rows and self._show_first:
            self._show_row()

    @property
    def selected(self) -> ContractRow | None:
        table = self.query_one("#desk-list", ListTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(key or "")

    @on(DataTable.RowHighlighted, "#desk-list")
    def _highlighted(self) -> None:
        self._show_row()

    def _show_row(self) -> None:
        row = self.selected
        if row is not None and (self.view is None or self.view.id != row.id):
            self._load_view(row.id, "")

    @work(thread=True, exclusive=True, group="desk-view", exit_on_error=False)
    def _load_view(self, contract_id: int, done: str, tone: Tone = "ok") -> None:
        view = contracts.get_contract(self.db, self.actor, contract_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.ViewLoaded(view, done, tone))

    def on_contract_desk_screen_view_loaded(self, message: ViewLoaded) -> None:
        self.show_view(message.view)
        if message.done:
            self.set_message(message.done, tone=message.tone)

    def show_view(self, view: ContractView) -> None:
        self.view = view
        self.query_one("#desk-detail", DetailPane).update(contract_renderable(view))
        self.query_one("#desk-scroll", VerticalScroll).scroll_home(animate=False)
        table = self.query_one("#desk-list", ListTable)
        if str(view.id) in self.rows and self.selected is not None and self.selected.id != view.id:
            table.move_cursor(row=list(self.rows).index(str(view.id)))
        self.refresh_bindings()

    # ------------------------------------------------------------ finding

    def action_find(self) -> None:
        self.query_one("#desk-number", Input).focus()

    @on(Input.Submitted, "#desk-number")
    def _number_entered(self, event: Input.Submitted) -> None:
        self.set_message("正在查找……")
        self.find(event.value)

    def find(self, number: str) -> None:
        self._find(number)

    @work(thread=True, exclusive=True, group="desk-view", exit_on_error=False)
    def _find(self, number: str) -> None:
        view = contracts.contract_by_number(self.db, self.actor, number)
        self.post_message(self.ViewLoaded(view, f"已找到合同 {view.number}（{view.status_label}）。"))

    @on(Select.Changed, "#desk-status, #desk-scope")
    def _filter_changed(self) -> None:
        self.clear_message()
        self.reload_rows()

    # ------------------------------------------------------------ actions by status

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.view
        if action in ("find",) or action.startswith("app."):
            return True
        if view is None:
            return action not in ("qualify", "sign", "entry", "file", "print", "cancel")
        draft, signed = view.status == "draft", view.status == "signed"
        if action == "qualify":
            return draft and view.qualification_required and view.qualification in (None, "refused", "voided")
        if action == "sign":
            return draft
        if action == "entry":
            if self.open_entry is None:
                return False
            # 中山 files at signing and changes other items afterwards (seed 002 三(七))
            changeable = signed or (view.status == "filed" and view.filing_route == FilingRoute.AT_SIGNING)
            return draft if parameters[0] == "edit" else changeable
        if action == "file":  # the city's filing step (core.resale.filing); 中山 filed at signing
            if not signed or view.filing_route == FilingRoute.AT_SIGNING:
                return False
            if view.filing_route == FilingRoute.AT_TRANSFER:
                return True
            return view.filing_required and not (view.case_stage == "filing_review" and view.case_status == "active")
        if action == "print":
            if parameters[0] == "contract":
                return view.status in ("draft", "signed", "filed")
            if parameters[0] == "receipt":  # a contract that ended is no longer being handled
                return view.status in ("draft", "signed", "filed")
            if parameters[0] == "notice":  # before acceptance only: a signed contract was accepted
                return view.status == "draft"
            if parameters[0] == "undertaking":  # Shenzhen, signed, until its return is recorded
                return signed and Material.UNDERTAKING.label in view.filing_missing
            return True
        if action == "cancel":
            return view.status in ("draft", "signed", "filed")
        return True

    def _act(self, done: str, call: Callable[[], ContractView]) -> None:
        self.set_message("正在办理……")
        self._run(done, call)

    @work(thread=True, exclusive=True, group="desk-act", exit_on_error=False)
    def _run(self, done: str, call: Callable[[], ContractView]) -> None:
        view = call()
        self.app.call_from_thread(self.reload, done.format(view=view))

    def action_qualify(self) -> None:
        view = self.view
        if view is None or not self.check_action("qualify", ()):
            return
        db, actor = self.db, self.actor
        self._act("已申请购房资格审查，请等待审核主管审查。",
                  lambda: signing.request_qualification(db, actor, view.id))

    def action_sign(self) -> None:
        view = self.view
        if view is None or not self.check_action("sign", ()):
            return
        self.app.push_screen(SignVerifyScreen(view.id), callback=self._signed)

    def _signed(self, signed: ContractView | None) -> None:
        if signed is not None:
            self.set_message(f"合同 {signed.number} 已签约。", tone="ok")

    def action_entry(self, mode: str) -> None:
        view = self.view
        if view is None or self.open_entry is None or not self.check_action("entry", (mode,)):
            return
        self.open_entry(view.id, mode)

    def action_file(self) -> None:
        """F4 备案, the city's next step: Wuhan's transfer registration; in Shenzhen the signed
        承诺书 handed back, the 涉外合同公证书 where a party is from outside the mainland, then
        the submission to the supervisors."""
        view = self.view
        if view is None or not self.check_action("file", ()):
            return
        db, actor = self.db, self.actor
        if view.filing_route == FilingRoute.AT_TRANSFER:
            self.app.push_screen(TextDialog(
                "录入不动产转移登记", "业务号", "不动产转移登记的业务号",
                note="本市合同在办理不动产转移登记后自动完成备案。请录入登记办结的业务号。"),
                callback=lambda number: number and self._act(
                    "合同 {view.number} 已随转移登记完成备案，备案号 {view.filing_number}。",
                    lambda: filing.record_transfer_registration(db, actor, view.id, number)))
        elif Material.UNDERTAKING.label in view.filing_missing:
            self.app.push_screen(ConfirmDialog(
                "登记承诺书", "请打印承诺书（F11），由买卖双方签署后交回。已交回的，按 Enter 登记。"),
                callback=lambda yes: yes and self._act(
                    "已登记承诺书。" + ("请登记涉外合同公证书（F4）。" if len(view.filing_missing) > 1
                                  else "按 F4 提交备案。"),
                    lambda: filing.record_undertaking(db, actor, view.id)))
        elif Material.NOTARISATION.label in view.filing_missing:
            self.app.push_screen(TextDialog(
                "登记涉外合同公证", "公证书号", "公证书上的编号",
                note="买卖一方或双方为境外人士，合同须经公证处办理涉外合同公证后才能备案。"),
                callback=lambda number: number and self._act(
                    "已登记涉外合同公证书，按 F4 提交备案。",
                    lambda: filing.record_notarisation(db, actor, view.id, number)))
        else:
            self._act("合同 {view.number} 已提交备案，等待审核主管审核。",
                      lambda: signing.submit_for_filing(db, actor, view.id))

    def action_cancel(self) -> None:
        view = self.view
        if view is None or not self.check_action("cancel", ()):
            return
        self.app.push_screen(CancelScreen(view.id))

    def action_print(self, kind: str) -> None:
        view = self.view
        if view is None or not self.check_action("print", (kind,)):
            return
        if kind == "receipt":  # the receipt lists what was ticked as handed in: tick first
            self._open_materials(view.case_number)
            return
        self.set_message("正在生成……")
        self._print(view.case_number, kind, draft=view.status == ContractStatus.DRAFT)

    @work(thread=True, exclusive=True, group="desk-print", exit_on_error=False)
    def _open_materials(self, number: str) -> None:
        materials = documents.case_materials(self.db, self.actor, number)
        self.app.call_from_thread(self.app.push_screen, MaterialsDialog(materials),
                                  lambda keys: keys and self._receive(number, keys))

    @work(thread=True, exclusive=True, group="desk-print", exit_on_error=False)
    def _receive(self, number: str, keys: list[str]) -> None:
        documents.record_materials(self.db, self.actor, number, keys)
        self._print_now(number, "receipt")

    @work(thread=True, exclusive=True, group="desk-print", exit_on_error=False)
    def _print(self, number: str, kind: str, *, draft: bool = False) -> None:
        self._print_now(number, kind, draft=draft)

    def _print_now(self, number: str, kind: str, *, draft: bool = False) -> None:
        make, name = PRINT_KINDS[kind]
        if kind == "contract" and draft:  # watermarked 草稿 and not recorded as a print: named so too
            name += "（草稿）"
        pdf = make(self.db, self.actor, number)
        printed = self.print_document(f"{number}-{name}.pdf", pdf, name)
        self.app.call_from_thread(self.reload, printed.message, printed.tone)


__all__ = ["PRINT_KINDS", "SCOPES", "ContractDeskScreen", "EntryOpener", "row_cells"]
