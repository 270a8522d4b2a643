"""How the lease case type is worked, registered with the case engine (``services.cases``):
a lease's case (公租房租赁签约) is dispatched, returned and archived by its steps on the 租赁签约
screen (its 取消受理 stays the engine's: a lease is what its case says); a case accepted at the
generic desk carries no lease and is moved by the engine alone."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from services.cases import CaseFlow, register_flow
from storage.models import Case, Lease

__all__: list[str] = []


def _has_lease(session: Session, case: Case) -> bool:
    return session.execute(select(Lease.id).where(Lease.case_id == case.id)).first() is not None


register_flow(["lease_signing"], CaseFlow("租赁签约", owns=_has_lease))
