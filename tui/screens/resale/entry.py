"""签订买卖合同 / 修改合同草稿 / 变更合同: the resale contract form at the counter.

The screen lays out the contract as the guides do (seed 003 articles 1-2,
seed 002 §三(四)-(七), seed 001 §5.2.2):

* 房屋基本情况 — the register's facts of the home, read-only;
* 甲方（出卖人） — each owner from the register, read-only, with the share
  transferred (0 for a co-owner who keeps theirs), the phone, and a guardian
  or agent where needed;
* 乙方（买受人） — the 共有方式 and the buyers, added (F3) and removed (F4):
  个人 or 机构, the ID kinds offered by the region (``ALLOWED_ID_KINDS``),
  the share when 按份共有, guardian and agent when relevant;
* 成交与付款 — the price with its capitals (大写) shown as it is typed, the
  payment, fund supervision and the signing method, with the reasons when
  signing is forced offline;
* 争议解决 — arbitration (with the commission's name) or court, as the
  parties choose; not chosen, the printed contract offers both to tick.

Ctrl+S / F5 saves through ``services.resale.contracts`` in a thread worker: a new
draft from a passed house check (``create_draft``), a new version of a draft
(``update_draft``) or, for a signed contract, a 变更合同 of non-key items
(``change_contract``) whose before/after list is shown. When the form is
refused (``DraftInvalid``) every refusal is shown under its own field and
nothing is saved. F6 hands a saved draft to ``next_step`` (短信验证).

ID numbers and phones are shown masked except in the box being typed in.
The rules are core's: the screen only gathers the values and shows refusals.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Literal

from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import (
    Checkbox,
    Header,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    Static,
)

from core.errors import RuleViolation
from core.identity import REGION_LABELS, IdKind, Region, mask_id, mask_phone
from core.money import to_chinese_capital
from core.resale.contract_record import ChangedItem, to_form
from core.resale.contract_text import DISPUTE_ARBITRATION, DISPUTE_LABELS
from core.resale.contracts import (
    ALLOWED_ID_KINDS,
    CAPACITY_LABELS,
    CO_OWNERSHIP_LABELS,
    ORGANISATION,
    PAYMENT_METHOD_LABELS,
    PERSON,
    AgentLine,
    BuyerLine,
    ContractDraft,
    DraftInvalid,
    GuardianLine,
    SellerLine,
    SigningDecision,
    kind_label,
    validate_draft,
)
from core.timeutil import local_today, show
from services.resale import contracts as contract_service
from services.resale.contracts import ContractView
from tui.screens.base import AppScreen
from tui.widgets.detail import LABEL_STYLE, MUTED
from tui.widgets.form import FieldError, FieldRow, FormInput, clear_field_errors, compact_input
from tui.widgets.message import MessageLine
from tui.widgets.footer import KeyFooter

Mode = Literal["new", "draft", "change"]

#: What F6 opens for a saved draft: the SMS verification screen of that contract.
NextStep = Callable[[ContractView], Screen]

MODE_TITLES: dict[str, str] = {"new": "签订买卖合同", "draft": "修改合同草稿", "change": "变更合同"}
PARTY_KINDS = (PERSON, ORGANISATION)
CO_OWNERSHIPS = tuple(CO_OWNERSHIP_LABELS)
SIGNING_METHODS = ("online", "offline")
SIGNING_LABELS = {"online": "线上签署", "offline": "线下签署"}
YES_NO = (True, False)
#: 争议解决 as the form offers it: not chosen (the parties tick it on the printed contract), or one of the two.
DISPUTE_CHOICES: tuple[str | None, ...] = (None, *DISPUTE_LABELS)
DISPUTE_CHOICE_LABELS = ("未选定", *DISPUTE_LABELS.values())
#: Buyer items that are key (seed 002 §三(七)): read-only when changing a signed contract.
KEY_PARTY_ITEMS = ("kind", "name", "region", "id_kind", "id_number", "credit_code", "nationality")
#: A refusal about the shares together: every share box is marked, not only the one it is filed at.
AT_SHARES = {"SHARES_NOT_100"}

_INDEX = re.compile(r"\[(\d+)\]")


def field_key(path: str) -> str:
    """A field path as a widget id part: ``buyers[1].guardian.id_number`` → ``buyers-1-guardian-id_number``."""
    return _INDEX.sub(r"-\1", path).replace(".", "-")


def parent_paths(path: str) -> Iterable[str]:
    """``path`` and then each enclosing item: ``buyers[0].guardian.name`` → ``buyers[0].guardian`` → ``buyers[0]``
    → ``buyers``."""
    while path:
        yield path
        if "." in path:
            path = path.rsplit(".", 1)[0]
        elif path.endswith("]"):
            path = path[: path.rindex("[")]
        else:
            return


def _masked(mask: Callable[[str], str], value: str) -> str:
    try:
        return mask(value)
    except Exception:  # noqa: BLE001 - a mask never brings the screen down
        return "*" * len(value)


class MaskedInput(FormInput):
    """An input whose number is shown masked except while the clerk types in it."""

    def __init__(self, value: str = "", *, mask: Callable[[str], str], **kwargs: object) -> None:
        self._mask = mask  # before the value is set: the input measures its shown text
        super().__init__(value=value, **kwargs)  # type: ignore[arg-type]

    @property
    def _value(self) -> Text:
        if self.value and not self.has_focus:
            return Text(_masked(self._mask, self.value), no_wrap=True, overflow="ignore", end="")
        return super()._value

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        super()._on_blur(event)
        self.refresh()


# ---------------------------------------------------------------- building blocks


def _radio(labels: Iterable[str], pressed: int | None) -> RadioSet:
    buttons = [RadioButton(label, value=i == pressed) for i, label in enumerate(labels)]
    return RadioSet(*buttons, compact=True)


def _region_of(raw: object) -> Region:
    try:
        return Region(raw)
    except ValueError:
        return Region.MAINLAND


def _kind_options(region: Region, current: object = None) -> list[tuple[str, str]]:
    kinds = [str(k) for k in ALLOWED_ID_KINDS[region]]
    if current and str(current) not in kinds:
        kinds.append(str(current))  # e.g. a stored 15-digit ID: kept, and core says if it is allowed
    return [(kind_label(k), k) for k in kinds]


def _kind_select(region: Region, current: object) -> Select[str]:
    options = _kind_options(region, current)
    value = str(current) if current and str(current) in [v for _, v in options] else options[0][1]
    return Select(options, value=value, allow_blank=False, compact=True)


def _region_select(region: Region) -> Select[Region]:
    return Select([(label, r) for r, label in REGION_LABELS.items()], value=region, allow_blank=False, compact=True)


def _share_text(value: object) -> str:
    if value is None:
        return ""
    text = f"{value:f}" if hasattr(value, "as_tuple") else str(value)
    return text


def _row(path: str, label: str, widget: Widget, *, hidden: bool = False, locked: bool = False) -> FieldRow:
    """The form row of the field at ``path`` (ids ``w-`` / ``f-`` / ``e-`` + ``field_key(path)``)."""
    return FieldRow(field_key(path), label, widget, hidden=hidden, locked=locked)


def error_line(path: str) -> FieldError:
    """The refusal line of an item that is not one input (a party, a guardian, the buyers)."""
    return FieldError(id=f"e-{field_key(path)}")


def _section(title: str, **kwargs: str) -> Static:
    return Static(Text(title, style="bold"), classes="ce-section", **kwargs)


def _person_rows(path: str, who: str, *, name: str, region_raw: object, id_kind: object, id_number: str,
                 nationality: str | None, phone: str, locked: bool = False,
                 credit_code: str | None = None, organisation: bool = False) -> list[Widget]:
    """Name, region, ID kind (limited by the region), number, nationality (foreign), phone."""
    region = _region_of(region_raw)
    lock = locked
    rows: list[Widget] = [
        _row(f"{path}.name", f"{who}姓名（名称）" if credit_code is not None else f"{who}姓名",
             compact_input(name, max_length=100), locked=lock),
        _row(f"{path}.region", f"{who}国籍/地区", _region_select(region), locked=lock),
        _row(f"{path}.id_kind", f"{who}证件类型", _kind_select(region, id_kind), hidden=organisation,
             locked=lock),
        _row(f"{path}.id_number", f"{who}证件号码",
             MaskedInput(id_number or "", mask=mask_id, compact=True, max_length=40), hidden=organisation,
             locked=lock),
    ]
    if credit_code is not None:
        rows.append(_row(f"{path}.credit_code", "统一社会信用代码",
                         compact_input(credit_code, "18位", max_length=40), hidden=not organisation, locked=lock))
    rows += [
        _row(f"{path}.nationality", f"{who}国籍代码", compact_input(nationality or "", "护照的国籍，如 USA", 3),
             hidden=region is not Region.FOREIGN or organisation, locked=lock),
        _row(f"{path}.phone", f"{who}联系电话",
             MaskedInput(phone or "", mask=mask_phone, placeholder="大陆手机号码", compact=True, max_length=20)),
    ]
    return rows


def _helper_box(path: str, role: str, line: GuardianLine | AgentLine | None, shown: bool) -> Vertical:
    """The guardian (监护人) or agent (代理人) of a party: shown when its box is ticked."""
    rows = _person_rows(
        path, role, name=line.name if line else "", region_raw=line.region if line else Region.MAINLAND,
        id_kind=line.id_kind if line else IdKind.RESIDENT_ID, id_number=line.id_number if line else "",
        nationality=line.nationality if line else None, phone=line.phone if line else "",
    )
    return Vertical(*rows, id=f"box-{field_key(path)}", classes="ce-helper" + ("" if shown else " -hidden"))


def _helper_checks(path: str, *, guardian: bool, agent: bool, organisation: bool) -> Horizontal:
    key = field_key(path)
    guardian_box = Checkbox("由监护人办理", guardian, id=f"c-{key}-guardian", compact=True)
    guardian_box.display = not organisation
    return Horizontal(
        guardian_box,
        Checkbox("由代理人（经办人）办理", agent, id=f"c-{key}-agent", compact=True),
        classes="ce-checks",
    )


def house_renderable(house: dict, house_code: str) -> Table:
    """房屋基本情况 (seed 003 article 1): what the register says about the home."""

    def area(value: object) -> str:
        return f"{value}平方米" if value not in (None, "") else "—"

    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style=LABEL_STYLE, width=12, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    grid.add_row("房源编码", Text(house_code))
    grid.add_row("坐落", Text(str(house.get("location") or "")))
    grid.add_row("产权证号", Text(str(house.get("certificate_number") or "—")))
    grid.add_row("不动产单元号", Text(str(house.get("unit_number") or "—")))
    floors = f"{house.get('floor') or '—'}/{house.get('total_floors') or '—'}"
    grid.add_row("用途　结构", Text(f"{house.get('design_use') or '—'}　{house.get('structure') or '—'}"
                               f"　层次/总层数 {floors}"))
    grid.add_row("建筑面积", Text(f"{area(house.get('floor_area'))}　套内面积 {area(house.get('inner_area'))}"))
    grid.add_row("分摊土地面积", Text(area(house.get("land_area"))))
    mortgage = "有抵押" if house.get("mortgaged") else "无"
    grid.add_row("竣工年份", Text(f"{house.get('completion_year') or '—'}　抵押 {mortgage}"))
    return grid


def seller_summary(index: int, seller: SellerLine) -> Text:
    """One register owner, read-only: name, region, ID kind and masked number, registered share."""
    text = Text(f"出卖人{index + 1}　", style="bold")
    text.append(seller.name)
    if seller.kind == ORGANISATION:
        text.append(f"　统一社会信用代码 {seller.id_number}")
    else:
        region = REGION_LABELS.get(_region_of(seller.region), str(seller.region))
        text.append(f"　{region}　{kind_label(seller.id_kind)} {_masked(mask_id, seller.id_number)}")
    text.append(f"　登记份额 {_share_text(seller.registered_share)}%")
    if seller.capacity in CAPACITY_LABELS and seller.capacity != "full":
        text.append(f"　{CAPACITY_LABELS[seller.capacity]}", style="bold")
    return text


def saved_renderable(view: ContractView) -> Table:
    """合同编号 / 业务号 / 状态 and, for a draft, when it expires."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style=LABEL_STYLE, width=8, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    grid.add_row("合同编号", Text(f"{view.number}　业务号 {view.case_number}　第{view.version}版"))
    status = Text(view.status_label, style="bold")
    if view.expires_at is not None:
        status.append(f"　须于 {show(view.expires_at)} 前提交，逾期系统自动删除")
    grid.add_row("状态", status)
    signing = view.draft.signing
    method = Text(SIGNING_LABELS.get(signing.method, signing.method))
    if signing.reasons:
        method.append("（" + "；".join(signing.reasons) + "）", style=MUTED)
    grid.add_row("签署方式", method)
    return grid


def changes_renderable(changed: list[ChangedItem]) -> Table:
    """The before/after of a 变更合同, one line per item."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style=LABEL_STYLE, width=16, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    for item in changed:
        line = Text(item.before or "（空）", style=MUTED)
        line.append(" → ")
        line.append(item.after or "（空）", style="bold")
        grid.add_row(item.label, line)
    return grid


# ---------------------------------------------------------------- the screen


class ContractEntryScreen(AppScreen):
    """The resale purchase contract (存量房买卖合同) of one home."""

    CSS_PATH = "resale.tcss"

    BINDINGS = [
        Binding("ctrl+s,f5", "save", "保存", key_display="F5"),
        Binding("f3", "add_buyer", "添加买受人", key_display="F3"),
        Binding("f4", "remove_buyer", "删除买受人", key_display="F4"),
        Binding("f6", "next_step", "短信验证", key_display="F6"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]

    HELP_STEPS = (
        "依次填写买受人、共有方式、成交价款与付款方式、争议解决方式；Tab 到下一项。",
        "F3 添加买受人，F4 删除光标所在的买受人。",
        "Ctrl+S 或 F5 保存为合同草稿（24小时内未提交将自动删除）。",
        "保存后 F6 进行短信验证。",
    )

    class Loaded(Message):
        """The form to show: the house, the sellers and the values to start from."""

        def __init__(self, house: dict, house_code: str, form: ContractDraft, view: ContractView | None) -> None:
            super().__init__()
            self.house = house
            self.house_code = house_code
            self.form = form
            self.view = view

    class Saved(Message):
        def __init__(self, view: ContractView, changed: list[ChangedItem] | None) -> None:
            super().__init__()
            self.view = view
            self.changed = changed

    def __init__(self, house_check_id: int | None = None, contract_id: int | None = None, mode: Mode = "new",
                 next_step: NextStep | None = None) -> None:
        super().__init__()
        if mode == "new" and house_check_id is None:
            raise ValueError("a new contract starts from a passed house check")
        if mode in ("draft", "change") and contract_id is None:
            raise ValueError("a draft or a change needs the contract")
        self.mode: Mode = mode
        self.house_check_id = house_check_id
        self.contract_id = contract_id
        self.next_step = next_step
        self.view: ContractView | None = None
        self.house_code = ""
        self.sellers: tuple[SellerLine, ...] = ()
        self.buyer_count = 0
        self.ready = False
        self._signing_forced = False
        self._signing_verdict: tuple[object, ...] | None = None
        self._preview_pending = False
        self._widgets_by_id: dict[str, Widget | None] = {}

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="ce-top"):
            yield Label(MODE_TITLES[self.mode], classes="screen-title", id="ce-title")
            yield Static("", id="ce-number", markup=False)
        yield MessageLine("正在读取……", id="ce-message")
        with VerticalScroll(id="ce-body"):
            yield Static("", id="ce-saved", classes="-hidden")
            yield Static("", id="ce-changes", classes="-hidden")
            yield Vertical(id="ce-form")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#ce-saved").border_title = "已保存"
        self.query_one("#ce-changes").border_title = "变更记录（变更前 → 变更后）"
        self._load()

    @work(thread=True, exclusive=True, group="ce-load", exit_on_error=False)
    def _load(self) -> None:
        if self.mode == "new":
            assert self.house_check_id is not None
            new = contract_service.new_contract_form(self.db, self.actor, self.house_check_id)
            self.post_message(self.Loaded(new.house, new.house_code, new.form, None))
            return
        assert self.contract_id is not None
        view = contract_service.get_contract(self.db, self.actor, self.contract_id)
        self.post_message(self.Loaded(view.house, view.house_code, to_form(view.draft), view))

    async def on_contract_entry_screen_loaded(self, message: Loaded) -> None:
        view = message.view
        self.view = view
        self.house_code = message.house_code
        self.sellers = message.form.sellers
        if view is not None:
            self._show_number(view)
            # 中山 files at signing and changes other items afterwards (seed 002 三(七))
            changeable = view.status == "signed" or (view.status == "filed" and view.filing_route == "at_signing")
            if self.mode == "change" and not changeable:
                self.show_refusal(f"该合同{view.status_label}，只有已签约的合同可以办理变更。")
                return
            if self.mode == "draft" and view.status != "draft":
                self.show_refusal(f"该合同{view.status_label}，不是草稿，不能直接修改；已签约的请办理合同变更。")
                return
        form = self.query_one("#ce-form", Vertical)
        await form.remove_children()
        await form.mount_all(self._form_widgets(message.house, message.form))
        self._widgets_by_id.clear()
        self.buyer_count = len(message.form.buyers)
        if self.mode == "new" and not message.form.buyers:
            await self._mount_buyer(BuyerLine(kind=PERSON, name=""))
        if self.wq.is_headless:
            for field in self.query(Input):
                field.cursor_blink = False
        self.ready = True
        self._update_capital()
        self._update_signing_preview()
        hint = {"new": "请填写合同信息，Ctrl+S 或 F5 保存为合同草稿（24小时内未提交将自动删除）。",
                "draft": "修改后 Ctrl+S 或 F5 保存为新的版本；已发送的短信验证码随之作废。",
                "change": "合同重要信息（当事人姓名、证件、房屋）不能变更；修改其他条款并填写变更说明后 F5 保存。"}
        self.set_message(hint[self.mode])
        self.refresh_bindings()
        first = next((w for w in self.query_one("#ce-form").query("Input, RadioSet, Select") if w.focusable), None)
        if first is not None:
            first.focus(scroll_visible=False)
        self.query_one("#ce-body", VerticalScroll).scroll_home(animate=False)

    def _form_widgets(self, house: dict, form: ContractDraft) -> list[Widget]:
        locked = self.mode == "change"
        widgets: list[Widget] = [
            _section("房屋基本情况"),
            Static(house_renderable(house, self.house_code), classes="ce-summary"),
            _section("甲方（出卖人）　以登记簿记载为准，不能修改"),
            error_line("sellers"),
        ]
        for i, seller in enumerate(form.sellers):
            widgets += self._seller_widgets(i, seller)
        co = CO_OWNERSHIPS.index(form.co_ownership) if form.co_ownership in CO_OWNERSHIPS else None
        widgets += [
            _section("乙方（买受人）"),
            _row("co_ownership", "共有方式", _radio(CO_OWNERSHIP_LABELS.values(), co)),
            Vertical(*[self._buyer_box(i, b, form.co_ownership == "shares") for i, b in enumerate(form.buyers)],
                     id="ce-buyers"),
            error_line("buyers"),
            Static("" if locked else "F3 添加买受人（共有人）　F4 删除光标所在的买受人", classes="ce-hint"),
        ]
        supervised = None if form.fund_supervised is None else YES_NO.index(form.fund_supervised)
        method = SIGNING_METHODS.index(form.requested_signing) if form.requested_signing in SIGNING_METHODS else None
        price = "" if form.price is None else _share_text(form.price)
        pay = form.payment_method if form.payment_method in PAYMENT_METHOD_LABELS else Select.NULL
        widgets += [
            _section("成交价格与付款"),
            _row("price", "成交价格（小写）", compact_input(price, "单位：元，如 2350000 或 2350000.50", 20)),
            Static("", id="price-capital", markup=False),
            _row("payment_method", "付款方式",
                 Select([(label, code) for code, label in PAYMENT_METHOD_LABELS.items()], value=pay,
                        prompt="请选择付款方式", compact=True)),
            _row("payment_terms", "付款约定", compact_input(form.payment_terms, "如：签约后五日内付清", 500)),
            _row("fund_supervised", "资金监管", _radio(("是", "否"), supervised)),
            _row("supervising_bank", "监管银行", compact_input(form.supervising_bank, "如：中国建设银行", 60),
                 hidden=form.fund_supervised is not True),
            _row("requested_signing", "签署方式", _radio(SIGNING_LABELS.values(), method)),
            Static("", id="signing-reasons", markup=False),
            _section("争议解决"),
            _row("dispute", "解决方式", _radio(DISPUTE_CHOICE_LABELS, DISPUTE_CHOICES.index(form.dispute)
                                               if form.dispute in DISPUTE_CHOICES else 0)),
            _row("arbitration_commission", "仲裁委员会",
                 compact_input(form.arbitration_commission, "全称，如：武汉仲裁委员会", 60),
                 hidden=form.dispute != DISPUTE_ARBITRATION),
            Static("未选定：合同上列出仲裁和诉讼两种方式，由双方签约时勾选。", classes="ce-hint"),
        ]
        if self.mode == "change":
            widgets += [
                _section("变更说明"),
                _row("reason", "变更说明", compact_input("", "变更事项及原因，如：双方协商调整付款约定", 200)),
            ]
        return widgets

    def _seller_widgets(self, i: int, seller: SellerLine) -> list[Widget]:
        path = f"sellers[{i}]"
        organisation = seller.kind == ORGANISATION
        needs_guardian = seller.guardian is not None or seller.capacity not in ("full", None)
        return [
            Static(seller_summary(i, seller), classes="ce-summary"),
            error_line(path),
            _row(f"{path}.transferred_share", "转让份额（%）",
                 compact_input(_share_text(seller.transferred_share), "保留份额的共有人填 0", 8)),
            _row(f"{path}.phone", "联系电话",
                 MaskedInput(seller.phone or "", mask=mask_phone, placeholder="大陆手机号码", compact=True,
                             max_length=20)),
            _helper_checks(path, guardian=needs_guardian, agent=seller.agent is not None or organisation,
                           organisation=organisation),
            error_line(f"{path}.guardian"),
            _helper_box(f"{path}.guardian", "监护人", seller.guardian, needs_guardian and not organisation),
            error_line(f"{path}.agent"),
            _helper_box(f"{path}.agent", "代理人", seller.agent, seller.agent is not None or organisation),
        ]

    def _buyer_box(self, i: int, buyer: BuyerLine, shares: bool) -> Vertical:
        path = f"buyers[{i}]"
        locked = self.mode == "change"
        organisation = buyer.kind == ORGANISATION
        kind_index = PARTY_KINDS.index(buyer.kind) if buyer.kind in PARTY_KINDS else 0
        capacity = buyer.capacity if buyer.capacity in CAPACITY_LABELS else "full"
        rows: list[Widget] = [
            Static(f"买受人{i + 1}", classes="ce-party"),
            error_line(path),
            _row(f"{path}.kind", "主体类型", _radio(("个人", "机构"), kind_index), locked=locked),
            *_person_rows(path, "", name=buyer.name, region_raw=buyer.region, id_kind=buyer.id_kind,
                          id_number=buyer.id_number, nationality=buyer.nationality, phone=buyer.phone,
                          locked=locked, credit_code=buyer.credit_code, organisation=organisation),
            _row(f"{path}.capacity", "民事行为能力",
                 Select([(label, code) for code, label in CAPACITY_LABELS.items()], value=capacity,
                        allow_blank=False, compact=True), hidden=organisation),
            _row(f"{path}.share", "共有份额（%）", compact_input(_share_text(buyer.share), "如 50", 8),
                 hidden=not shares),
            _helper_checks(path, guardian=buyer.guardian is not None, agent=buyer.agent is not None or organisation,
                           organisation=organisation),
            error_line(f"{path}.guardian"),
            _helper_box(f"{path}.guardian", "监护人", buyer.guardian, buyer.guardian is not None and not organisation),
            error_line(f"{path}.agent"),
            _helper_box(f"{path}.agent", "代理人", buyer.agent, buyer.agent is not None or organisation),
        ]
        return Vertical(*rows, classes="ce-buyer", id=f"box-{field_key(path)}")

    # ------------------------------------------------------------ messages

    def _show_number(self, view: ContractView) -> None:
        self.query_one("#ce-number", Static).update(
            f"合同编号 {view.number}　业务号 {view.case_number}　{view.status_label}")

    def clear_field_errors(self) -> None:
        clear_field_errors(self)
        for field in self.query(".-invalid"):
            field.remove_class("-invalid")

    def _error_target(self, error: RuleViolation) -> tuple[FieldError, Widget | None] | None:
        """The refusal line of the nearest item the path names, and the input to focus."""
        path = error.field or ""
        for candidate in parent_paths(path):
            key = field_key(candidate)
            line = next(iter(self.query(f"#e-{key}").results(FieldError)), None)
            if line is None:
                continue
            self._reveal(candidate)
            field = next(iter(self.query(f"#f-{key}")), None)
            if field is None:  # a guardian/agent or a party: its first open input
                box = next(iter(self.query(f"#box-{key}")), None)
                field = next((w for w in box.query("Input, Select, RadioSet") if w.focusable), None) if box else None
            return line, field
        return None

    def _reveal(self, path: str) -> None:
        """Open the guardian/agent box a refusal is about."""
        for part in ("guardian", "agent"):
            marker = f".{part}"
            if marker in path:
                owner = path[: path.index(marker)]
                box = self.query_one(f"#c-{field_key(owner)}-{part}", Checkbox)
                box.value = True

    def show_errors(self, errors: list[RuleViolation]) -> None:
        """Every refusal under its own field; the ones no field shows go to the message line."""
        self.clear_field_errors()
        elsewhere: list[str] = []
        first: Widget | None = None
        shown: dict[str, list[str]] = {}
        for error in errors:
            target = self._error_target(error)
            if target is None:
                elsewhere.append(error.message)
                continue
            line, field = target
            messages = shown.setdefault(line.id or "", [])
            if error.message not in messages:
                messages.append(error.message)
            line.show("\n".join(messages))
            if field is not None:
                field.add_class("-invalid")
                if first is None and field.focusable:
                    first = field
        if any(e.code in AT_SHARES for e in errors):
            for share in self.query("#ce-buyers Input").results(Input):
                if share.id and share.id.endswith("-share"):
                    share.add_class("-invalid")
        head = f"合同信息有 {len(errors)} 处需要更正，请按红字提示更正后再保存；合同未保存。"
        self.set_message("　".join([head, *elsewhere]), tone="error")
        if first is not None:
            first.focus()

    def show_field_refusal(self, error: RuleViolation) -> bool:
        """A refused form (``DraftInvalid``): every refusal under its field; one refusal
        naming a field: under it, and its sentence on the message line."""
        if isinstance(error, DraftInvalid):
            self.show_errors(error.errors)
            return True
        if error.field and self.ready:
            self.show_errors([error])
            self.show_refusal(error.message)
            return True
        return False

    # ------------------------------------------------------------ reading the form

    def _widget(self, widget_id: str) -> Widget | None:
        """The form's widget with ``widget_id`` (or None), remembered: reading the whole form
        (every change re-checks the signing method) must not walk the DOM for each of its
        fifty fields. The memory is dropped whenever widgets are mounted or removed."""
        cache = self._widgets_by_id
        if widget_id not in cache:
            cache[widget_id] = next(iter(self.query(f"#{widget_id}")), None)
        return cache[widget_id]

    def _value(self, path: str) -> str:
        widget = self._widget(f"f-{field_key(path)}")
        return widget.value if isinstance(widget, Input) else ""

    def _select(self, path: str) -> object:
        widget = self._widget(f"f-{field_key(path)}")
        if isinstance(widget, Select) and widget.value is not Select.NULL:
            return widget.value
        return None

    def _pressed(self, path: str) -> int | None:
        widget = self._widget(f"f-{field_key(path)}")
        if isinstance(widget, RadioSet) and widget.pressed_index >= 0:
            return widget.pressed_index
        return None

    def _ticked(self, path: str, part: str) -> bool:
        box = self._widget(f"c-{field_key(path)}-{part}")
        return isinstance(box, Checkbox) and box.value and box.display

    def _helper(self, path: str, part: str, cls: type[GuardianLine | AgentLine]) -> GuardianLine | AgentLine | None:
        if not self._ticked(path, part):
            return None
        sub = f"{path}.{part}"
        region = self._select(f"{sub}.region") or Region.MAINLAND
        return cls(name=self._value(f"{sub}.name"), region=region, id_kind=str(self._select(f"{sub}.id_kind") or ""),
                   id_number=self._value(f"{sub}.id_number"), phone=self._value(f"{sub}.phone"),
                   nationality=self._value(f"{sub}.nationality") if region == Region.FOREIGN else None)

    def read_form(self) -> ContractDraft:
        """The form as typed, as plain values for core and the service."""
        sellers = tuple(
            replace(seller, transferred_share=self._value(f"sellers[{i}].transferred_share"),
                    phone=self._value(f"sellers[{i}].phone"),
                    guardian=self._helper(f"sellers[{i}]", "guardian", GuardianLine),  # type: ignore[arg-type]
                    agent=self._helper(f"sellers[{i}]", "agent", AgentLine))  # type: ignore[arg-type]
            for i, seller in enumerate(self.sellers)
        )
        co = self._pressed("co_ownership")
        co_ownership = None if co is None else CO_OWNERSHIPS[co]
        buyers = tuple(self._read_buyer(i, co_ownership) for i in range(self.buyer_count))
        supervised = self._pressed("fund_supervised")
        method = self._pressed("requested_signing")
        dispute = DISPUTE_CHOICES[self._pressed("dispute") or 0]
        price = unicodedata.normalize("NFKC", self._value("price")).strip().replace(",", "")
        return ContractDraft(
            house_id=self.house_code,
            sellers=sellers,
            buyers=buyers,
            co_ownership=co_ownership,
            price=price,
            payment_method=self._select("payment_method"),  # type: ignore[arg-type]
            fund_supervised=None if supervised is None else YES_NO[supervised],
            supervising_bank=self._value("supervising_bank") if supervised == 0 else "",
            payment_terms=self._value("payment_terms"),
            requested_signing=None if method is None else SIGNING_METHODS[method],
            dispute=dispute,
            arbitration_commission=self._value("arbitration_commission") if dispute == DISPUTE_ARBITRATION else "",
        )

    def _read_buyer(self, i: int, co_ownership: str | None) -> BuyerLine:
        path = f"buyers[{i}]"
        kind = PARTY_KINDS[self._pressed(f"{path}.kind") or 0]
        region = self._select(f"{path}.region") or Region.MAINLAND
        person = kind == PERSON
        return BuyerLine(
            kind=kind,
            name=self._value(f"{path}.name"),
            region=region,  # type: ignore[arg-type]
            id_kind=str(self._select(f"{path}.id_kind") or "") if person else IdKind.RESIDENT_ID,
            id_number=self._value(f"{path}.id_number") if person else "",
            credit_code="" if person else self._value(f"{path}.credit_code"),
            phone=self._value(f"{path}.phone"),
            capacity=str(self._select(f"{path}.capacity") or "full") if person else "full",
            guardian=self._helper(path, "guardian", GuardianLine) if person else None,  # type: ignore[arg-type]
            agent=self._helper(path, "agent", AgentLine),  # type: ignore[arg-type]
            share=self._value(f"{path}.share") if co_ownership == "shares" else None,
            nationality=self._value(f"{path}.nationality") if person and region == Region.FOREIGN else None,
        )

    # ------------------------------------------------------------ live parts

    def _update_capital(self) -> None:
        """大写 of the price as typed (seed 003 article 2)."""
        line = self._widget("price-capital")
        if not isinstance(line, Static):
            return
        raw = unicodedata.normalize("NFKC", self._value("price")).strip()
        if not raw:
            line.update("")
            return
        try:
            line.update(Text(f"大写：{to_chinese_capital(raw)}"))
        except RuleViolation as error:
            line.update(Text(f"大写：—（{error.message}）", style=MUTED))
        except Exception:  # noqa: BLE001 - anything typed is shown, never raised
            line.update(Text("大写：—（不是有效的金额）", style=MUTED))

    def _signing_decision(self) -> SigningDecision | None:
        """How the contract would be signed, when the form as typed is complete and valid."""
        try:
            return validate_draft(self.read_form(), today=local_today(self.db.now())).signing
        except Exception:  # noqa: BLE001 - an incomplete form has no decision yet
            return None

    def _update_signing_preview(self) -> None:
        """Whether the contract must be signed offline, and why, as the form now reads.

        Runs after every change, so it stays cheap: widgets come from the cache, and the
        line and the buttons are touched only when the verdict changes (an update of the
        line would lay out the whole form again)."""
        self._preview_pending = False
        line = self._widget("signing-reasons")
        radio = self._widget("f-requested_signing")
        if not isinstance(line, Static) or not isinstance(radio, RadioSet):
            return
        decision = self._signing_decision()
        forced = decision is not None and decision.forced_offline
        verdict = (decision is not None, forced, tuple(decision.reasons) if forced else ())
        if verdict == self._signing_verdict:
            return
        self._signing_verdict = verdict
        buttons = list(radio.query(RadioButton))
        if forced and not buttons[1].value:
            buttons[1].value = True
        buttons[0].disabled = forced
        self._signing_forced = forced
        if decision is None:
            line.update(Text("填写完整后显示是否须线下签署。", style=MUTED))
        elif forced:
            line.update("须线下签署：" + "；".join(decision.reasons) + "。")
        else:
            line.update(Text("买卖双方均可使用电子签章时可选择线上签署。", style=MUTED))

    def _form_changed(self) -> None:
        """Queue one preview after the changes already waiting: a burst of typed keys
        (a fast typist, an ID-card reader) costs one preview, not one per key."""
        if self.ready and not self._preview_pending:
            self._preview_pending = True
            self.call_later(self._update_signing_preview)

    @on(Input.Changed, "#ce-form Input")
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "f-price":
            self._update_capital()
        self._form_changed()

    @on(RadioSet.Changed, "#ce-form RadioSet")
    def _radio_changed(self, event: RadioSet.Changed) -> None:
        rid = event.radio_set.id or ""
        if rid == "f-co_ownership":
            shares = CO_OWNERSHIPS[event.index] == "shares"
            for row in self.query(".ce-buyer FieldRow"):
                if row.id and row.id.endswith("-share"):
                    row.set_class(not shares, "-hidden")
        elif rid == "f-fund_supervised":
            self.query_one("#w-supervising_bank").set_class(event.index != 0, "-hidden")
        elif rid == "f-dispute":
            self.query_one("#w-arbitration_commission").set_class(
                DISPUTE_CHOICES[event.index] != DISPUTE_ARBITRATION, "-hidden")
        elif rid.startswith("f-buyers-") and rid.endswith("-kind"):
            self._show_party_kind(rid[2:-5], PARTY_KINDS[event.index])
        self._form_changed()

    def _show_party_kind(self, key: str, kind: str) -> None:
        organisation = kind == ORGANISATION
        region = self.query_one(f"#f-{key}-region", Select).value
        for item in ("id_kind", "id_number", "capacity"):
            self.query_one(f"#w-{key}-{item}").set_class(organisation, "-hidden")
        self.query_one(f"#w-{key}-credit_code").set_class(not organisation, "-hidden")
        self.query_one(f"#w-{key}-nationality").set_class(organisation or region != Region.FOREIGN, "-hidden")
        guardian = self.query_one(f"#c-{key}-guardian", Checkbox)
        guardian.display = not organisation
        if organisation:
            guardian.value = False
            self.query_one(f"#c-{key}-agent", Checkbox).value = True

    @on(Select.Changed, "#ce-form Select")
    def _select_changed(self, event: Select.Changed) -> None:
        sid = event.select.id or ""
        if sid.endswith("-region") and isinstance(event.value, Region):
            key = sid[2:-7]
            kinds = self.query_one(f"#f-{key}-id_kind", Select)
            options = _kind_options(event.value)
            current = kinds.value
            kinds.set_options(options)
            kinds.value = current if current in [v for _, v in options] else options[0][1]
            kind = self._widget(f"f-{key}-kind")  # a buyer's 主体类型 (sellers and helpers have none)
            organisation = isinstance(kind, RadioSet) and kind.pressed_index == 1
            self.query_one(f"#w-{key}-nationality").set_class(
                event.value is not Region.FOREIGN or organisation, "-hidden")
        elif sid.endswith("-capacity") and event.value not in (Select.NULL, "full"):
            self.query_one(f"#c-{sid[2:-9]}-guardian", Checkbox).value = True
        self._form_changed()

    @on(Checkbox.Changed, "#ce-form Checkbox")
    def _checkbox_changed(self, event: Checkbox.Changed) -> None:
        cid = event.checkbox.id or ""
        key = cid[2:]  # c-<party>-guardian / c-<party>-agent
        box = next(iter(self.query(f"#box-{key}")), None)
        if box is not None:
            box.set_class(not event.value, "-hidden")
        self._form_changed()

    # ------------------------------------------------------------ buyers

    async def _mount_buyer(self, line: BuyerLine) -> None:
        index = self.buyer_count
        shares = self._pressed("co_ownership") == CO_OWNERSHIPS.index("shares")
        box = self._buyer_box(index, line, shares)
        await self.query_one("#ce-buyers", Vertical).mount(box)
        self._widgets_by_id.clear()
        self.buyer_count += 1
        if self.wq.is_headless:
            for field in box.query(Input):
                field.cursor_blink = False

    async def action_add_buyer(self) -> None:
        if not self.check_action("add_buyer", ()):
            return
        await self._mount_buyer(BuyerLine(kind=PERSON, name=""))
        box = self.query_one(f"#box-buyers-{self.buyer_count - 1}")
        self.query_one(f"#f-buyers-{self.buyer_count - 1}-name", Input).focus()
        box.scroll_visible(animate=False)
        self.set_message(f"已添加买受人{self.buyer_count}。")
        self._form_changed()

    def _focused_buyer(self) -> int | None:
        node = self.focused
        while node is not None:
            if node.id and node.has_class("ce-buyer"):
                return int(node.id.rsplit("-", 1)[1])
            node = node.parent  # type: ignore[assignment]
        return None

    async def action_remove_buyer(self) -> None:
        if not self.check_action("remove_buyer", ()):
            return
        index = self._focused_buyer()
        if index is None:
            self.show_refusal("请先把光标移到要删除的买受人的信息中，再按 F4。")
            return
        keep = [self._read_buyer(i, "shares") for i in range(self.buyer_count) if i != index]
        if self._pressed("co_ownership") != CO_OWNERSHIPS.index("shares"):
            keep = [replace(b, share=None) for b in keep]
        container = self.query_one("#ce-buyers", Vertical)
        await container.remove_children()
        self._widgets_by_id.clear()
        self.buyer_count = 0
        for line in keep:
            await self._mount_buyer(line)
        self.clear_field_errors()
        self.set_message(f"已删除买受人{index + 1}；其后的买受人依次前移。")
        self._form_changed()
        if self.buyer_count:
            self.query_one(f"#f-buyers-{min(index, self.buyer_count - 1)}-name", Input).focus()

    # ------------------------------------------------------------ saving

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return self.ready
        if action in ("add_buyer", "remove_buyer"):
            return self.ready and self.mode != "change"
        if action == "next_step":
            return (self.next_step is not None and self.view is not None and self.view.status == "draft"
                    and self.mode != "change")
        return True

    def action_save(self) -> None:
        if not self.check_action("save", ()):
            return
        if self._preview_pending:
            self._update_signing_preview()  # the signing method as the form reads now, before it is read
        self.clear_field_errors()
        form = self.read_form()
        self.set_message("正在保存……")
        if self.mode == "new":
            self._save_new(form)
        elif self.mode == "draft":
            assert self.view is not None
            self._save_draft(form, self.view.version)
        else:
            assert self.view is not None
            self._save_change(form, self.view.version, self._value("reason"))

    @work(thread=True, exclusive=True, group="ce-save", exit_on_error=False)
    def _save_new(self, form: ContractDraft) -> None:
        assert self.house_check_id is not None
        view = contract_service.create_draft(self.db, self.actor, self.house_check_id, form)
        self.post_message(self.Saved(view, None))

    @work(thread=True, exclusive=True, group="ce-save", exit_on_error=False)
    def _save_draft(self, form: ContractDraft, version: int) -> None:
        assert self.contract_id is not None
        view = contract_service.update_draft(self.db, self.actor, self.contract_id, form, expected_version=version)
        self.post_message(self.Saved(view, None))

    @work(thread=True, exclusive=True, group="ce-save", exit_on_error=False)
    def _save_change(self, form: ContractDraft, version: int, reason: str) -> None:
        assert self.contract_id is not None
        changed = contract_service.change_contract(self.db, self.actor, self.contract_id, form,
                                                   expected_version=version, reason=reason)
        view = contract_service.get_contract(self.db, self.actor, self.contract_id)
        self.post_message(self.Saved(view, changed))

    def on_contract_entry_screen_saved(self, message: Saved) -> None:
        view = message.view
        first_save = self.mode == "new"
        self.view = view
        self.contract_id = view.id
        if first_save:
            self.mode = "draft"
            self.query_one("#ce-title", Label).update(MODE_TITLES["draft"])
        self._show_number(view)
        saved = self.query_one("#ce-saved", Static)
        saved.update(saved_renderable(view))
        saved.remove_class("-hidden")
        if message.changed is not None:
            changes = self.query_one("#ce-changes", Static)
            changes.update(changes_renderable(message.changed))
            changes.remove_class("-hidden")
            self.set_message(f"合同变更已保存（第{view.version}版），共变更 {len(message.changed)} 项。", tone="ok")
        else:
            follow = "；按 F6 进行短信验证" if self.next_step is not None else ""
            done = "合同草稿已保存" if first_save else f"合同草稿已保存为第{view.version}版"
            self.set_message(f"{done}，合同编号 {view.number}{follow}。", tone="ok")
        self.refresh_bindings()
        self.query_one("#ce-body", VerticalScroll).scroll_home(animate=False)

    def action_next_step(self) -> None:
        if not self.check_action("next_step", ()) or self.next_step is None or self.view is None:
            return
        self.app.push_screen(self.next_step(self.view))


__all__ = [
    "ContractEntryScreen",
    "MaskedInput",
    "NextStep",
    "changes_renderable",
    "field_key",
    "house_renderable",
    "parent_paths",
    "saved_renderable",
    "seller_summary",
]
