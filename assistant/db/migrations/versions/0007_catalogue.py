"""catalogue and classification feedback

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 08:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import assistant.db.models

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _at() -> sa.Column:
    return sa.Column('at', assistant.db.models.UTCDateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        'catalogue_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('matter', sa.String(length=128), nullable=False),
        sa.Column('keywords', sa.JSON(), nullable=False),
        sa.Column('unit_code', sa.String(length=64), nullable=False),
        sa.Column('level', sa.String(length=16), nullable=False),
        sa.Column('co_units', sa.JSON(), nullable=False),
        sa.Column('basis', sa.Text(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('updated_at', assistant.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('matter'),
    )
    op.create_table(
        'catalogue_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        _at(),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.Column('lines', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'classification_corrections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('field', sa.String(length=16), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('suggested', sa.String(length=256), nullable=False),
        sa.Column('chosen', sa.String(length=256), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=64), nullable=False),
        _at(),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id']),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('classification_corrections', schema=None) as batch_op:
        batch_op.create_index('ix_corrections_field_at', ['field', 'at'], unique=False)
        batch_op.create_index('ix_corrections_ticket', ['ticket_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('classification_corrections', schema=None) as batch_op:
        batch_op.drop_index('ix_corrections_ticket')
        batch_op.drop_index('ix_corrections_field_at')
    op.drop_table('classification_corrections')
    op.drop_table('catalogue_versions')
    op.drop_table('catalogue_lines')
