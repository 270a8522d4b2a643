"""The presale ledger and construction-in-progress mortgages (seed 004 §5.9, §1.1 在建工程抵押):
``presale_payment`` becomes the contract's ledger (entries received or refunded, posted, pending
review in their back-entry case, or void) and the one source of what was paid, so
``presale_contract.paid`` goes (every payment it summed is a posted receipt already); the
mortgages of a building's units to the developer's loan bank, with each unit's signing
authorisation; the back-entries of missing project, building and unit facts (户室信息补录);
a fund agreement's uploaded signed copy (协议补录: 上传对应文件).

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import storage.types  # noqa: F401


revision: str = '0019'
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('facts_backfill',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('developer_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('live_building_id', sa.Integer(), nullable=True),
    sa.Column('project_values', sa.Text(), nullable=False),
    sa.Column('building_values', sa.Text(), nullable=False),
    sa.Column('unit_values', sa.Text(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('archived_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['developer_id'], ['developer.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id'),
    sa.UniqueConstraint('live_building_id')
    )
    with op.batch_alter_table('facts_backfill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_facts_backfill_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_facts_backfill_developer_id'), ['developer_id'], unique=False)

    op.create_table('works_mortgage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('developer_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('bank_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('mortgage_contract', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('amount', storage.types.ScaledDecimal(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['bank_id'], ['developer_bank.id'], ),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], ),
    sa.ForeignKeyConstraint(['cancelled_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['developer_id'], ['developer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('works_mortgage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_works_mortgage_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_works_mortgage_developer_id'), ['developer_id'], unique=False)

    op.create_table('works_mortgage_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mortgage_id', sa.Integer(), nullable=False),
    sa.Column('building_unit_id', sa.Integer(), nullable=False),
    sa.Column('unit_no', sa.String(length=20).with_variant(sa.String(length=20, collation='C'), 'postgresql'), nullable=False),
    sa.Column('live_unit_id', sa.Integer(), nullable=True),
    sa.Column('authorised_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('authorised_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['authorised_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['building_unit_id'], ['building_unit.id'], ),
    sa.ForeignKeyConstraint(['mortgage_id'], ['works_mortgage.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('live_unit_id')
    )
    with op.batch_alter_table('works_mortgage_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_works_mortgage_unit_building_unit_id'), ['building_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_works_mortgage_unit_mortgage_id'), ['mortgage_id'], unique=False)

    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch rebuild would drop and recreate
    # presale_contract, which the buyers, payments and returns reference, and SQLite refuses to
    # drop a referenced table that holds rows while foreign keys are on.
    op.execute("ALTER TABLE presale_contract DROP COLUMN paid")

    with op.batch_alter_table('fund_agreement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scan_path', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
        batch_op.add_column(sa.Column('scan_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))

    with op.batch_alter_table('presale_payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), server_default='income', nullable=False))
        batch_op.add_column(sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), server_default='posted', nullable=False))
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('paid_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.create_unique_constraint('uq_presale_payment_case_id', ['case_id'])
        batch_op.create_foreign_key('fk_presale_payment_case_id', 'case_file', ['case_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('presale_contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid', storage.types.ScaledDecimal(), server_default='0', nullable=False))

    op.execute("UPDATE presale_contract SET paid = COALESCE((SELECT SUM(CASE WHEN p.kind = 'refund' "
               "THEN -p.amount ELSE p.amount END) FROM presale_payment p WHERE p.contract_id = presale_contract.id "
               "AND p.status = 'posted'), 0)")
    with op.batch_alter_table('presale_payment', schema=None) as batch_op:
        batch_op.drop_constraint('fk_presale_payment_case_id', type_='foreignkey')
        batch_op.drop_constraint('uq_presale_payment_case_id', type_='unique')
        batch_op.drop_column('note')
        batch_op.drop_column('paid_on')
        batch_op.drop_column('case_id')
        batch_op.drop_column('status')
        batch_op.drop_column('kind')

    # Not a batch rebuild: fund_agreement is referenced by withdrawals (see upgrade()).
    op.execute("ALTER TABLE fund_agreement DROP COLUMN scan_sha256")
    op.execute("ALTER TABLE fund_agreement DROP COLUMN scan_path")

    with op.batch_alter_table('works_mortgage_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_works_mortgage_unit_mortgage_id'))
        batch_op.drop_index(batch_op.f('ix_works_mortgage_unit_building_unit_id'))

    op.drop_table('works_mortgage_unit')
    with op.batch_alter_table('works_mortgage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_works_mortgage_developer_id'))
        batch_op.drop_index(batch_op.f('ix_works_mortgage_building_id'))

    op.drop_table('works_mortgage')
    with op.batch_alter_table('facts_backfill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_facts_backfill_developer_id'))
        batch_op.drop_index(batch_op.f('ix_facts_backfill_building_id'))

    op.drop_table('facts_backfill')
