"""one-time codes and house checks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 10:52:06.298767
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import storage.types  # noqa: F401

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('one_time_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('subject_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('subject_version', sa.Integer(), nullable=False),
    sa.Column('party_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('phone', sa.String(length=11).with_variant(sa.String(length=11, collation='C'), 'postgresql'), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('voided_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('one_time_code', schema=None) as batch_op:
        batch_op.create_index('ix_otc_phone_created', ['phone', 'created_at'], unique=False)
        batch_op.create_index('ix_otc_subject', ['subject_type', 'subject_id', 'party_key'], unique=False)

    op.create_table('house_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('home_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('profile_ref', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('verdict', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('house_code', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('report', sa.Text(), nullable=False),
    sa.Column('checked_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['home_id'], ['home.id'], ),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('house_code')
    )
    with op.batch_alter_table('house_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_house_check_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_house_check_home_id'), ['home_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('house_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_house_check_home_id'))
        batch_op.drop_index(batch_op.f('ix_house_check_case_id'))

    op.drop_table('house_check')
    with op.batch_alter_table('one_time_code', schema=None) as batch_op:
        batch_op.drop_index('ix_otc_subject')
        batch_op.drop_index('ix_otc_phone_created')

    op.drop_table('one_time_code')
