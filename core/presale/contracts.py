"""Presale (预售签约, seed 004 §5.5.1) and spot-sale (现房签约, §5.7) contracts: the rules.

The contract's entry follows the main articles of the national model presale contract
(商品房买卖合同(预售)示范文本): the parties (出卖人 from the register, 买受人 typed once),
the unit and its areas (from the survey in force, never typed), the price and its basis
(按套内建筑面积 or 按建筑面积: unit price × that area, rounded half-up to the fen), the
payment method (一次性付款, 分期付款, 商业贷款, 公积金贷款, 组合贷) with its amounts, and for a
loan the mortgagor and the mortgagee (抵押人, 抵押权人).

What the payment notice (资金缴款通知单) asks is ``amount_due``: the whole price paid at once,
else the first instalment or the down payment; the task completes only when what was paid
equals it (``check_payment`` refuses an overpayment). ``route`` says who reviews the loan after
the developer's seal: the bank (商业贷款), the fund centre (公积金贷款), the fund centre then the
bank (组合贷), nobody (no loan); the authority files it last.

The buyer cannot change once saved (购房主体一旦保存后将不能再次更改): ``check_same_buyers``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from core.errors import RuleViolation
from core.identity import check_person_name, parse_identity, parse_mobile
from core.money import check_amount

if TYPE_CHECKING:
    from core.cases import CaseState
    from core.roles import Actor

__all__ = [
    "BUYER_LOCKED",
    "CONTRACT_STATUS_LABELS",
    "PAYMENT_LABELS",
    "PRICE_BASIS_LABELS",
    "SIGNING_FORM_LABELS",
    "Buyer",
    "ContractEntry",
    "ContractStatus",
    "PaymentMethod",
    "PriceBasis",
    "SigningForm",
    "UnitAreas",
    "ValidEntry",
    "amount_due",
    "check_contract_stage",
    "check_entry",
    "check_payment",
    "check_same_buyers",
    "check_scan",
    "digest",
    "route",
]

_CENT = Decimal("0.01")
BUYER_LOCKED = "购房主体一旦保存后将不能再次更改，如需变更请进行退房申请。"


class PaymentMethod(StrEnum):
    FULL = "full"  # 一次性付款
    INSTALMENT = "instalment"  # 分期付款
    COMMERCIAL = "commercial"  # 商业贷款
    FUND = "fund"  # 公积金贷款
    COMBINED = "combined"  # 组合贷


PAYMENT_LABELS = {PaymentMethod.FULL: "一次性付款", PaymentMethod.INSTALMENT: "分期付款",
                  PaymentMethod.COMMERCIAL: "商业贷款", PaymentMethod.FUND: "公积金贷款",
                  PaymentMethod.COMBINED: "组合贷"}
LOANS = frozenset({PaymentMethod.COMMERCIAL, PaymentMethod.FUND, PaymentMethod.COMBINED})


class PriceBasis(StrEnum):
    INNER = "inner"  # 按套内建筑面积计算
    BUILT = "built"  # 按建筑面积计算


PRICE_BASIS_LABELS = {PriceBasis.INNER: "按套内建筑面积计算", PriceBasis.BUILT: "按建筑面积计算"}


class SigningForm(StrEnum):
    ELECTRONIC = "electronic"  # 电子合同: the buyer confirms by SMS code
    PAPER = "paper"  # 纸质合同: the signed, sealed scan is attached (PDF)


SIGNING_FORM_LABELS = {SigningForm.ELECTRONIC: "电子合同", SigningForm.PAPER: "纸质合同"}


class ContractStatus(StrEnum):
    ENTRY = "entry"  # 合同信息录入 (and the payment notice)
    SIGNING = "signing"  # 签约环节: the buyer's confirmation
    SEALING = "sealing"  # 合同盖章: the developer's seal
    REVIEW = "review"  # 抵押审核 by the bank / the fund centre, or waiting for the filing
    FILED = "filed"  # 已备案
    VOID = "void"  # 取消受理
    RETURNED = "returned"  # 已退房 (core.presale.returns): the unit is sellable again, the contract kept


CONTRACT_STATUS_LABELS = {ContractStatus.ENTRY: "合同录入中", ContractStatus.SIGNING: "签约中",
                          ContractStatus.SEALING: "待盖章", ContractStatus.REVIEW: "待审核备案",
                          ContractStatus.FILED: "已备案", ContractStatus.VOID: "已作废",
                          ContractStatus.RETURNED: "已退房"}


def _choice(raw: object, kind: type[StrEnum], labels: dict, field: str, what: str) -> StrEnum:  # type: ignore[type-arg]
    text = raw.strip() if isinstance(raw, str) else raw
    for member in kind:  # type: ignore[attr-defined]
        if text in (member, member.value, labels[member]):
            return member
    options = "、".join(labels.values())
    raise RuleViolation(f"CONTRACT_BAD_{field.upper()}", f"{what}须为{options}之一。", field=field)


@dataclass(frozen=True)
class Buyer:
    name: str
    id_number: str
    phone: str
    id_kind: str | None = None


@dataclass(frozen=True)
class UnitAreas:
    """The unit as the survey in force describes it (never typed)."""

    unit_no: str
    built_area: Decimal
    inner_area: Decimal | None


@dataclass(frozen=True)
class ContractEntry:
    """What the developer types (购房合同录入); amounts as text or Decimal."""

    buyers: tuple[Buyer, ...]
    price_basis: object = PriceBasis.BUILT
    unit_price: object = None  # 元/m²
    payment_method: object = PaymentMethod.FULL
    down_payment: object = None  # 首付款 / 首期款 (一次性付款: none, it is the price)
    commercial_loan: object = None
    fund_loan: object = None
    loan_bank: object = None  # 商业贷款银行: one of the developer's 按揭银行
    fund_centre: object = None  # 公积金管理中心
    mortgagor: object = None  # 抵押人
    mortgagee: object = None  # 抵押权人
    instalment_terms: object = None  # 分期付款: the later instalments, in words
    delivery_date: object = None  # 交付日期
    signing_form: object = SigningForm.ELECTRONIC


@dataclass(frozen=True)
class ValidEntry:
    buyers: tuple[Buyer, ...]
    price_basis: str
    area: Decimal  # the area the price is on
    unit_price: Decimal
    total_price: Decimal
    payment_method: str
    down_payment: Decimal
    commercial_loan: Decimal
    fund_loan: Decimal
    loan_bank: str | None
    fund_centre: str | None
    mortgagor: str | None
    mortgagee: str | None
    instalment_terms: str | None
    delivery_date: str | None
    signing_form: str

    def as_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, default=str)


def digest(entry: ValidEntry, unit_no: str) -> str:
    """What a confirmation code is bound to: the unit and every fact of the entry."""
    return hashlib.sha256(f"{unit_no}\x1f{entry.as_json()}".encode()).hexdigest()


def _money(raw: object, field: str, label: str, *, required: bool = True) -> Decimal:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise RuleViolation("CONTRACT_AMOUNT_MISSING", f"请填写{label}。", field=field)
        return Decimal("0.00")
    try:
        return check_amount(raw)  # type: ignore[arg-type]
    except RuleViolation as refused:
        raise RuleViolation(refused.code, f"{label}：{refused.message}", field=field) from None


def _text(raw: object, field: str, label: str, *, required: bool, max_length: int = 60) -> str | None:
    from core.parties import check_text

    return check_text(raw, field=field, label=label, max_length=max_length, required=required,
                      empty_code="CONTRACT_FIELD_MISSING")


def _buyers(raw: tuple[Buyer, ...], today: date) -> tuple[Buyer, ...]:
    if not raw:
        raise RuleViolation("CONTRACT_NO_BUYER", "请填写买受人（购房人）信息。", field="buyers")
    out: list[Buyer] = []
    for b in raw:
        name = check_person_name(b.name, who="买受人", field="buyers")
        facts = parse_identity(b.id_number, b.id_kind, today=today)
        phone = parse_mobile(b.phone)
        out.append(Buyer(name, facts.number, phone, facts.kind.value))
    if len({b.id_number for b in out}) != len(out):
        raise RuleViolation("CONTRACT_BUYER_TWICE", "同一买受人不能重复填写。", field="buyers")
    return tuple(out)


def check_entry(entry: ContractEntry, unit: UnitAreas, *, today: date, mortgage_banks: frozenset[str]) -> ValidEntry:
    """The entry as it will be kept, or the first refusal (a Chinese sentence naming the field).

    ``mortgage_banks``: the names of the developer's 按揭银行; a commercial loan's bank is one of them."""
    buyers = _buyers(entry.buyers, today)
    basis = PriceBasis(_choice(entry.price_basis, PriceBasis, PRICE_BASIS_LABELS, "price_basis", "计价方式"))
    if basis is PriceBasis.INNER and not unit.inner_area:
        raise RuleViolation("CONTRACT_NO_INNER_AREA", f"户室{unit.unit_no}没有套内建筑面积，只能按建筑面积计价。",
                            field="price_basis")
    area = unit.built_area if basis is PriceBasis.BUILT else unit.inner_area
    assert area is not None
    unit_price = _money(entry.unit_price, "unit_price", "单价")
    if unit_price <= 0:
        raise RuleViolation("CONTRACT_PRICE_ZERO", "单价须大于零。", field="unit_price")
    total = (area * unit_price).quantize(_CENT, rounding=ROUND_HALF_UP)
    method = PaymentMethod(_choice(entry.payment_method, PaymentMethod, PAYMENT_LABELS, "payment_method", "付款方式"))
    down = _money(entry.down_payment, "down_payment", "首付款", required=method is not PaymentMethod.FULL)
    commercial = _money(entry.commercial_loan, "commercial_loan", "商业贷款金额",
                        required=method in (PaymentMethod.COMMERCIAL, PaymentMethod.COMBINED))
    fund = _money(entry.fund_loan, "fund_loan", "公积金贷款金额",
                  required=method in (PaymentMethod.FUND, PaymentMethod.COMBINED))
    if method is PaymentMethod.FULL:
        down = total
    if method not in (PaymentMethod.COMMERCIAL, PaymentMethod.COMBINED):
        commercial = Decimal("0.00")
    if method not in (PaymentMethod.FUND, PaymentMethod.COMBINED):
        fund = Decimal("0.00")
    if (method in (PaymentMethod.COMMERCIAL, PaymentMethod.COMBINED) and commercial <= 0) or \
            (method in (PaymentMethod.FUND, PaymentMethod.COMBINED) and fund <= 0):
        raise RuleViolation("CONTRACT_LOAN_ZERO", "贷款金额须大于零。", field="commercial_loan")
    if method is PaymentMethod.INSTALMENT and not Decimal(0) < down < total:
        raise RuleViolation("CONTRACT_INSTALMENT_FIRST", "分期付款的首期款须大于零且小于总价款。", field="down_payment")
    if method is not PaymentMethod.INSTALMENT and down + commercial + fund != total:
        raise RuleViolation(
            "CONTRACT_AMOUNTS_MISMATCH",
            f"首付款与贷款金额之和（{down + commercial + fund}元）须等于总价款（{total}元）。", field="down_payment")
    bank = _text(entry.loan_bank, "loan_bank", "商业贷款银行",
                 required=method in (PaymentMethod.COMMERCIAL, PaymentMethod.COMBINED))
    centre = _text(entry.fund_centre, "fund_centre", "公积金管理中心",
                   required=method in (PaymentMethod.FUND, PaymentMethod.COMBINED))
    if method not in (PaymentMethod.COMMERCIAL, PaymentMethod.COMBINED):
        bank = None
    if method not in (PaymentMethod.FUND, PaymentMethod.COMBINED):
        centre = None
    if bank is not None and bank not in mortgage_banks:
        raise RuleViolation("CONTRACT_BANK_NOT_MORTGAGE",
                            f"“{bank}”不是本企业的按揭银行，请先在银行信息中添加按揭银行。", field="loan_bank")
    loan = method in LOANS
    mortgagor = _text(entry.mortgagor, "mortgagor", "抵押人", required=loan, max_length=100) if loan else None
    mortgagee = _text(entry.mortgagee, "mortgagee", "抵押权人", required=loan, max_length=100) if loan else None
    terms = (_text(entry.instalment_terms, "instalment_terms", "分期付款约定", required=True, max_length=200)
             if method is PaymentMethod.INSTALMENT else None)
    delivery = _text(entry.delivery_date, "delivery_date", "交付日期", required=False, max_length=20)
    form = SigningForm(_choice(entry.signing_form, SigningForm, SIGNING_FORM_LABELS, "signing_form", "合同形式"))
    return ValidEntry(buyers, basis.value, area, unit_price, total, method.value, down, commercial, fund, bank,
                      centre, mortgagor, mortgagee, terms, delivery, form.value)


def check_same_buyers(saved: tuple[tuple[str, str], ...], entry: ValidEntry) -> None:
    """The buyer (name and document of each, in order) cannot change once saved."""
    if saved and saved != tuple((b.name, b.id_number) for b in entry.buyers):
        raise RuleViolation("CONTRACT_BUYER_LOCKED", BUYER_LOCKED, field="buyers")


def amount_due(entry: ValidEntry) -> Decimal:
    """What the payment notice (资金缴款通知单) asks now: the price paid at once, else the first
    instalment or the down payment."""
    return entry.down_payment


def check_payment(due: Decimal, paid: Decimal, amount: object) -> Decimal:
    """One payment received against the notice: more than zero, to the fen, and never more than
    what is still due (实付金额必须等于应付金额)."""
    value = _money(amount, "amount", "实付金额")
    if value <= 0:
        raise RuleViolation("PAYMENT_ZERO", "实付金额须大于零。", field="amount")
    if paid + value > due:
        raise RuleViolation("PAYMENT_OVER_DUE",
                            f"实付金额超过应付金额：应付{due}元，已付{paid}元，本次最多{due - paid}元。", field="amount")
    return value


def route(method: str) -> tuple[str, ...]:
    """The review stages after the seal, in order (then the authority's filing)."""
    m = PaymentMethod(method)
    if m is PaymentMethod.COMMERCIAL:
        return ("bank_review",)
    if m is PaymentMethod.FUND:
        return ("fund_review",)
    if m is PaymentMethod.COMBINED:
        return ("fund_review", "bank_review")
    return ()


def check_loan_reviewer(type_code: str, stage: str, actor: "Actor") -> None:
    """A loan review stage is taken by its own reviewers: 公积金审核 by the fund centre's, 银行抵押审核
    by the bank's (the administrator, acting for either, excepted) — even where a bank's reviewer
    and a centre's are bound to one name. Refused: LOAN_REVIEW_NOT_YOURS."""
    from core.cases import case_type
    from core.roles import ROLE_LABELS, Role

    kind = case_type(type_code)
    here = kind.stages[kind.stage_index(stage)]
    if actor.role is Role.ADMIN or here.role is actor.role:
        return
    raise RuleViolation("LOAN_REVIEW_NOT_YOURS",
                        f"该合同正处于“{here.name}”阶段，须由{ROLE_LABELS[here.role]}审核，"
                        f"{ROLE_LABELS[actor.role]}不能审核。")


def check_scan(head: bytes, *, label: str = "合同扫描件", code: str = "CONTRACT_SCAN_NOT_PDF",
               field: str = "scan") -> None:
    """A scan (a paper contract's, a signed agreement's, a return's voucher) is a PDF file (it
    starts with ``%PDF-``)."""
    if not head.startswith(b"%PDF-"):
        raise RuleViolation(code, f"上传的{label}不是PDF文件，请扫描成PDF文件后上传。", field=field)


def check_contract_stage(state: "CaseState", actor: "Actor", stage: str, what: str) -> None:
    """A step on a contract's F case: the case is active, ``actor`` holds it, and it stands at
    ``stage``. Refused: the case engine's, CONTRACT_WRONG_STAGE."""
    from core.cases import CaseStatus, case_type, require_holder

    if state.status is CaseStatus.ACTIVE and state.stage != stage:
        kind = case_type(state.type_code)
        here = kind.stages[kind.stage_index(state.stage)].name
        raise RuleViolation("CONTRACT_WRONG_STAGE", f"该合同业务正处于“{here}”阶段，不能{what}。")
    require_holder(state, actor)
