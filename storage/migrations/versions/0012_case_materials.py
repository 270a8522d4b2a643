"""The materials a citizen handed in for a case (``case_material``): the receipt lists
exactly these, the one-time notice what is still missing

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0012'
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('case_material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('material_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('recorded_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'material_key')
    )
    with op.batch_alter_table('case_material', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_material_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_table('case_material')
