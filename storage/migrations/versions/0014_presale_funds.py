"""Presale fund supervision (预售资金监管, seed 004 §5.3, §5.8, §5.10): agreements with their
units, general fund withdrawals, reviewers' opinions; a supervising bank's reviewer bound to
its bank (``operator.bank_name``), and cases its bank's reviewers see (``case_file.bank_name``).

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import storage.types  # noqa: F401


revision: str = '0014'
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _code(length: int) -> sa.types.TypeEngine:
    return sa.String(length=length).with_variant(sa.String(length=length, collation='C'), 'postgresql')


def upgrade() -> None:
    op.create_table('fund_agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('agreement_number', _code(20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('base_agreement_id', sa.Integer(), nullable=True),
    sa.Column('developer_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('live_building_id', sa.Integer(), nullable=True),
    sa.Column('current_building_id', sa.Integer(), nullable=True),
    sa.Column('bank_id', sa.Integer(), nullable=True),
    sa.Column('works_progress', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('presale_total', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('key_amount', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('key_standard', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('entered_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('template', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('text_saved_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('archived_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['bank_id'], ['developer_bank.id'], ),
    sa.ForeignKeyConstraint(['base_agreement_id'], ['fund_agreement.id'], ),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['developer_id'], ['developer.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agreement_number', 'version', name='uq_fund_agreement_version'),
    sa.UniqueConstraint('case_id'),
    sa.UniqueConstraint('current_building_id'),
    sa.UniqueConstraint('live_building_id')
    )
    with op.batch_alter_table('fund_agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_agreement_agreement_number'), ['agreement_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_agreement_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_agreement_developer_id'), ['developer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_agreement_status'), ['status'], unique=False)

    op.create_table('fund_agreement_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('building_unit_id', sa.Integer(), nullable=False),
    sa.Column('unit_no', _code(20), nullable=False),
    sa.Column('built_area', storage.types.ScaledDecimal(), nullable=False),
    sa.Column('supervised', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['fund_agreement.id'], ),
    sa.ForeignKeyConstraint(['building_unit_id'], ['building_unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agreement_id', 'building_unit_id', name='uq_fund_agreement_unit')
    )
    with op.batch_alter_table('fund_agreement_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_agreement_unit_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_agreement_unit_building_unit_id'), ['building_unit_id'], unique=False)

    op.create_table('fund_withdrawal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('live_agreement_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('amount', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('works_progress', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('warning', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('entered_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paid_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paid_by', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['fund_agreement.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['paid_by'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id'),
    sa.UniqueConstraint('live_agreement_id')
    )
    with op.batch_alter_table('fund_withdrawal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_withdrawal_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_withdrawal_status'), ['status'], unique=False)

    op.create_table('fund_opinion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('operator_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('opinion', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('fund_opinion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_opinion_case_id'), ['case_id'], unique=False)

    # Plain nullable columns: added in place on both databases (no rebuild of tables others refer to).
    op.add_column('operator', sa.Column('bank_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True))
    op.add_column('case_file', sa.Column('bank_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True))
    op.create_index('ix_case_file_bank_name', 'case_file', ['bank_name'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_case_file_bank_name', table_name='case_file')
    for table in ('case_file', 'operator'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('bank_name')
    for table, indexes in (('fund_opinion', ('case_id',)), ('fund_withdrawal', ('agreement_id', 'status')),
                           ('fund_agreement_unit', ('agreement_id', 'building_unit_id')),
                           ('fund_agreement', ('agreement_number', 'building_id', 'developer_id', 'status'))):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in indexes:
                batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
        op.drop_table(table)
