"""House returns (退房, seed 004 §5.5.2) of presale and spot-sale contracts: one row per T case,
one return in progress per contract (``live_contract_id`` UNIQUE).

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import storage.types  # noqa: F401


revision: str = '0018'
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('presale_return',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('live_contract_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('applicant_position', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('voucher_path', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('voucher_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('archived_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['contract_id'], ['presale_contract.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id'),
    sa.UniqueConstraint('live_contract_id')
    )
    with op.batch_alter_table('presale_return', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_presale_return_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_presale_return_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('presale_return', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_presale_return_status'))
        batch_op.drop_index(batch_op.f('ix_presale_return_contract_id'))

    op.drop_table('presale_return')
