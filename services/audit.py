"""Append to and verify the hash-chained audit log.

Appends are serialised so that concurrent writers cannot fork the chain:
on SQLite every write transaction already holds the database write lock
(BEGIN IMMEDIATE); on PostgreSQL a transaction-scoped advisory lock is taken.
The unique ``prev_hash`` column is the last line of defence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import Session

from core.audit import (
    GENESIS_HASH,
    AuditRecord,
    ChainBreak,
    canonical_json,
    mask_snapshot,
    verify_chain,
)
from core.roles import Actor, Permission
from services.authority import authorise
from storage.engine import Database, session_now
from storage.models import AuditEntry

_ADVISORY_KEY = 0x77616E67  # "wang"


def append(
    session: Session,
    actor: Actor,
    action: str,
    *,
    object_type: str | None = None,
    object_id: object | None = None,
    case_number: str | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append one row inside the caller's write transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_KEY})
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    record = AuditRecord(
        seq=seq,
        at=session_now(session),
        operator=actor.username,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        case_number=case_number,
        before=canonical_json(mask_snapshot(before)),
        after=canonical_json(mask_snapshot(after)),
        prev_hash=prev_hash,
    )
    entry = AuditEntry(
        seq=record.seq,
        at=record.at,
        operator=record.operator,
        action=record.action,
        object_type=record.object_type,
        object_id=record.object_id,
        case_number=record.case_number,
        before=record.before,
        after=record.after,
        prev_hash=record.prev_hash,
        hash=record.compute_hash(),
    )
    session.add(entry)
    session.flush()
    return entry


def _record(entry: AuditEntry) -> AuditRecord:
    return AuditRecord(
        seq=entry.seq,
        at=entry.at,
        operator=entry.operator,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        case_number=entry.case_number,
        before=entry.before,
        after=entry.after,
        prev_hash=entry.prev_hash,
    )


@dataclass(frozen=True)
class VerifyResult:
    rows: int
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def verify(db: Database, actor: Actor, *, batch: int = 5000) -> VerifyResult:
    """Walk the whole chain; report the first row edited, inserted or deleted."""
    authorise(db, actor, Permission.AUDIT_VERIFY)
    with db.read() as session:
        total = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
        entries = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().yield_per(batch)
        # Streamed: the chain is checked row by row, never held in memory whole.
        first_break = verify_chain((_record(e), e.hash) for e in entries)
    return VerifyResult(total, first_break)


def recent(db: Database, actor: Actor, limit: int = 200, case_number: str | None = None) -> list[AuditEntry]:
    authorise(db, actor, Permission.AUDIT_VERIFY)
    with db.read() as session:
        query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
        if case_number:
            query = query.where(AuditEntry.case_number == case_number)
        return list(session.execute(query).scalars())
