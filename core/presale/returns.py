"""House return (退房, seed 004 §5.5.2): the rules.

业务发起-退房 finds a contract by its number, or by building and unit (栋名称+房号); the developer
records who applies (申请注销人, one of the contract's buyers) and why (退房原因), and dispatches the
case to the authority, who uploads the voucher (凭证, a PDF) and archives it. On the archive the
contract ends (已退房) and its unit is sellable again; the unit's history keeps the contract.

What may be returned: a live contract whose buyer has confirmed (签约环节 done) or who has paid
against the payment notice. A contract still being entered with nothing paid is cancelled
(取消受理) instead; a void or returned contract has nothing left to return; one return at a time.

The money the buyer paid is refunded after the archive, through the contract's ledger (退款,
§1.1 and §5.9; why the archive does not wait for it: ``core.presale.ledger``). ``refund_note``
says on the return what remains to refund.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from core.errors import RuleViolation
from core.money import format_yuan
from core.presale.contracts import ContractStatus
from core.presale.ledger import Money
from core.text import whole_number

__all__ = [
    "RETURN_STATUS_LABELS",
    "ReturnStatus",
    "check_applicant",
    "check_reason",
    "check_returnable",
    "check_voucher",
    "refund_note",
]


class ReturnStatus(StrEnum):
    ENTRY = "entry"  # 退房原因录入 (the developer)
    REVIEW = "review"  # with the authority: voucher, archive
    ARCHIVED = "archived"  # 已退房
    CANCELLED = "cancelled"  # 取消受理


RETURN_STATUS_LABELS = {ReturnStatus.ENTRY: "退房原因录入", ReturnStatus.REVIEW: "主管部门审核",
                        ReturnStatus.ARCHIVED: "已退房", ReturnStatus.CANCELLED: "已取消受理"}


@dataclass(frozen=True)
class Returnable:
    """What is known of the contract a return is asked for."""

    number: str
    status: ContractStatus
    paid: Decimal
    open_return: str | None = None  # the case number of a return in progress


def check_returnable(contract: Returnable) -> None:
    """Refuse a return of this contract unless it may be returned now. Refused:
    RETURN_CONTRACT_VOID, RETURN_ALREADY_RETURNED, RETURN_IN_PROGRESS, RETURN_NOT_SIGNED."""
    if contract.status is ContractStatus.VOID:
        raise RuleViolation("RETURN_CONTRACT_VOID", f"合同{contract.number}已作废，不能办理退房。")
    if contract.status is ContractStatus.RETURNED:
        raise RuleViolation("RETURN_ALREADY_RETURNED", f"合同{contract.number}已退房，不能重复办理。")
    if contract.open_return is not None:
        raise RuleViolation("RETURN_IN_PROGRESS",
                            f"合同{contract.number}已有退房业务（{contract.open_return}）正在办理，不能重复发起。")
    if contract.status is ContractStatus.ENTRY and contract.paid <= 0:
        raise RuleViolation("RETURN_NOT_SIGNED",
                            f"合同{contract.number}尚未签约也未缴款，不能办理退房，请在合同录入阶段取消受理。")


def check_applicant(buyers: tuple[str, ...], choice: object) -> int:
    """The applicant (申请注销人) among the contract's buyers, by position (0-based) or by name;
    returns the position. Refused: RETURN_APPLICANT_MISSING (none chosen: nobody to compare
    with the buyers), RETURN_APPLICANT_NOT_BUYER (one chosen who is not a buyer)."""
    if choice is None or (isinstance(choice, str) and not choice.strip()):
        raise RuleViolation("RETURN_APPLICANT_MISSING", "请选择申请注销人。", field="applicant")
    if isinstance(choice, bool):
        choice = None
    if isinstance(choice, int) and 0 <= choice < len(buyers):
        return choice
    if isinstance(choice, str):
        text = choice.strip()
        if text in buyers:
            return buyers.index(text)
        number = whole_number(text)
        if number is not None and 0 <= number < len(buyers):
            return number
    raise RuleViolation("RETURN_APPLICANT_NOT_BUYER", "申请注销人须为该合同的买受人之一。", field="applicant")


def check_reason(raw: object) -> str:
    """The reason as kept: required, one line, at most 200 characters."""
    from core.parties import check_text

    reason = check_text(raw, field="reason", label="退房原因", max_length=200, required=True,
                        empty_code="RETURN_REASON_MISSING")
    assert reason is not None
    return reason


def check_voucher(head: bytes) -> None:
    """The voucher (退房凭证) is a PDF file (it starts with ``%PDF-``)."""
    from core.presale.contracts import check_scan

    check_scan(head, label="退房凭证", code="RETURN_VOUCHER_NOT_PDF", field="voucher")


def refund_note(status: ReturnStatus, money: Money) -> str | None:
    """What the return says of the buyer's money (the contract's ledger ``money``): before the
    archive, what will be refunded after it; once archived, what remains to refund (待退款),
    what is waiting for review, or that all was refunded. None for a cancelled return."""
    if status is ReturnStatus.CANCELLED:
        return None
    if status is not ReturnStatus.ARCHIVED:
        if money.paid <= 0:
            return "买受人未缴款，无需退款。"
        return f"买受人已缴{format_yuan(money.paid)}，退房归档后在户室流水补录中办理退款。"
    waiting = f"（另有{format_yuan(money.pending_refund)}退款正在审核）" if money.pending_refund > 0 else ""
    if money.refundable > 0:
        return f"已退房，尚有{format_yuan(money.refundable)}待退款{waiting}，请在户室流水补录中办理退款。"
    if money.pending_refund > 0:
        return f"已退房，{format_yuan(money.pending_refund)}退款正在审核，审核通过后购房款即全部退还。"
    if money.refunded > 0:
        return f"已退房，购房款已全部退还（已退{format_yuan(money.refunded)}）。"
    return "已退房，买受人未缴款，无需退款。"
