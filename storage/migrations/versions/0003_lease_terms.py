"""lease terms

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 10:07:57.726875
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import storage.types  # noqa: F401

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('lease', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity_proxy_name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column('identity_document', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True))
        batch_op.add_column(sa.Column('signed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('term_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('term_end', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('deposit_method', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('lease', schema=None) as batch_op:
        batch_op.drop_column('deposit_method')
        batch_op.drop_column('term_end')
        batch_op.drop_column('term_start')
        batch_op.drop_column('signed_on')
        batch_op.drop_column('identity_document')
        batch_op.drop_column('identity_proxy_name')
