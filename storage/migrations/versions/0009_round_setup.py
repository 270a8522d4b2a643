"""Round setup: when each family's formal selection began (the per-family time limit)

A round may now also be "draft" (筹备中) while a supervisor sets it up; the
status column already holds that word, so only the family's start of formal
selection is new.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types  # noqa: F401

revision: str = '0009'
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('round_family', schema=None) as batch_op:
        batch_op.add_column(sa.Column('formal_started_at', storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('round_family', schema=None) as batch_op:
        batch_op.drop_column('formal_started_at')
