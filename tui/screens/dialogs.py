"""Dialogs of the case work: 业务受理, 派工, 退件, 取消受理, and a confirmation.

Each dialog only gathers the clerk's choice and hands it back with
``dismiss``; the screen that opened it calls the service. Whether the choice
is allowed (the right role for the next stage, an earlier stage to return
to, a reason given) is the services' decision, shown as their sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from core.cases import CASE_TYPES
from core.roles import ROLE_LABELS, Role
from services import operators
from services.operators import OperatorView
from tui.screens.base import AppModal
from tui.widgets.form import FormInput, field_line
from tui.widgets.message import MessageLine, Wrapped

_CANCEL = Binding("escape", "cancel", "取消", key_display="Esc")


class _Dialog(AppModal):
    """Esc closes the dialog without a choice; a refusal goes to its message line, if it has one."""

    BINDINGS = [_CANCEL]

    def action_cancel(self) -> None:
        self.dismiss(None)


# ---------------------------------------------------------------- 业务受理


@dataclass(frozen=True)
class AcceptChoice:
    type_code: str
    summary: str


class AcceptDialog(_Dialog):
    """Choose the type of the new case and an optional summary."""

    def compose(self) -> ComposeResult:
        with Vertical(id="accept-box", classes="dialog"):
            yield Label("业务受理", classes="form-title")
            yield Label("业务类型（↑↓ 选择）")
            yield OptionList(*[Option(t.name, id=t.code) for t in CASE_TYPES.values()
                               if "accept" not in t.domain_moves], id="accept-type")
            yield field_line("摘　要", FormInput(placeholder="可选：房屋坐落、申请人等", id="accept-summary", max_length=200),
                             tall=True)
            yield MessageLine(classes="error-line")
            yield Static("Enter 选定类型，填写摘要后再按 Enter 受理；Esc 取消", classes="hint")

    def on_mount(self) -> None:
        options = self.query_one("#accept-type", OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#accept-type")
    def _type_chosen(self) -> None:
        self.query_one("#accept-summary", Input).focus()

    @on(Input.Submitted, "#accept-summary")
    def _submit(self) -> None:
        options = self.query_one("#accept-type", OptionList)
        if options.highlighted is None:
            self.show_refusal("请选择业务类型。")
            return
        code = options.get_option_at_index(options.highlighted).id
        assert code is not None
        self.dismiss(AcceptChoice(code, self.query_one("#accept-summary", Input).value.strip()))


# ---------------------------------------------------------------- 派工


@dataclass(frozen=True)
class DispatchChoice:
    """Whom to send the case to: a role, a named operator, or (both None) the next stage's role."""

    role: Role | None = None
    operator: str | None = None  # user name
    operator_name: str = ""

    @property
    def label(self) -> str:
        if self.operator:
            return f"{self.operator_name}（{self.operator}）" if self.operator_name else self.operator
        if self.role:
            return ROLE_LABELS[self.role]
        return "下一阶段办理人员"


def dispatch_roles() -> list[Role]:
    """The roles that work some stage of some case type dispatched from here, in role order."""
    used = {stage.role for kind in CASE_TYPES.values() if "dispatch" not in kind.domain_moves for stage in kind.stages}
    return [role for role in Role if role in used]


class DispatchDialog(_Dialog):
    """派工: the next stage's role by default, or a role, or one named operator."""

    class OperatorsLoaded(Message):
        def __init__(self, by_role: dict[Role, list[OperatorView]]) -> None:
            super().__init__()
            self.by_role = by_role

    def __init__(self, case_number: str) -> None:
        super().__init__()
        self.case_number = case_number
        self.choices: dict[str, DispatchChoice] = {"next": DispatchChoice()}

    def compose(self) -> ComposeResult:
        with Vertical(id="dispatch-box", classes="dialog"):
            yield Label(f"派工　业务号 {self.case_number}", classes="form-title")
            yield Label("派工给（↑↓ 选择，Enter 确定）")
            yield OptionList(Option("按办理流程派给下一阶段（默认）", id="next"), id="dispatch-target")
            yield MessageLine(classes="error-line")
            yield Static("Enter 派工　Esc 取消", classes="hint")

    def on_mount(self) -> None:
        targets = self.query_one("#dispatch-target", OptionList)
        targets.highlighted = 0
        targets.focus()
        self._load_operators()

    @work(thread=True, exclusive=True, group="dispatch-operators", exit_on_error=False)
    def _load_operators(self) -> None:
        by_role = {role: operators.operators_for_dispatch(self.db, self.actor, role) for role in dispatch_roles()}
        self.post_message(self.OperatorsLoaded(by_role))

    def on_dispatch_dialog_operators_loaded(self, message: OperatorsLoaded) -> None:
        targets = self.query_one("#dispatch-target", OptionList)
        for role, people in message.by_role.items():
            key = f"role:{role.value}"
            self.choices[key] = DispatchChoice(role=role)
            targets.add_option(Option(f"{ROLE_LABELS[role]}（该角色任一人员接件）", id=key))
            for person in people:
                key = f"op:{person.username}"
                self.choices[key] = DispatchChoice(role=role, operator=person.username, operator_name=person.name)
                label = f"  └ {person.name}（{person.username}）"
                if person.window:
                    label += f"　{person.window}号窗口"
                targets.add_option(Option(label, id=key))

    @on(OptionList.OptionSelected, "#dispatch-target")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        assert event.option.id is not None
        self.dismiss(self.choices[event.option.id])


# ---------------------------------------------------------------- 退件


@dataclass(frozen=True)
class ReturnChoice:
    to_stage: str
    reason: str


class ReturnDialog(_Dialog):
    """退件: the stage to send the case back to, and the reason."""

    def __init__(self, case_number: str, stages: list[tuple[str, str]]) -> None:
        super().__init__()
        self.case_number = case_number
        self.stages = stages

    def compose(self) -> ComposeResult:
        with Vertical(id="return-box", classes="dialog"):
            yield Label(f"退件　业务号 {self.case_number}", classes="form-title")
            stage = Select(
                [(name, code) for code, name in self.stages],
                value=self.stages[-1][0] if self.stages else Select.NULL,
                allow_blank=not self.stages,
                prompt="请选择办理阶段",
                id="return-stage",
            )
            yield field_line("退回到", stage, tall=True)
            yield field_line("原　因", FormInput(placeholder="请填写退件原因", id="return-reason", max_length=400), tall=True)
            yield MessageLine(classes="error-line")
            yield Static("Enter 退件　Esc 取消", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#return-reason", Input).focus()

    @on(Input.Submitted, "#return-reason")
    def _submit(self, event: Input.Submitted) -> None:
        stage = self.query_one("#return-stage", Select).value
        if not isinstance(stage, str):
            self.show_refusal("请选择退回的办理阶段。")
            return
        self.dismiss(ReturnChoice(stage, event.value))


# ---------------------------------------------------------------- 取消受理 / 确认


#: Said in the dialog when Enter is pressed with no reason (every reason asked for is required).
REASON_REQUIRED = "请填写原因后再按 Enter；不办理请按 Esc 取消。"


class ReasonDialog(_Dialog):
    """One reason line, e.g. for 取消受理. The reason is required: Enter on an empty line is
    refused in the dialog, which stays open (the reason typed so far is never lost)."""

    def __init__(self, title: str, prompt: str) -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-box", classes="dialog"):
            yield Label(self.title_text, classes="form-title")
            yield field_line("原　因", FormInput(placeholder=self.prompt, id="reason", max_length=400), tall=True)
            yield MessageLine(classes="error-line")
            yield Static("Enter 确定　Esc 取消", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _submit(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.show_refusal(REASON_REQUIRED)
            return
        self.dismiss(event.value)


def cancel_dialog(number: str) -> ReasonDialog:
    """取消受理's reason for case ``number``: 在手业务 (F8) and the domains' screens ask alike."""
    return ReasonDialog(f"取消受理　业务号 {number}", "请填写取消受理的原因")


class TextDialog(_Dialog):
    """One required line, e.g. a certificate's number; dismisses with the text typed (or None)."""

    def __init__(self, title: str, label: str, placeholder: str, *, note: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.label = label
        self.placeholder = placeholder
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-box", classes="dialog"):
            yield Label(self.title_text, classes="form-title")
            if self.note:
                yield Static(Wrapped(self.note))
            yield field_line(self.label, FormInput(placeholder=self.placeholder, id="text", max_length=100), tall=True)
            yield MessageLine(classes="error-line")
            yield Static("Enter 确定　Esc 取消", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    @on(Input.Submitted, "#text")
    def _submit(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.show_refusal(f"请填写{self.label.replace('　', '')}后再按 Enter；不办理请按 Esc 取消。")
            return
        self.dismiss(event.value)


class ConfirmDialog(_Dialog):
    """Ask before an act that cannot be undone (归档)."""

    BINDINGS = [_CANCEL, Binding("enter", "confirm", "确定", key_display="Enter")]

    def __init__(self, title: str, question: str) -> None:
        super().__init__()
        self.title_text = title
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog"):
            yield Label(self.title_text, classes="form-title")
            yield Static(Wrapped(self.question))
            yield Static("Enter 确定　Esc 取消", classes="hint")

    def action_confirm(self) -> None:
        self.dismiss(True)
