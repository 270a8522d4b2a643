"""SMS delivery claims: a message is claimed, sent outside any transaction, then recorded

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types  # noqa: F401

revision: str = '0006'
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_sms_status_backend', ['status', 'backend', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_status_backend')
        batch_op.drop_column('claimed_at')
