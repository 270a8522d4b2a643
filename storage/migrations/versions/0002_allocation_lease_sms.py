"""public housing allocation, lease, sms

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 09:34:19.161176
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import storage.types  # noqa: F401

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('allocation_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=14), nullable=False),
    sa.Column('case_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('pre_open', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('pre_close', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('formal_open', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('formal_close', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('run_count', sa.Integer(), nullable=False),
    sa.Column('published_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('journal_head', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    op.create_table('sms_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=11).with_variant(sa.String(length=11, collation='C'), 'postgresql'), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('case_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('backend', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.create_index('ix_sms_phone_created', ['phone', 'created_at'], unique=False)

    op.create_table('round_journal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('run', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['allocation_round.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'run', 'seq', name='uq_round_journal')
    )
    with op.batch_alter_table('round_journal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_journal_round_id'), ['round_id'], unique=False)

    op.create_table('public_house',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24).with_variant(sa.String(length=24, collation='C'), 'postgresql'), nullable=False),
    sa.Column('project', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('building', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('floor', sa.Integer(), nullable=False),
    sa.Column('room', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('layout', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('orientation', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('area', storage.types.ScaledDecimal(), nullable=False),
    sa.Column('monthly_rent', storage.types.ScaledDecimal(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('taken_round_id', sa.Integer(), nullable=True),
    sa.Column('taken_family_id', sa.Integer(), nullable=True),
    sa.Column('taken_rank', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['taken_family_id'], ['family.id'], ),
    sa.ForeignKeyConstraint(['taken_round_id'], ['allocation_round.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('public_house', schema=None) as batch_op:
        batch_op.create_index('ix_public_house_place', ['building', 'floor', 'room'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_house_state'), ['state'], unique=False)

    op.create_table('supplementary_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('from_round_id', sa.Integer(), nullable=False),
    sa.Column('applied_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('assigned_round_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assigned_round_id'], ['allocation_round.id'], ),
    sa.ForeignKeyConstraint(['family_id'], ['family.id'], ),
    sa.ForeignKeyConstraint(['from_round_id'], ['allocation_round.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('family_id', 'from_round_id', name='uq_supplementary_once')
    )
    with op.batch_alter_table('supplementary_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplementary_application_family_id'), ['family_id'], unique=False)

    op.create_table('lease',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('house_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('tenant_phone', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=True),
    sa.Column('employer', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('bank_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('bank_account', sa.String(length=32).with_variant(sa.String(length=32, collation='C'), 'postgresql'), nullable=True),
    sa.Column('identity_checked_by', sa.Integer(), nullable=True),
    sa.Column('identity_checked_person', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('identity_checked_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('contract_number', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('deposit', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('deposit_receipt', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('deposit_paid_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('review_status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('review_note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['family_id'], ['family.id'], ),
    sa.ForeignKeyConstraint(['house_id'], ['public_house.id'], ),
    sa.ForeignKeyConstraint(['identity_checked_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['reviewed_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['round_id'], ['allocation_round.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id'),
    sa.UniqueConstraint('house_id')
    )
    with op.batch_alter_table('lease', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lease_family_id'), ['family_id'], unique=False)

    op.create_table('round_family',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('confirm_house_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('gave_up', sa.Boolean(), nullable=False),
    sa.Column('gave_up_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('result_house_id', sa.Integer(), nullable=True),
    sa.Column('result_status', sqlmodel.sql.sqltypes.AutoString(length=14), nullable=True),
    sa.ForeignKeyConstraint(['confirm_house_id'], ['public_house.id'], ),
    sa.ForeignKeyConstraint(['family_id'], ['family.id'], ),
    sa.ForeignKeyConstraint(['result_house_id'], ['public_house.id'], ),
    sa.ForeignKeyConstraint(['round_id'], ['allocation_round.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'family_id', name='uq_round_family'),
    sa.UniqueConstraint('round_id', 'rank', name='uq_round_rank'),
    sa.UniqueConstraint('round_id', 'result_house_id', name='uq_round_result_house')
    )
    with op.batch_alter_table('round_family', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_family_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_family_round_id'), ['round_id'], unique=False)

    op.create_table('wish',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('list_kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('house_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['family_id'], ['family.id'], ),
    sa.ForeignKeyConstraint(['house_id'], ['public_house.id'], ),
    sa.ForeignKeyConstraint(['round_id'], ['allocation_round.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'family_id', 'list_kind', 'position', name='uq_wish_position')
    )
    with op.batch_alter_table('wish', schema=None) as batch_op:
        batch_op.create_index('ix_wish_round_family', ['round_id', 'family_id', 'list_kind'], unique=False)

    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.add_column(sa.Column('eligible_layouts', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default='1b'))



def downgrade() -> None:
    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.drop_column('eligible_layouts')

    with op.batch_alter_table('wish', schema=None) as batch_op:
        batch_op.drop_index('ix_wish_round_family')

    op.drop_table('wish')
    with op.batch_alter_table('round_family', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_family_round_id'))
        batch_op.drop_index(batch_op.f('ix_round_family_family_id'))

    op.drop_table('round_family')
    with op.batch_alter_table('lease', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lease_family_id'))

    op.drop_table('lease')
    with op.batch_alter_table('supplementary_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplementary_application_family_id'))

    op.drop_table('supplementary_application')
    with op.batch_alter_table('public_house', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_house_state'))
        batch_op.drop_index('ix_public_house_place')

    op.drop_table('public_house')
    with op.batch_alter_table('round_journal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_journal_round_id'))

    op.drop_table('round_journal')
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_phone_created')

    op.drop_table('sms_message')
    op.drop_table('allocation_round')
