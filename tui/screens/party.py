"""当事人登记: register persons and organisations, an organisation's agents, an owner's
notarised proxy, an ID change, and change a party's contact details — by keyboard.

One form at a time (F2 个人, F3 单位, F4 经办人, F5 公证委托, F6 身份变更, F7 变更);
Tab / Shift+Tab and Enter move between the fields, F9 saves through the one use case of
``services.parties`` (the CLI's ``wangqian party …`` calls the same), F8 unbinds the
agent named on the 经办人 form. Nothing is checked while typing: the service checks
every value when saving and each refusal is shown under its field (all of them at
once); the form is emptied only when the record is saved. Numbers are shown masked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import ContentSwitcher, Header, Input, Label, Static

from core.errors import RuleViolation
from core.identity import ID_KIND_LABELS
from core.parties import KIND_CHOICES, OrgEntry, PartyInvalid, PersonEntry
from services import parties
from tui.screens.base import AppScreen
from tui.widgets.footer import KeyFooter
from tui.widgets.form import FieldRow, clear_field_errors, compact_input, show_field_error
from tui.widgets.message import MessageLine

KIND_HINT = "证件类型：" + "　".join(f"{i} {ID_KIND_LABELS[k]}" for i, k in enumerate(KIND_CHOICES, 1)) + \
    "　（不填按号码识别）"

#: The forms: (mode, title, its fields as (service field, label, placeholder, max length)).
FORMS: dict[str, tuple[str, tuple[tuple[str, str, str, int], ...]]] = {
    "person": ("登记个人", (
        ("name", "姓名", "按证件填写", 80),
        ("id_kind", "证件类型", "编号1-8或名称，可不填", 20),
        ("id_number", "证件号码", "", 40),
        ("nationality", "国籍", "外国护照填三字母代码，如GBR", 3),
        ("phone", "手机号", "", 20),
        ("address", "住址", "", 200),
        ("capacity", "行为能力", "不填按年龄；full / limited / none", 20),
    )),
    "org": ("登记单位", (
        ("name", "单位名称", "按营业执照填写", 120),
        ("credit_code", "统一社会信用代码", "", 30),
        ("legal_rep_name", "法定代表人", "", 80),
        ("phone", "联系电话", "", 20),
        ("address", "地址", "", 200),
    )),
    "agent": ("法人添加/解绑经办人", (
        ("credit_code", "统一社会信用代码", "授权单位", 30),
        ("agent_number", "经办人证件号码", "", 40),
        ("valid_from", "授权起始日期", "如2026-12-01", 20),
        ("valid_to", "授权截止日期", "如2027-11-30", 20),
        ("scope", "授权范围", "不填为存量房买卖", 80),
    )),
    "proxy": ("业主公证委托代理人", (
        ("principal_number", "委托人证件号码", "业主", 40),
        ("proxy_number", "代理人证件号码", "", 40),
        ("notarial_certificate", "公证书编号", "如（2026）粤深南证字第1234号", 60),
        ("valid_from", "委托起始日期", "如2026-12-01", 20),
        ("valid_to", "委托截止日期", "如2027-11-30", 20),
        ("scope", "委托事项", "不填为存量房买卖", 200),
    )),
    "id_change": ("身份变更", (
        ("old_number", "原证件号码", "登记簿（产权证书）记载的", 40),
        ("id_kind", "新证件类型", "编号1-8或名称，可不填", 20),
        ("new_number", "新证件号码", "", 40),
        ("name", "新姓名", "姓名未变更的不填", 80),
        ("proof", "身份变更材料", "如：公安机关出具的号码变更证明及编号", 200),
    )),
    "change": ("变更登记信息", (
        ("number", "证件号码/信用代码", "要变更的个人或单位", 40),
        ("phone", "手机号/联系电话", "不变更的不填", 20),
        ("address", "住址/地址", "不变更的不填", 200),
        ("capacity", "行为能力", "个人：full / limited / none", 20),
        ("legal_rep_name", "法定代表人", "单位：新法定代表人", 80),
    )),
}

#: Where a refusal's field is shown, per form, when the service names it otherwise.
FIELD_ALIASES: dict[str, dict[str, str]] = {
    "org": {"credit_code": "credit_code"},
    "id_change": {"id_number": "new_number", "nationality": "new_number"},
    "change": {"id_number": "number", "credit_code": "number", "name": "number"},
    "person": {},
    "agent": {},
    "proxy": {},
}

MODE_KEYS = {"person": "F2", "org": "F3", "agent": "F4", "proxy": "F5", "id_change": "F6", "change": "F7"}


def row_name(mode: str, field: str) -> str:
    return f"{mode}-{field}"


class PartyScreen(AppScreen):
    """当事人登记 at the counter."""

    BINDINGS = [
        Binding("f9", "save", "保存", key_display="F9"),
        Binding("f2", "mode('person')", "个人", key_display="F2"),
        Binding("f3", "mode('org')", "单位", key_display="F3"),
        Binding("f4", "mode('agent')", "经办人", key_display="F4"),
        Binding("f5", "mode('proxy')", "委托", key_display="F5"),
        Binding("f6", "mode('id_change')", "身份变更", key_display="F6"),
        Binding("f7", "mode('change')", "变更", key_display="F7"),
        Binding("f8", "unbind", "解绑经办人", key_display="F8"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]

    HELP_STEPS = (
        "F2 登记个人，F3 登记单位，F4 法人添加经办人（F8 解绑），F5 登记业主公证委托代理人，"
        "F6 办理身份变更，F7 变更手机号、住址等登记信息。",
        "按证件逐项录入：Tab / Enter 到下一项，Shift+Tab 回上一项；证件类型填编号1-8或名称，不填按号码识别。",
        "F9 保存：每一项都按证件规则核对，有误的在该项下方说明原因，全部无误才保存（记入审计日志）。",
        "经办人、公证委托的期限以日期填写（如2026-12-01）；超出期限的经办人或代理人在产权校验时不予通过。",
        "身份变更须填写原证件号码、新证件号码和身份变更材料；变更后按原号码或新号码都能查到此人。",
        "证件号码和手机号在结果中均已遮蔽；Esc 返回工作台。",
    )

    class Saved(Message):
        def __init__(self, mode: str, text: str) -> None:
            super().__init__()
            self.mode = mode
            self.text = text

    def __init__(self) -> None:
        super().__init__()
        self.mode = "person"

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="party-top"):
            yield Label("当事人登记", classes="screen-title")
            yield Static(FORMS[self.mode][0], id="party-mode", markup=False)
        yield MessageLine("按证件逐项录入，F9 保存。", id="party-message", classes="status-line")
        with ContentSwitcher(initial="form-person", id="party-forms"):
            for mode, (_title, fields) in FORMS.items():
                with VerticalScroll(id=f"form-{mode}", classes="party-form"):
                    for field, label, placeholder, max_length in fields:
                        yield FieldRow(row_name(mode, field), label, compact_input("", placeholder, max_length))
        yield Static(KIND_HINT, id="party-kinds", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._focus_first()

    def step_actions(self) -> Sequence[str]:
        return ("save", "unbind") if self.mode == "agent" else ("save",)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unbind":
            return self.mode == "agent"
        return True

    # ------------------------------------------------------------ the forms

    def _focus_first(self) -> None:
        first = FORMS[self.mode][1][0][0]
        self.query_one(f"#f-{row_name(self.mode, first)}", Input).focus()

    def action_mode(self, mode: str) -> None:
        if mode not in FORMS or mode == self.mode:
            return
        self.mode = mode
        self.query_one("#party-forms", ContentSwitcher).current = f"form-{mode}"
        self.query_one("#party-mode", Static).update(FORMS[mode][0])
        self.set_message(f"{FORMS[mode][0]}：按证件逐项录入，F9 保存。")
        self._focus_first()
        self.refresh_bindings()

    def values(self, mode: str | None = None) -> dict[str, str]:
        """The form's values as typed (the service checks them)."""
        mode = mode or self.mode
        return {field: self.query_one(f"#f-{row_name(mode, field)}", Input).value for field, *_ in FORMS[mode][1]}

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    # ------------------------------------------------------------ saving

    def action_save(self) -> None:
        clear_field_errors(self)
        self.set_message("正在核对并保存……")
        self._save(self.mode, self.values())

    def action_unbind(self) -> None:
        if self.mode != "agent":
            return
        clear_field_errors(self)
        self.set_message("正在解绑……")
        self._unbind(self.values("agent"))

    @work(thread=True, exclusive=True, group="party-save", exit_on_error=False)
    def _save(self, mode: str, v: dict[str, str]) -> None:
        text = SAVERS[mode](self, v)
        self.post_message(self.Saved(mode, text))

    @work(thread=True, exclusive=True, group="party-save", exit_on_error=False)
    def _unbind(self, v: dict[str, str]) -> None:
        view = parties.unbind_agent(self.db, self.actor, credit_code=v["credit_code"], agent_number=v["agent_number"])
        self.post_message(self.Saved("agent", f"已解绑经办人：{view.organisation} — {view.agent_name} {view.masked_number}。"))

    def on_party_screen_saved(self, message: Saved) -> None:
        for field, *_ in FORMS[message.mode][1]:
            self.query_one(f"#f-{row_name(message.mode, field)}", Input).value = ""
        self.set_message(message.text, "ok")
        if message.mode == self.mode:
            self._focus_first()

    def show_field_refusal(self, error: RuleViolation) -> bool:
        """Every refusal under its field (a PartyInvalid carries one per bad value); the
        first one also on the message line."""
        errors = error.errors if isinstance(error, PartyInvalid) else (error,)
        aliases = FIELD_ALIASES.get(self.mode, {})
        shown = False
        for e in reversed(errors):  # the cursor ends in the first bad field
            field = aliases.get(e.field or "", e.field or "")
            if field and show_field_error(self, row_name(self.mode, field), e.message):
                shown = True
        if shown:
            self.show_refusal(errors[0].message if len(errors) == 1 else f"有{len(errors)}项需要改正：{errors[0].message}")
        return shown


def _person(screen: PartyScreen, v: dict[str, str]) -> str:
    view = parties.register_person(screen.db, screen.actor, PersonEntry(
        name=v["name"], id_kind=v["id_kind"], id_number=v["id_number"], nationality=v["nationality"],
        phone=v["phone"], address=v["address"], capacity=v["capacity"]))
    return f"已登记个人：{view.name}　{view.document} {view.masked_number}。"


def _org(screen: PartyScreen, v: dict[str, str]) -> str:
    view = parties.register_organisation(screen.db, screen.actor, OrgEntry(
        name=v["name"], credit_code=v["credit_code"], legal_rep_name=v["legal_rep_name"], phone=v["phone"],
        address=v["address"]))
    return f"已登记单位：{view.name}　统一社会信用代码 {view.masked_number}。"


def _agent(screen: PartyScreen, v: dict[str, str]) -> str:
    view = parties.add_agent(screen.db, screen.actor, credit_code=v["credit_code"], agent_number=v["agent_number"],
                             valid_from=v["valid_from"], valid_to=v["valid_to"], scope=v["scope"])
    return (f"已添加经办人：{view.organisation} — {view.agent_name} {view.masked_number}，"
            f"{view.valid_from:%Y-%m-%d}至{view.valid_to:%Y-%m-%d}。")


def _proxy(screen: PartyScreen, v: dict[str, str]) -> str:
    view = parties.add_proxy(screen.db, screen.actor, principal_number=v["principal_number"],
                             proxy_number=v["proxy_number"], notarial_certificate=v["notarial_certificate"],
                             valid_from=v["valid_from"], valid_to=v["valid_to"], scope=v["scope"])
    return (f"已登记公证委托：{view.principal_name} 委托 {view.proxy_name}，"
            f"{view.valid_from:%Y-%m-%d}至{view.valid_to:%Y-%m-%d}。")


def _id_change(screen: PartyScreen, v: dict[str, str]) -> str:
    view = parties.change_id(screen.db, screen.actor, old_number=v["old_number"], new_number=v["new_number"],
                             new_kind=v["id_kind"], new_name=v["name"], proof=v["proof"])
    return f"已办理身份变更：{view.name}　现证件 {view.document} {view.masked_number}。"


def _change(screen: PartyScreen, v: dict[str, str]) -> str:
    def given(text: str) -> str | None:  # a blank box changes nothing
        return text if text.strip() else None

    view = parties.change_party(screen.db, screen.actor, v["number"], phone=given(v["phone"]),
                                address=given(v["address"]), capacity=given(v["capacity"]),
                                legal_rep_name=given(v["legal_rep_name"]))
    return f"已变更：{view.name}　{view.document} {view.masked_number}。"


SAVERS: dict[str, Callable[[PartyScreen, dict[str, str]], Any]] = {
    "person": _person, "org": _org, "agent": _agent, "proxy": _proxy, "id_change": _id_change, "change": _change,
}
