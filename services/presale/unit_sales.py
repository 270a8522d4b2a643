"""What each unit's sale looks like, read from the presale and spot-sale contracts: the one
place the fund supervision (``unit_sales``: 一般资金支取's table, the agreement's balance) and the
sales board (``contract_states``, through ``services.presale.buildings.building_facts``) learn
it. Both read ``live_contracts`` — one query for the whole list of units, in the caller's
transaction — so a unit's sale is decided here once.

A unit with a live contract (from its acceptance to its filing; ``presale_contract.live_unit_id``)
is 签约中 until the buyer has confirmed and the developer sealed, then 已签约 (已备案 once filed).
What the buyer paid, what was refunded (已冲单) and what reached the supervised account (已监管)
come from the contract's ledger (户室流水, §5.9; ``contract_money``): the one source of a
contract's money, which the contracts' payment notice reads too.

A returned contract (已退房) has left its unit, but the money its buyer paid stays on the
supervised account until it is refunded through the ledger: ``unit_sales`` adds each unit's
returned contracts' money to the unit's figures (paid, refunded, supervised) and says what is
still owed back (``refund_due``), until refunds bring it to 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import Session

from core.presale.contracts import CONTRACT_STATUS_LABELS, PAYMENT_LABELS, ContractStatus, PaymentMethod
from core.presale.funds import UNSOLD, UnitSale
from core.presale.ledger import NO_MONEY, Money, money_of
from core.presale.sale import ContractState
from storage.models import PresaleContract, PresalePayment

__all__ = ["LiveContract", "PastContract", "contract_money", "contract_states", "live_contracts", "returned_money",
           "unit_history", "unit_sales"]


def contract_money(session: Session, contract_ids: Sequence[int]) -> dict[int, Money]:
    """Each contract's money from its ledger (``core.presale.ledger.Money``), in one query."""
    ids = list(contract_ids)
    if not ids:
        return {}
    p = PresalePayment
    rows = session.execute(select(p.contract_id, p.kind, p.status, func.sum(p.amount))
                           .where(p.contract_id.in_(ids)).group_by(p.contract_id, p.kind, p.status)).all()
    grouped: dict[int, list[tuple[str, str, object]]] = {}
    for contract_id, kind, status, total in rows:
        grouped.setdefault(contract_id, []).append((kind, status, total))
    return {i: money_of(grouped[i]) if i in grouped else NO_MONEY for i in ids}  # type: ignore[arg-type]


@dataclass(frozen=True)
class LiveContract:
    building_unit_id: int
    number: str
    status: ContractStatus
    buyer_names: str | None
    total_price: Decimal | None
    payment_method: str | None
    amount_due: Decimal | None
    money: Money

    @property
    def concluded(self) -> bool:
        """The buyer confirmed and the developer sealed (已签约 to the fund supervision)."""
        return self.status in (ContractStatus.REVIEW, ContractStatus.FILED)


def live_contracts(session: Session, unit_ids: Sequence[int]) -> dict[int, LiveContract]:
    """The live contract of each of these units that has one (``building_unit.id`` → contract)."""
    ids = list(unit_ids)
    if not ids:
        return {}
    c = PresaleContract
    rows = session.execute(select(c.live_unit_id, c.id, c.number, c.status, c.buyer_names, c.total_price,
                                  c.payment_method, c.amount_due).where(c.live_unit_id.in_(ids))).all()
    money = contract_money(session, [r[1] for r in rows])
    return {r[0]: LiveContract(r[0], r[2], ContractStatus(r[3]), *r[4:], money[r[1]]) for r in rows}


def contract_states(session: Session, unit_ids: Sequence[int]) -> dict[int, ContractState]:
    """What a live contract makes of each unit on the board: 签约中 from its acceptance (the unit
    is taken) until the buyer confirmed and the developer sealed, then 已签约, 已备案 once filed."""
    return {u: _contract_state(c) for u, c in live_contracts(session, unit_ids).items()}


def _contract_state(c: LiveContract) -> ContractState:
    if c.status is ContractStatus.FILED:
        return ContractState.FILED
    return ContractState.SIGNED if c.concluded else ContractState.SIGNING


def returned_money(session: Session, unit_ids: Sequence[int]) -> dict[int, Money]:
    """The money of each unit's returned contracts (已退房) taken together, for the units that
    have any (``building_unit.id`` → ``Money``); two queries for the whole list."""
    ids = list(unit_ids)
    if not ids:
        return {}
    c = PresaleContract
    rows = session.execute(select(c.building_unit_id, c.id).where(
        c.building_unit_id.in_(ids), c.status == ContractStatus.RETURNED.value)).all()
    money = contract_money(session, [r[1] for r in rows])
    out: dict[int, Money] = {}
    for unit_id, contract_id in rows:
        out[unit_id] = out.get(unit_id, NO_MONEY) + money[contract_id]
    return out


def unit_sales(session: Session, unit_ids: Sequence[int]) -> dict[int, UnitSale]:
    """Each building unit's sale (``building_unit.id`` → ``UnitSale``), read in ``session``: its
    live contract's, plus the money its returned contracts still hold."""
    live = live_contracts(session, unit_ids)
    returned = returned_money(session, unit_ids)
    out: dict[int, UnitSale] = {}
    for unit_id in unit_ids:
        c = live.get(unit_id)
        back = returned.get(unit_id, NO_MONEY)
        held = dict(paid=back.received, reversed=back.refunded, supervised=back.paid, refund_due=back.refundable)
        if c is None:
            out[unit_id] = UNSOLD if back == NO_MONEY else UnitSale(
                "unsold", "未售（待退款）" if back.refundable > 0 else UNSOLD.state_label, **held)
            continue
        state, label = ("signed", "已签约") if c.concluded else ("signing", "签约中")
        out[unit_id] = UnitSale(state, label, buyer=c.buyer_names, price=c.total_price,
                                payment_method=PAYMENT_LABELS[PaymentMethod(c.payment_method)] if c.payment_method
                                else None, down_payment=c.amount_due, paid=c.money.received + back.received,
                                reversed=c.money.refunded + back.refunded, supervised=c.money.paid + back.paid,
                                refund_due=back.refundable)
    return out


@dataclass(frozen=True)
class PastContract:
    """A contract the unit has had, live or ended (已作废, 已退房): the unit's history."""

    number: str
    status_label: str
    buyer_names: str | None
    filing_number: str | None


def unit_history(session: Session, unit_id: int) -> list[PastContract]:
    """Every contract made on the unit (``building_unit.id``), newest first: a returned contract
    stays in it as 已退房."""
    c = PresaleContract
    rows = session.execute(select(c.number, c.status, c.buyer_names, c.filing_number)
                           .where(c.building_unit_id == unit_id).order_by(c.id.desc())).all()
    return [PastContract(r[0], CONTRACT_STATUS_LABELS[ContractStatus(r[1])], r[2], r[3]) for r in rows]
