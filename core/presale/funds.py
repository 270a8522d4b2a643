"""预售资金监管 (seed 004 §5.3, §5.8, §5.10): fund supervision agreements and general fund
withdrawals, their rules and value types. Pure: no database.

An agreement (预售资金监管协议) binds a building's units to a supervising bank account of the
developer (监管银行账户, from 机构信息管理—银行信息). It is signed (协议签订, §5.3.1), changed
(协议变更, §5.3.2: a new version that replaces the one in force) or entered after the fact
(协议补录, §5.10: every unit of the building must be listed — "必须全选所有户室信息才能进行保存" —
each as supervised or not, "可设为监管和不监管").

**The key supervised amount (重点监管金额).** The seed says only that it follows from the
supervised units ("根据监管户室得出相应的重点监管金额", "根据已选的户室数量进行自动计算，无需
手动输入") and gives no formula. We follow the per-area rule of the Hunan cities' supervision
measures, which set the key supervised funds of a building as its supervised floor area times
a per-square-metre standard fixed by the authority: key amount = Σ (built area of each
supervised unit × ``Settings.fund_key_standard``), rounded half-up to the fen once, on the
sum. The standard is the hall's configuration, stored on the agreement when it is entered so
a later change of the setting never rewrites an agreement.

**General funds (一般资金).** Money on the supervised account above the key supervised amount
may be withdrawn for the project (一般资金支取, §5.8): available = deposited − key amount −
already withdrawn (never below 0). What has been deposited comes from the contracts' ledger
(户室流水, ``core.presale.ledger``: posted receipts less refunds). The seed does not refuse an
application above the recorded figure (money may reach the account before its entry is
back-entered), so it carries a warning the reviewers read (``withdrawal_warning``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from core.cases import CaseState, CaseStatus, case_type, require_holder
from core.errors import RuleViolation
from core.money import check_amount, format_yuan
from core.parties import check_text
from core.roles import Actor
from core.text import typed_id

__all__ = [
    "AGREEMENT_TYPES",
    "KIND_LABELS",
    "NO_SUPERVISION_BANK",
    "STATUS_LABELS",
    "UNSOLD",
    "WITHDRAWAL_BUSY",
    "WITHDRAWAL_STATUS_LABELS",
    "AgreementKind",
    "AgreementStatus",
    "UnitSale",
    "WithdrawalStatus",
    "agreement_kind",
    "check_bank_choice",
    "check_fund_stage",
    "check_opinion",
    "check_presale_total",
    "check_withdrawal_amount",
    "check_works_progress",
    "choose_units",
    "general_available",
    "key_amount",
    "withdrawal_warning",
]

_CENT = Decimal("0.01")


class AgreementKind(StrEnum):
    SIGN = "sign"  # 协议签订 (§5.3.1)
    CHANGE = "change"  # 协议变更 (§5.3.2)
    BACKFILL = "backfill"  # 协议补录 (§5.10)


KIND_LABELS = {AgreementKind.SIGN: "协议签订", AgreementKind.CHANGE: "协议变更", AgreementKind.BACKFILL: "协议补录"}


def agreement_kind(raw: object) -> AgreementKind:
    """业务类型 as typed: 签订 / 变更 / 补录 (the form's words), 协议签订 …, or sign / change /
    backfill (the command line's). Refused: FUND_KIND_UNKNOWN."""
    if isinstance(raw, AgreementKind):
        return raw
    text = raw.strip() if isinstance(raw, str) else ""
    for kind, label in KIND_LABELS.items():
        if text in (kind.value, label, label.removeprefix("协议")):
            return kind
    raise RuleViolation("FUND_KIND_UNKNOWN", "业务类型只能是协议签订、协议变更或协议补录。", field="kind")


#: The case type of each kind (``core.cases``: letter Z).
AGREEMENT_TYPES = {AgreementKind.SIGN: "fund_agreement", AgreementKind.CHANGE: "fund_agreement_change",
                   AgreementKind.BACKFILL: "fund_agreement_backfill"}


class AgreementStatus(StrEnum):
    DRAFT = "draft"  # being worked in its case
    CURRENT = "current"  # archived: the building's agreement in force
    SUPERSEDED = "superseded"  # replaced by a change
    VOID = "void"  # its case was cancelled (取消受理)


STATUS_LABELS = {AgreementStatus.DRAFT: "办理中", AgreementStatus.CURRENT: "现行",
                 AgreementStatus.SUPERSEDED: "已变更", AgreementStatus.VOID: "已作废"}


class WithdrawalStatus(StrEnum):
    APPLYING = "applying"  # 支取中: from acceptance to archiving
    PAID = "paid"  # 已拨付 by the bank, waiting for the authority's archiving
    DONE = "done"  # 已归档
    VOID = "void"  # 取消受理


WITHDRAWAL_STATUS_LABELS = {WithdrawalStatus.APPLYING: "支取中", WithdrawalStatus.PAID: "已拨付",
                            WithdrawalStatus.DONE: "已归档", WithdrawalStatus.VOID: "已作废"}

#: §5.10: "如当前开发商还未维护监管银行信息，将提示去进行维护".
NO_SUPERVISION_BANK = "本企业还未维护监管银行信息，请先到机构信息管理—银行信息中添加监管银行账户，再进行协议录入。"
#: §5.8: "如果该协议有在支取中的业务，那么不能同时再发起".
WITHDRAWAL_BUSY = "该协议有在支取中的业务，不能同时再发起。"


def check_works_progress(raw: object) -> str:
    """实际工程进度, as the developer states it (e.g. "主体结构施工至12层"; at most 100 characters)."""
    text = check_text(raw, field="works_progress", label="实际工程进度", max_length=100, required=True,
                      empty_code="FUND_PROGRESS_EMPTY")
    assert text is not None
    return text


def _positive(raw: object, *, field: str, label: str, empty_code: str) -> Decimal:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise RuleViolation(empty_code, f"请填写{label}。", field=field)
    if isinstance(raw, float):
        raise TypeError("amounts are Decimal or text, never float")
    try:
        value = check_amount(raw)  # type: ignore[arg-type]
    except RuleViolation as exc:
        raise RuleViolation(exc.code, f"{label}：{exc.message}", field=field) from None
    if value <= 0:
        raise RuleViolation("FUND_AMOUNT_NOT_POSITIVE", f"{label}须大于0。", field=field)
    return value


def check_presale_total(raw: object) -> Decimal:
    """项目预售总额 in yuan (a positive amount, to the fen)."""
    return _positive(raw, field="presale_total", label="项目预售总额", empty_code="FUND_TOTAL_EMPTY")


def check_bank_choice(raw: object) -> int | None:
    """The supervising account chosen by its 编号 (the enterprise's bank list), as typed: None when
    left blank (the enterprise's only one). Refused: FUND_BANK_NOT_FOUND for text that is no number."""
    return typed_id(raw, code="FUND_BANK_NOT_FOUND", message="监管账户编号应为数字。", field="bank")


def check_withdrawal_amount(raw: object) -> Decimal:
    """申请支取金额 in yuan (a positive amount, to the fen)."""
    return _positive(raw, field="amount", label="申请支取金额", empty_code="FUND_AMOUNT_EMPTY")


def check_opinion(raw: object, *, required: bool = False) -> str | None:
    """意见签署: a reviewer's opinion (at most 200 characters)."""
    return check_text(raw, field="opinion", label="审核意见", max_length=200, required=required,
                      empty_code="FUND_OPINION_EMPTY")


def key_amount(areas: Iterable[Decimal], standard: Decimal) -> Decimal:
    """重点监管金额 of the supervised units' built areas at ``standard`` yuan per m² (see the
    module docstring), rounded half-up to the fen on the sum."""
    if isinstance(standard, float) or standard <= 0:
        raise ValueError("the key supervision standard is a positive Decimal")
    total = sum((Decimal(a) for a in areas), Decimal(0)) * standard
    return total.quantize(_CENT, rounding=ROUND_HALF_UP)


def choose_units(kind: AgreementKind | str, units: Sequence[str], chosen: Sequence[str] | None,
                 unsupervised: Sequence[str] = ()) -> dict[str, bool]:
    """The agreement's units (室号 → supervised?) from the building's ``units``: ``chosen`` (None:
    all of them), of which ``unsupervised`` are listed but not supervised (不监管).

    Refused: FUND_UNIT_UNKNOWN (a number the building has not), FUND_UNITS_NOT_ALL (a back-entry
    must list every unit, §5.10), FUND_UNIT_NOT_CHOSEN, FUND_NO_SUPERVISED_UNIT."""
    kind = AgreementKind(kind)
    known = set(units)
    picked = list(dict.fromkeys(u.strip() for u in (units if chosen is None else chosen) if u and u.strip()))
    skipped = list(dict.fromkeys(u.strip() for u in unsupervised if u and u.strip()))
    for number in [*picked, *skipped]:
        if number not in known:
            raise RuleViolation("FUND_UNIT_UNKNOWN", f"该栋没有室号为“{number[:20]}”的户室。", field="units")
    if kind is AgreementKind.BACKFILL and set(picked) != known:
        raise RuleViolation("FUND_UNITS_NOT_ALL", "必须全选所有户室信息才能进行保存。", field="units")
    outside = [n for n in skipped if n not in set(picked)]
    if outside:
        raise RuleViolation("FUND_UNIT_NOT_CHOSEN", f"户室{outside[0][:20]}未选入协议，不能设为不监管。", field="units")
    if not picked or set(picked) <= set(skipped):
        raise RuleViolation("FUND_NO_SUPERVISED_UNIT", "请至少选择一套监管户室。", field="units")
    order = {n: i for i, n in enumerate(units)}
    return {n: n not in set(skipped) for n in sorted(picked, key=order.__getitem__)}


def check_fund_stage(state: CaseState, actor: Actor, stage: str, what: str) -> None:
    """A step on a fund case: the case is active, ``actor`` holds it, and it stands at ``stage``.
    Refused: the case engine's, FUND_WRONG_STAGE."""
    if state.status is CaseStatus.ACTIVE and state.stage != stage:
        kind = case_type(state.type_code)
        here = kind.stages[kind.stage_index(state.stage)].name
        raise RuleViolation("FUND_WRONG_STAGE", f"该业务正处于“{here}”阶段，不能{what}。")
    require_holder(state, actor)


@dataclass(frozen=True)
class UnitSale:
    """A unit's sale as the fund supervision sees it (历史拨付记录表 row's sale columns): its
    sale state, the buyer, the contract's total price and payment method, the down payment,
    what the buyer has paid, what was reversed (已冲单: refunded) and what reached the supervised
    account (已监管资金: paid less refunded). Fed by the presale contracts and their ledger."""

    state: str  # unsold / signing / signed
    state_label: str  # 未售 / 签约中 / 已签约
    buyer: str | None = None
    price: Decimal | None = None
    payment_method: str | None = None
    down_payment: Decimal | None = None
    paid: Decimal = Decimal("0.00")
    reversed: Decimal = Decimal("0.00")
    supervised: Decimal = Decimal("0.00")
    #: 待退款: money of the unit's returned contracts (已退房) not refunded yet. It is still on the
    #: supervised account (counted in ``paid`` and ``supervised``) but owed to the buyer, so it
    #: is not general funds the developer may withdraw.
    refund_due: Decimal = Decimal("0.00")


#: A unit no contract has touched.
UNSOLD = UnitSale("unsold", "未售")


def general_available(deposited: Decimal, key: Decimal, withdrawn: Decimal,
                      refund_due: Decimal = Decimal("0.00")) -> Decimal:
    """一般资金 the developer may still withdraw: deposited − money owed back to the buyers of
    returned houses (待退款) − key amount − withdrawn, never below 0."""
    return max(Decimal("0.00"), (deposited - refund_due - key - withdrawn).quantize(_CENT))


def withdrawal_warning(amount: Decimal, available: Decimal) -> str | None:
    """The reviewers' warning on an application above the recorded general funds (see the module
    docstring: not a refusal)."""
    if amount <= available:
        return None
    return (f"申请支取金额{format_yuan(amount)}超过户室流水记录的一般资金可支取额{format_yuan(available)}"
            "，请核对是否有未补录的入账流水，并以监管账户实际余额为准审核。")
