"""Audit rows join the chain at their transaction's commit, in the server (PostgreSQL).

Until now a use case committed its rows to ``audit_pending`` and then, from the
client, ran ``wq_audit_chain`` in a transaction of its own: per audited action a
second connection checkout, a ping, a call and a commit (a third of a signing's
round trips). Now a deferred constraint trigger on ``audit_pending`` calls
``wq_audit_chain`` as the transaction commits: the chain lock (the same
transaction-scoped advisory lock) is taken by the server inside COMMIT, after
every statement of the use case, and held only for the append and the commit
record, never across a round trip to the client. The rows join the chain in the
use case's own transaction, so they are chained exactly when it commits and are
gone with it when it rolls back. The trigger fires once per row; the first
firing moves every pending row (the transaction's own, and any committed before
this revision), the others find their row gone and return.

``wq_audit_chain`` itself is unchanged (0007), and readers may still call it:
it finds nothing to move. SQLite is unchanged (its write transaction chains its
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

#: services.audit._ADVISORY_KEY ("wang") and core.audit.GENESIS_HASH, as 0007's callers pass them.
FUNCTION = r"""
CREATE OR REPLACE FUNCTION wq_audit_chain_at_commit() RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_pending WHERE id = NEW.id) THEN
        PERFORM wq_audit_chain(2002873959, repeat('0', 64));
    END IF;
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
