"""Cancellation at the counter: parties confirming in person or by notarised proxy, and
the legal document one party applies with (``cancellation_material``)

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0011'
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cancellation_material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cancellation_id', sa.Integer(), nullable=False),
    sa.Column('party_key', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('minor_materials', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cancellation_id'], ['contract_cancellation.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cancellation_material', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cancellation_material_cancellation_id'), ['cancellation_id'],
                              unique=False)


def downgrade() -> None:
    op.drop_table('cancellation_material')
