"""购房合同录入 (seed 004 §5.5.1): the national model contract's articles the service takes, typed
on one scrolling form — the buyers (once saved, shown masked and never typed again:
购房主体一旦保存后将不能再次更改), the price basis and unit price, the payment method with its
amounts, for a loan the bank or fund centre, the mortgagor and the mortgagee, then the contract's
form (电子合同 / 纸质合同).

F9 saves through ``services.presale.contracts.save_entry`` in a thread worker; a refusal is shown
under the field it names, and the screen closes with the saved contract. The unit's areas come
from the survey in force and are only shown.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Header, Input, RadioButton, RadioSet, Static

from core.errors import RuleViolation
from core.places import building_label
from core.presale.contracts import (
    BUYER_LOCKED,
    PAYMENT_LABELS,
    PRICE_BASIS_LABELS,
    SIGNING_FORM_LABELS,
    Buyer,
    ContractEntry,
    PaymentMethod,
    PriceBasis,
    SigningForm,
)
from services.presale import contracts
from tui.screens.base import AppScreen
from tui.widgets.footer import KeyFooter
from tui.widgets.form import FieldError, FieldRow, clear_field_errors, compact_input, show_field_error
from tui.widgets.message import MessageLine

__all__ = ["BUYER_ROWS", "ChoiceSet", "ContractEntryScreen"]

#: Buyer rows on the form (a second for a co-buyer, 共有).
BUYER_ROWS = 2

#: (field, label, placeholder, max length) of the typed articles after the unit price.
ARTICLES: tuple[tuple[str, str, str, int], ...] = (
    ("down_payment", "首付款", "元；分期付款为首期款，一次性付款不填", 20),
    ("commercial_loan", "商业贷款金额", "元；商业贷款、组合贷填写", 20),
    ("fund_loan", "公积金贷款金额", "元；公积金贷款、组合贷填写", 20),
    ("loan_bank", "商业贷款银行", "本企业的按揭银行", 60),
    ("fund_centre", "公积金管理中心", "如 张家界市住房公积金管理中心", 60),
    ("mortgagor", "抵押人", "贷款时填写，一般为买受人", 100),
    ("mortgagee", "抵押权人", "贷款时填写，贷款银行或公积金中心", 100),
    ("instalment_terms", "分期付款约定", "分期付款时填写，如 余款于交房前付清", 200),
    ("delivery_date", "交付日期", "如 2028-06-30", 20),
)

#: A refusal naming one of these goes under the buyers.
_BUYER_FIELDS = {"buyers", "id_number", "phone", "name", "id_kind"}


class ChoiceSet(RadioSet):
    """A RadioSet whose keys are taken as they arrive (priority bindings).

    A widget's ordinary bindings are looked up when its key has travelled back up to the app,
    against the focus of that moment: typed at speed, the Tab after "← → Enter" has already
    moved the focus on, and the choice was lost. Tab itself is a priority binding, so keys
    resolved the same way stay in order with it."""

    BINDINGS = [
        Binding("down,right", "next_button", "下一项", show=False, priority=True),
        Binding("enter,space", "toggle_button", "选定", show=False, priority=True),
        Binding("up,left", "previous_button", "上一项", show=False, priority=True),
    ]


def _choices(name: str, labels: dict, current: object) -> RadioSet:  # type: ignore[type-arg]
    return ChoiceSet(*[RadioButton(label, value=(str(code) == str(current)), id=f"{name}-{code}")
                       for code, label in labels.items()], compact=True)


class ContractEntryScreen(AppScreen):
    """The entry form of one contract; dismissed with the saved ``ContractView`` (or None)."""

    CSS_PATH = "presale.tcss"
    AUTO_FOCUS = "#entry-form Input"  # focused once composed: keys typed on the heels of F3 land in the first field
    BINDINGS = [
        Binding("f9", "save", "保存", key_display="F9", priority=True),
        Binding("escape", "close", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "填写买受人（姓名、证件号码、手机号码）；购房主体一旦保存后将不能再次更改。",
        "选择计价方式，填写单价：总价款由单价乘以面积自动计算。",
        "选择付款方式：一次性付款；分期付款（首期款、分期付款约定）；商业贷款、公积金贷款、组合贷"
        "（首付款、贷款金额、贷款银行或公积金中心、抵押人、抵押权人）。",
        "选择合同形式：电子合同由买受人短信验证签署；纸质合同上传签章后的扫描件。",
        "Tab 切换栏目，←→ 在选项间移动、空格或 Enter 选定；F9 保存，Esc 返回。",
    )

    class Saved(Message):
        def __init__(self, view: contracts.ContractView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, view: contracts.ContractView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        v = self.view
        yield Header()
        with Horizontal(classes="status-row"):
            yield Static("购房合同录入", classes="screen-title", markup=False)
            yield MessageLine(id="entry-message", classes="status-line")
        with VerticalScroll(id="entry-form"):
            inner = f"，套内建筑面积 {v.inner_area:.2f}㎡" if v.inner_area else ""
            yield Static(Text(f"{v.case_number}　{v.project_name} {building_label(v.building_number)} {v.unit_no}　"
                              f"建筑面积 {v.built_area:.2f}㎡{inner}"), id="entry-unit")
            buyers = Vertical(id="entry-buyers", classes="entry-section")
            buyers.border_title = "买受人（保存后不能更改）"
            with buyers:
                if v.buyers:
                    for b in v.buyers:
                        yield Static(Text(f"买受人{b.position + 1}　{b.name}　证件 {b.id_number}　手机 {b.phone}"))
                    yield Static(Text(BUYER_LOCKED), classes="hint")
                else:
                    for i in range(BUYER_ROWS):
                        extra = "（共有时填写）" if i else ""
                        yield FieldRow(f"b{i}-name", f"买受人{i + 1}姓名",
                                       compact_input(placeholder=f"姓名{extra}", max_length=50))
                        yield FieldRow(f"b{i}-id", "　证件号码", compact_input(placeholder="身份证号码", max_length=30))
                        yield FieldRow(f"b{i}-phone", "　手机号码", compact_input(placeholder="11位手机号码",
                                                                               max_length=11))
                yield FieldError(id="e-buyers")
            facts = v.facts
            yield FieldRow("price_basis", "计价方式",
                           _choices("basis", PRICE_BASIS_LABELS, facts.get("price_basis", PriceBasis.BUILT.value)))
            yield FieldRow("unit_price", "单价(元/㎡)",
                           compact_input(facts.get("unit_price", ""), placeholder="如 10000", max_length=20))
            yield FieldRow("payment_method", "付款方式",
                           _choices("pay", PAYMENT_LABELS, facts.get("payment_method", PaymentMethod.FULL.value)))
            for name, label, hint, size in ARTICLES:
                value = facts.get(name)
                if name in ("down_payment", "commercial_loan", "fund_loan") and str(value) in ("0", "0.00"):
                    value = ""
                yield FieldRow(name, label, compact_input(value, placeholder=hint, max_length=size))
            yield FieldRow("signing_form", "合同形式",
                           _choices("form", SIGNING_FORM_LABELS, facts.get("signing_form", SigningForm.ELECTRONIC.value)))
            yield Static("总价款由单价乘以所选面积自动计算。Tab 切换栏目，F9 保存，Esc 返回。", classes="hint")
        yield KeyFooter()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _next(self) -> None:
        self.focus_next()

    def _value(self, name: str) -> str:
        return self.query_one(f"#f-{name}", Input).value.strip()

    def _chosen(self, name: str) -> str | None:
        pressed = self.query_one(f"#f-{name}", RadioSet).pressed_button
        return pressed.id.split("-", 1)[1] if pressed is not None and pressed.id else None

    def entry(self) -> ContractEntry:
        """What is typed, as the service takes it (the buyers left out once saved)."""
        buyers: list[Buyer] = []
        if not self.view.buyers:
            for i in range(BUYER_ROWS):
                typed = [self._value(f"b{i}-{part}") for part in ("name", "id", "phone")]
                if i == 0 or any(typed):
                    buyers.append(Buyer(*typed))
        articles = {name: self._value(name) or None for name, *_ in ARTICLES}
        return ContractEntry(tuple(buyers), price_basis=self._chosen("price_basis"), unit_price=self._value("unit_price"),
                             payment_method=self._chosen("payment_method"), signing_form=self._chosen("signing_form"),
                             **articles)

    def action_save(self) -> None:
        clear_field_errors(self)
        self.set_message("正在保存……")
        self._save(self.view.case_number, self.entry())

    @work(thread=True, exclusive=True, group="entry", exit_on_error=False)
    def _save(self, number: str, entry: ContractEntry) -> None:
        self.post_message(self.Saved(contracts.save_entry(self.db, self.actor, number, entry)))

    def on_contract_entry_screen_saved(self, message: Saved) -> None:
        self.dismiss(message.view)

    def show_field_refusal(self, error: RuleViolation) -> bool:
        """A refusal under the field it names (the buyers' under the buyers)."""
        name = "buyers" if (error.field or "") in _BUYER_FIELDS else error.field or ""
        if name == "buyers":
            self.query_one("#e-buyers", FieldError).show(error.message)
            self.query_one("#entry-buyers").scroll_visible()
            shown = True
        else:
            shown = bool(name) and show_field_error(self, name, error.message)
        if shown:
            self.set_message("未能保存，请按红字提示更正。", "error")
        return shown
