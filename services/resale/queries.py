"""Read-only questions about resale contracts that the counter screens ask.

* ``qualification_queue`` — the supervisors' list of contracts whose buyer
  qualification (购房资格审查) was requested and is not yet decided, oldest
  request first.
* ``signing_codes`` — for the 短信验证 dialog: each party's latest signing
  code for the contract's CURRENT version (when it was sent, when the party
  may ask again, whether it was used, voided, or is dead), so a dialog that
  is opened again still shows 已发送 and the resend countdown.

Nothing here writes; the rules (who may send, when, how often) stay in
``services.sign_codes`` and ``services.resale.signing``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from core.codes import MAX_ATTEMPTS, RESEND_AFTER
from core.errors import RuleViolation
from core.resale.lifecycle import ContractStatus, QualificationState
from core.roles import Actor, Permission
from services.authority import authorise
from services.resale.contracts import SUBJECT, ContractRow, find_contracts
from services.resale.signing import PURPOSE_SIGN
from storage.engine import Database
from storage.models import (
    BuyerQualification,
    Contract,
    OneTimeCode,
)

__all__ = ["CodeState", "QualificationRow", "qualification_queue", "signing_codes"]


@dataclass(frozen=True)
class QualificationRow:
    """A contract waiting for the buyer qualification decision."""

    contract: ContractRow
    requested_at: datetime


def qualification_queue(db: Database, actor: Actor) -> list[QualificationRow]:
    """Draft contracts whose latest qualification request is still 审查中, oldest request first."""
    authorise(db, actor, Permission.CONTRACT_REVIEW)
    latest = (select(BuyerQualification.contract_id, func.max(BuyerQualification.id).label("qid"))
              .group_by(BuyerQualification.contract_id).subquery())
    with db.read() as session:
        pending = {
            contract_id: requested_at
            for contract_id, requested_at in session.execute(
                select(BuyerQualification.contract_id, BuyerQualification.requested_at)
                .join(latest, latest.c.qid == BuyerQualification.id)
                .join(Contract, Contract.id == BuyerQualification.contract_id)
                .where(BuyerQualification.state == QualificationState.REQUESTED.value,
                       Contract.status == ContractStatus.DRAFT.value)
            ).all()
        }
    if not pending:
        return []
    rows = find_contracts(db, actor, ids=pending, limit=len(pending))
    out = [QualificationRow(r, pending[r.id]) for r in rows]
    return sorted(out, key=lambda q: (q.requested_at, q.contract.id))


@dataclass(frozen=True)
class CodeState:
    """A party's latest signing code for the contract's current version."""

    party_key: str
    sent_at: datetime
    expires_at: datetime
    resend_at: datetime  # the party may ask for a new code from then on
    used: bool
    dead: bool  # voided, expired or out of tries: a new code is needed

    def resend_in(self, now: datetime) -> int:
        """Whole seconds until a new code may be asked for (0 when it may be now)."""
        return max(0, math.ceil((self.resend_at - now).total_seconds()))


def signing_codes(db: Database, actor: Actor, contract_id: int) -> dict[str, CodeState]:
    """Each party's latest signing code for the current version, by party key."""
    authorise(db, actor, Permission.CONTRACT_WORK)
    now = db.now()
    with db.read() as session:
        version = session.execute(select(Contract.version).where(Contract.id == contract_id)).scalar_one_or_none()
        if version is None:
            raise RuleViolation("CONTRACT_NOT_FOUND", "没有找到该合同。")
        rows = session.execute(
            select(OneTimeCode).where(
                OneTimeCode.subject_type == SUBJECT, OneTimeCode.subject_id == contract_id,
                OneTimeCode.subject_version == version, OneTimeCode.purpose == PURPOSE_SIGN,
            ).order_by(OneTimeCode.id)
        ).scalars().all()
        out: dict[str, CodeState] = {}
        for row in rows:  # the later row of a party replaces the earlier
            dead = row.voided_at is not None or row.expires_at <= now or row.attempts >= MAX_ATTEMPTS
            out[row.party_key] = CodeState(
                party_key=row.party_key, sent_at=row.created_at, expires_at=row.expires_at,
                resend_at=row.created_at + RESEND_AFTER, used=row.used_at is not None,
                dead=row.used_at is None and dead,
            )
        return out
