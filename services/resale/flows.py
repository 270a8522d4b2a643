"""How the resale case types are worked, registered with the case engine (``services.cases``).

A resale contract's case (存量房买卖网签备案) and a cancellation's (存量房网签注销) are moved by
their flows: signing dispatches to the filing review, the review files or returns, a draft ended
by the 24-hour rule or a withdrawn application ends its case. A case accepted at the generic desk
carries no contract and is moved by the engine alone; one that carries a contract or an
application is moved only on its screen, so no case runs ahead of (or behind) what it is about.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from services.cases import CaseFlow, register_flow
from storage.models import Case, Contract, ContractCancellation

__all__: list[str] = []


def _has_contract(session: Session, case: Case) -> bool:
    return session.execute(select(Contract.id).where(Contract.case_id == case.id)).first() is not None


def _has_application(session: Session, case: Case) -> bool:
    return session.execute(select(ContractCancellation.id).where(ContractCancellation.case_id == case.id)
                           ).first() is not None


register_flow(["resale_signing"], CaseFlow("网签合同", owns=_has_contract))
register_flow(["resale_cancel"], CaseFlow("注销审核", owns=_has_application))
