"""Append to and verify the hash-chained audit log.

The chain must stay one chain (no fork) with any number of terminals writing
at once, yet joining it must not make every audited transaction wait for every
other. So ``append`` only records the row in the caller's transaction
(``session.info``), and the rows join the chain at the end of it:

* SQLite: in the ORM's ``before_commit`` hook (``_join_chain``): the chain's
  last row is read and the new rows hashed onto it and inserted as the
  transaction's last statements. Every write transaction already holds the
  database write lock from its start (BEGIN IMMEDIATE); nothing else is needed.
* PostgreSQL: ``before_commit`` inserts the rows into ``audit_pending`` with
  the use case's writes (no lock, one statement); a deferred constraint
  trigger (migration 0020) chains each of them inside COMMIT, after every
  statement of the use case: it takes a transaction-scoped advisory lock, reads
  the last chain row with a snapshot taken after the lock is granted, hashes
  the row onto it (as ``AuditRecord.compute_hash``) and moves it to
  ``audit_entry``; the commit releases the lock. The lock is held by the server
  for the append and the commit record only, never across a round trip to a
  terminal's process, and the rows join the chain in the use case's own
  transaction: chained when it commits, gone when it rolls back.
  ``chain_pending`` (``wq_audit_chain``, migration 0007; readers call it first)
  moves rows committed before that revision; it finds nothing otherwise.

The unique ``prev_hash`` column is the last line of defence. A transaction that
rolls back leaves no rows. A row's ``at`` is the moment of ``append`` (the use
case's time); its ``seq`` is its place in the order of joining the chain.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import Engine, event, func, insert, select, text
from sqlmodel import Session

from core.audit import (
    GENESIS_HASH,
    AuditRecord,
    ChainBreak,
    canonical_json,
    mask_snapshot,
    verify_chain,
)
from core.errors import RuleViolation
from core.roles import Actor, Permission
from services.authority import authorise
from storage.engine import Database, session_now
from storage.models import AuditEntry, AuditPending

_ADVISORY_KEY = 0x77616E67  # "wang"
_CHAIN = text("SELECT wq_audit_chain(:k, :genesis)")
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
    """The transaction's audit rows: onto the chain as its last statements (SQLite), or into
    ``audit_pending``, which the server chains inside the commit (PostgreSQL; module docstring)."""
    pending: list[AuditRecord] | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(_INSERT_PENDING, [
            {"at": r.at, "operator": r.operator, "action": r.action, "object_type": r.object_type,
             "object_id": r.object_id, "case_number": r.case_number, "before": r.before, "after": r.after,
             "middle": r.chain_middle()} for r in pending])
        return
    session.flush()  # the use case's own writes first
    connection = session.connection()
    last = connection.execute(_LAST).first()
    seq, prev_hash = (last[0], last[1]) if last else (0, GENESIS_HASH)
    rows = []
    for waiting in pending:
        seq += 1
        record = replace(waiting, seq=seq, prev_hash=prev_hash)
        prev_hash = record.compute_hash()
        rows.append({**asdict(record), "hash": prev_hash})
    connection.execute(_INSERT_ENTRY, rows)


_INSERT_PENDING = insert(AuditPending.__table__)  # type: ignore[attr-defined]
_INSERT_ENTRY = insert(AuditEntry.__table__)  # type: ignore[attr-defined]
_ENTRY = AuditEntry.__table__  # type: ignore[attr-defined]
_LAST = select(_ENTRY.c.seq, _ENTRY.c.hash).order_by(_ENTRY.c.seq.desc()).limit(1)


def chain_pending(engine: Engine) -> int:
    """PostgreSQL: move every committed ``audit_pending`` row onto the chain, in one
    statement and transaction of its own (``wq_audit_chain``, migration 0007); returns
    how many moved. Since migration 0020 a use case's rows are chained at its own commit,
    so this finds only rows committed before that; readers of the chain call it first.
    Elsewhere a no-op."""
    if engine.dialect.name != "postgresql":
        return 0
    with engine.connect() as conn:
        moved = conn.execute(_CHAIN, {"k": _ADVISORY_KEY, "genesis": GENESIS_HASH}).scalar_one()
        conn.commit()
    return moved


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
    chain_pending(db.engine)
    with db.read() as session:
        total = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
        entries = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().yield_per(batch)
        # Streamed: the chain is checked row by row, never held in memory whole.
        first_break = verify_chain((_record(e), e.hash) for e in entries)
    return VerifyResult(total, first_break)


def recent(db: Database, actor: Actor, limit: int = 200, case_number: str | None = None) -> list[AuditEntry]:
    """The latest ``limit`` entries (1 to 10000: SQLite reads a negative LIMIT as "all",
    PostgreSQL refuses it), newest first, optionally of one case."""
    if not 1 <= limit <= 10_000:
        raise RuleViolation("AUDIT_BAD_LIMIT", "条数应在 1 到 10000 之间。", field="limit")
    authorise(db, actor, Permission.AUDIT_VERIFY)
    chain_pending(db.engine)
    with db.read() as session:
        query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
        if case_number:
            query = query.where(AuditEntry.case_number == case_number)
        return list(session.execute(query).scalars())
