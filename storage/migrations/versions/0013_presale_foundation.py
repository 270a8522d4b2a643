"""New-house presale, its foundation (seed 004 §3, §5.1): development enterprises with their
users, banks, projects and project certificates; buildings, their surveys (测绘成果) with units
and unit mappings, and the units as they stand. Operators and cases may belong to a
development enterprise (its staff see only its own).

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import storage.types  # noqa: F401


revision: str = '0013'
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('developer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('credit_code', sa.String(length=18).with_variant(sa.String(length=18, collation='C'), 'postgresql'), nullable=False),
    sa.Column('name', sa.String(length=120).with_variant(sa.String(length=120, collation='C'), 'postgresql'), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('legal_rep_name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('legal_rep_id_kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('legal_rep_id_number', sa.String(length=24).with_variant(sa.String(length=24, collation='C'), 'postgresql'), nullable=False),
    sa.Column('legal_rep_phone', sa.String(length=11).with_variant(sa.String(length=11, collation='C'), 'postgresql'), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('valid', sa.Boolean(), nullable=False),
    sa.Column('established_on', sa.Date(), nullable=True),
    sa.Column('licence_number', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('registered_capital', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('paid_in_capital', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('taxpayer_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('business_scope', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('credit_code')
    )
    with op.batch_alter_table('developer', schema=None) as batch_op:
        batch_op.create_index('ix_developer_name', ['name', 'id'], unique=False)

    op.create_table('developer_bank',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('developer_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('bank_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('branch', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('account_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('account_number', sa.String(length=32).with_variant(sa.String(length=32, collation='C'), 'postgresql'), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['developer_id'], ['developer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('developer_bank', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_developer_bank_developer_id'), ['developer_id'], unique=False)

    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('developer_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('land_area', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('floor_area', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('property_company', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['developer_id'], ['developer.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('developer_id', 'name', name='uq_project_name')
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_developer_id'), ['developer_id'], unique=False)

    op.create_table('building',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'number', name='uq_building_number')
    )
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_building_project_id'), ['project_id'], unique=False)

    op.create_table('developer_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('developer_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=11).with_variant(sa.String(length=11, collation='C'), 'postgresql'), nullable=False),
    sa.Column('applied_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('applied_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decision_note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['applied_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['developer_id'], ['developer.id'], ),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('operator_id')
    )
    with op.batch_alter_table('developer_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_developer_user_developer_id'), ['developer_id'], unique=False)

    op.create_table('project_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('issuer', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('land_use', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('land_area', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('land_term_end', sa.Date(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'kind', 'number', name='uq_project_certificate')
    )
    with op.batch_alter_table('project_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_certificate_project_id'), ['project_id'], unique=False)

    op.create_table('survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('type_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('survey_number', sa.String(length=40).with_variant(sa.String(length=40, collation='C'), 'postgresql'), nullable=False),
    sa.Column('base_survey_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('live_building_id', sa.Integer(), nullable=True),
    sa.Column('current_building_id', sa.Integer(), nullable=True),
    sa.Column('structure', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('floors_above', sa.Integer(), nullable=True),
    sa.Column('floors_below', sa.Integer(), nullable=True),
    sa.Column('height', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('building_use', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('mapping_confirmed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('mapping_confirmed_by', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('archived_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('archived_by', sa.Integer(), nullable=True),
    sa.Column('review_note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['archived_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['base_survey_id'], ['survey.id'], ),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['mapping_confirmed_by'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id'),
    sa.UniqueConstraint('current_building_id'),
    sa.UniqueConstraint('live_building_id')
    )
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_survey_number'), ['survey_number'], unique=False)

    op.create_table('building_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_survey_id', sa.Integer(), nullable=False),
    sa.Column('retired_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('retired_by_survey_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], ),
    sa.ForeignKeyConstraint(['created_by_survey_id'], ['survey.id'], ),
    sa.ForeignKeyConstraint(['retired_by_survey_id'], ['survey.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('building_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_building_unit_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_building_unit_state'), ['state'], unique=False)

    op.create_table('survey_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('building_unit_id', sa.Integer(), nullable=True),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('unit_no', sa.String(length=20).with_variant(sa.String(length=20, collation='C'), 'postgresql'), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('actual_floor', sa.Integer(), nullable=False),
    sa.Column('nominal_floor', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('built_area', storage.types.ScaledDecimal(), nullable=False),
    sa.Column('inner_area', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('shared_area', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('structure', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('house_type', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('use', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('nature', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('elevator', sa.Boolean(), nullable=True),
    sa.Column('layout', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('decoration', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('floor_height', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('balcony', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('sale_price', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('decoration_price', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('rough_price', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('fixed', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.ForeignKeyConstraint(['building_unit_id'], ['building_unit.id'], ),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('survey_id', 'unit_no', name='uq_survey_unit_no')
    )
    with op.batch_alter_table('survey_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_unit_building_unit_id'), ['building_unit_id'], unique=False)

    op.create_table('survey_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('old_unit_id', sa.Integer(), nullable=False),
    sa.Column('new_unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['new_unit_id'], ['survey_unit.id'], ),
    sa.ForeignKeyConstraint(['old_unit_id'], ['survey_unit.id'], ),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('survey_id', 'old_unit_id', 'new_unit_id', name='uq_survey_mapping')
    )
    with op.batch_alter_table('survey_mapping', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_mapping_survey_id'), ['survey_id'], unique=False)

    for table in ("case_file", "operator"):
        _add_developer_reference(table)
    with op.batch_alter_table('operator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('admission', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True))


def _add_developer_reference(table: str) -> None:
    """``developer_id`` with its foreign key on a table others refer to. SQLite adds a column
    with REFERENCES in place (a batch rebuild would drop a table that other rows refer to)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN developer_id INTEGER REFERENCES developer (id)")
    else:
        op.add_column(table, sa.Column('developer_id', sa.Integer(), nullable=True))
        op.create_foreign_key(f"{table}_developer_id_fkey", table, 'developer', ['developer_id'], ['id'])
    op.create_index(f"ix_{table}_developer_id", table, ['developer_id'], unique=False)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in ("operator", "case_file"):
        op.drop_index(f"ix_{table}_developer_id", table_name=table)
        if not sqlite:
            op.drop_constraint(f"{table}_developer_id_fkey", table, type_="foreignkey")
        with op.batch_alter_table(table, schema=None, recreate="always" if sqlite else "auto") as batch_op:
            batch_op.drop_column("developer_id")  # SQLite: a rebuild (a column in a foreign key cannot be dropped)
    with op.batch_alter_table('operator', schema=None) as batch_op:
        batch_op.drop_column('admission')

    with op.batch_alter_table('survey_mapping', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_mapping_survey_id'))

    op.drop_table('survey_mapping')
    with op.batch_alter_table('survey_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_unit_building_unit_id'))

    op.drop_table('survey_unit')
    with op.batch_alter_table('building_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_building_unit_state'))
        batch_op.drop_index(batch_op.f('ix_building_unit_building_id'))

    op.drop_table('building_unit')
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_survey_number'))
        batch_op.drop_index(batch_op.f('ix_survey_status'))
        batch_op.drop_index(batch_op.f('ix_survey_building_id'))

    op.drop_table('survey')
    with op.batch_alter_table('project_certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_certificate_project_id'))

    op.drop_table('project_certificate')
    with op.batch_alter_table('developer_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_developer_user_developer_id'))

    op.drop_table('developer_user')
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_building_project_id'))

    op.drop_table('building')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_developer_id'))

    op.drop_table('project')
    with op.batch_alter_table('developer_bank', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_developer_bank_developer_id'))

    op.drop_table('developer_bank')
    with op.batch_alter_table('developer', schema=None) as batch_op:
        batch_op.drop_index('ix_developer_name')

    op.drop_table('developer')
