"""What each unit's sale looks like to the fund supervision (the seam for the contracts and
the ledger).

``unit_sales`` is the one place the fund screens and commands learn a unit's sale state,
buyer, price, payment method and the money paid and supervised for it (一般资金支取's table,
seed 004 §5.8; the agreement's balance). The presale contracts (预售签约, §5.5) and the fund
ledger (户室流水, §5.9) do not exist yet, so today it reports every unit as 未售 with nothing
paid: no figure is made up. When they arrive, this function reads them — in the caller's
transaction, in one query per table for the whole list of units — and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from core.presale.funds import UNSOLD, UnitSale

__all__ = ["unit_sales"]


def unit_sales(session: Session, unit_ids: Sequence[int]) -> dict[int, UnitSale]:
    """Each building unit's sale (``building_unit.id`` → ``UnitSale``), read in ``session``."""
    del session  # no contract or ledger table exists yet (see the module docstring)
    return {unit_id: UNSOLD for unit_id in unit_ids}
