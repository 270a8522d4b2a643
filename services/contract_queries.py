"""Read-only questions about resale contracts that the counter screens ask.

* ``qualification_queue`` — the supervisors' list of contracts whose buyer
  qualification (购房资格审查) was requested and is not yet decided, oldest
  request first.
* ``desk_contracts`` — the contract desk's list: by default the contracts
  the operator made (本人经办), optionally every contract, by status.
* ``signing_codes`` — for the 短信验证 dialog: each party's latest signing
  code for the contract's CURRENT version (when it was sent, when the party
  may ask again, whether it was used, voided, or is dead), so a dialog that
  is opened again still shows 已发送 and the resend countdown.

Nothing here writes; the rules (who may send, when, how often) stay in
``services.sign_codes`` and ``services.contract_signing``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from core.codes import MAX_ATTEMPTS, RESEND_AFTER
from core.errors import RuleViolation
from core.resale import STATUS_LABELS, ContractStatus, QualificationState
from core.roles import Actor, Permission, require
from services.contract_signing import PURPOSE_SIGN
from services.contracts import SUBJECT, ContractRow, find_contracts
from storage.engine import Database
from storage.models import (
    BuyerQualification,
    Case,
    Contract,
    ContractParty,
    OneTimeCode,
)

__all__ = ["CodeState", "QualificationRow", "desk_contracts", "qualification_queue", "signing_codes"]


@dataclass(frozen=True)
class QualificationRow:
    """A contract waiting for the buyer qualification decision."""

    contract: ContractRow
    requested_at: datetime


def qualification_queue(db: Database, actor: Actor) -> list[QualificationRow]:
    """Draft contracts whose latest qualification request is still 审查中, oldest request first."""
    require(actor, Permission.CONTRACT_REVIEW)
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
    rows = [r for r in find_contracts(db, actor, status=ContractStatus.DRAFT.value, limit=100_000)
            if r.id in pending]
    out = [QualificationRow(r, pending[r.id]) for r in rows]
    return sorted(out, key=lambda q: (q.requested_at, q.contract.id))


def desk_contracts(db: Database, actor: Actor, *, status: str | None = None, mine: bool = True,
                   limit: int = 200) -> list[ContractRow]:
    """Contracts newest first for the desk: only those ``actor`` made when ``mine``, else every one.

    Every contract at once is ``find_contracts``; this adds the one filter the
    desk needs (本人经办) and reads the parties in one query rather than one per row.
    """
    require(actor, Permission.CONTRACT_WORK)
    if not mine:
        return find_contracts(db, actor, status=status, limit=limit)
    if status is not None and status not in STATUS_LABELS:
        raise RuleViolation("CONTRACT_BAD_STATUS", "合同状态不正确。", field="status")
    query = (select(Contract, Case.number, Case.stage).join(Case, Case.id == Contract.case_id)
             .where(Contract.created_by == actor.operator_id)
             .order_by(Contract.created_at.desc(), Contract.id.desc()).limit(limit))
    if status is not None:
        query = query.where(Contract.status == status)
    with db.read() as session:
        found = session.execute(query).all()
        names: dict[tuple[int, str], list[str]] = {}
        for party in session.execute(
            select(ContractParty).where(ContractParty.contract_id.in_([c.id for c, _, _ in found]))
            .order_by(ContractParty.contract_id, ContractParty.position)
        ).scalars():
            names.setdefault((party.contract_id, party.side), []).append(party.name)
    return [
        ContractRow(
            id=c.id, number=c.number, case_number=case_number, status=c.status,  # type: ignore[arg-type]
            status_label=STATUS_LABELS[c.status], location=json.loads(c.house_facts)["location"],
            sellers="、".join(names.get((c.id, "seller"), [])),  # type: ignore[arg-type]
            buyers="、".join(names.get((c.id, "buyer"), [])),  # type: ignore[arg-type]
            price=c.price, created_at=c.created_at, signed_at=c.signed_at, filing_number=c.filing_number,
            case_stage=stage,
        )
        for c, case_number, stage in found
    ]


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


def signing_codes(db: Database, actor: Actor, contract_id: int, *, now: datetime) -> dict[str, CodeState]:
    """Each party's latest signing code for the current version, by party key."""
    require(actor, Permission.CONTRACT_WORK)
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
