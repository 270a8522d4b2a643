"""退房 (seed 004 §5.5.2): the developer starts a return by contract number or by building and unit
(F2 受理), chooses the applicant among the buyers and types the reason (F3 保存), and dispatches it
to the authority (F4 派工); the authority, after 接件 (here or in 在手业务), gives the voucher's PDF
(F6 上传凭证) and archives it (F9 归档): the contract is 已退房 and the unit sellable again.
The return then says what remains to refund (退款 through 户室流水补录, J) until it is refunded.
A return already started is shown by its case number (Enter). Each role sees the keys of its part.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Header, Input, Select, Static

from core.places import building_label
from core.roles import Permission
from services.presale import returns
from tui.screens.base import AppScreen
from tui.screens.dialogs import cancel_dialog
from tui.widgets.detail import MUTED
from tui.widgets.footer import KeyFooter
from tui.widgets.form import compact_input, field_line
from tui.widgets.message import MessageLine, literal

__all__ = ["ReturnScreen", "return_lines"]


def return_lines(v: returns.ReturnView) -> list[str]:
    """What the screen shows of a return (numbers masked; shown as plain text, never as markup)."""
    lines = [f"{v.case_number} 退房　{v.stage_name}（{v.case_status_label}）" + (f"　办理人 {v.holder}" if v.holder else ""),
             f"合同编号 {v.contract_number}　{v.contract_status_label}　签约业务 {v.contract_case}",
             f"{v.developer_name}　{v.project_name} {building_label(v.building_number)} {v.unit_no}",
             *[f"买受人{b.position + 1}：{b.name}（{b.id_number}，{b.phone}）" for b in v.buyers]]
    if v.applicant:
        lines.append(f"申请注销人：{v.applicant}")
    if v.reason:
        lines.append(f"退房原因：{v.reason}")
    lines.append(f"退房凭证：{v.voucher_path or '（未上传）'}")
    lines.append(f"状态：{v.status_label}")
    if v.refund_note:  # what remains to refund through 户室流水补录 (J) after the archive
        lines.append(f"退款：{v.refund_note}")
    return lines


def _line(line_id: str, label: str, *widgets: Widget) -> Horizontal:
    line = field_line(label, *widgets)
    line.id = line_id
    return line


class ReturnScreen(AppScreen):
    """A house return from acceptance to archive."""

    CSS_PATH = "presale.tcss"
    BINDINGS = [
        Binding("f2", "start", "受理", key_display="F2"),
        Binding("f3", "save_reason", "保存原因", key_display="F3"),
        Binding("f4", "submit", "派工", key_display="F4"),
        Binding("f6", "voucher", "上传凭证", key_display="F6"),
        Binding("f9", "archive", "归档", key_display="F9"),
        Binding("f12", "cancel_case", "取消受理", key_display="F12"),
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "业务发起：输入合同编号，或输入栋号和室号，按 F2 受理，生成退房业务（T 开头的业务号）。",
        "退房原因录入：选择申请注销人（买受人之一），填写退房原因，按 F3 保存，再按 F4 派工给主管部门；"
        "派工前可按 F12 取消受理（填写原因），合同照常履行。",
        "主管部门：输入业务号按 Enter 显示，填写退房凭证（PDF 文件路径）按 F6 上传，再按 F9 归档；户室恢复可售。",
        "已受理的退房业务：在业务号一栏输入业务号，按 Enter 显示。",
        "退款：归档后买受人已缴的购房款由开发企业在户室流水补录（J）中补录退款流水，主管部门审核归档；本页显示尚待退款的金额。",
    )

    class Shown(Message):
        def __init__(self, view: returns.ReturnView, text: str | None = None) -> None:
            super().__init__()
            self.view = view
            self.text = text

    def __init__(self, number: str = "") -> None:
        super().__init__()
        self.number = number
        self.entering = False  # the return shown stands at 退房原因录入 (F12 取消受理)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="status-row"):
            yield Static("退房", classes="screen-title", markup=False)
            yield MessageLine(id="return-message", classes="status-line")
        contract = compact_input(placeholder="合同编号或签约业务号（F…）", max_length=24)
        contract.id = "return-contract"
        building = compact_input(placeholder="栋号", max_length=20)
        building.id = "return-building"
        unit = compact_input(placeholder="室号", max_length=20)
        unit.id = "return-unit"
        yield _line("return-start-contract", "合同编号", contract)
        yield _line("return-start-unit", "栋号室号", building, unit)
        number = compact_input(self.number, placeholder="退房业务号，如 T202612070000001，Enter 显示", max_length=20)
        number.id = "return-number"
        yield field_line("业务号", number)
        with VerticalScroll(id="return-detail"):
            yield Static("", id="return-text", markup=False)
        yield _line("return-applicant-line", "申请注销人", Select([], prompt="选择买受人", compact=True,
                                                                  id="return-applicant"))
        reason = compact_input(placeholder="退房原因", max_length=200)
        reason.id = "return-reason"
        yield _line("return-reason-line", "退房原因", reason)
        voucher = compact_input(placeholder="退房凭证 PDF 文件路径", max_length=300)
        voucher.id = "return-voucher"
        yield _line("return-voucher-line", "退房凭证", voucher)
        yield KeyFooter()

    # ------------------------------------------------------------ who sees what

    def _developer(self) -> bool:
        return self.actor.can(Permission.PRESALE_CONTRACT_WORK)

    def _authority(self) -> bool:
        return self.actor.can(Permission.PRESALE_CONTRACT_FILING)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("start", "save_reason", "submit"):
            return self._developer()
        if action == "cancel_case":  # 退房原因录入, before the dispatch
            return self._developer() and self.entering
        if action in ("voucher", "archive"):
            return self._authority()
        return True

    def on_mount(self) -> None:
        developer, authority = self._developer(), self._authority()
        for line in ("#return-start-contract", "#return-start-unit", "#return-applicant-line",
                     "#return-reason-line"):
            self.query_one(line).display = developer
        self.query_one("#return-voucher-line").display = authority
        self.query_one("#return-text", Static).update(Text(
            "输入合同编号（或栋号和室号）按 F2 受理；或输入退房业务号按 Enter 显示。" if developer
            else "输入退房业务号，按 Enter 显示。", style=MUTED))
        self.query_one("#return-contract" if developer else "#return-number", Input).focus()
        if self.number:
            self.action_reload()

    # ------------------------------------------------------------ showing

    @on(Input.Submitted, "#return-number")
    def _find(self, event: Input.Submitted) -> None:
        self.number = event.value.strip()  # as typed: the service folds it, a refusal quotes it
        self.action_reload()

    def action_reload(self) -> None:
        if not self.number:
            self.show_refusal("请输入退房业务号。")
            return
        self.clear_message()
        self._load(self.number)

    @work(thread=True, exclusive=True, group="return", exit_on_error=False)
    def _load(self, number: str) -> None:
        self.post_message(self.Shown(returns.show_return(self.db, self.actor, number)))

    def on_return_screen_shown(self, message: Shown) -> None:
        v = message.view
        self.number = v.case_number
        field = self.query_one("#return-number", Input)
        if field.value != v.case_number:
            field.value = v.case_number
        self.query_one("#return-text", Static).update(Text("\n".join(return_lines(v))))
        applicant = self.query_one("#return-applicant", Select)
        chosen = next((b.position for b in v.buyers if b.name == v.applicant), None)
        applicant.set_options([(literal(f"{b.position + 1}. {b.name}"), b.position) for b in v.buyers])
        if chosen is not None:
            applicant.value = chosen
        if message.text:
            self.set_message(message.text, "ok")
        self.entering = v.stage == "entry" and v.case_status_label == "未办结"
        self.refresh_bindings()
        self._next_field(v)

    def _next_field(self, v: returns.ReturnView) -> None:
        """From the look-up fields, on to what the case's stage asks of this operator next."""
        focused = self.focused
        if focused is None or focused.id not in ("return-contract", "return-building", "return-unit",
                                                  "return-number"):
            return
        if v.stage == "entry" and v.case_status_label == "未办结" and self._developer():
            self.query_one("#return-applicant" if v.applicant is None else "#return-reason").focus()
        elif v.stage == "review" and v.case_status_label == "未办结" and self._authority():
            self.query_one("#return-voucher", Input).focus()

    # ------------------------------------------------------------ the steps

    def _step(self, run: Callable[[], tuple[returns.ReturnView, str]]) -> None:
        self.set_message("正在办理……")
        self._run_step(run)

    @work(thread=True, exclusive=True, group="return", exit_on_error=False)
    def _run_step(self, run: Callable[[], tuple[returns.ReturnView, str]]) -> None:
        view, text = run()
        self.post_message(self.Shown(view, text))

    def _need_number(self) -> bool:
        if not self.number:
            self.show_refusal("请先受理退房业务，或输入退房业务号。")
            return False
        return True

    def action_start(self) -> None:
        contract = self.query_one("#return-contract", Input).value
        building = self.query_one("#return-building", Input).value
        unit = self.query_one("#return-unit", Input).value

        def start() -> tuple[returns.ReturnView, str]:
            v = returns.start_return(self.db, self.actor, contract=contract, building=building, unit_no=unit)
            return v, f"已受理，业务号 {v.case_number}。请选择申请注销人并填写退房原因。"

        self._step(start)

    def action_save_reason(self) -> None:
        if not self._need_number():
            return
        number = self.number
        chosen = self.query_one("#return-applicant", Select).value
        applicant = chosen if isinstance(chosen, int) else None
        reason = self.query_one("#return-reason", Input).value

        def save() -> tuple[returns.ReturnView, str]:
            v = returns.save_reason(self.db, self.actor, number, applicant=applicant, reason=reason)
            self.app.call_from_thread(self._clear_reason, reason)
            return v, "退房原因已保存。按 F4 派工给主管部门。"

        self._step(save)

    def _clear_reason(self, saved: str) -> None:
        """The saved reason is shown above with its numbers masked; the typed one (unmasked) goes."""
        field = self.query_one("#return-reason", Input)
        if field.value == saved:
            field.value = ""

    def action_submit(self) -> None:
        if not self._need_number():
            return
        number = self.number

        def submit() -> tuple[returns.ReturnView, str]:
            return returns.submit_return(self.db, self.actor, number), "已派工给主管部门。"

        self._step(submit)

    def action_cancel_case(self) -> None:
        """F12 (the developer, 退房原因录入): 取消受理 with a reason; the contract goes on."""
        if not self._need_number():
            return
        number = self.number

        def chosen(reason: str | None) -> None:
            if reason is not None:
                def cancel() -> tuple[returns.ReturnView, str]:
                    v = returns.cancel_return(self.db, self.actor, number, reason=reason)
                    return v, f"已取消受理 {number}，合同{v.contract_number}照常履行。"

                self._step(cancel)

        self.app.push_screen(cancel_dialog(number), callback=chosen)

    def action_voucher(self) -> None:
        if not self._need_number():
            return
        number, path = self.number, self.query_one("#return-voucher", Input).value

        def voucher() -> tuple[returns.ReturnView, str]:
            return returns.attach_voucher(self.db, self.actor, number, path), "退房凭证已上传。按 F9 归档。"

        self._step(voucher)

    def action_archive(self) -> None:
        if not self._need_number():
            return
        number = self.number

        def archive() -> tuple[returns.ReturnView, str]:
            v = returns.archive_return(self.db, self.actor, number)
            return v, f"已归档：合同{v.contract_number}已退房，户室{v.unit_no}恢复可售。"

        self._step(archive)
