"""在建工程抵押 (seed 004 §1.1: 在建工程抵押设立、在建工程抵押注销和在建工程抵押签约授权): a
mortgage of units of a building under construction to one of the developer's loan banks
(贷款银行, §3.1: "数据用于在建工程抵押银行数据关联"). Pure: no database.

- **设立**: on units of a building whose survey in force is a predicted one (预测: the works
  are not complete); none may be mortgaged already, sold or a property-management room.
- **签约授权**: the mortgagee consents to the sale of some (or all) of the units; a presale
  contract on a mortgaged unit without it is refused (``core.presale.sale.refuse_unsellable``).
- **注销**: the mortgage ends; its units are free of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.errors import RuleViolation
from core.parties import check_text
from core.presale.ledger import check_entry_amount
from core.text import typed_id

__all__ = [
    "NOT_LOAN_BANK",
    "NO_LOAN_BANK",
    "MortgageUnit",
    "check_amount",
    "check_loan_bank_choice",
    "check_mortgage_id",
    "check_mortgage_contract",
    "check_units_free",
    "check_under_construction",
    "chosen_units",
    "mortgage_not_found",
]

#: §3.1: the loan bank comes from the enterprise's bank list.
NO_LOAN_BANK = "本企业还未维护贷款银行信息，请先到机构信息管理—银行信息中添加贷款银行，再设立在建工程抵押。"
#: A bank typed that is none of the enterprise's loan banks (or no number at all).
NOT_LOAN_BANK = "请选择本企业银行信息中的贷款银行。"


def check_loan_bank_choice(raw: object) -> int | None:
    """The loan bank chosen by its 编号, as typed: None when left blank (the enterprise's only
    one). Refused: MORTGAGE_BANK_NOT_LOAN for text that is no number."""
    return typed_id(raw, code="MORTGAGE_BANK_NOT_LOAN", message=NOT_LOAN_BANK, field="bank")


def mortgage_not_found(raw: object) -> RuleViolation:
    """MORTGAGE_NOT_FOUND: no mortgage is known by ``raw`` (shown as typed, clipped)."""
    return RuleViolation("MORTGAGE_NOT_FOUND", f"没有编号为“{str(raw)[:12]}”的在建工程抵押。", field="mortgage")


def check_mortgage_id(raw: object) -> int:
    """在建工程抵押编号 as typed (a command's argument) or as held. Refused: MORTGAGE_NOT_FOUND —
    blank: 请填写在建工程抵押编号; text that is no number names no mortgage."""
    number = typed_id(raw, code="MORTGAGE_NOT_FOUND", message=mortgage_not_found(raw).message, field="mortgage")
    if number is None:
        raise RuleViolation("MORTGAGE_NOT_FOUND", "请填写在建工程抵押编号。", field="mortgage")
    return number


def check_mortgage_contract(raw: object) -> str:
    """抵押合同编号 (at most 40 characters)."""
    text = check_text(raw, reference=True, field="mortgage_contract", label="抵押合同编号", max_length=40, required=True,
                      empty_code="MORTGAGE_CONTRACT_EMPTY")
    assert text is not None
    return text


def check_amount(raw: object) -> Decimal:
    """被担保债权数额 in yuan: positive, to the fen."""
    return check_entry_amount(raw, "被担保债权数额")


def check_under_construction(survey_kind: str | None) -> None:
    """A mortgage of works in progress needs a building whose survey in force is predicted."""
    if survey_kind is None:
        raise RuleViolation("MORTGAGE_NO_SURVEY", "该栋还没有备案的测绘成果，不能设立在建工程抵押。", field="building")
    if survey_kind != "predicted":
        raise RuleViolation("MORTGAGE_NOT_UNDER_CONSTRUCTION",
                            "该栋已完成实测成果备案，不是在建工程，不能设立在建工程抵押。", field="building")


def chosen_units(known: Sequence[str], chosen: Sequence[str] | None, *, scope: str = "该栋") -> list[str]:
    """The units named (None: all ``known``), in ``known``'s order. Refused: MORTGAGE_UNIT_UNKNOWN,
    MORTGAGE_NO_UNIT."""
    if chosen is None:
        picked = list(known)
    else:
        picked = list(dict.fromkeys(u.strip() for u in chosen if isinstance(u, str) and u.strip()))
    order = {n: i for i, n in enumerate(known)}
    for number in picked:
        if number not in order:
            raise RuleViolation("MORTGAGE_UNIT_UNKNOWN", f"{scope}没有室号为“{number[:20]}”的户室。", field="units")
    if not picked:
        raise RuleViolation("MORTGAGE_NO_UNIT", "请至少选择一套户室。", field="units")
    return sorted(picked, key=order.__getitem__)


@dataclass(frozen=True)
class MortgageUnit:
    unit_no: str
    mortgaged: bool  # under a mortgage in force already
    sold: bool  # a live contract
    property_room: bool


def check_units_free(units: Sequence[MortgageUnit]) -> None:
    """None of the units may be mortgaged already, sold or a property-management room."""
    for u in units:
        if u.mortgaged:
            raise RuleViolation("MORTGAGE_UNIT_MORTGAGED", f"户室{u.unit_no}已设立在建工程抵押，不能重复抵押。",
                                field="units")
        if u.sold:
            raise RuleViolation("MORTGAGE_UNIT_SOLD", f"户室{u.unit_no}已签约，不能设立在建工程抵押。", field="units")
        if u.property_room:
            raise RuleViolation("MORTGAGE_UNIT_ROOM", f"户室{u.unit_no}是物管用房，不能设立在建工程抵押。", field="units")
