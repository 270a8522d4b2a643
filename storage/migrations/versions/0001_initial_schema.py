"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 09:19:59.591257
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import storage.types  # noqa: F401

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('operator', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('object_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('object_id', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('case_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('prev_hash')
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_case_number'), ['case_number'], unique=False)

    op.create_table('case_sequence',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('home',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('certificate_number', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('check_code', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('unit_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('building', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('floor', sa.Integer(), nullable=False),
    sa.Column('room', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('floor_area', storage.types.ScaledDecimal(), nullable=False),
    sa.Column('inner_area', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('land_area', storage.types.ScaledDecimal(), nullable=True),
    sa.Column('structure', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('total_floors', sa.Integer(), nullable=False),
    sa.Column('design_use', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('use_class', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('use_class_normalised', sa.Boolean(), nullable=False),
    sa.Column('completion_year', sa.Integer(), nullable=True),
    sa.Column('co_ownership', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('valid', sa.Boolean(), nullable=False),
    sa.Column('mortgaged', sa.Boolean(), nullable=False),
    sa.Column('seized', sa.Boolean(), nullable=False),
    sa.Column('restricted', sa.Boolean(), nullable=False),
    sa.Column('in_transaction', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_number')
    )
    with op.batch_alter_table('home', schema=None) as batch_op:
        batch_op.create_index('ix_home_certificate', ['certificate_number'], unique=False)

    op.create_table('operator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('window', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120).with_variant(sa.String(length=120, collation='C'), 'postgresql'), nullable=False),
    sa.Column('credit_code', sa.String(length=18).with_variant(sa.String(length=18, collation='C'), 'postgresql'), nullable=False),
    sa.Column('legal_rep_name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=True),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('blacklisted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('credit_code')
    )
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index('ix_organisation_name', ['name', 'id'], unique=False)

    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80).with_variant(sa.String(length=80, collation='C'), 'postgresql'), nullable=False),
    sa.Column('id_kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('id_number', sa.String(length=24).with_variant(sa.String(length=24, collation='C'), 'postgresql'), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('nationality', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('sex', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
    sa.Column('phone', sa.String(length=11).with_variant(sa.String(length=11, collation='C'), 'postgresql'), nullable=True),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('capacity', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('real_name_level', sa.Integer(), nullable=False),
    sa.Column('blacklisted', sa.Boolean(), nullable=False),
    sa.Column('blacklist_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('id_kind', 'id_number', name='uq_person_identity')
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_id_number', ['id_number'], unique=False)
        batch_op.create_index('ix_person_name', ['name', 'id'], unique=False)
        batch_op.create_index('ix_person_phone', ['phone'], unique=False)

    op.create_table('case_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('type_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=True),
    sa.Column('pending_role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('pending_operator_id', sa.Integer(), nullable=True),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['holder_id'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['pending_operator_id'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_file_holder_id'), ['holder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_file_status'), ['status'], unique=False)

    op.create_table('family',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('main_applicant_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['main_applicant_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('rank')
    )
    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_main_applicant_id'), ['main_applicant_id'], unique=False)

    op.create_table('home_owner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('home_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('share', storage.types.ScaledDecimal(), nullable=True),
    sa.ForeignKeyConstraint(['home_id'], ['home.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('home_owner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_owner_home_id'), ['home_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_home_owner_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_home_owner_person_id'), ['person_id'], unique=False)

    op.create_table('org_agent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('org_agent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_agent_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_agent_person_id'), ['person_id'], unique=False)

    op.create_table('owner_proxy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('principal_id', sa.Integer(), nullable=False),
    sa.Column('proxy_id', sa.Integer(), nullable=False),
    sa.Column('notarial_certificate', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['principal_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['proxy_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('owner_proxy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_owner_proxy_principal_id'), ['principal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_owner_proxy_proxy_id'), ['proxy_id'], unique=False)

    op.create_table('person_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('id_kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('id_number', sa.String(length=24).with_variant(sa.String(length=24, collation='C'), 'postgresql'), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('id_kind', 'id_number', name='uq_person_document')
    )
    with op.batch_alter_table('person_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_document_id_number'), ['id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_document_person_id'), ['person_id'], unique=False)

    op.create_table('case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('operator_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('from_stage', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('to_stage', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_event_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_event_operator_id'), ['operator_id'], unique=False)

    op.create_table('case_party',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_party', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_party_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_party_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_party_person_id'), ['person_id'], unique=False)

    op.create_table('family_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('relation', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.ForeignKeyConstraint(['family_id'], ['family.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('family_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_member_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_family_member_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('family_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_member_person_id'))
        batch_op.drop_index(batch_op.f('ix_family_member_family_id'))

    op.drop_table('family_member')
    with op.batch_alter_table('case_party', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_party_person_id'))
        batch_op.drop_index(batch_op.f('ix_case_party_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_case_party_case_id'))

    op.drop_table('case_party')
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_event_operator_id'))
        batch_op.drop_index(batch_op.f('ix_case_event_case_id'))

    op.drop_table('case_event')
    with op.batch_alter_table('person_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_document_person_id'))
        batch_op.drop_index(batch_op.f('ix_person_document_id_number'))

    op.drop_table('person_document')
    with op.batch_alter_table('owner_proxy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_owner_proxy_proxy_id'))
        batch_op.drop_index(batch_op.f('ix_owner_proxy_principal_id'))

    op.drop_table('owner_proxy')
    with op.batch_alter_table('org_agent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_agent_person_id'))
        batch_op.drop_index(batch_op.f('ix_org_agent_organisation_id'))

    op.drop_table('org_agent')
    with op.batch_alter_table('home_owner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_home_owner_person_id'))
        batch_op.drop_index(batch_op.f('ix_home_owner_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_home_owner_home_id'))

    op.drop_table('home_owner')
    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_main_applicant_id'))

    op.drop_table('family')
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_file_status'))
        batch_op.drop_index(batch_op.f('ix_case_file_holder_id'))

    op.drop_table('case_file')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_phone')
        batch_op.drop_index('ix_person_name')
        batch_op.drop_index('ix_person_id_number')

    op.drop_table('person')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index('ix_organisation_name')

    op.drop_table('organisation')
    op.drop_table('operator')
    with op.batch_alter_table('home', schema=None) as batch_op:
        batch_op.drop_index('ix_home_certificate')

    op.drop_table('home')
    op.drop_table('case_sequence')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_case_number'))

    op.drop_table('audit_entry')
