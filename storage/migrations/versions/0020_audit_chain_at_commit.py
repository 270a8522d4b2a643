"""Audit rows join the chain at their transaction's commit, in the server (PostgreSQL).

Until now a use case committed its rows to ``audit_pending`` and then, from the
client, ran ``wq_audit_chain`` in a transaction of its own: per audited action a
second connection checkout, a ping, a call and a commit (a third of a signing's
round trips). Now a deferred constraint trigger on ``audit_pending`` chains each
row as the transaction commits: the chain lock (the same transaction-scoped
advisory lock) is taken by the server inside COMMIT, after every statement of
the use case, and held only for the append and the commit record, never across
a round trip to the client. The rows join the chain in the use case's own
transaction, so they are chained exactly when it commits and are gone with it
when it rolls back. The trigger fires once per row, in the order the rows were
written; each firing hashes its own row (``NEW``, as ``wq_audit_chain`` and
``core.audit.AuditRecord.compute_hash`` do) onto the last chain row and deletes
it from ``audit_pending`` by its id: no scan of ``audit_pending``, whose dead
rows pile up between two vacuums in a busy hall.

``wq_audit_chain`` itself is unchanged (0007), and readers may still call it
(``services.audit.chain_pending``): it finds nothing to move but rows committed
before this revision, which the upgrade moves. SQLite is unchanged (its write transaction chains its
rows before the commit).

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0020'
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The lock is services.audit._ADVISORY_KEY ("wang"), the genesis core.audit.GENESIS_HASH (a test checks both).
FUNCTION = r"""
CREATE OR REPLACE FUNCTION wq_audit_chain_at_commit() RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    last_seq integer;
    last_hash text;
    h text;
BEGIN
    PERFORM pg_advisory_xact_lock(2002873959);
    -- Fresh snapshots from here on: every row committed by the lock's earlier holders.
    SELECT seq, hash INTO last_seq, last_hash FROM audit_entry ORDER BY seq DESC LIMIT 1;
    IF NOT FOUND THEN
        last_seq := 0;
        last_hash := repeat('0', 64);
    END IF;
    last_seq := last_seq + 1;
    h := encode(sha256(convert_to(last_seq::text || chr(31) || NEW.middle || chr(31) || last_hash, 'UTF8')), 'hex');
    INSERT INTO audit_entry (seq, at, operator, action, object_type, object_id, case_number, before, after,
                             prev_hash, hash)
    VALUES (last_seq, NEW.at, NEW.operator, NEW.action, NEW.object_type, NEW.object_id, NEW.case_number,
            NEW.before, NEW.after, last_hash, h);
    DELETE FROM audit_pending WHERE id = NEW.id;
    RETURN NULL;
END
$fn$
"""

TRIGGER = """
CREATE CONSTRAINT TRIGGER audit_pending_chain_at_commit
AFTER INSERT ON audit_pending DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION wq_audit_chain_at_commit()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)
        op.execute(TRIGGER)
        op.execute("SELECT wq_audit_chain(2002873959, repeat('0', 64))")  # rows left waiting, onto the chain


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_pending_chain_at_commit ON audit_pending")
        op.execute("DROP FUNCTION IF EXISTS wq_audit_chain_at_commit()")
