"""注销网签 / 注销备案, 撤销网签 and 注销审核: ending a resale contract at the counter.

Every decision is ``services.resale.cancel``'s; these screens gather the
input, call it and show the route it took and its refusals.

* ``CancelScreen(contract_id)`` — the contract (number, status, house,
  parties with masked phones). With an application pending it shows it: the
  kind, state, applicant, reason and one row per confirming party in the look
  of 短信验证 (``tui.screens.resale.sign_verify.PartyRow``): F6 sends the code to the
  party whose row has the focus, Enter in a 验证码 field confirms. Without one,
  a form: 申请人, for a filed contract the kind (注销网签 / 注销备案, each
  explained), 原因; F5 申请. A contract not signed and without a
  qualification code is cancelled at once ("已注销，无需对方确认"); otherwise the
  confirmers appear; a filed contract's application goes to 待审核 once every
  party confirmed. F7 撤回 asks for a reason.
* ``RevokeScreen()`` — seed 003: 合同编号 and 证件号码, F5 发送验证码 (to the
  phone stored on the contract), 短信验证码, 原因 (optional), F9 撤销.
* ``CancelReviewScreen()`` — supervisors: filed contracts' applications that
  every party confirmed; F5 同意, F6 不同意 (reason required).

Refusals are shown where they belong: a form field's refusal under the form,
a party's under its row, the rest on the message line.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import (
    Button,
    DataTable,
    Header,
    Input,
    Label,
    Select,
    Static,
)
from textual.worker import Worker, WorkerState, get_current_worker

from core.errors import RuleViolation
from core.resale import counter_cancellation as counter_rules
from core.resale.counter_cancellation import MINOR_MATERIALS
from core.roles import Permission
from core.timeutil import show
from services.resale import cancel, contracts
from services.resale.cancel import CancellationView
from services.resale.contracts import ContractView
from services.resale.signing import PartyStatus
from services.sign_codes import CodeSent
from tui.screens.base import AppScreen
from tui.screens.dialogs import ConfirmDialog, ReasonDialog, TextDialog
from tui.screens.resale.sign_verify import (
    PARTY_WORKER,
    PartyRow,
    PartyRows,
    facts_renderable,
    party_labels,
)
from tui.widgets.detail import LABEL_STYLE, MUTED, DetailPane
from tui.widgets.footer import KeyFooter
from tui.widgets.form import DIGITS_AS_TYPED, FormInput, field_line
from tui.widgets.message import MessageLine, literal
from tui.widgets.tables import ListTable

_PENDING = ("confirming", "review")
_LIVE = ("draft", "signed", "filed")

#: What each kind of a filed contract's cancellation does (seed 001 §8).
FILED_KINDS: list[tuple[str, str]] = [("注销网签", "cancel_signing"), ("注销备案", "cancel_filing")]
FILED_KIND_HELP = ("注销网签——撤销备案，合同失效，保留历史记录；\n"
                   "注销备案——撤销备案，合同恢复为已签约，可变更合同后重新备案。")

def _grid(label_width: int = 8) -> Table:
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style=LABEL_STYLE, width=label_width, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    return grid


def contract_head(view: ContractView) -> Table:
    """登记编号, 合同编号, house, price (as 短信验证 shows them), the status and the parties."""
    grid = facts_renderable(view)
    status = Text(view.status_label, style="bold")
    if view.filing_number:
        status.append(f"　备案号 {view.filing_number}")
    grid.add_row("合同状态", status)
    grid.add_row("当事人", Text("　".join(f"{p.side_label} {p.name} {p.masked_phone}" for p in view.parties)))
    return grid


def confirmer_state(confirmed: bool, sent: bool, in_outbox: bool = False) -> Text:
    """A party's state; a code made at a hall without an SMS gateway waits in the outbox
    to be sent by hand, so it is not called sent."""
    if confirmed:
        return Text("已确认 ✓", style="bold green")
    if sent:
        return Text("待手工发送" if in_outbox else "已发送")
    return Text("待确认")


def application_renderable(app: CancellationView, *, with_contract: bool = False) -> RenderableType:
    """One application: kind, state, applicant, reason, who is awaited, the outcome; ``with_contract``
    (for the review) adds the contract and every party's confirmation."""
    grid = _grid()
    if with_contract:
        grid.add_row("合同编号", Text(app.contract_number))
        grid.add_row("房屋坐落", Text(app.location))
    head = Text(app.kind_label, style="bold")
    head.append("　状态：")
    head.append(app.state_label, style="bold yellow" if app.state in _PENDING else "bold")
    if app.case_number:
        head.append(f"　受理编号 {app.case_number}")
    grid.add_row("申请事项", head)
    grid.add_row("申请人", Text(f"{app.applicant_label}　{show(app.requested_at, seconds=False)}"))
    grid.add_row("原因", Text(app.reason))
    if app.waiting_for:
        grid.add_row("待确认", Text(app.waiting_text))
    elif app.state == "review" and not with_contract:
        grid.add_row("待确认", Text("各方当事人均已确认，待审核主管审核。", style=MUTED))
    if with_contract and app.confirmers:
        grid.add_row("各方确认", Text("\n").join(
            Text(f"{c.side_label} {c.name} {c.masked_phone}　" + ("已确认 ✓" if c.confirmed else "未确认"))
            for c in app.confirmers))
    if app.outcome_note:
        grid.add_row("处理意见", Text(app.outcome_note))
    return grid


def _party(confirmer) -> PartyStatus:  # type: ignore[no-untyped-def]
    """A confirmer in the shape 短信验证's rows show."""
    return PartyStatus(confirmer.key, confirmer.side_label, confirmer.name, confirmer.masked_phone,
                       confirmer.confirmed)


# ============================================================================ 注销网签 / 注销备案


class CancelScreen(PartyRows, AppScreen):
    """注销网签 / 注销备案 of one contract."""

    CSS_PATH = "resale.tcss"
    KEYS_WAIT_FOR = AppScreen.KEYS_WAIT_FOR | {"cc-load"}  # its load is named for its refusals

    BINDINGS = [
        Binding("f5", "apply", "申请", key_display="F5"),
        Binding("f6", "send", "发送验证码", key_display="F6"),
        Binding("f9", "at_counter('in_person')", "本人到场", key_display="F9"),
        Binding("f11", "at_counter('proxy')", "委托代理人", key_display="F11"),
        Binding("f12", "apply_by_document", "凭法律文书", key_display="F12"),
        Binding("f7", "withdraw", "撤回", key_display="F7"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]

    HELP_STEPS = (
        "填写注销（撤销）原因。",
        "F6 向对方发送验证码，对方报读验证码确认。",
        "当事人到窗口的：F9 本人持身份证件原件到场确认；F11 公证委托代理人到场确认（委托书须注明注销网签备案事项）。",
        "已备案合同一方持已生效的法律文书申请的：F12 登记文书后直接提交审核。",
        "提交后由主管在注销审核中同意或不同意。",
    )

    class Loaded(Message):
        def __init__(self, view: ContractView, history: list[CancellationView],
                     notes: dict[str, tuple[str, str]]) -> None:
            super().__init__()
            self.view = view
            self.history = history
            self.notes = notes

    def __init__(self, contract_id: int) -> None:
        super().__init__()
        self.contract_id = contract_id
        self.view: ContractView | None = None
        self.pending: CancellationView | None = None
        self.rows_for: int | None = None  # the application whose confirmer rows are mounted
        self.sent: set[str] = set()
        self.in_outbox: set[str] = set()  # parties whose code waits in the outbox (no SMS gateway)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="cc-top"):
            yield Label("注销网签", classes="screen-title", id="cc-title")
        yield DetailPane(id="cc-facts")
        yield MessageLine(id="cc-message", classes="cc-message")
        with VerticalScroll(id="cc-body"):
            with Vertical(id="cc-form", classes="-hidden"):
                yield field_line("申请人", Select([], prompt="请选择申请的当事人", compact=True, id="cc-applicant"))
                with Vertical(id="cc-kind-box", classes="-hidden"):
                    yield field_line("注销类型",
                                     Select(FILED_KINDS, prompt="请选择注销网签或注销备案", compact=True, id="cc-kind"))
                    yield Static(FILED_KIND_HELP, id="cc-kind-help", classes="hint", markup=False)
                yield field_line("原　因", FormInput(placeholder="申请注销的原因（必填）", max_length=200, compact=True,
                                                    id="cc-reason"))
                yield Static("", id="cc-form-error", markup=False)
                yield Static("F5 申请", classes="hint")
            with Vertical(id="cc-app", classes="-hidden"):
                yield Static("", id="cc-app-facts")
                yield Vertical(id="cc-confirmers")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#cc-facts", DetailPane).show_hint("正在读取合同……")
        self.query_one("#cc-form").border_title = "注销申请"
        self.query_one("#cc-app").border_title = "注销申请"
        self.reload()

    # ------------------------------------------------------------ loading

    def reload(self, notes: dict[str, tuple[str, str]] | None = None) -> None:
        """Read the contract and its applications (``notes``: sentences for confirmer rows)."""
        self._load(notes or {})

    @work(thread=True, exclusive=True, group="cc-load", exit_on_error=False, name="cc-load")
    def _load(self, notes: dict[str, tuple[str, str]]) -> None:
        view = contracts.get_contract(self.db, self.actor, self.contract_id)
        history = cancel.cancellations_of(self.db, self.actor, self.contract_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(view, history, notes))

    async def on_cancel_screen_loaded(self, message: Loaded) -> None:
        first = self.view is None
        self.view = view = message.view
        filed = view.status == "filed"
        self.query_one("#cc-title", Label).update("注销网签 / 注销备案" if filed else "注销网签")
        self.query_one("#cc-facts", DetailPane).update(contract_head(view))
        self.pending = next((h for h in message.history if h.state in _PENDING), None)
        form, panel = self.query_one("#cc-form"), self.query_one("#cc-app")
        form.set_class(self.pending is not None or view.status not in _LIVE, "-hidden")
        panel.set_class(self.pending is None, "-hidden")
        if first:
            applicant = self.query_one("#cc-applicant", Select)
            applicant.set_options([(literal(f"{p.side_label} {p.name}"), p.key) for p in view.parties])
            self.query_one("#cc-kind-box").set_class(not filed, "-hidden")
        mounted = self.pending is not None and await self._show_pending(self.pending)
        for key, (text, style) in message.notes.items():
            self.set_note(key, text, style)
        if view.status not in _LIVE and self.pending is None and first:
            self.set_message(f"该合同{view.status_label}，不能再注销。", tone="error")
        self.refresh_bindings()
        if first or mounted or self.focused is None:
            self._focus_start()

    async def _show_pending(self, app: CancellationView) -> bool:
        """Show the pending application; True when its confirmer rows were (re)mounted."""
        self.query_one("#cc-app").border_title = f"注销申请　{app.state_label}"
        self.query_one("#cc-app-facts", Static).update(application_renderable(app))
        box = self.query_one("#cc-confirmers", Vertical)
        mounted = self.rows_for != app.id
        if mounted:
            await box.remove_children()
            assert self.view is not None  # the contract is read before its application
            labels = party_labels([c.key for c in app.confirmers], self.view.profile_ref)
            await box.mount_all([PartyRow(i, _party(c), labels[c.key]) for i, c in enumerate(app.confirmers)])
            for field in box.query(Input):
                field.cursor_blink = not self.wq.is_headless
            self.rows_for = app.id
            self.sent = set()
            self.in_outbox = set()
        for i, c in enumerate(app.confirmers):
            row = self._row(i)
            if row is None:
                continue
            row.query_one(f"#state-{i}", Static).update(confirmer_state(c.confirmed, c.key in self.sent,
                                                                       c.key in self.in_outbox))
            done = c.confirmed or app.state != "confirming"
            row.set_class(c.confirmed, "-verified")
            for widget in row.query("Input, Button"):
                widget.disabled = done
        return mounted

    def _focus_start(self) -> None:
        if self.pending is not None:
            self.focus_next_unconfirmed()
        elif not self.query_one("#cc-form").has_class("-hidden"):
            self.query_one("#cc-applicant", Select).focus()

    def party_keys(self) -> list[str]:
        return [] if self.pending is None else [c.key for c in self.pending.confirmers]

    # ------------------------------------------------------------ refusals

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Runs before the shared handler: a party's refusal goes to its row, the form's under the form.
        worker = event.worker
        if event.state is not WorkerState.ERROR or not isinstance(worker.error, RuleViolation):
            return
        if self.route_party_refusal(event):
            return
        if worker.name == "cc-apply":
            self.query_one("#cc-form-error", Static).update(worker.error.message)
            self.clear_message()
            target = {"applicant": "#cc-applicant", "kind": "#cc-kind", "reason": "#cc-reason"}.get(
                worker.error.field or "")
            if target:
                self.query_one(target).focus()
            event.prevent_default()

    # ------------------------------------------------------------ which confirmer

    def focused_party(self) -> int | None:
        """The confirmer whose row holds the focus, else the first not yet confirmed."""
        node: Widget | None = self.focused
        while node is not None and not isinstance(node, PartyRow):
            node = node.parent if isinstance(node.parent, Widget) else None
        if isinstance(node, PartyRow):
            return node.index
        if self.pending is None:
            return None
        return next((i for i, c in enumerate(self.pending.confirmers) if not c.confirmed), None)

    def focus_next_unconfirmed(self) -> None:
        if self.pending is None or self.pending.state != "confirming":
            return
        index = next((i for i, c in enumerate(self.pending.confirmers) if not c.confirmed), None)
        if index is not None:
            self.query_one(f"#code-{index}", Input).focus()

    # ------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            return self.view is not None and self.pending is None and self.view.status in _LIVE
        if action == "send":
            return self.pending is not None and self.pending.state == "confirming"
        if action == "withdraw":
            return self.pending is not None
        if action == "at_counter":  # a filed contract's parties at the counter (seed 002 §四, seed 001 §8)
            return (self.pending is not None and self.pending.state == "confirming"
                    and self.pending.kind != "unfiled")
        if action == "apply_by_document":
            return self.view is not None and self.pending is None and self.view.status == "filed"
        return True

    def action_at_counter(self, how: str) -> None:
        """The focused party confirms at the counter, in person or by a notarised proxy."""
        if not self.check_action("at_counter", ()) or self.pending is None:
            return
        index = self.focused_party()
        if index is None or self.pending.confirmers[index].confirmed:
            return
        app, party = self.pending, self.pending.confirmers[index]
        side = party.side_label
        # A minor's side brings what seed 002 §四 names: the dialog asks for it, Enter confirms it.
        minor = f"未成年人一方须{MINOR_MATERIALS}。" if party.minor else ""
        if how == "in_person":
            dialog = ConfirmDialog(f"本人到场确认　{side}{party.name}",
                                   f"{party.name}本人持有效身份证件原件到场，同意{app.kind_label}？{minor}"
                                   "齐全的按 Enter 确认，不齐全的按 Esc。")
            self.app.push_screen(dialog, callback=lambda yes: yes and self._at_counter(index, "in_person", None))
        else:
            dialog = TextDialog(f"委托代理人确认　{side}{party.name}", "公证书号", "公证委托书的公证书编号",
                                note="委托书须经公证，并注明“注销存量房买卖合同网签备案”委托事项。" + minor)
            self.app.push_screen(dialog, callback=lambda number: number and self._at_counter(index, "proxy", number))

    def _at_counter(self, index: int, how: str, certificate: str | None) -> None:
        assert self.pending is not None
        app, party = self.pending, self.pending.confirmers[index]
        self.set_note(party.key, "正在登记……", "-ok")
        db, actor = self.db, self.actor

        def record() -> None:
            # The dialog named what the seed requires (the proxy's scope; a minor's materials only
            # for a minor); the clerk confirmed it by Enter.
            done = cancel.confirm_at_counter(db, actor, app.id, party.key, presence=how,
                                             proxy_certificate=certificate, names_cancellation=how == "proxy",
                                             minor_materials=party.minor)
            self.app.call_from_thread(self._confirmed, index, party.key, done)

        self.run_worker(record, thread=True, exclusive=True, group=f"cc-party-{index}", exit_on_error=False,
                        name=PARTY_WORKER + party.key)

    def action_apply_by_document(self) -> None:
        """Seed 001 §8: one party alone with a legal document in force; the form's applicant,
        kind and reason, and the document typed as 文书种类 编号 法院 (three parts)."""
        if not self.check_action("apply_by_document", ()) or self.view is None:
            return
        dialog = TextDialog("凭法律文书申请注销", "法律文书",
                            "种类 编号 作出机关，如：判决书 (2026)粤0304民初1234号 深圳市福田区人民法院",
                            note="已生效的判决书、裁定书、调解书或仲裁裁决书。申请人须本人到场；"
                                 "登记后申请直接提交审核，无须其他当事人确认。")
        self.app.push_screen(dialog, callback=lambda text: text and self._apply_by_document(text))

    def _apply_by_document(self, text: str) -> None:
        assert self.view is not None
        applicant = self.query_one("#cc-applicant", Select).selection or ""
        kind = self.query_one("#cc-kind", Select).selection or ""
        reason = self.query_one("#cc-reason", Input).value
        self.set_message("正在办理……")
        db, actor, contract_id = self.db, self.actor, self.contract_id

        def apply() -> None:
            parts = text.split()
            document = counter_rules.legal_document(parts[0] if parts else "", parts[1] if len(parts) > 1 else "",
                                                    " ".join(parts[2:]))
            done = cancel.apply_filed_cancellation(db, actor, contract_id, kind=str(kind),
                                                   applicant_key=str(applicant), reason=reason, document=document)
            self.app.call_from_thread(self._applied, done)

        self.run_worker(apply, thread=True, exclusive=True, group="cc-act", exit_on_error=False, name="cc-apply")

    def action_apply(self) -> None:
        if not self.check_action("apply", ()) or self.view is None:
            return
        applicant = self.query_one("#cc-applicant", Select).selection or ""
        kind = self.query_one("#cc-kind", Select).selection or ""
        reason = self.query_one("#cc-reason", Input).value
        filed = self.view.status == "filed"
        self.query_one("#cc-form-error", Static).update("")
        self.set_message("正在办理……")
        db, actor, contract_id = self.db, self.actor, self.contract_id

        def apply() -> None:
            if filed:
                done = cancel.apply_filed_cancellation(db, actor, contract_id, kind=str(kind),
                                                                applicant_key=str(applicant), reason=reason)
            else:
                done = cancel.apply_cancellation(db, actor, contract_id, applicant_key=str(applicant),
                                                          reason=reason)
            self.app.call_from_thread(self._applied, done)

        self.run_worker(apply, thread=True, exclusive=True, group="cc-act", exit_on_error=False, name="cc-apply")

    def _applied(self, done: CancellationView) -> None:
        self.query_one("#cc-reason", Input).value = ""
        if done.state == "done":
            self.set_message("已注销，无需对方确认。已短信通知对方当事人。", tone="ok")
        elif done.state == "review":  # one party with a legal document (seed 001 §8)
            self.set_message(f"已登记法律文书，{done.kind_label}申请已提交审核（待审核）。", tone="ok")
        else:
            self.set_message(f"已受理{done.kind_label}申请，须{done.waiting_text}确认：F6 发送验证码，"
                             "当事人报读验证码后按 Enter 确认。", tone="ok")
        self.reload()

    def action_send(self, index: int | None = None) -> None:
        if not self.check_action("send", ()) or self.pending is None:
            return
        index = self.focused_party() if index is None else index
        if index is None:
            return
        app, party = self.pending, self.pending.confirmers[index]
        self.set_note(party.key, "正在生成验证码……", "-ok")
        db, actor = self.db, self.actor

        def send() -> None:
            sent = cancel.send_cancellation_code(db, actor, app.id, party.key)
            # "sent" only when a gateway took it; otherwise it waits in the outbox (CodeSent.notice).
            self.app.call_from_thread(self._sent, party.key, sent.notice(), sent.in_outbox)

        self.run_worker(send, thread=True, exclusive=True, group=f"cc-party-{index}", exit_on_error=False,
                        name=PARTY_WORKER + party.key)
        self.query_one(f"#code-{index}", Input).focus()

    def _sent(self, key: str, note: str, in_outbox: bool = False) -> None:
        self.sent.add(key)
        if in_outbox:
            self.in_outbox.add(key)
        else:
            self.in_outbox.discard(key)
        self.reload({key: (note, "-ok")})

    def confirm(self, index: int) -> None:
        if not self.check_action("send", ()) or self.pending is None:
            return
        app, party = self.pending, self.pending.confirmers[index]
        if party.confirmed:
            return
        code = self.query_one(f"#code-{index}", Input).value
        self.set_note(party.key, "正在验证……", "-ok")
        db, actor = self.db, self.actor

        def check() -> None:
            done = cancel.confirm_cancellation(db, actor, app.id, party.key, code)
            self.app.call_from_thread(self._confirmed, index, party.key, done)

        self.run_worker(check, thread=True, exclusive=True, group=f"cc-party-{index}", exit_on_error=False,
                        name=PARTY_WORKER + party.key)

    def _confirmed(self, index: int, key: str, done: CancellationView) -> None:
        self.query_one(f"#code-{index}", Input).value = ""
        if done.state == "done":
            self.set_message("当事人已确认，合同已注销，已短信通知各方当事人。", tone="ok")
        elif done.state == "review":
            self.set_message(f"各方当事人均已确认，{done.kind_label}申请已提交审核（待审核）。", tone="ok")
        self.reload({key: ("确认成功。", "-ok")})

    @on(Input.Submitted, ".code-input")
    def _code_entered(self, event: Input.Submitted) -> None:
        assert event.input.id is not None
        self.confirm(int(event.input.id.split("-")[1]))

    @on(Input.Submitted, "#cc-reason")
    def _reason_entered(self) -> None:
        self.action_apply()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        name, _, index = (event.button.id or "").partition("-")
        if name == "send":
            self.action_send(int(index))
        elif name == "verify":
            self.confirm(int(index))

    def action_withdraw(self) -> None:
        if not self.check_action("withdraw", ()) or self.pending is None:
            return
        app = self.pending
        self.app.push_screen(ReasonDialog(f"撤回{app.kind_label}申请", "请填写撤回原因（必填）"),
                             callback=lambda reason: self._withdraw(app, reason))

    def _withdraw(self, app: CancellationView, reason: str | None) -> None:
        if reason is None:  # Esc: nothing withdrawn
            return
        db, actor = self.db, self.actor
        self.set_message("正在办理……")

        def withdraw() -> None:
            cancel.withdraw_cancellation(db, actor, app.id, reason=reason)
            self.app.call_from_thread(self._withdrawn, app)

        self.run_worker(withdraw, thread=True, exclusive=True, group="cc-act", exit_on_error=False,
                        name="cc-withdraw")

    def _withdrawn(self, app: CancellationView) -> None:
        self.set_message(f"{app.kind_label}申请已撤回，合同继续有效，已短信通知当事人。", tone="ok")
        self.rows_for = None
        self.reload()


# ============================================================================ 撤销网签 (seed 003)


class RevokeScreen(AppScreen):
    """撤销网签 by contract number, the party's ID number and the SMS code."""

    CSS_PATH = "resale.tcss"

    BINDINGS = [
        Binding("f5", "send", "发送验证码", key_display="F5"),
        Binding("f9", "revoke", "撤销", key_display="F9"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]

    HELP_STEPS = (
        "输入合同编号和当事人的证件号码查找合同。",
        "向当事人登记的手机发送验证码，当事人报读验证码确认撤销。",
    )

    def __init__(self) -> None:
        super().__init__()
        self.done: CancellationView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="cc-top"):
            yield Label("撤销网签", classes="screen-title")
        with VerticalScroll(id="rv-body"):
            yield Static("交易当事人凭网签合同编号、本人身份证件号码和合同登记手机号码收到的短信验证码，"
                         "可撤销已签约、未备案的网签合同；撤销后将短信通知对方当事人。", classes="hint",
                         markup=False)
            with Vertical(id="rv-form"):
                yield field_line("合同编号", FormInput(placeholder="网签合同编号", max_length=40, compact=True, id="rv-number"))
                yield field_line("证件号码",
                                 FormInput(placeholder="交易当事人身份证件号码", max_length=40, compact=True, id="rv-id"),
                                 Button("发送验证码", id="rv-send", compact=True))
                yield Static("", id="rv-send-note", classes="note", markup=False)
                yield field_line("短信验证码", FormInput(placeholder="6位数字", max_length=6, restrict=DIGITS_AS_TYPED,
                                                       compact=True, id="rv-code"))
                yield field_line("原　因", FormInput(placeholder="可不填", max_length=200, compact=True, id="rv-reason"),
                                 Button("撤销", id="rv-revoke", compact=True, variant="error"))
                yield Static("", id="rv-note", classes="note", markup=False)
            yield MessageLine(id="rv-result", classes="cc-message")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#rv-form").border_title = "撤销网签申请"
        self.query_one("#rv-number", Input).focus()

    def _note(self, selector: str, text: str, style: str = "") -> None:
        note = self.query_one(selector, Static)
        note.set_classes(f"note {style}".strip())
        note.update(text)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A refusal of the send is shown under the number and ID; of the revocation, under the code.
        worker = event.worker
        if event.state is WorkerState.ERROR and isinstance(worker.error, RuleViolation):
            self._note("#rv-send-note" if worker.name == "rv-send" else "#rv-note", worker.error.message, "-error")
            event.prevent_default()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("send", "revoke"):
            return self.done is None
        return True

    def _fields(self) -> tuple[str, str]:
        return self.query_one("#rv-number", Input).value, self.query_one("#rv-id", Input).value

    def action_send(self) -> None:
        if not self.check_action("send", ()):
            return
        number, ident = self._fields()
        self._note("#rv-send-note", "正在生成验证码……", "-ok")
        self._send(number, ident)

    @work(thread=True, exclusive=True, group="rv-act", exit_on_error=False, name="rv-send")
    def _send(self, number: str, ident: str) -> None:
        sent = cancel.send_revocation_code(self.db, self.actor, contract_number=number, id_number=ident)
        self.app.call_from_thread(self._sent, sent)

    def _sent(self, sent: CodeSent) -> None:
        # "sent" only when the hall's gateway took it; otherwise it waits in the outbox.
        self._note("#rv-send-note", sent.notice("合同登记的手机号码"), "-ok")
        self.query_one("#rv-code", Input).focus()

    def action_revoke(self) -> None:
        if not self.check_action("revoke", ()):
            return
        number, ident = self._fields()
        code = self.query_one("#rv-code", Input).value
        reason = self.query_one("#rv-reason", Input).value
        self._note("#rv-note", "正在办理……", "-ok")
        self._revoke(number, ident, code, reason)

    @work(thread=True, exclusive=True, group="rv-act", exit_on_error=False, name="rv-revoke")
    def _revoke(self, number: str, ident: str, code: str, reason: str) -> None:
        done = cancel.revoke_by_code(self.db, self.actor, contract_number=number, id_number=ident,
                                              code=code, reason=reason)
        self.app.call_from_thread(self._revoked, done)

    def _revoked(self, done: CancellationView) -> None:
        self.done = done
        self._note("#rv-note", "")
        self.set_message(f"合同 {done.contract_number}（{done.location}）已撤销网签，由{done.applicant_label}"
                         "凭短信验证码办理；已短信通知对方当事人。", tone="ok")
        for widget in self.query("#rv-form Input, #rv-form Button"):
            widget.disabled = True
        self.refresh_bindings()

    @on(Input.Submitted, "#rv-id")
    def _id_entered(self) -> None:
        self.action_send()

    @on(Input.Submitted, "#rv-code, #rv-reason")
    def _code_entered(self) -> None:
        self.action_revoke()

    @on(Button.Pressed, "#rv-send")
    def _send_pressed(self) -> None:
        self.action_send()

    @on(Button.Pressed, "#rv-revoke")
    def _revoke_pressed(self) -> None:
        self.action_revoke()


# ============================================================================ 注销审核


class CancelReviewScreen(AppScreen):
    """注销审核: filed contracts' cancellations confirmed by every party, for the supervisors."""

    CSS_PATH = "resale.tcss"

    COLUMNS: list[tuple[str, int | None]] = [
        ("合同编号", None), ("房屋坐落", 18), ("申请事项", None), ("申请人", 10), ("申请时间", None),
    ]
    BINDINGS = [
        Binding("f5", "approve", "同意", key_display="F5"),
        Binding("f6", "refuse", "不同意", key_display="F6"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]

    HELP_STEPS = (
        "↑↓ 选中一件注销申请，下方显示合同和双方确认情况。",
        "F5 同意注销；F6 不同意（须填写原因）。",
    )

    class QueueLoaded(Message):
        def __init__(self, rows: list[CancellationView]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self, case_number: str | None = None) -> None:
        """``case_number``: the Q case to put the cursor on (opened from 在手业务)."""
        super().__init__()
        self.rows: dict[str, CancellationView] = {}
        self.case_number = case_number

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="cc-top"):
            yield Label("注销审核", classes="screen-title")
        yield MessageLine(id="cr-message", classes="cc-message")
        yield ListTable(self.COLUMNS, id="cr-list")
        with VerticalScroll(id="cr-scroll"):
            yield DetailPane(id="cr-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#cr-scroll").border_title = "申请详情"
        self.query_one("#cr-detail", DetailPane).show_hint("正在读取审核队列……")
        self.query_one("#cr-list", ListTable).focus()
        self.reload()

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="cr-load", exit_on_error=False)
    def _load(self) -> None:
        rows = cancel.review_queue(self.db, self.actor)
        if not get_current_worker().is_cancelled:
            self.post_message(self.QueueLoaded(rows))

    def on_cancel_review_screen_queue_loaded(self, message: QueueLoaded) -> None:
        self.rows = {str(r.id): r for r in message.rows}
        self.query_one("#cr-list", ListTable).set_rows([
            (key, [r.contract_number, r.location, r.kind_label, r.applicant_label,
                   show(r.requested_at, seconds=False)])
            for key, r in self.rows.items()
        ])
        self.query_one("#cr-scroll").border_title = f"申请详情（待审核 {len(self.rows)} 件）"
        if self.case_number:
            wanted, self.case_number = self.case_number, None
            keys = [key for key, r in self.rows.items() if r.case_number == wanted]
            if keys:
                table = self.query_one("#cr-list", ListTable)
                table.move_cursor(row=table.get_row_index(keys[0]))
            else:
                self.show_refusal(f"业务 {wanted} 没有待审核的注销申请。")
        self._show_selected()

    def selected(self) -> CancellationView | None:
        table = self.query_one("#cr-list", ListTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(key or "")

    def _show_selected(self) -> None:
        app = self.selected()
        detail = self.query_one("#cr-detail", DetailPane)
        if app is None:
            detail.show_hint("没有待审核的注销申请。")
        else:
            help_text = dict(zip(("cancel_signing", "cancel_filing"), FILED_KIND_HELP.split("\n"), strict=True))
            parts: list[RenderableType] = [application_renderable(app, with_contract=True)]
            if app.kind in help_text:
                parts.append(Text(help_text[app.kind], style=MUTED))
            detail.update(Group(*parts))
        self.refresh_bindings()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_selected()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("approve", "refuse"):
            actor = self.wq.actor
            return actor is not None and actor.can(Permission.CONTRACT_REVIEW) and self.selected() is not None
        return True

    def action_approve(self) -> None:
        app = self.selected()
        if app is None or not self.check_action("approve", ()):
            return
        self.set_message("正在办理……")
        self._decide(app, True, "")

    def action_refuse(self) -> None:
        app = self.selected()
        if app is None or not self.check_action("refuse", ()):
            return
        self.app.push_screen(ReasonDialog(f"不同意{app.kind_label}　合同 {app.contract_number}",
                                          "请填写不同意的原因（必填）"),
                             callback=lambda note: self._refused(app, note))

    def _refused(self, app: CancellationView, note: str | None) -> None:
        if note is None:  # Esc: nothing decided
            return
        self.set_message("正在办理……")
        self._decide(app, False, note)

    @work(thread=True, exclusive=True, group="cr-act", exit_on_error=False)
    def _decide(self, app: CancellationView, approved: bool, note: str) -> None:
        done = cancel.review_cancellation(self.db, self.actor, app.id, approved=approved, note=note)
        contract = contracts.get_contract(self.db, self.actor, done.contract_id)
        if approved:
            text = (f"已同意合同 {done.contract_number} 的{done.kind_label}申请，合同现为{contract.status_label}，"
                    "已短信通知当事人。")
        else:
            text = (f"不同意合同 {done.contract_number} 的{done.kind_label}申请（{done.outcome_note}），"
                    f"合同仍为{contract.status_label}，已短信通知当事人。")
        self.app.call_from_thread(self._decided, text)

    def _decided(self, text: str) -> None:
        self.set_message(text, tone="ok")
        self.reload()


__all__ = [
    "CancelReviewScreen",
    "CancelScreen",
    "RevokeScreen",
    "application_renderable",
    "confirmer_state",
    "contract_head",
]
