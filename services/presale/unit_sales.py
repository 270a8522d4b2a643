"""What each unit's sale looks like, read from the presale and spot-sale contracts: the one
place the fund supervision (``unit_sales``: 一般资金支取's table, the agreement's balance) and the
sales board (``contract_states``, through ``services.presale.buildings.building_facts``) learn
it. Both read ``live_contracts`` — one query for the whole list of units, in the caller's
transaction — so a unit's sale is decided here once.

A unit with a live contract (from its acceptance to its filing; ``presale_contract.live_unit_id``)
is 签约中 until the buyer has confirmed and the developer sealed, then 已签约 (已备案 once filed).
What reached the supervised account (已监管) and what was reversed (已冲单) come from the fund
ledger (户室流水, §5.9), which does not exist yet: they stay 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from core.presale.contracts import PAYMENT_LABELS, ContractStatus, PaymentMethod
from core.presale.funds import UNSOLD, UnitSale
from core.presale.sale import ContractState
from storage.models import PresaleContract

__all__ = ["LiveContract", "contract_states", "live_contracts", "unit_sales"]


@dataclass(frozen=True)
class LiveContract:
    building_unit_id: int
    number: str
    status: ContractStatus
    buyer_names: str | None
    total_price: Decimal | None
    payment_method: str | None
    amount_due: Decimal | None
    paid: Decimal

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
    rows = session.execute(select(c.live_unit_id, c.number, c.status, c.buyer_names, c.total_price,
                                  c.payment_method, c.amount_due, c.paid).where(c.live_unit_id.in_(ids))).all()
    return {r[0]: LiveContract(r[0], r[1], ContractStatus(r[2]), *r[3:]) for r in rows}


def contract_states(session: Session, unit_ids: Sequence[int]) -> dict[int, ContractState]:
    """What a live contract makes of each unit on the board: 签约中 from its acceptance (the unit
    is taken) until the buyer confirmed and the developer sealed, then 已签约, 已备案 once filed."""
    return {u: _contract_state(c) for u, c in live_contracts(session, unit_ids).items()}


def _contract_state(c: LiveContract) -> ContractState:
    if c.status is ContractStatus.FILED:
        return ContractState.FILED
    return ContractState.SIGNED if c.concluded else ContractState.SIGNING


def unit_sales(session: Session, unit_ids: Sequence[int]) -> dict[int, UnitSale]:
    """Each building unit's sale (``building_unit.id`` → ``UnitSale``), read in ``session``."""
    live = live_contracts(session, unit_ids)
    out: dict[int, UnitSale] = {}
    for unit_id in unit_ids:
        c = live.get(unit_id)
        if c is None:
            out[unit_id] = UNSOLD
            continue
        state, label = ("signed", "已签约") if c.concluded else ("signing", "签约中")
        out[unit_id] = UnitSale(state, label, buyer=c.buyer_names, price=c.total_price,
                                payment_method=PAYMENT_LABELS[PaymentMethod(c.payment_method)] if c.payment_method
                                else None, down_payment=c.amount_due, paid=c.paid)
    return out
