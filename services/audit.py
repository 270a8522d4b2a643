"""Append to and verify the hash-chained audit log.

The chain must stay one chain (no fork) with any number of terminals writing
at once, yet joining it must not make every audited transaction wait for every
other. So ``append`` only records the row in the caller's transaction
(``session.info``); the rows join the chain at the very end of that
transaction, in the ORM's ``before_commit`` hook (``_join_chain``): the
transaction's own writes are flushed first, then the chain is locked, its last
row read, the new rows hashed onto it and inserted, and the transaction
commits. The chain lock is thus held only for that append and the commit, not
for the whole use case:

* PostgreSQL: a transaction-scoped advisory lock, taken as the last statement
  before commit, released by the commit. The last row is read by a statement
  after the lock is granted, so it sees every chain row committed before
  (READ COMMITTED takes a snapshot per statement).
* SQLite: every write transaction already holds the database write lock from
  its start (BEGIN IMMEDIATE); nothing else is needed.

The unique ``prev_hash`` column is the last line of defence. A transaction that
rolls back leaves no rows. A row's ``at`` is the moment of ``append`` (the use
case's time); its ``seq`` is its place in commit order. Rows appended in a
transaction are not readable from the chain until it commits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import event, func, insert, select, text
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
#: ``session.info`` key of the rows waiting for their transaction's commit.
_PENDING = "wangqian_audit_pending"


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
) -> None:
    """Append one row inside the caller's write transaction: it joins the chain when
    the transaction commits (and is gone if it rolls back). The snapshots are masked
    and serialised now, as they are at this moment."""
    # The row as it will be stored; its place in the chain (seq, prev_hash) is set at commit.
    session.info.setdefault(_PENDING, []).append(AuditRecord(
        seq=0,
        prev_hash="",
        at=session_now(session),
        operator=actor.username,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        case_number=case_number,
        before=canonical_json(mask_snapshot(before)),
        after=canonical_json(mask_snapshot(after)),
    ))


@event.listens_for(Session, "before_commit")
def _join_chain(session: Session) -> None:
    """The transaction's audit rows onto the chain, as its last statements (module docstring)."""
    pending: list[AuditRecord] | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # the use case's own writes first: the chain is locked only for the append
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_KEY})
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq, prev_hash = (last[0], last[1]) if last else (0, GENESIS_HASH)
    rows = []
    for waiting in pending:
        seq += 1
        record = replace(waiting, seq=seq, prev_hash=prev_hash)
        prev_hash = record.compute_hash()
        rows.append({**asdict(record), "hash": prev_hash})
    session.execute(insert(AuditEntry.__table__), rows)  # type: ignore[attr-defined]


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    """A transaction that rolled back audits nothing."""
    session.info.pop(_PENDING, None)


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
