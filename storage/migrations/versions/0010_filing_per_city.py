"""Filing per city: the materials a Shenzhen filing needs, how a filing was made

``filing_material`` holds what the counter recorded before a Shenzhen filing
(the signed 承诺书 handed back, the 涉外合同公证书); ``contract_filing.route``
says how the contract was filed (review / at_signing / at_transfer, from the
city's profile) and ``transfer_number`` the Wuhan transfer registration that
filed it (``core.resale.filing``). Earlier filings were all made by review.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0010'
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('filing_material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('recorded_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('filing_material', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_material_contract_id'), ['contract_id'], unique=False)
    with op.batch_alter_table('contract_filing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('route', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
                                      server_default='review'))
        batch_op.add_column(sa.Column('transfer_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contract_filing', schema=None) as batch_op:
        batch_op.drop_column('transfer_number')
        batch_op.drop_column('route')
    op.drop_table('filing_material')
