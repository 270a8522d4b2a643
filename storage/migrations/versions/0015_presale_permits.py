"""New-house presale, its permits (seed 004 §5.2, §5.4, §5.6): property-management room
designations with their rooms, presale and spot-sale permits with their units and the
certificates they were granted on, and the yearly permit number sequence.

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import storage.types  # noqa: F401


revision: str = '0015'
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('permit_sequence',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', 'kind')
    )
    op.create_table('property_room_designation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('type_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('base_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('live_building_id', sa.Integer(), nullable=True),
    sa.Column('current_building_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('archived_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('archived_by', sa.Integer(), nullable=True),
    sa.Column('review_note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['archived_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['base_id'], ['property_room_designation.id'], ),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id'),
    sa.UniqueConstraint('current_building_id'),
    sa.UniqueConstraint('live_building_id')
    )
    with op.batch_alter_table('property_room_designation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_property_room_designation_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_property_room_designation_status'), ['status'], unique=False)

    op.create_table('sale_permit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('type_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('base_permit_id', sa.Integer(), nullable=True),
    sa.Column('permit_number', sa.String(length=20).with_variant(sa.String(length=20, collation='C'), 'postgresql'), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('live_building_id', sa.Integer(), nullable=True),
    sa.Column('current_key', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('property_company', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('archived_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('archived_by', sa.Integer(), nullable=True),
    sa.Column('review_note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['archived_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['base_permit_id'], ['sale_permit.id'], ),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id'),
    sa.UniqueConstraint('current_key'),
    sa.UniqueConstraint('live_building_id')
    )
    with op.batch_alter_table('sale_permit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sale_permit_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sale_permit_permit_number'), ['permit_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_sale_permit_status'), ['status'], unique=False)

    op.create_table('permit_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('permit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('issuer', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.ForeignKeyConstraint(['permit_id'], ['sale_permit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('permit_id', 'kind', name='uq_permit_certificate')
    )
    with op.batch_alter_table('permit_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_permit_certificate_permit_id'), ['permit_id'], unique=False)

    op.create_table('permit_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('permit_id', sa.Integer(), nullable=False),
    sa.Column('building_unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['building_unit_id'], ['building_unit.id'], ),
    sa.ForeignKeyConstraint(['permit_id'], ['sale_permit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('permit_id', 'building_unit_id', name='uq_permit_unit')
    )
    with op.batch_alter_table('permit_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_permit_unit_building_unit_id'), ['building_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_permit_unit_permit_id'), ['permit_id'], unique=False)

    op.create_table('property_room',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('designation_id', sa.Integer(), nullable=False),
    sa.Column('building_unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['building_unit_id'], ['building_unit.id'], ),
    sa.ForeignKeyConstraint(['designation_id'], ['property_room_designation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('designation_id', 'building_unit_id', name='uq_property_room')
    )
    with op.batch_alter_table('property_room', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_property_room_building_unit_id'), ['building_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_property_room_designation_id'), ['designation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('property_room', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_property_room_designation_id'))
        batch_op.drop_index(batch_op.f('ix_property_room_building_unit_id'))

    op.drop_table('property_room')
    with op.batch_alter_table('permit_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_permit_unit_permit_id'))
        batch_op.drop_index(batch_op.f('ix_permit_unit_building_unit_id'))

    op.drop_table('permit_unit')
    with op.batch_alter_table('permit_certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_permit_certificate_permit_id'))

    op.drop_table('permit_certificate')
    with op.batch_alter_table('sale_permit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sale_permit_status'))
        batch_op.drop_index(batch_op.f('ix_sale_permit_permit_number'))
        batch_op.drop_index(batch_op.f('ix_sale_permit_building_id'))

    op.drop_table('sale_permit')
    with op.batch_alter_table('property_room_designation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_property_room_designation_status'))
        batch_op.drop_index(batch_op.f('ix_property_room_designation_building_id'))

    op.drop_table('property_room_designation')
    op.drop_table('permit_sequence')
