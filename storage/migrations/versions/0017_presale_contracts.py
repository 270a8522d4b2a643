"""New-house presale contracts (seed 004 §5.5.1, §5.7): presale and spot-sale contracts on a
building unit (one live contract per unit: ``live_unit_id`` UNIQUE), their buyers, the payments
received against the payment notice, and the seizures and restrictions on units.

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import storage.types  # noqa: F401


revision: str = '0017'
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('presale_contract',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=24).with_variant(sa.String(length=24, collation='C'), 'postgresql'), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('developer_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('building_unit_id', sa.Integer(), nullable=False),
    sa.Column('live_unit_id', sa.Integer(), nullable=True),
    sa.Column('permit_number', sa.String(length=20).with_variant(sa.String(length=20, collation='C'), 'postgresql'), nullable=False),
    sa.Column('unit_no', sa.String(length=20).with_variant(sa.String(length=20, collation='C'), 'postgresql'), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('facts', sa.Text(), nullable=True),
    sa.Column('buyer_names', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('payment_method', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('total_price', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('amount_due', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('paid', storage.types.ScaledDecimal(), nullable=False),
    sa.Column('signing_form', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('scan_path', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('scan_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('signed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sealed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('mortgage', sa.Text(), nullable=True),
    sa.Column('filing_number', sa.String(length=24).with_variant(sa.String(length=24, collation='C'), 'postgresql'), nullable=True),
    sa.Column('filed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], ),
    sa.ForeignKeyConstraint(['building_unit_id'], ['building_unit.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['developer_id'], ['developer.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id'),
    sa.UniqueConstraint('filing_number'),
    sa.UniqueConstraint('live_unit_id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('presale_contract', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_presale_contract_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_presale_contract_building_unit_id'), ['building_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_presale_contract_developer_id'), ['developer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_presale_contract_status'), ['status'], unique=False)

    op.create_table('unit_restriction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('building_unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('document', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('authority', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('lifted_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lifted_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['building_unit_id'], ['building_unit.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['lifted_by'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('unit_restriction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_restriction_building_unit_id'), ['building_unit_id'], unique=False)

    op.create_table('presale_buyer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100).with_variant(sa.String(length=100, collation='C'), 'postgresql'), nullable=False),
    sa.Column('id_kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('id_number', sa.String(length=40).with_variant(sa.String(length=40, collation='C'), 'postgresql'), nullable=False),
    sa.Column('phone', sa.String(length=11).with_variant(sa.String(length=11, collation='C'), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['presale_contract.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('contract_id', 'position', name='uq_presale_buyer')
    )
    with op.batch_alter_table('presale_buyer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_presale_buyer_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_presale_buyer_id_number'), ['id_number'], unique=False)

    op.create_table('presale_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('amount', storage.types.ScaledDecimal(), nullable=False),
    sa.Column('receipt', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('received_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['presale_contract.id'], ),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('presale_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_presale_payment_contract_id'), ['contract_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('presale_payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_presale_payment_contract_id'))

    op.drop_table('presale_payment')
    with op.batch_alter_table('presale_buyer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_presale_buyer_id_number'))
        batch_op.drop_index(batch_op.f('ix_presale_buyer_contract_id'))

    op.drop_table('presale_buyer')
    with op.batch_alter_table('unit_restriction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_restriction_building_unit_id'))

    op.drop_table('unit_restriction')
    with op.batch_alter_table('presale_contract', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_presale_contract_status'))
        batch_op.drop_index(batch_op.f('ix_presale_contract_developer_id'))
        batch_op.drop_index(batch_op.f('ix_presale_contract_building_unit_id'))
        batch_op.drop_index(batch_op.f('ix_presale_contract_building_id'))

    op.drop_table('presale_contract')
