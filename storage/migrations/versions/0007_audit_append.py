"""Audit rows join the chain in one server-side call after their commit (PostgreSQL);
限购/限售核定 decisions (``use_class_review``)

``services.audit`` used to lock the chain (a transaction-scoped advisory lock),
read its last row and insert a use case's rows as the last statements of that
use case's transaction, so the lock was held across round trips to the client
and the commit. With thirty-two terminals on two cores a terminal whose process
was waiting for the CPU held everyone up. Now a use case inserts its rows into
``audit_pending`` (no lock) and, once it has committed, calls
``wq_audit_chain`` on its own: one statement in a transaction of its own, which
takes the lock, reads the last chain row with a snapshot taken after the lock is
granted (PL/pgSQL takes a snapshot per statement in READ COMMITTED), moves every
committed pending row onto the chain in id order, hashing exactly as
``core.audit.AuditRecord.compute_hash`` does (sha256 over seq, the client-made
middle of the payload and prev_hash, joined by U+001F), and commits. The lock
is held for that one statement and its commit, never across a client's pause.
SQLite needs none of this (its write transaction holds the database from
BEGIN IMMEDIATE); the table exists there too, empty.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0007'
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = r"""
CREATE OR REPLACE FUNCTION wq_audit_chain(lock_key bigint, genesis text) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    last_seq integer;
    last_hash text;
    h text;
    r record;
    moved integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    -- Fresh snapshots from here on: every row committed by the lock's earlier holders.
    SELECT seq, hash INTO last_seq, last_hash FROM audit_entry ORDER BY seq DESC LIMIT 1;
    IF NOT FOUND THEN
        last_seq := 0;
        last_hash := genesis;
    END IF;
    FOR r IN SELECT * FROM audit_pending ORDER BY id LOOP
        last_seq := last_seq + 1;
        h := encode(sha256(convert_to(last_seq::text || chr(31) || r.middle || chr(31) || last_hash, 'UTF8')), 'hex');
        INSERT INTO audit_entry (seq, at, operator, action, object_type, object_id, case_number, before, after,
                                 prev_hash, hash)
        VALUES (last_seq, r.at, r.operator, r.action, r.object_type, r.object_id, r.case_number, r.before, r.after,
                last_hash, h);
        DELETE FROM audit_pending WHERE id = r.id;
        last_hash := h;
        moved := moved + 1;
    END LOOP;
    RETURN moved;
END
$fn$
"""


def upgrade() -> None:
    op.create_table('audit_pending',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('operator', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('object_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('object_id', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('case_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('middle', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)
    op.create_table('use_class_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('house_check_id', sa.Integer(), nullable=False),
    sa.Column('home_id', sa.Integer(), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('decided_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['home_id'], ['home.id'], ),
    sa.ForeignKeyConstraint(['house_check_id'], ['house_check.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('house_check_id')
    )
    with op.batch_alter_table('use_class_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_use_class_review_home_id'), ['home_id'], unique=False)


def downgrade() -> None:
    op.drop_table('use_class_review')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS wq_audit_chain(bigint, text)")
    op.drop_table('audit_pending')
