"""party register: unbinding an organisation's agent, a proxy's scope, ID changes

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import storage.types  # noqa: F401

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('org_agent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unbound_at', storage.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('owner_proxy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False,
                                      server_default=''))
    op.create_table('identity_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('old_kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('old_number', sa.String(length=24).with_variant(sa.String(length=24, collation='C'), 'postgresql'), nullable=False),
    sa.Column('old_name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('new_kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('new_number', sa.String(length=24).with_variant(sa.String(length=24, collation='C'), 'postgresql'), nullable=False),
    sa.Column('new_name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('proof', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('recorded_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('identity_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_change_old_number'), ['old_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_identity_change_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('identity_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_change_person_id'))
        batch_op.drop_index(batch_op.f('ix_identity_change_old_number'))
    op.drop_table('identity_change')
    with op.batch_alter_table('owner_proxy', schema=None) as batch_op:
        batch_op.drop_column('scope')
    with op.batch_alter_table('org_agent', schema=None) as batch_op:
        batch_op.drop_column('unbound_at')
