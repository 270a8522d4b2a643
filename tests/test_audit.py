"""The hash-chained audit log: every write appends, tampering is found, no forks."""

from __future__ import annotations

import threading

from sqlalchemy import delete, select, update

from core.roles import Role
from services import audit
from storage.models import AuditEntry
from tests.conftest import SYSTEM, make_operator


def _populate(db, n=6):
    for i in range(n):
        make_operator(db, f"op{i}", Role.CLERK, window=f"{i:02d}")


def test_intact_chain_verifies(db):
    _populate(db)
    result = audit.verify(db, SYSTEM)
    assert result.intact and result.rows == 6


def test_edited_row_is_named(db):
    _populate(db)
    with db.write() as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(operator="someone-else"))
    brk = audit.verify(db, SYSTEM).first_break
    assert brk is not None and (brk.seq, brk.kind) == (3, "edited")


def test_deleted_row_is_named(db):
    _populate(db)
    with db.write() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.seq == 4))
    brk = audit.verify(db, SYSTEM).first_break
    assert brk is not None and (brk.seq, brk.kind) == (5, "inserted_or_deleted")


def test_inserted_row_is_found(db):
    """A forger slips a self-consistent row in at seq 2; the chain breaks right after it."""
    from core.audit import AuditRecord

    _populate(db, 3)
    with db.write() as s:
        rows = s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()
        for row in reversed(rows[1:]):
            s.execute(update(AuditEntry).where(AuditEntry.seq == row.seq).values(seq=row.seq + 1))
        # The unique prev_hash forces the forger to relink the next row as well.
        s.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(prev_hash="f" * 64))
        s.expunge_all()
        forged = AuditRecord(2, rows[0].at, "forger", "login", None, None, None, None, None, rows[0].hash)
        s.add(AuditEntry(seq=2, at=forged.at, operator="forger", action="login", prev_hash=forged.prev_hash,
                         hash=forged.compute_hash()))
    brk = audit.verify(db, SYSTEM).first_break
    assert brk is not None and brk.seq == 3


def test_prev_hash_is_unique_so_a_naive_fork_fails(db):
    import pytest
    from sqlalchemy.exc import IntegrityError

    _populate(db, 2)
    with pytest.raises(IntegrityError):
        with db.write() as s:
            first = s.execute(select(AuditEntry).where(AuditEntry.seq == 1)).scalar_one()
            s.add(AuditEntry(seq=99, at=first.at, operator="x", action="x", prev_hash=first.prev_hash, hash="1" * 64))


def test_personal_numbers_masked_in_audit(db):
    from core.audit import mask_snapshot

    masked = mask_snapshot({"id_number": "11010519491231002X", "phone": "13812345678", "name": "张三"})
    assert masked["id_number"] != "11010519491231002X" and "19491231" not in masked["id_number"]
    assert masked["phone"] == "138****5678" and masked["name"] == "张三"


def test_concurrent_writers_do_not_fork_the_chain(db):
    """Many threads, each with its own connection, append at once (each append its own write
    transaction, as every use case's is; no password hashing to slow the race down)."""
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        local = db.reopen()
        try:
            for j in range(5):
                with local.write() as session:
                    audit.append(session, SYSTEM, "concurrency_probe", object_type="thread", object_id=n,
                                 after={"write": j})
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)
        finally:
            local.dispose()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    result = audit.verify(db, SYSTEM)
    assert result.intact and result.rows == 30
    with db.read() as s:
        seqs = s.execute(select(AuditEntry.seq).order_by(AuditEntry.seq)).scalars().all()
    assert seqs == list(range(1, 31))


def test_an_open_transaction_does_not_hold_the_chain(db):
    """A use case that appended and is still working does not make other terminals wait:
    its rows join the chain when it commits, after the rows committed meanwhile."""
    import pytest

    if db.is_sqlite:
        pytest.skip("SQLite runs one write transaction at a time (BEGIN IMMEDIATE), whatever the chain does")
    other = db.reopen()
    done = threading.Event()

    def quick() -> None:
        with other.write() as session:
            audit.append(session, SYSTEM, "quick_case", object_type="terminal", object_id=2)
        done.set()

    try:
        with db.write() as slow:
            audit.append(slow, SYSTEM, "slow_case", object_type="terminal", object_id=1)
            thread = threading.Thread(target=quick)
            thread.start()
            assert done.wait(30), "another terminal's audited write waited for an open transaction"
            thread.join()
    finally:
        other.dispose()
    with db.read() as s:
        actions = s.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars().all()
    assert audit.verify(db, SYSTEM).intact and actions == ["quick_case", "slow_case"]


def test_a_rolled_back_transaction_leaves_no_audit_row(db):
    import pytest

    with pytest.raises(RuntimeError), db.write() as s:
        audit.append(s, SYSTEM, "never", object_type="terminal", object_id=1)
        raise RuntimeError("the use case fails after appending")
    with db.write() as s:
        audit.append(s, SYSTEM, "kept", object_type="terminal", object_id=2)
    result = audit.verify(db, SYSTEM)
    with db.read() as s:
        actions = s.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars().all()
    assert result.intact and actions == ["kept"]


def test_a_listing_limit_outside_one_to_ten_thousand_is_refused_on_every_database(db):
    import pytest

    from core.errors import RuleViolation

    for bad in (-1, 0, 10_001):
        with pytest.raises(RuleViolation) as err:
            audit.recent(db, SYSTEM, bad)
        assert err.value.code == "AUDIT_BAD_LIMIT" and err.value.message.endswith("。")
    assert audit.recent(db, SYSTEM, 1) == []  # an empty hall: nothing to list, and no error


def test_verify_needs_the_role(db):
    import pytest

    from core.errors import RuleViolation

    clerk = make_operator(db, "li", Role.CLERK)
    with pytest.raises(RuleViolation) as err:
        audit.verify(db, clerk)
    assert err.value.code == "ROLE_FORBIDDEN"


def test_rows_of_a_process_that_died_after_its_commit_join_the_chain_next(db):
    """PostgreSQL: a use case's rows are committed to ``audit_pending`` with it and moved onto
    the chain right after; if the process dies in between, the next audited action (or a
    reader of the chain) moves them, in the order they were written, and the chain verifies."""
    import pytest

    from core.audit import canonical_json
    from storage.models import AuditPending

    if db.is_sqlite:
        pytest.skip("SQLite chains a transaction's rows before its commit; nothing is left waiting")
    left = {"at": db.now(), "operator": "system", "action": "left_by_a_dead_process", "object_type": "terminal",
            "object_id": "7", "case_number": None, "before": None, "after": canonical_json({"n": 1})}
    from core.audit import AuditRecord

    middle = AuditRecord(0, prev_hash="", **left).chain_middle()
    with db.write() as s:  # what the dead process committed: its pending row, no chain row
        s.execute(AuditPending.__table__.insert(), [{**left, "middle": middle}])
    with db.write() as s:
        audit.append(s, SYSTEM, "next_action", object_type="terminal", object_id=8)
    with db.read() as s:
        actions = s.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars().all()
        waiting = s.execute(select(AuditPending.id)).all()
    assert actions == ["left_by_a_dead_process", "next_action"] and waiting == []
    assert audit.verify(db, SYSTEM).intact


def test_every_audited_action_is_on_the_chain_when_it_returns(db):
    """Nothing stays in ``audit_pending`` after a use case returns (PostgreSQL moves the rows
    right after the commit; SQLite never uses the table)."""
    from storage.models import AuditPending

    _populate(db, 3)
    with db.read() as s:
        assert s.execute(select(AuditPending.id)).all() == []
        assert s.execute(select(AuditEntry.seq).order_by(AuditEntry.seq)).scalars().all() == [1, 2, 3]


def test_the_server_chains_with_the_lock_and_genesis_the_client_uses():
    """PostgreSQL chains rows at commit (migration 0020) with constants of its own: they must be
    the client's (``services.audit._ADVISORY_KEY``, ``core.audit.GENESIS_HASH``)."""
    import importlib

    from core.audit import GENESIS_HASH

    migration = importlib.import_module("storage.migrations.versions.0020_audit_chain_at_commit")
    assert f"pg_advisory_xact_lock({audit._ADVISORY_KEY})" in migration.FUNCTION
    assert "repeat('0', 64)" in migration.FUNCTION and GENESIS_HASH == "0" * 64


def test_an_audited_action_that_rolls_back_leaves_nothing_waiting_or_chained(db):
    """The rows join the chain inside their transaction's commit: a transaction that fails after
    its audit rows were written to ``audit_pending`` (a late error) leaves no row anywhere."""
    import pytest

    from storage.models import AuditPending

    with pytest.raises(RuntimeError), db.write() as s:
        audit.append(s, SYSTEM, "lost", object_type="terminal", object_id=1)
        audit._join_chain(s)  # the rows written now, as at the commit
        raise RuntimeError("the transaction fails before its commit")
    with db.write() as s:
        audit.append(s, SYSTEM, "kept", object_type="terminal", object_id=2)
    with db.read() as s:
        assert s.execute(select(AuditPending.id)).all() == []
        assert s.execute(select(AuditEntry.action)).scalars().all() == ["kept"]
    assert audit.verify(db, SYSTEM).intact
