"""The home register (房屋登记簿): the title registry's marks with their reasons
(``home_mark``), and how many times the register changed a home (``home.register_version``:
a house check records the count it saw; one made before a change no longer describes the home)

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import storage.types

revision: str = '0016'
down_revision: str | Sequence[str] | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('home', schema=None) as batch_op:
        batch_op.add_column(sa.Column('register_version', sa.Integer(), nullable=False, server_default='0'))
    op.create_table('home_mark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('home_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('set_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('set_by', sa.Integer(), nullable=True),
    sa.Column('cleared_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cleared_by', sa.Integer(), nullable=True),
    sa.Column('clear_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['home_id'], ['home.id'], ),
    sa.ForeignKeyConstraint(['set_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['cleared_by'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('home_mark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_mark_home_id'), ['home_id'], unique=False)
        # One open mark of a kind per home: the last line of defence behind the home row's lock.
        batch_op.create_index('uq_home_mark_open', ['home_id', 'kind'], unique=True,
                              sqlite_where=sa.text('cleared_at IS NULL'),
                              postgresql_where=sa.text('cleared_at IS NULL'))


def downgrade() -> None:
    op.drop_table('home_mark')
    with op.batch_alter_table('home', schema=None) as batch_op:
        batch_op.drop_column('register_version')
