"""短信验证 (seed 002 §三(六)): each party of a draft contract confirms it by SMS code.

The layout follows the seed's dialog, one block per party instead of two
columns (80 columns hold one party per line): 登记编号 and 合同编号, what is
being signed (房屋坐落, 成交价格), then for every party — 甲方(出卖人) and
乙方(买受人), in Zhongshan 转让方 and 受让方 — the name, the masked phone, a 验证码 field and the
发送验证码 / 验证 buttons, with the party's state: 未发送, 已发送，N秒后可重发,
已验证 ✓. 提交 is enabled only when every party is verified; then the
contract is 已签约 and the screen says so. 关闭 (Esc) hands the signed view
(or None) back to whoever opened the screen.

Keys: Tab moves between the parties' fields; F5 sends a code to the party
whose field has the focus; Enter in a 验证码 field verifies it; F9 submits.

The screen keeps the contract version it opened with and passes it to every
call, so a contract changed meanwhile (another window, 修改合同) is refused
by the service (its codes were voided with the change). The resend countdown
is computed from when the code was sent (``services.resale.queries``) and
the app's clock; a one-second timer only redraws it. Every refusal of a
send or a verification is shown at the party's row.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Header, Input, Label, Static
from textual.worker import Worker, WorkerState

from core.errors import RuleViolation
from services.resale import contracts, queries, signing
from services.resale.contracts import ContractView
from services.resale.queries import CodeState
from services.resale.signing import PartyStatus
from core.resale.contract_text import city_text
from core.resale.policies import profile_by_ref
from tui.screens.base import ServiceMixin
from tui.screens.dialogs import ReasonDialog
from tui.widgets.detail import LABEL_STYLE, DetailPane
from tui.widgets.form import DIGITS_AS_TYPED, FormInput
from tui.widgets.message import MessageLine
from tui.widgets.footer import KeyFooter

PARTY_WORKER = "party:"


def party_labels(keys: list[str], profile_ref: str) -> dict[str, str]:
    """甲方(出卖人) / 乙方(买受人) in the contract's city's words (中山: 转让方 / 受让方,
    ``core.resale.contract_text``), numbered when a side has more than one party."""
    words = city_text(profile_by_ref(profile_ref).code)
    side_labels = {"seller": f"甲方({words.seller})", "buyer": f"乙方({words.buyer})"}
    sides = [key.split(":")[0] for key in keys]
    out: dict[str, str] = {}
    seen: dict[str, int] = {}
    for key, side in zip(keys, sides, strict=True):
        label = side_labels.get(side, side)
        if sides.count(side) > 1:
            seen[side] = seen.get(side, 0) + 1
            label += str(seen[side])
        out[key] = label
    return out


def facts_renderable(view: ContractView) -> Table:
    """登记编号, 合同编号, and what is being signed."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style=LABEL_STYLE, width=8, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    grid.add_row("登记编号", Text(f"{view.case_number}　　合同编号 {view.number}"))
    grid.add_row("房屋坐落", Text(view.location))
    grid.add_row("成交价格", Text(view.items.get("price", ""), style="bold"))
    if view.qualification_required:
        grid.add_row("购房资格", Text(view.qualification_label))
    return grid


def state_text(party: PartyStatus, code: CodeState | None, now) -> Text:  # type: ignore[no-untyped-def]
    """未发送 / 已发送，N秒后可重发 / 已发送，可重新获取 / 已验证 ✓."""
    if party.verified:
        return Text("已验证 ✓", style="bold green")
    if code is None:
        return Text("未发送")
    if code.dead:
        return Text("验证码已失效，请重新发送", style="bold yellow")
    left = code.resend_in(now)
    if left > 0:
        return Text(f"已发送，{left}秒后可重发")
    return Text("已发送，可重新获取")


class PartyRow(Vertical):
    """One party: who, the phone, the code field, the buttons, the state and the refusal."""

    def __init__(self, index: int, party: PartyStatus, label: str) -> None:
        super().__init__(id=f"party-{index}", classes="party-row")
        self.index = index
        self.party = party
        self.label = label

    def compose(self) -> ComposeResult:
        with Horizontal(classes="party-head"):
            yield Static(Text(f"{self.party.name}　手机号码 {self.party.masked_phone}"), classes="party-who")
            yield Static("", id=f"state-{self.index}", classes="party-state")
        with Horizontal(classes="party-actions"):
            yield Label("验证码", classes="code-label")
            yield FormInput(placeholder="6位数字", max_length=6, restrict=DIGITS_AS_TYPED, compact=True,
                            id=f"code-{self.index}", classes="code-input")
            yield Button("发送验证码", id=f"send-{self.index}", compact=True)
            yield Button("验证", id=f"verify-{self.index}", compact=True, variant="primary")
        yield Static("", id=f"note-{self.index}", classes="party-note", markup=False)

    def on_mount(self) -> None:
        self.border_title = self.label


class PartyRows:
    """What a screen of party rows (``#party-N`` with a note line ``#note-N``) shares:
    finding a party's row, the sentence under it, and sending a refusal of a party's
    worker (named ``party:<key>``) to that row. The screen says which parties it lists
    (``party_keys``) — signers here, confirmers of a cancellation elsewhere."""

    def party_keys(self) -> list[str]:
        raise NotImplementedError

    def _row(self, index: int) -> PartyRow | None:
        return next(iter(self.query(f"#party-{index}").results(PartyRow)), None)  # type: ignore[attr-defined]

    def _index(self, key: str) -> int | None:
        return next((i for i, k in enumerate(self.party_keys()) if k == key), None)

    def set_note(self, key: str, text: str, style: str) -> None:
        """A sentence under a party's row: ``-error`` for a refusal, ``-ok`` for a success."""
        index = self._index(key)
        if index is None:
            return
        note = self.query_one(f"#note-{index}", Static)  # type: ignore[attr-defined]
        note.set_classes(f"party-note {style}".strip())
        note.update(text)

    def route_party_refusal(self, event: Worker.StateChanged) -> bool:
        """A party worker's refusal shown at its row (and handled); False for anything else."""
        worker = event.worker
        if (event.state is WorkerState.ERROR and worker.name.startswith(PARTY_WORKER)
                and isinstance(worker.error, RuleViolation)):
            self.set_note(worker.name[len(PARTY_WORKER):], worker.error.message, "-error")
            event.prevent_default()
            return True
        return False


class SignVerifyScreen(ServiceMixin, PartyRows, Screen[ContractView | None]):
    """短信验证 of one draft contract; dismisses with the signed view (or None)."""

    CSS_PATH = "resale.tcss"

    BINDINGS = [
        Binding("f5", "send", "发送验证码", key_display="F5"),
        Binding("f3", "qualify", "申请资格审查", key_display="F3"),
        Binding("f4", "void_qualification", "作废资格码", key_display="F4"),
        Binding("f9", "submit", "提交", key_display="F9"),
        Binding("escape", "close", "关闭", key_display="Esc"),
        Binding("down", "party(1)", "下一方", show=False),
        Binding("up", "party(-1)", "上一方", show=False),
    ]

    HELP_STEPS = (
        "买受人须经购房资格审查的，先按 F3 申请，审核主管审查通过后才能发送验证码。",
        "买受人申请作废购房资格码（如改签其他房屋）时按 F4，填写原因。",
        "↑↓ 选择当事人，F5 发送验证码（没有短信网关时在短信发件箱手工发送）。",
        "当事人报读6位验证码，输入后 Enter 验证。",
        "各方均验证后提交签约。",
    )

    class Loaded(Message):
        def __init__(self, view: ContractView, parties: list[PartyStatus], codes: dict[str, CodeState],
                     notes: dict[str, tuple[str, str]]) -> None:
            super().__init__()
            self.view = view
            self.parties = parties
            self.codes = codes
            self.notes = notes

    class Signed(Message):
        def __init__(self, view: ContractView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, contract_id: int) -> None:
        super().__init__()
        self.contract_id = contract_id
        self.view: ContractView | None = None  # as opened: what the parties confirm
        self.version: int | None = None
        self.parties: list[PartyStatus] = []
        self.codes: dict[str, CodeState] = {}
        self.signed: ContractView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="sv-top"):
            yield Label("短信验证", classes="screen-title")
        yield DetailPane(id="sv-facts")
        yield MessageLine(id="sv-message")
        yield VerticalScroll(id="sv-parties")
        with Horizontal(id="sv-bottom"):
            yield Static("", id="sv-status", markup=False)
            yield Button("提交", id="sv-submit", variant="success", compact=True, disabled=True)
            yield Button("关闭", id="sv-close", compact=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#sv-facts", DetailPane).show_hint("正在读取合同……")
        self.set_interval(1.0, self.refresh_states, name="sv-countdown")
        self.reload()

    # ------------------------------------------------------------ loading

    def reload(self, notes: dict[str, tuple[str, str]] | None = None) -> None:
        """Read the contract, every party's state and their codes (``notes``: sentences for rows)."""
        self.run_worker(lambda: self._load(notes or {}), thread=True, exclusive=True, group="sv-load",
                        exit_on_error=False, name="sv-load")

    def _load(self, notes: dict[str, tuple[str, str]]) -> None:
        view = contracts.get_contract(self.db, self.actor, self.contract_id)
        parties = signing.signing_status(self.db, self.actor, self.contract_id)
        codes = queries.signing_codes(self.db, self.actor, self.contract_id)
        self.post_message(self.Loaded(view, parties, codes, notes))

    async def on_sign_verify_screen_loaded(self, message: Loaded) -> None:
        first = self.view is None
        # The facts follow the contract (a qualification requested here, decided meanwhile);
        # the version stays the one the codes are sent for: a draft changed meanwhile is refused.
        self.view = message.view
        self.query_one("#sv-facts", DetailPane).update(facts_renderable(message.view))
        if first:
            self.version = message.view.version
            labels = party_labels([p.key for p in message.parties], message.view.profile_ref)
            await self.query_one("#sv-parties").mount_all(
                [PartyRow(i, p, labels[p.key]) for i, p in enumerate(message.parties)])
            for field in self.query(Input):
                field.cursor_blink = not self.wq.is_headless
        self.parties, self.codes = message.parties, message.codes
        for key, (text, style) in message.notes.items():
            self.set_note(key, text, style)
        self.refresh_states()
        if message.view.status != "draft" and self.signed is None:
            self.set_message(f"该合同{message.view.status_label}，无需短信验证。", tone="error")
        if first:
            self.focus_next_unverified()

    def refresh_states(self) -> None:
        """Redraw each row's state (the countdown) and what may be pressed."""
        now = self.db.now()
        for i, party in enumerate(self.parties):
            row = self._row(i)
            if row is None:
                continue
            row.query_one(f"#state-{i}", Static).update(state_text(party, self.codes.get(party.key), now))
            done = party.verified or self.signed is not None
            row.set_class(party.verified, "-verified")
            for widget in row.query("Input, Button"):
                widget.disabled = done
        status = self.signed or self.view
        if status is not None:
            self.query_one("#sv-status", Static).update(f"合同状态：{status.status_label}")
        self.query_one("#sv-submit", Button).disabled = not self.check_action("submit", ())
        self.refresh_bindings()

    def party_keys(self) -> list[str]:
        return [p.key for p in self.parties]

    # ------------------------------------------------------------ refusals

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Runs before the shared handler: a refusal of one party's send or verify goes to its row.
        self.route_party_refusal(event)

    # ------------------------------------------------------------ which party

    def action_party(self, step: int) -> None:
        """↑↓: the code field of the party above or below (the help's 选择当事人)."""
        if not self.parties:
            return
        index = self.focused_party()
        index = 0 if index is None else (index + step) % len(self.parties)
        field = self.query_one(f"#code-{index}", Input)
        if field.disabled:  # verified: its buttons too; the row still shows whose it is
            self.query_one(f"#party-{index}").scroll_visible()
            return
        field.focus()

    def focused_party(self) -> int | None:
        """The party whose row holds the focus, else the first not yet verified."""
        node: Widget | None = self.focused
        while node is not None and not isinstance(node, PartyRow):
            node = node.parent if isinstance(node.parent, Widget) else None
        if isinstance(node, PartyRow):
            return node.index
        return next((i for i, p in enumerate(self.parties) if not p.verified), None)

    def focus_next_unverified(self) -> None:
        index = next((i for i, p in enumerate(self.parties) if not p.verified), None)
        if index is not None:
            self.query_one(f"#code-{index}", Input).focus()
        elif self.check_action("submit", ()):
            self.query_one("#sv-submit", Button).focus()

    # ------------------------------------------------------------ send, verify, submit

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        open_draft = self.view is not None and self.view.status == "draft" and self.signed is None
        if action == "send":
            return open_draft and any(not p.verified for p in self.parties)
        if action == "submit":
            return open_draft and bool(self.parties) and all(p.verified for p in self.parties)
        if action == "qualify":  # the step this screen's refusal asks for, without going back to the desk
            view = self.view
            return (open_draft and view is not None and view.qualification_required
                    and view.qualification in (None, "refused", "voided"))
        if action == "void_qualification":  # seed 001 §7 case 2: the buyer voids the code before signing
            view = self.view
            return open_draft and view is not None and view.qualification in ("requested", "approved")
        return True

    def action_void_qualification(self) -> None:
        if not self.check_action("void_qualification", ()):
            return
        self.app.push_screen(ReasonDialog("作废购房资格码", "请填写作废原因（如买受人改签其他房屋）"),
                             callback=self._void_qualification)

    def _void_qualification(self, reason: str | None) -> None:
        if reason is None:  # Esc: nothing voided
            return
        self.set_message("正在作废购房资格码……")

        def void() -> None:
            signing.void_qualification(self.db, self.actor, self.contract_id, reason=reason)
            self.app.call_from_thread(self.set_message, "购房资格码已作废；如需继续签约，请重新申请购房资格审查。", "ok")
            self.app.call_from_thread(self.reload, self._cleared_notes())

        self.run_worker(void, thread=True, exclusive=True, group="sv-qualify", exit_on_error=False,
                        name="sv-void-qualification")

    def _cleared_notes(self) -> dict[str, tuple[str, str]]:
        """Every row's sentence emptied: a step on the qualification answers what they said."""
        return {party.key: ("", "") for party in self.parties}

    def action_qualify(self) -> None:
        if not self.check_action("qualify", ()):
            return
        self.set_message("正在申请购房资格审查……")

        def request() -> None:
            signing.request_qualification(self.db, self.actor, self.contract_id)
            self.app.call_from_thread(self.set_message, "已申请购房资格审查，审核主管审查通过后即可发送验证码。", "ok")
            self.app.call_from_thread(self.reload, self._cleared_notes())

        self.run_worker(request, thread=True, exclusive=True, group="sv-qualify", exit_on_error=False,
                        name="sv-qualify")

    def action_send(self, index: int | None = None) -> None:
        if not self.check_action("send", ()):
            return
        index = self.focused_party() if index is None else index
        if index is None or self.parties[index].verified or self.version is None:
            return
        party, version = self.parties[index], self.version
        self.set_note(party.key, "正在发送……", "-ok")

        def send() -> None:
            sent = signing.send_signing_code(self.db, self.actor, self.contract_id, party.key,
                                                      expected_version=version)
            note = sent.notice()  # sent, or waiting in the outbox at a hall without a gateway
            self.app.call_from_thread(self.clear_message)  # a wait for the qualification is over
            self.app.call_from_thread(self.reload, {party.key: (note, "-ok")})

        self.run_worker(send, thread=True, exclusive=True, group=f"sv-party-{index}", exit_on_error=False,
                        name=PARTY_WORKER + party.key)
        self.query_one(f"#code-{index}", Input).focus()

    def verify(self, index: int) -> None:
        if not self.check_action("send", ()) or self.version is None:
            return
        party, version = self.parties[index], self.version
        if party.verified:
            return
        field = self.query_one(f"#code-{index}", Input)
        code = field.value
        self.set_note(party.key, "正在验证……", "-ok")

        def check() -> None:
            signing.verify_signing_code(self.db, self.actor, self.contract_id, party.key, code,
                                                 expected_version=version)
            self.app.call_from_thread(self._verified, index)

        self.run_worker(check, thread=True, exclusive=True, group=f"sv-party-{index}", exit_on_error=False,
                        name=PARTY_WORKER + party.key)

    def _verified(self, index: int) -> None:
        party = self.parties[index]
        self.query_one(f"#code-{index}", Input).value = ""
        self.parties[index] = PartyStatus(party.key, party.side_label, party.name, party.masked_phone, True)
        self.refresh_states()
        self.focus_next_unverified()
        self.reload({party.key: ("验证成功。", "-ok")})

    @on(Input.Submitted, ".code-input")
    def _code_entered(self, event: Input.Submitted) -> None:
        assert event.input.id is not None
        self.verify(int(event.input.id.split("-")[1]))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        name, _, index = (event.button.id or "").partition("-")
        if name == "send":
            self.action_send(int(index))
        elif name == "verify":
            self.verify(int(index))
        elif event.button.id == "sv-submit":
            self.action_submit()
        elif event.button.id == "sv-close":
            self.action_close()

    def action_submit(self) -> None:
        if not self.check_action("submit", ()) or self.version is None:
            return
        version = self.version
        self.set_message("正在提交……")

        def submit() -> None:
            view = signing.submit_signing(self.db, self.actor, self.contract_id, expected_version=version)
            self.post_message(self.Signed(view))

        self.run_worker(submit, thread=True, exclusive=True, group="sv-submit", exit_on_error=False,
                        name="sv-submit")

    def on_sign_verify_screen_signed(self, message: Signed) -> None:
        self.signed = message.view
        if message.view.status == "filed":  # 中山: signed is filed (seed 002 三(六))
            done = f"合同已签约并完成网签备案，备案号 {message.view.filing_number}"
        else:
            done = "合同已签约"
        self.set_message(f"买卖双方短信验证成功，{done}，已短信通知双方。Esc 关闭", tone="ok")
        self.refresh_states()
        self.query_one("#sv-close", Button).focus()

    def action_close(self) -> None:
        self.dismiss(self.signed)


__all__ = ["SignVerifyScreen", "facts_renderable", "party_labels", "state_text"]
