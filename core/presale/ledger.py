"""户室流水 (seed 004 §5.9): a presale contract's payment ledger, its rules and value types.
Pure: no database.

A contract's money is the sum of its ledger entries (``presale_payment`` rows): received
payments (入账) and refunds (退款). A payment registered against the payment notice while the
contract is entered is posted at once; an entry back-entered later (户室流水补录) waits for
the authority's review (待审核) and is posted when its case is archived, or void when it is
refused. Only posted entries count:

- 已缴 (received) = Σ posted receipts; 已退 (refunded) = Σ posted refunds;
- 实缴 (paid) = received − refunded: what the payment notice compares with the amount due
  ("实付金额必须等于应付金额") and what reached the supervised account (已监管资金);
- 可退 (refundable) = paid − refunds still waiting for review. A refund may be chosen only
  where it is above 0 ("退款流水补录：前提是有退款项才能选择该类型") and is never larger.

**Refunds after a house return (退房, §5.5.2; 退款 is its own part of the system, §1.1).** The
return's archive is *not* held back until the money is refunded: seed 004's return flow is
"凭证上传后业务归档" with no refund step, and it lists 退房 and 退款 as two parts of the system,
the refund being a ledger back-entry (§5.9, "退款流水补录：前提是有退款项才能选择该类型").
So the refund follows the archive: a returned contract (已退房) keeps its money in the ledger
until it is refunded; its ledger then offers 退款 only (nothing more is received on a returned
contract), its refundable amount (待退款) is shown until refunds bring it to 0, and the fund
supervision keeps counting that money as supervised until then (it is still on the account).

Amounts are exact Decimals to the fen, never floats.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from core.errors import RuleViolation
from core.money import check_amount, format_yuan

__all__ = [
    "ENTRY_KIND_LABELS",
    "ENTRY_STATUS_LABELS",
    "EntryKind",
    "EntryStatus",
    "Money",
    "NO_MONEY",
    "allowed_kinds",
    "check_entry",
    "check_entry_amount",
    "entry_kind",
    "money_of",
]

_ZERO = Decimal("0.00")
_CENT = Decimal("0.01")


class EntryKind(StrEnum):
    INCOME = "income"  # 入账: a payment received on the supervised account
    REFUND = "refund"  # 退款: money paid back to the buyer


ENTRY_KIND_LABELS = {EntryKind.INCOME: "入账", EntryKind.REFUND: "退款"}


class EntryStatus(StrEnum):
    PENDING = "pending"  # back-entered, waiting for the authority's review
    POSTED = "posted"  # counts (registered at the notice, or its back-entry archived)
    VOID = "void"  # the back-entry was refused


ENTRY_STATUS_LABELS = {EntryStatus.PENDING: "待审核", EntryStatus.POSTED: "已入账", EntryStatus.VOID: "已作废"}


@dataclass(frozen=True)
class Money:
    """A contract's money as its ledger states it (see the module docstring)."""

    received: Decimal = _ZERO
    refunded: Decimal = _ZERO
    pending_income: Decimal = _ZERO
    pending_refund: Decimal = _ZERO

    @property
    def paid(self) -> Decimal:
        """实缴: received − refunded (posted entries only)."""
        return (self.received - self.refunded).quantize(_CENT)

    @property
    def refundable(self) -> Decimal:
        """可退: what may still be refunded (refunds waiting for review set aside)."""
        return max(_ZERO, (self.paid - self.pending_refund).quantize(_CENT))


    def __add__(self, other: "Money") -> "Money":
        """Two contracts' money together (a unit's returned contracts, for the fund supervision)."""
        return Money(self.received + other.received, self.refunded + other.refunded,
                     self.pending_income + other.pending_income, self.pending_refund + other.pending_refund)


NO_MONEY = Money()


def money_of(entries: Iterable[tuple[str, str, Decimal]]) -> Money:
    """The money of ``(kind, status, amount)`` entries; void ones count for nothing."""
    sums = {(k, s): _ZERO for k in EntryKind for s in EntryStatus}
    for kind, status, amount in entries:
        sums[(EntryKind(kind), EntryStatus(status))] += Decimal(amount)
    return Money(sums[(EntryKind.INCOME, EntryStatus.POSTED)].quantize(_CENT),
                 sums[(EntryKind.REFUND, EntryStatus.POSTED)].quantize(_CENT),
                 sums[(EntryKind.INCOME, EntryStatus.PENDING)].quantize(_CENT),
                 sums[(EntryKind.REFUND, EntryStatus.PENDING)].quantize(_CENT))


def allowed_kinds(money: Money, *, returned: bool = False) -> list[EntryKind]:
    """The kinds the back-entry offers: 入账 (not on a returned contract), and 退款 only where a
    refundable amount exists."""
    refund = [EntryKind.REFUND] if money.refundable > 0 else []
    return refund if returned else [EntryKind.INCOME, *refund]


def entry_kind(raw: object) -> EntryKind:
    """入账 / 退款 (or income / refund). Refused: LEDGER_KIND_UNKNOWN."""
    text = raw.strip() if isinstance(raw, str) else ""
    for kind, label in ENTRY_KIND_LABELS.items():
        if text in (kind.value, label):
            return kind
    raise RuleViolation("LEDGER_KIND_UNKNOWN", "流水类型只能是入账或退款。", field="kind")


def check_entry_amount(raw: object, label: str = "流水金额") -> Decimal:
    """A ledger amount in yuan: positive, to the fen. Refused: LEDGER_AMOUNT_EMPTY, the money
    rules', LEDGER_AMOUNT_NOT_POSITIVE."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise RuleViolation("LEDGER_AMOUNT_EMPTY", f"请填写{label}。", field="amount")
    if isinstance(raw, float):
        raise TypeError("amounts are Decimal or text, never float")
    try:
        value = check_amount(raw.strip() if isinstance(raw, str) else raw)  # type: ignore[arg-type]
    except RuleViolation as exc:
        raise RuleViolation(exc.code, f"{label}：{exc.message}", field="amount") from None
    if value <= 0:
        raise RuleViolation("LEDGER_AMOUNT_NOT_POSITIVE", f"{label}须大于0。", field="amount")
    return value


def check_entry(kind: EntryKind, amount: Decimal, money: Money, total_price: Decimal | None, *,
                returned: bool = False) -> None:
    """A back-entered entry against the contract's money as it stands (``returned``: the
    contract is 已退房).

    Refused: LEDGER_NO_PRICE (no contract entry yet), LEDGER_RETURNED_INCOME (a receipt on a
    returned contract), LEDGER_RETURNED_NOTHING_TO_REFUND (a refund on a returned contract
    already refunded in full, or with its refunds all waiting for review), LEDGER_NO_REFUNDABLE
    (a refund where nothing may be refunded), LEDGER_REFUND_OVER_PAID (a refund larger than
    what may be refunded), LEDGER_INCOME_OVER_PRICE (receipts above the contract's total
    price)."""
    if total_price is None:
        raise RuleViolation("LEDGER_NO_PRICE", "该合同还未录入合同信息，不能补录流水。")
    if returned and kind is EntryKind.INCOME:
        raise RuleViolation("LEDGER_RETURNED_INCOME", "该合同已退房，不能再补录入账流水，只能补录退款流水。",
                            field="kind")
    if kind is EntryKind.REFUND:
        if returned and money.refundable <= 0:
            raise RuleViolation(
                "LEDGER_RETURNED_NOTHING_TO_REFUND",
                f"该合同已退房，购房款已全部退还或退款正在审核（已退{format_yuan(money.refunded)}，"
                f"待审核退款{format_yuan(money.pending_refund)}），没有可退金额。", field="kind")
        if money.refundable <= 0:
            raise RuleViolation("LEDGER_NO_REFUNDABLE", "该合同没有可退款项，不能补录退款流水。", field="kind")
        if amount > money.refundable:
            raise RuleViolation(
                "LEDGER_REFUND_OVER_PAID",
                f"退款金额{format_yuan(amount)}大于可退金额{format_yuan(money.refundable)}"
                f"（已缴{format_yuan(money.received)}，已退{format_yuan(money.refunded)}），不能补录。", field="amount")
        return
    room = (total_price - money.paid - money.pending_income).quantize(_CENT)
    if amount > room:
        raise RuleViolation(
            "LEDGER_INCOME_OVER_PRICE",
            f"入账金额{format_yuan(amount)}超过合同总价款尚未缴纳的{format_yuan(max(room, _ZERO))}，不能补录。",
            field="amount")
